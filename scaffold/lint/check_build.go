package lint

import (
	"path"
	"slices"
	"strings"
	"time"

	"github.com/kiln-s2i/kiln/scaffold/okd"
)

func (d *dockerfile) checkFrom(st *stage) {
	if !st.resolved || st.base == "" {
		return
	}
	img := strings.ToLower(st.base)
	if img == "scratch" {
		return
	}
	if prev, ok := d.names[img]; ok && prev.index < st.index {
		return
	}
	now := d.facts.now
	if now.IsZero() {
		now = time.Now()
	}
	if rel, eol := okd.EndOfLife(img, now); eol {
		d.rep.add("KL003", st.line, "FROM %s is %s, which reached its end of life on %s: it gets no security fixes", st.base, rel.Name, rel.EOL.Format(time.DateOnly))
	}
	switch okd.FromTag(img) {
	case okd.Untagged:
		d.rep.add("KL001", st.line, "FROM %s names no tag: it means latest", st.base)
	case okd.Latest:
		d.rep.add("KL002", st.line, "FROM %s uses the latest tag", st.base)
	}
}

func (d *dockerfile) checkInstr(in *instr) {
	switch in.cmd {
	case "add":
		d.checkAdd(in)
	case "copy":
		d.checkChownFlag(in)
	case "expose":
		if !d.inFinal[in.stage] {
			return // a build stage's ports never ship
		}
		for _, p := range in.words {
			port, _, ok := parsePort(p)
			if !ok {
				continue
			}
			if port == 22 {
				d.rep.add("KL050", in.line, "EXPOSE 22: port 22 is sshd's")
			}
			if okd.PrivilegedPort(port) {
				d.rep.add("KL030", in.line, "EXPOSE %s is below 1024; the non-root UID OKD assigns cannot bind it", p)
			}
		}
	case "env", "arg":
		for _, p := range in.pairs {
			if p.hasValue && okd.SecretDefault(p.key, p.value) {
				d.rep.add("KL040", in.line, "%s %s sets a value for a %s", strings.ToUpper(in.cmd), p.key, okd.SecretWord(p.key))
			}
		}
	case "run":
		for _, c := range in.cmds {
			switch c.name() {
			case "chmod", "chgrp", "chown":
				for _, op := range c.operands() {
					if path.Clean(op) == "/etc/passwd" {
						d.rep.add("KL075", in.line, "%s changes /etc/passwd", c.name())
					}
				}
			}
		}
		if d.inFinal[in.stage] {
			d.checkSystemDirPerms(in)
			d.checkChownCmds(in)
			for _, c := range in.cmds {
				if installs(c) && (c.hasArg("openssh-server") || (c.name() == "apk" && c.hasArg("openssh"))) {
					d.rep.add("KL050", in.line, "RUN installs openssh-server")
				}
			}
		}
	case "volume":
		if !in.resolved || !d.inFinal[in.stage] {
			return
		}
		for _, v := range in.words {
			p := path.Clean(absPath(in.workdir, v))
			kernel := false
			for _, bad := range []string{"/dev", "/proc", "/sys"} {
				if p == bad || strings.HasPrefix(p, bad+"/") {
					d.rep.add("KL100", in.line, "VOLUME %s is on %s, a kernel file system", v, bad)
					kernel = true
				}
			}
			if !kernel && okd.SystemDir(p) {
				d.rep.add("KL100", in.line, "VOLUME %s is a system directory: the volume hides the image's own files there", v)
			}
		}
	case "healthcheck":
		if d.inFinal[in.stage] && !(len(in.words) > 0 && strings.EqualFold(in.words[0], "none")) {
			d.rep.add("KL112", in.line, "HEALTHCHECK is dropped by OCI-format builds and never run by OKD")
		}
	case "cmd", "entrypoint":
		if d.inFinal[in.stage] && !in.json && len(in.words) > 0 {
			d.rep.add("KL110", in.line, "%s uses the shell form: /bin/sh -c becomes PID 1", strings.ToUpper(in.cmd))
		}
	}
}

var archiveSuffixes = []string{".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst", ".gz", ".bz2", ".xz"}

func (d *dockerfile) checkAdd(in *instr) {
	d.checkChownFlag(in)
	if len(in.words) < 2 || !in.resolved {
		return
	}
	if _, ok := in.flags["checksum"]; ok {
		return
	}
	if _, ok := in.flags["keep-git-dir"]; ok {
		return
	}
	for _, src := range in.words[:len(in.words)-1] {
		l := strings.ToLower(src)
		if strings.Contains(l, "://") || strings.HasPrefix(l, "git@") {
			return
		}
		for _, s := range archiveSuffixes {
			if strings.HasSuffix(l, s) {
				return
			}
		}
	}
	d.rep.add("KL022", in.line, "ADD %s copies local files: COPY does that", strings.Join(in.words[:len(in.words)-1], " "))
}

func (d *dockerfile) checkChownFlag(in *instr) {
	spec, ok := in.flags["chown"]
	if !ok || !d.inFinal[in.stage] {
		return
	}
	spec, resolved := d.expand(spec, in.env)
	if !resolved {
		return
	}
	user, group, hasGroup := strings.Cut(spec, ":")
	if user == "0" || user == "root" {
		return
	}
	if !hasGroup {
		d.rep.add("KL073", in.line, "%s --chown=%s gives the files group %s, not 0", strings.ToUpper(in.cmd), spec, user)
		return
	}
	if group != "0" && group != "root" {
		d.rep.add("KL073", in.line, "%s --chown=%s gives the files group %s, not 0", strings.ToUpper(in.cmd), spec, group)
	}
}

func (d *dockerfile) checkChownCmds(in *instr) {
	for _, c := range in.cmds {
		if c.name() != "chown" {
			continue
		}
		ops := c.operands()
		if len(ops) < 2 {
			continue
		}
		spec := ops[0]
		if strings.Contains(spec, "$") {
			continue
		}
		sep := strings.IndexAny(spec, ":.")
		if sep < 0 {
			continue // owner only: group unchanged
		}
		user, group := spec[:sep], spec[sep+1:]
		if user == "0" || user == "root" || group == "0" || group == "root" {
			continue
		}
		if group == "" {
			group = "the login group of " + user
		}
		d.rep.add("KL073", in.line, "chown %s %s gives group %s, not 0", spec, strings.Join(ops[1:], " "), group)
	}
}

var yumFamily = map[string]bool{"yum": true, "dnf": true, "microdnf": true, "dnf5": true, "tdnf": true}

// installs reports whether c installs OS packages.
func installs(c command) bool {
	switch n := c.name(); {
	case yumFamily[n]:
		return c.hasArg("install", "update", "upgrade", "reinstall", "groupinstall", "localinstall", "distro-sync")
	case n == "apt-get" || n == "apt":
		return c.hasArg("install", "upgrade", "dist-upgrade")
	case n == "apk":
		return c.hasArg("add", "upgrade")
	}
	return false
}

func removes(c command, prefix string) bool {
	if c.name() != "rm" {
		return false
	}
	for _, op := range c.operands() {
		if strings.HasPrefix(op, prefix) {
			return true
		}
	}
	return false
}

func yumCleans(c command) bool {
	return (yumFamily[c.name()] && c.hasArg("clean")) ||
		removes(c, "/var/cache/yum") || removes(c, "/var/cache/dnf") || removes(c, "/var/cache/libdnf5")
}

func hasCacheMount(in *instr) bool {
	for _, f := range in.node.Flags {
		if strings.HasPrefix(f, "--mount=") && strings.Contains(f, "type=cache") {
			return true
		}
	}
	return false
}

func (d *dockerfile) checkPackages() {
	// laterClean[i] is the line of the first RUN after i that cleans the yum cache
	laterClean := make([]int, len(d.final))
	next := 0
	for i := len(d.final) - 1; i >= 0; i-- {
		laterClean[i] = next
		if in := d.final[i]; in.cmd == "run" && slices.ContainsFunc(in.cmds, yumCleans) {
			next = in.line
		}
	}
	for i, in := range d.final {
		if in.cmd != "run" || hasCacheMount(in) {
			continue
		}
		var yum, apt, apk *command
		for j := range in.cmds {
			c := &in.cmds[j]
			switch {
			case installs(*c) && yumFamily[c.name()]:
				if yum == nil {
					yum = c
				}
			case yum != nil && yumCleans(*c):
				yum = nil
			}
		}
		if yum != nil {
			if later := laterClean[i]; later > 0 {
				d.rep.add("KL010", in.line, "%s install leaves its cache in this layer; the clean in the RUN at line %d comes too late", yum.name(), later)
			} else {
				d.rep.add("KL010", in.line, "%s install without %s clean all in the same RUN", yum.name(), yum.name())
			}
		}
		for j := range in.cmds {
			c := &in.cmds[j]
			n := c.name()
			switch {
			case (n == "apt-get" || n == "apt") && c.hasArg("install"):
				if apt == nil {
					apt = c
				}
			case n == "apk" && c.hasArg("add") && !c.hasArg("--no-cache"):
				if apk == nil {
					apk = c
				}
			}
		}
		if apt != nil && !slices.ContainsFunc(in.cmds, func(c command) bool { return removes(c, "/var/lib/apt/lists") }) {
			d.rep.add("KL011", in.line, "%s install without rm -rf /var/lib/apt/lists/* in the same RUN", apt.name())
		}
		if apk != nil && !slices.ContainsFunc(in.cmds, func(c command) bool { return removes(c, "/var/cache/apk") }) {
			d.rep.add("KL012", in.line, "apk add without --no-cache")
		}
	}
}

func (d *dockerfile) checkLayers() {
	added := map[string]int{}
	var prev *instr
	for _, in := range d.final {
		switch in.cmd {
		case "copy", "add":
			if _, ok := in.flags["from"]; !ok && in.resolved && len(in.words) >= 2 {
				op := copyOp{srcs: in.words[:len(in.words)-1], dest: absPath(in.workdir, in.words[len(in.words)-1]),
					destIsDir: strings.HasSuffix(in.words[len(in.words)-1], "/") || len(in.words) > 2}
				for _, p := range op.imagePaths() {
					if p != "/" && !strings.ContainsAny(p, "*?[") {
						added[p] = in.line
					}
				}
			}
		case "run":
			for _, c := range in.cmds {
				if c.name() != "rm" {
					continue
				}
				for _, op := range c.operands() {
					if line, ok := added[path.Clean(op)]; ok && strings.HasPrefix(op, "/") {
						d.rep.add("KL013", in.line, "rm %s in a later layer: it was added at line %d and still ships in that layer", op, line)
					}
				}
			}
			if prev != nil && prev.cmd == "run" && prev.stage == in.stage && !prev.heredoc && !in.heredoc &&
				slices.Equal(prev.node.Flags, in.node.Flags) {
				d.rep.add("KL020", in.line, "RUN follows the RUN at line %d: join them into one layer", prev.line)
			}
		}
		prev = in
	}
}

// checkStageOrder finds COPY/ADD of changing files ahead of package installs.
func (d *dockerfile) checkStageOrder(st *stage) {
	reported := map[*instr]bool{}
	for i, in := range st.instrs {
		if in.cmd != "run" || !slices.ContainsFunc(in.cmds, installs) {
			continue
		}
		for _, c := range st.instrs[:i] {
			if (c.cmd != "copy" && c.cmd != "add") || reported[c] || len(c.words) < 2 {
				continue
			}
			if _, ok := c.flags["from"]; ok {
				continue
			}
			if !oftenChanging(c, in) {
				continue
			}
			reported[c] = true
			d.rep.add("KL021", c.line, "%s of %s comes before the package install at line %d: each edit reruns the install",
				strings.ToUpper(c.cmd), strings.Join(c.words[:len(c.words)-1], " "), in.line)
		}
	}
}

// oftenChanging reports whether a COPY/ADD brings content the install RUN
// does not need: not package configuration, not something the RUN uses.
func oftenChanging(c, run *instr) bool {
	dest := absPath(c.workdir, c.words[len(c.words)-1])
	if strings.HasPrefix(dest, "/etc/") || strings.HasPrefix(dest, "/usr/share/keyrings") || strings.Contains(dest, "rpm-gpg") {
		return false
	}
	text := run.node.Original
	for _, h := range run.node.Heredocs {
		text += h.Content
	}
	if strings.Contains(text, dest) || strings.Contains(text, strings.TrimSuffix(c.words[len(c.words)-1], "/")) {
		return false
	}
	for _, s := range c.words[:len(c.words)-1] {
		l := strings.ToLower(s)
		for _, suf := range []string{".repo", ".gpg", ".asc", ".key", ".pem", ".crt", ".list", ".rpm", ".deb", ".apk"} {
			if strings.HasSuffix(l, suf) {
				return false
			}
		}
		if base := path.Base(strings.TrimSuffix(s, "/")); base != "." && strings.Contains(text, base) {
			return false
		}
	}
	return true
}

// checkSystemDirPerms finds RUN commands that make a system directory
// writable by group 0 (KL076, G16): every UID OKD assigns is in group 0, so
// the app could replace system binaries, libraries or trusted certificates.
func (d *dockerfile) checkSystemDirPerms(in *instr) {
	for _, c := range in.cmds {
		name := c.name()
		if name != "chmod" && name != "fix-permissions" {
			continue
		}
		ops := c.operands()
		var targets []string
		switch name {
		case "chmod":
			if len(ops) >= 2 && groupWritableMode(ops[0]) {
				targets = ops[1:]
			}
		case "fix-permissions":
			targets = ops // sclorg's helper: chgrp -R 0 and chmod -R g+rw
		}
		for _, t := range targets {
			if strings.Contains(t, "$") || (!strings.HasPrefix(t, "/") && !in.workdirKnown) {
				continue // not known here: a builder base has a WORKDIR of its own
			}
			p := path.Clean(absPath(in.workdir, t))
			if p == "/etc/passwd" {
				continue // KL075 says it
			}
			if okd.CoreSystemDir(p) {
				d.rep.add("KL076", in.line, "%s makes the system directory %s writable by group 0, which every OKD UID is in", c.name(), p)
			}
		}
	}
}
