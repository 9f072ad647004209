// Package okdedit edits the OKD objects of a builder repo kiln did not
// write — an example Template and the builder's ImageStream — through
// yaml.v3's node tree, so the author's comments, key order and quoting
// survive: a new port joins the Service and the container, a removed one
// leaves them, an env var the template sets follows the image's, and the
// annotations OKD's catalogue shows follow the image's description,
// display name and tags (G09, G19, G23, G26).
package okdedit

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// File is one YAML file of OKD objects: a Template, a List, or one object.
type File struct {
	doc     yaml.Node
	src     []byte
	compact bool // sequences at their key's indentation (- under the key), as kiln and oc write them
	changed bool
	added   []int    // ports AddPort added: where a removed port's probes and Route go
	notes   []string // what an edit could not carry through, for the author
}

// Notes are what the edits could not keep consistent by themselves (a
// probe or Route left pointing at a removed port), each naming the object,
// the field and what to do.
func (f *File) Notes() []string { return f.notes }

// Parse reads src; it must hold one YAML document.
func Parse(src []byte) (*File, error) {
	f := &File{src: src}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&f.doc); err != nil {
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, errors.New("more than one YAML document: kiln edits one object, Template or List per file")
	}
	if len(f.doc.Content) != 1 || f.doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("not a YAML mapping")
	}
	// Keep the author's sequence style: the one that writes the file back
	// unchanged, or closest to it.
	compact, _ := f.encode(true)
	loose, _ := f.encode(false)
	f.compact = bytes.Equal(compact, src) || !bytes.Equal(loose, src) && lineDiff(compact, src) <= lineDiff(loose, src)
	return f, nil
}

func lineDiff(a, b []byte) int {
	as, bs := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	n := 0
	for i := range max(len(as), len(bs)) {
		if i >= len(as) || i >= len(bs) || as[i] != bs[i] {
			n++
		}
	}
	return n
}

func (f *File) encode(compact bool) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if compact {
		enc.CompactSeqIndent()
	}
	if err := enc.Encode(&f.doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

// Changed reports whether an edit changed the file.
func (f *File) Changed() bool { return f.changed }

// Bytes is the edited file: the source itself when nothing changed.
func (f *File) Bytes() ([]byte, error) {
	if !f.changed {
		return f.src, nil
	}
	return f.encode(f.compact)
}

// Kind is the top object's kind.
func (f *File) Kind() string { return scalar(get(f.doc.Content[0], "kind")) }

// objects are the file's objects: a Template's objects, a List's items, or
// the file's one object.
func (f *File) objects() []*yaml.Node {
	root := f.doc.Content[0]
	for _, key := range []string{"objects", "items"} {
		if s := get(root, key); s != nil && s.Kind == yaml.SequenceNode && (key == "objects") == (f.Kind() == "Template") {
			return s.Content
		}
	}
	return []*yaml.Node{root}
}

func get(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func path(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		n = get(n, k)
	}
	return n
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func str(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
func num(v int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(v)}
}
func mapping(kv ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: kv}
}

// setScalar changes a scalar's value in place, keeping its style unless the
// value needs another (plain text that would read as a number).
func (f *File) setScalar(n *yaml.Node, v string) {
	if n.Value == v {
		return
	}
	n.Value, n.Tag = v, "!!str"
	if n.Style == 0 {
		var probe any
		err := yaml.Unmarshal([]byte(v), &probe)
		if s, ok := probe.(string); err != nil || !ok || s != v {
			n.Style = yaml.DoubleQuotedStyle
		}
	}
	f.changed = true
}

var workloads = map[string]bool{"Deployment": true, "DeploymentConfig": true, "StatefulSet": true, "DaemonSet": true}

// containers are the containers of the workloads in the file.
func (f *File) containers() []*yaml.Node {
	var out []*yaml.Node
	for _, o := range f.objects() {
		if !workloads[scalar(get(o, "kind"))] {
			continue
		}
		if cs := path(o, "spec", "template", "spec", "containers"); cs != nil && cs.Kind == yaml.SequenceNode {
			out = append(out, cs.Content...)
		}
	}
	return out
}

func (f *File) services() []*yaml.Node {
	var out []*yaml.Node
	for _, o := range f.objects() {
		if scalar(get(o, "kind")) == "Service" && get(o, "spec") != nil {
			out = append(out, get(o, "spec"))
		}
	}
	return out
}

// seq returns m's sequence at key, adding an empty one when missing.
func seq(m *yaml.Node, key string) *yaml.Node {
	if s := get(m, key); s != nil && s.Kind == yaml.SequenceNode {
		return s
	}
	s := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	m.Content = append(m.Content, str(key), s)
	return s
}

func intOf(n *yaml.Node) int {
	v, _ := strconv.Atoi(scalar(n))
	return v
}

// AddPort adds a port to every Service (port and targetPort) and to the
// containers that list ports (or the only container), unless there.
func (f *File) AddPort(number int, protocol, name string) {
	proto := strings.ToUpper(protocol)
	f.added = append(f.added, number)
	for _, spec := range f.services() {
		ports := seq(spec, "ports")
		if has(ports, "port", number) {
			continue
		}
		var kv []*yaml.Node
		if name != "" {
			kv = append(kv, str("name"), quotedLike(ports, "name", name))
		}
		kv = append(kv, str("port"), num(number))
		if proto != "TCP" || hasKey(ports, "protocol") {
			kv = append(kv, str("protocol"), str(proto))
		}
		kv = append(kv, str("targetPort"), num(number))
		ports.Content = append(ports.Content, mapping(kv...))
		f.changed = true
	}
	cs := f.containers()
	for _, c := range cs {
		if get(c, "ports") == nil && len(cs) > 1 {
			continue
		}
		ports := seq(c, "ports")
		if has(ports, "containerPort", number) {
			continue
		}
		kv := []*yaml.Node{str("containerPort"), num(number)}
		if proto != "TCP" || hasKey(ports, "protocol") {
			kv = append(kv, str("protocol"), str(proto))
		}
		ports.Content = append(ports.Content, mapping(kv...))
		f.changed = true
	}
}

// quotedLike is a new value quoted as the same key's values around it are.
func quotedLike(s *yaml.Node, key, v string) *yaml.Node {
	n := str(v)
	for _, e := range s.Content {
		if x := get(e, key); x != nil {
			n.Style = x.Style
		}
	}
	return n
}

func has(s *yaml.Node, key string, number int) bool {
	for _, e := range s.Content {
		if intOf(get(e, key)) == number {
			return true
		}
	}
	return false
}

func hasKey(s *yaml.Node, key string) bool {
	for _, e := range s.Content {
		if get(e, key) != nil {
			return true
		}
	}
	return false
}

// RemovePort removes a port from the Services and containers. What pointed
// at it follows it (G19): a Service port targeting it, the containers'
// readiness, liveness and startup probes and a Route's targetPort move to
// the port this edit added, or else to the first port left; with no port
// left a probe or Route is named in Notes, and a Service port dropped.
func (f *File) RemovePort(number int) {
	// The container port's names: a probe or a Service's targetPort may use
	// them. A Route names a Service port: one this edit drops.
	names, dropped := map[string]bool{}, map[string]bool{}
	for _, c := range f.containers() {
		for _, e := range seqOf(get(c, "ports")) {
			if intOf(get(e, "containerPort")) == number {
				if n := scalar(get(e, "name")); n != "" {
					names[n] = true
				}
			}
		}
	}
	pointsIn := func(n *yaml.Node, names map[string]bool) bool {
		if n == nil || n.Kind != yaml.ScalarNode {
			return false
		}
		if v, err := strconv.Atoi(n.Value); err == nil {
			return v == number
		}
		return names[n.Value]
	}
	points := func(n *yaml.Node) bool { return pointsIn(n, names) }
	drop := func(s *yaml.Node, keep func(*yaml.Node) bool) {
		if s == nil || s.Kind != yaml.SequenceNode {
			return
		}
		kept := s.Content[:0]
		for _, e := range s.Content {
			if !keep(e) {
				f.changed = true
				continue
			}
			kept = append(kept, e)
		}
		s.Content = kept
	}
	for _, c := range f.containers() {
		drop(get(c, "ports"), func(e *yaml.Node) bool { return intOf(get(e, "containerPort")) != number })
	}
	to, svcName, ctrName := f.replacement(number)
	// point moves n to the replacement: by name where n was a name and the
	// replacement has one, else by number.
	point := func(n *yaml.Node, toName string) {
		v := strconv.Itoa(to)
		if _, err := strconv.Atoi(n.Value); err != nil && toName != "" {
			v = toName
		}
		if n.Value != v {
			n.Value, n.Tag, n.Style = v, "!!int", 0
			if _, err := strconv.Atoi(v); err != nil {
				n.Tag = "!!str"
			}
			f.changed = true
		}
	}
	for _, spec := range f.services() {
		drop(get(spec, "ports"), func(e *yaml.Node) bool {
			tp := get(e, "targetPort")
			if intOf(get(e, "port")) == number || points(tp) && to == 0 {
				if n := scalar(get(e, "name")); n != "" {
					dropped[n] = true
				}
				return false
			}
			if points(tp) {
				point(tp, ctrName)
			}
			return true
		})
	}
	for _, o := range f.objects() {
		if workloads[scalar(get(o, "kind"))] {
			for _, c := range seqOf(path(o, "spec", "template", "spec", "containers")) {
				for _, probe := range []string{"readinessProbe", "livenessProbe", "startupProbe"} {
					for _, h := range []string{"httpGet", "tcpSocket", "grpc"} {
						p := path(c, probe, h, "port")
						if !points(p) {
							continue
						}
						if to == 0 {
							f.notes = append(f.notes, fmt.Sprintf("%s %s, container %s: %s.%s.port %s is the removed port and no port is left to move it to: point it at the port the image listens on, or remove the probe",
								scalar(get(o, "kind")), scalar(path(o, "metadata", "name")), scalar(get(c, "name")), probe, h, p.Value))
							continue
						}
						point(p, ctrName)
					}
				}
			}
		}
		if scalar(get(o, "kind")) == "Route" {
			if tp := path(o, "spec", "port", "targetPort"); pointsIn(tp, dropped) {
				if to == 0 {
					f.notes = append(f.notes, fmt.Sprintf("Route %s: spec.port.targetPort %s is the removed port and no port is left to move it to: point it at a port of the Service, or remove the Route",
						scalar(path(o, "metadata", "name")), tp.Value))
					continue
				}
				point(tp, svcName)
			}
		}
	}
}

// replacement is the port what pointed at a removed one moves to: the
// first port this edit added, else the first container or Service port
// left; and its names: a Route names a Service port, a probe or a
// Service's targetPort a container port.
func (f *File) replacement(removed int) (to int, svcName, ctrName string) {
	var left []int
	for _, a := range f.added {
		if a != removed {
			left = append(left, a)
		}
	}
	for _, c := range f.containers() {
		for _, e := range seqOf(get(c, "ports")) {
			left = append(left, intOf(get(e, "containerPort")))
		}
	}
	// Containers need not list their ports: then the Services' targets.
	for _, spec := range f.services() {
		for _, e := range seqOf(get(spec, "ports")) {
			if intOf(get(e, "port")) != removed {
				left = append(left, intOf(get(e, "targetPort")))
			}
		}
	}
	for _, to := range left {
		if to <= 0 || to == removed {
			continue
		}
		var svc, ctr string
		for _, spec := range f.services() {
			for _, e := range seqOf(get(spec, "ports")) {
				if n := scalar(get(e, "name")); n != "" && svc == "" && (intOf(get(e, "port")) == to || intOf(get(e, "targetPort")) == to) {
					svc = n
				}
			}
		}
		for _, c := range f.containers() {
			for _, e := range seqOf(get(c, "ports")) {
				if n := scalar(get(e, "name")); n != "" && ctr == "" && intOf(get(e, "containerPort")) == to {
					ctr = n
				}
			}
		}
		return to, svc, ctr
	}
	return 0, "", ""
}

// seqOf is a sequence's items, none for anything else.
func seqOf(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

// SetEnv changes the value of NAME where a container sets it (the image's
// default changed); a template that does not set it keeps the image's.
func (f *File) SetEnv(name, value string) {
	for _, c := range f.containers() {
		env := get(c, "env")
		if env == nil {
			continue
		}
		for _, e := range env.Content {
			if scalar(get(e, "name")) == name {
				if v := get(e, "value"); v != nil {
					f.setScalar(v, value)
				}
			}
		}
	}
}

// UnsetEnv removes NAME from the containers' env.
func (f *File) UnsetEnv(name string) {
	for _, c := range f.containers() {
		env := get(c, "env")
		if env == nil || env.Kind != yaml.SequenceNode {
			continue
		}
		kept := env.Content[:0]
		for _, e := range env.Content {
			if scalar(get(e, "name")) == name {
				f.changed = true
				continue
			}
			kept = append(kept, e)
		}
		env.Content = kept
	}
}

// SetAnnotation sets an annotation OKD's catalogue reads where the file
// already has it: on the Template or ImageStream itself and, for an
// ImageStream, on each of its tags (withTags).
func (f *File) SetAnnotation(key, value string, withTags bool) {
	root := f.doc.Content[0]
	var maps []*yaml.Node
	kind := f.Kind()
	if kind == "Template" || kind == "ImageStream" {
		maps = append(maps, path(root, "metadata", "annotations"))
	}
	for _, o := range f.objects() {
		if scalar(get(o, "kind")) != "ImageStream" {
			continue
		}
		if o != root {
			maps = append(maps, path(o, "metadata", "annotations"))
		}
		if !withTags {
			continue
		}
		if tags := path(o, "spec", "tags"); tags != nil {
			for _, t := range tags.Content {
				maps = append(maps, path(t, "annotations"))
			}
		}
	}
	for _, m := range maps {
		if v := get(m, key); v != nil && v.Kind == yaml.ScalarNode {
			f.setScalar(v, value)
		}
	}
}
