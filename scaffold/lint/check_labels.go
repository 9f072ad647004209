package lint

import (
	"path"
	"slices"
	"strings"

	"github.com/kiln-s2i/kiln/scaffold/okd"
)

func (d *dockerfile) collectLabels() {
	d.labels = map[string]labelVal{}
	for _, in := range d.final {
		if in.cmd != "label" {
			continue
		}
		for _, p := range in.pairs {
			line := d.keyLine(in, p.key)
			if prev, dup := d.labels[p.key]; dup && p.resolved && in.stage == d.finalStage() && prev.stage == in.stage {
				d.rep.add("KL091", line, "label %s is set again (first at line %d); the later value wins", p.key, prev.line)
			}
			d.labels[p.key] = labelVal{value: p.value, line: line, resolved: p.resolved, stage: in.stage}
		}
	}
	d.isBuider = d.facts.hasS2IBin
	if _, ok := d.labels["io.openshift.s2i.scripts-url"]; ok {
		d.isBuider = true
	}
	for _, c := range d.copies {
		if c.dest == "/usr/libexec/s2i" || strings.HasPrefix(c.dest, "/usr/libexec/s2i/") || slices.ContainsFunc(c.srcs, isS2ISource) {
			d.isBuider = true
		}
	}
}

// shipsScripts reports whether the image copies s2i scripts in (not only
// points at them with the scripts-url label, as base images do).
func (d *dockerfile) shipsScripts() bool {
	if d.facts.hasS2IBin {
		return true
	}
	for _, c := range d.copies {
		if slices.ContainsFunc(c.srcs, isS2ISource) {
			return true
		}
	}
	return false
}

func (d *dockerfile) checkLabels() {
	for _, in := range d.final {
		if in.cmd != "label" {
			continue
		}
		for _, p := range in.pairs {
			if !p.resolved {
				continue
			}
			// the key's line is looked up only for a finding
			if problem := okd.LabelKey(p.key); problem != "" {
				d.rep.add("KL087", d.keyLine(in, p.key), "label key %q %s", p.key, problem)
			}
			if okd.Blank(p.value) {
				d.rep.add("KL088", d.keyLine(in, p.key), "label %s is empty", p.key)
			}
		}
	}
	line := d.labelLine()
	missing := func(id, key string) {
		if _, ok := d.labels[key]; ok {
			return
		}
		if b, ok := d.knownBase(); ok {
			if b.Labels[key] == "" {
				d.rep.add(id, line, "no %s label, here or in the base image %s", key, b.Ref)
			}
			return
		}
		if base, inherits := d.inherits(); inherits {
			d.rep.addSev(id, Info, line, 1, "no %s label here; the base image %s may set it", key, base)
			return
		}
		d.rep.add(id, line, "no %s label", key)
	}
	missing("KL080", okd.LabelDescription)
	missing("KL081", okd.LabelDisplayName)
	missing("KL082", okd.LabelTags)
	if tags, ok := d.labels[okd.LabelTags]; ok && tags.resolved {
		words := okd.SplitList(tags.value)
		for _, w := range words {
			if !okd.TagWord(w) {
				d.rep.add("KL092", tags.line, "io.openshift.tags %q: %q is not one tag word (separate tags with commas)", tags.value, w)
				break
			}
		}
		if d.isBuider && d.facts.hasScripts != nil && d.facts.hasScripts(d) && !slices.Contains(words, "builder") {
			d.rep.add("KL083", tags.line, "io.openshift.tags %q lacks builder, but the image ships assemble and run", tags.value)
		}
	}
	scriptsURL, hasURL := d.labels["io.openshift.s2i.scripts-url"]
	if hasURL && scriptsURL.resolved {
		v := scriptsURL.value
		if !(strings.HasPrefix(v, "image:///") || strings.HasPrefix(v, "file://") || strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://")) {
			d.rep.add("KL086", scriptsURL.line, "io.openshift.s2i.scripts-url %q is not an image:///, file://, http:// or https:// URL", v)
		}
	}
	// G14: without a label here, the base image's scripts-url (when known)
	// is the one s2i reads.
	inherited := ""
	if !hasURL {
		if b, ok := d.knownBase(); ok {
			inherited = b.ScriptsURL()
		}
	}
	for _, c := range d.copies {
		if !slices.ContainsFunc(c.srcs, isS2ISource) {
			continue
		}
		dir := c.dest
		switch {
		case slices.ContainsFunc(c.srcs, func(s string) bool { return path.Base(path.Clean(s)) == "s2i" }):
			dir = path.Join(c.dest, "bin") // COPY s2i /usr/local/s2i: the scripts land in its bin
		case !c.destIsDir && !slices.ContainsFunc(c.srcs, isS2IDir):
			dir = path.Dir(c.dest) // a single script copied to a file name
		}
		switch {
		case inherited != "":
			if !strings.HasPrefix(inherited, "image://") || path.Clean(strings.TrimPrefix(inherited, "image://")) != dir {
				d.rep.add("KL085", c.in.line, "s2i scripts are copied to %s, but the base image sets io.openshift.s2i.scripts-url %s, and no label here changes it", dir, inherited)
			}
		case !hasURL && dir != "/usr/libexec/s2i":
			d.rep.add("KL085", c.in.line, "s2i scripts are copied to %s, but no io.openshift.s2i.scripts-url says so (s2i looks in /usr/libexec/s2i)", dir)
		case hasURL && scriptsURL.resolved && strings.HasPrefix(scriptsURL.value, "image://") &&
			path.Clean(strings.TrimPrefix(scriptsURL.value, "image://")) != dir:
			d.rep.add("KL085", c.in.line, "s2i scripts are copied to %s, but io.openshift.s2i.scripts-url is %s", dir, scriptsURL.value)
		}
	}
	for _, key := range []string{"io.openshift.min-memory", "io.openshift.min-cpu"} {
		if l, ok := d.labels[key]; ok && l.resolved && !isQuantity(l.value) {
			d.rep.add("KL089", l.line, "%s %q is not a Kubernetes quantity", key, l.value)
		}
	}
	if l, ok := d.labels["io.openshift.non-scalable"]; ok && l.resolved && l.value != "true" && l.value != "false" {
		d.rep.add("KL090", l.line, "io.openshift.non-scalable is %q, not true or false", l.value)
	}
}
