package lint

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/kiln-s2i/kiln/scaffold/okd"
)

func (d *dockerfile) checkCmdCount(st *stage) {
	seen := map[string]int{}
	for _, in := range st.instrs {
		if in.cmd != "cmd" && in.cmd != "entrypoint" {
			continue
		}
		if first, ok := seen[in.cmd]; ok {
			d.rep.add("KL111", in.line, "second %s in this stage (the first is at line %d); only the last one counts", strings.ToUpper(in.cmd), first)
			continue
		}
		seen[in.cmd] = in.line
	}
}

// exposed lists the final image's EXPOSEd ports; known is false when some
// port comes from a variable without a value.
func (d *dockerfile) exposed() (ports map[string]int, anyExpose, known bool, firstLine int) {
	ports = map[string]int{}
	known = true
	for _, in := range d.final {
		if in.cmd != "expose" {
			continue
		}
		anyExpose = true
		known = known && in.resolved
		if firstLine == 0 {
			firstLine = in.line
		}
		for _, w := range in.words {
			if p, proto, ok := parsePort(w); ok {
				ports[fmt.Sprintf("%d/%s", p, proto)] = in.line
			}
		}
	}
	return ports, anyExpose, known, firstLine
}

// labelPorts reads io.openshift.expose-services: "8080/tcp:http,8443/tcp:https".
func labelPorts(v string) map[string]bool {
	out := map[string]bool{}
	for _, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		p, _, _ := strings.Cut(s, ":")
		if port, proto, ok := parsePort(p); ok {
			out[fmt.Sprintf("%d/%s", port, proto)] = true
		}
	}
	return out
}

func (d *dockerfile) checkPorts() {
	ports, anyExpose, known, first := d.exposed()
	svc, hasSvc := d.labels["io.openshift.expose-services"]
	base, inherits := d.inherits()
	switch {
	case !anyExpose && hasSvc && strings.TrimSpace(svc.value) != "" && inherits:
		d.rep.addSev("KL031", Info, svc.line, 1, "io.openshift.expose-services is %q but nothing is EXPOSEd here; the base image %s may EXPOSE it", svc.value, base)
	case !anyExpose && hasSvc && strings.TrimSpace(svc.value) != "":
		d.rep.add("KL031", svc.line, "io.openshift.expose-services is %q but nothing is EXPOSEd", svc.value)
	case !anyExpose && inherits:
		d.rep.addSev("KL033", Info, d.imageLine(), 1, "the image EXPOSEs no port here; the base image %s may", base)
	case !anyExpose:
		d.rep.add("KL033", d.imageLine(), "the image EXPOSEs no port")
	case !hasSvc && inherits:
		d.rep.addSev("KL084", Info, first, 1, "EXPOSE without an io.openshift.expose-services label here; the base image %s may set it", base)
	case !hasSvc:
		d.rep.add("KL084", first, "EXPOSE without an io.openshift.expose-services label")
	case svc.resolved && known:
		want := labelPorts(svc.value)
		var missing, extra []string
		for p := range ports {
			if !want[p] {
				missing = append(missing, p)
			}
		}
		for p := range want {
			if _, ok := ports[p]; !ok {
				extra = append(extra, p)
			}
		}
		slices.Sort(missing)
		slices.Sort(extra)
		var parts []string
		if len(missing) > 0 {
			parts = append(parts, "EXPOSEd but not in the label: "+strings.Join(missing, ", "))
		}
		if len(extra) > 0 {
			parts = append(parts, "in the label but not EXPOSEd: "+strings.Join(extra, ", "))
		}
		if len(parts) > 0 {
			d.rep.add("KL032", svc.line, "EXPOSE and io.openshift.expose-services disagree: %s", strings.Join(parts, "; "))
		}
	}
}

func (d *dockerfile) checkEnv() {
	for _, in := range d.final {
		if in.cmd != "env" {
			continue
		}
		for _, p := range in.pairs {
			if strings.Contains(strings.ToUpper(p.key), "VERSION") {
				return
			}
		}
	}
	if base, inherits := d.inherits(); inherits {
		d.rep.addSev("KL041", Info, d.imageLine(), 1, "no ENV here names the version of the software; the base image %s may", base)
		return
	}
	d.rep.add("KL041", d.imageLine(), "no ENV names the version of the software (e.g. NODEJS_VERSION)")
}

func (d *dockerfile) checkUser() {
	var last *instr
	for _, in := range d.final {
		if in.cmd == "user" {
			last = in
		}
	}
	if last == nil {
		if b, ok := d.knownBase(); ok {
			d.inheritedUser(b)
			return
		}
		if base, inherits := d.inherits(); inherits {
			d.rep.addSev("KL070", Info, d.imageLine(), 1, "no USER here: the image runs as the user the base image %s sets; OKD s2i builds need a numeric one", base)
			return
		}
		if !d.shipsScripts() {
			// G18's failing builds concern s2i builders; other images run
			// under an arbitrary UID on OKD anyway
			d.rep.addSev("KL070", Info, d.imageLine(), 1, "no USER: the image runs as root outside OKD; it ships no s2i scripts, so OKD builds are not affected")
			return
		}
		d.rep.add("KL070", d.imageLine(), "no USER: the image runs as whatever user its base sets (often root); OKD s2i builds need a numeric USER")
		return
	}
	if !last.resolved || len(last.words) == 0 {
		return
	}
	spec := last.words[0]
	switch okd.User(spec) {
	case okd.Root:
		d.rep.add("KL071", last.line, "the last USER is %s: the image runs as root", spec)
	case okd.Named:
		d.rep.add("KL072", last.line, "USER %s is a name; OKD's UID checks need a number", spec)
	}
}

// inheritedUser judges the USER the image inherits from its known base
// (G18), as checkUser judges a USER instruction.
func (d *dockerfile) inheritedUser(b BaseImage) {
	line := d.imageLine()
	kind := okd.Root // no USER at all runs as root
	if b.User != "" {
		kind = okd.User(b.User)
	}
	switch {
	case kind == okd.NonRoot:
		// USER 1001 inherited: nothing to say
	case kind == okd.Root && !d.shipsScripts():
		d.rep.addSev("KL070", Info, line, 1, "no USER: the image runs as root outside OKD (its base image %s sets %s); it ships no s2i scripts, so OKD builds are not affected", b.Ref, cmpOr(b.User, "none"))
	case kind == okd.Root && b.User == "":
		d.rep.add("KL070", line, "no USER here, and the base image %s sets none: the image runs as root; OKD s2i builds need a numeric USER", b.Ref)
	case kind == okd.Root:
		d.rep.add("KL071", line, "no USER here, and the base image %s sets USER %s: the image runs as root", b.Ref, b.User)
	default:
		d.rep.add("KL072", line, "no USER here, and the base image %s sets USER %s, a name; OKD's UID checks need a number", b.Ref, b.User)
	}
}

func cmpOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// groupWritableMode reports whether a chmod mode gives the group write
// access (g=u, g+w, 775...).
func groupWritableMode(m string) bool {
	if n, ok := octalMode(m); ok {
		return (n>>3)&2 != 0
	}
	for _, clause := range strings.Split(m, ",") {
		i := strings.IndexAny(clause, "+=")
		if i < 0 {
			continue
		}
		who, perms := clause[:i], clause[i+1:]
		if who != "" && !strings.ContainsAny(who, "ga") {
			continue
		}
		if strings.Contains(perms, "w") || strings.Contains(perms, "u") {
			return true
		}
	}
	return false
}

var systemDirs = map[string]bool{"/": true, "/tmp": true, "/var/tmp": true, "/dev": true, "/proc": true, "/sys": true, "/run": true, "/var/run": true, "/dev/shm": true}

// checkWritableDirs finds directories the app writes (WORKDIR, VOLUME, those
// chowned to the app user) that are not group 0 and group-writable.
func (d *dockerfile) checkWritableDirs() {
	var group0, groupW []string
	type written struct {
		dir  string
		line int
	}
	var dirs []written
	addDir := func(p string, line int) {
		if strings.Contains(p, "$") || !strings.HasPrefix(p, "/") {
			return
		}
		p = path.Clean(p)
		if systemDirs[p] || strings.HasPrefix(p, "/tmp/") {
			return
		}
		dirs = append(dirs, written{p, line})
	}
	var lastWorkdir *instr
	for _, in := range d.final {
		switch in.cmd {
		case "workdir":
			if in.resolved {
				lastWorkdir = in
			}
		case "volume":
			if in.resolved {
				for _, v := range in.words {
					addDir(v, in.line)
				}
			}
		case "copy", "add":
			if spec, ok := in.flags["chown"]; ok && len(in.words) >= 2 && in.resolved {
				spec, _ = d.expand(spec, in.env)
				user, group, _ := strings.Cut(spec, ":")
				dest := absPath(in.workdir, in.words[len(in.words)-1])
				if group == "0" || group == "root" || user == "0" || user == "root" {
					group0 = append(group0, dest)
				}
			}
			if m, ok := in.flags["chmod"]; ok && groupWritableMode(m) && len(in.words) >= 2 {
				groupW = append(groupW, absPath(in.workdir, in.words[len(in.words)-1]))
			}
		case "run":
			for _, c := range in.cmds {
				switch c.name() {
				case "chgrp", "chown", "chmod", "fix-permissions":
				default:
					continue // changes no owner or mode
				}
				ops := c.operands()
				if len(ops) < 2 && !(c.name() == "fix-permissions" && len(ops) == 1) {
					continue
				}
				targets := ops[1:]
				for i := range targets {
					targets[i] = absPath(in.workdir, targets[i])
				}
				switch c.name() {
				case "chgrp":
					if ops[0] == "0" || ops[0] == "root" {
						group0 = append(group0, targets...)
					}
				case "chown":
					spec := ops[0]
					sep := strings.IndexAny(spec, ":.")
					user, group := spec, ""
					if sep >= 0 {
						user, group = spec[:sep], spec[sep+1:]
					}
					if group == "0" || group == "root" {
						group0 = append(group0, targets...)
					}
					if user != "0" && user != "root" {
						for _, t := range targets {
							addDir(t, in.line)
						}
					}
				case "chmod":
					if groupWritableMode(ops[0]) {
						groupW = append(groupW, targets...)
					}
				case "fix-permissions":
					// sclorg's helper: chgrp -R 0 and chmod -R g+rw of its arguments
					for _, t := range ops {
						t = absPath(in.workdir, t)
						group0 = append(group0, t)
						groupW = append(groupW, t)
					}
				}
			}
		}
	}
	if lastWorkdir != nil {
		addDir(lastWorkdir.workdir, lastWorkdir.line)
	}
	group0, groupW = uniq(group0), uniq(groupW)
	var reported []string
	seen := map[string]bool{}
	for _, w := range dirs {
		if seen[w.dir] {
			continue
		}
		seen[w.dir] = true
		if covered(w.dir, reported) {
			continue // the fix for a parent covers it (-R)
		}
		g0, gw := covered(w.dir, group0), covered(w.dir, groupW)
		if g0 && gw {
			continue
		}
		var missing []string
		if !g0 {
			missing = append(missing, "chgrp -R 0")
		}
		if !gw {
			missing = append(missing, "chmod -R g=u")
		}
		reported = append(reported, w.dir)
		d.rep.add("KL074", w.line, "%s is written by the app but gets no %s", w.dir, strings.Join(missing, " or "))
	}
}

func (d *dockerfile) checkVolumes() {
	hasVolume := false
	for _, in := range d.final {
		if in.cmd == "volume" {
			hasVolume = true
		}
	}
	if hasVolume {
		return
	}
	for _, in := range d.final {
		if in.cmd != "env" {
			continue
		}
		for _, p := range in.pairs {
			if persistentName(p.key) {
				d.rep.add("KL101", in.line, "ENV %s points at persistent data, but the image declares no VOLUME", p.key)
				return
			}
		}
	}
	if tags, ok := d.labels["io.openshift.tags"]; ok {
		for _, t := range okd.SplitList(strings.ToLower(tags.value)) {
			switch t {
			case "database", "db", "sql", "nosql", "storage":
				d.rep.add("KL101", tags.line, "io.openshift.tags says %s, but the image declares no VOLUME", t)
				return
			}
		}
	}
}

func persistentName(name string) bool {
	n := strings.ToUpper(name)
	if n == "PGDATA" {
		return true
	}
	for _, suf := range []string{"_DATA", "_DATADIR", "_DATA_DIR", "_DATA_PATH", "_DATA_HOME"} {
		if strings.HasSuffix(n, suf) {
			return true
		}
	}
	return false
}

var supervisors = map[string]bool{"supervisord": true, "runsvdir": true, "s6-svscan": true, "systemd": true, "init": true, "circusd": true}

// checkProcess looks at the CMD and ENTRYPOINT that take effect.
func (d *dockerfile) checkProcess() {
	var eff []*instr
	var cmd, ep *instr
	for _, in := range d.final {
		switch in.cmd {
		case "cmd":
			cmd = in
		case "entrypoint":
			ep = in
		}
	}
	for _, in := range []*instr{ep, cmd} {
		if in != nil {
			eff = append(eff, in)
		}
	}
	for _, in := range eff {
		what := strings.ToUpper(in.cmd)
		for _, c := range in.cmds {
			switch {
			case supervisors[c.name()]:
				d.rep.add("KL060", in.line, "%s starts %s, a supervisor of several services", what, c.name())
			case c.name() == "sshd" || (c.name() == "service" && len(c.args) > 1 && strings.HasPrefix(c.args[1], "ssh")):
				d.rep.add("KL050", in.line, "%s starts sshd", what)
			default:
				if svc := startsDaemon(c.args); svc != "" {
					d.rep.add("KL060", in.line, "%s starts %s as a background daemon beside the main process", what, svc)
				}
			}
		}
		if in.program != nil {
			syntax.Walk(in.program, func(n syntax.Node) bool {
				if s, ok := n.(*syntax.Stmt); ok && s.Background {
					d.rep.add("KL060", in.line, "%s starts a process in the background with &", what)
					return false
				}
				return true
			})
			for _, l := range logFiles(walkScript(in.program, 0), in.env) {
				d.rep.add("KL125", in.line, "%s logs to %s", what, l.target)
			}
		}
	}
}

// uniq drops repeated paths, keeping the first of each.
func uniq(paths []string) []string {
	seen := make(map[string]bool, len(paths))
	out := paths[:0]
	for _, p := range paths {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}
