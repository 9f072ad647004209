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
			d.labels[p.key] = labelVal{value: p.value, line: in.line, resolved: p.resolved}
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

func (d *dockerfile) checkLabels() {
	for _, in := range d.final {
		if in.cmd != "label" {
			continue
		}
		for _, p := range in.pairs {
			if !p.resolved {
				continue
			}
			if problem := okd.LabelKey(p.key); problem != "" {
				d.rep.add("KL087", in.line, "label key %q %s", p.key, problem)
			}
			if strings.TrimSpace(p.value) == "" {
				d.rep.add("KL088", in.line, "label %s is empty", p.key)
			}
		}
	}
	line := d.labelLine()
	if _, ok := d.labels["io.k8s.description"]; !ok {
		d.rep.add("KL080", line, "no io.k8s.description label")
	}
	if _, ok := d.labels["io.k8s.display-name"]; !ok {
		d.rep.add("KL081", line, "no io.k8s.display-name label")
	}
	tags, hasTags := d.labels["io.openshift.tags"]
	switch {
	case !hasTags:
		d.rep.add("KL082", line, "no io.openshift.tags label")
	case d.isBuider && tags.resolved && !slices.Contains(okd.SplitList(tags.value), "builder"):
		d.rep.add("KL083", tags.line, "io.openshift.tags %q lacks builder, but the image ships s2i scripts", tags.value)
	}
	scriptsURL, hasURL := d.labels["io.openshift.s2i.scripts-url"]
	if hasURL && scriptsURL.resolved {
		v := scriptsURL.value
		if !(strings.HasPrefix(v, "image:///") || strings.HasPrefix(v, "file://") || strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://")) {
			d.rep.add("KL086", scriptsURL.line, "io.openshift.s2i.scripts-url %q is not an image:///, file://, http:// or https:// URL", v)
		}
	}
	for _, c := range d.copies {
		if !slices.ContainsFunc(c.srcs, isS2ISource) {
			continue
		}
		dir := c.dest
		if !c.destIsDir && !slices.ContainsFunc(c.srcs, isS2IDir) {
			dir = path.Dir(c.dest) // a single script copied to a file name
		}
		switch {
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
