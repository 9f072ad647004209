package lint

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"mvdan.cc/sh/v3/syntax"
)

// envGetter adapts vars to buildkit's word expansion.
type envGetter vars

func (e envGetter) Get(k string) (string, bool) { v, ok := e[k]; return v, ok }
func (e envGetter) Keys() []string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

type kv struct {
	key, value string
	resolved   bool // no unknown variable in key or value
	hasValue   bool // ARG NAME=value rather than ARG NAME
}

// instr is one Dockerfile instruction with its arguments expanded as far as
// the ARG and ENV values known at that point allow.
type instr struct {
	cmd        string // lower-case: run, copy...
	line, end  int
	node       *parser.Node
	flags      map[string]string
	json       bool
	words      []string // expanded arguments
	resolved   bool     // every word fully expanded
	pairs      []kv     // ENV, LABEL, ARG
	program    *syntax.File
	cmds       []command // simple commands of RUN, CMD, ENTRYPOINT
	heredoc    bool
	stage      *stage
	workdir    string // WORKDIR in force
	env        vars   // ENV and ARG in force
	usesScript string // path of the wrapper script CMD/ENTRYPOINT starts
}

type stage struct {
	index    int
	name     string
	base     string
	resolved bool
	line     int
	parent   *stage
	instrs   []*instr
}

// copyOp is a COPY or ADD from the build context into the image.
type copyOp struct {
	in        *instr
	srcs      []string
	dest      string // absolute path in the image
	destIsDir bool
	chmodExec bool
}

type dockerfile struct {
	name    string
	rep     reporter
	stages  []*stage
	final   []*instr // instructions that make the final image, oldest first
	inFinal map[*stage]bool
	copies  []copyOp // final image's COPY/ADD from the context
	lex     *shell.Lex
	facts   repoFacts

	labels   map[string]labelVal
	isBuider bool
}

type labelVal struct {
	value    string
	line     int
	resolved bool
}

// repoFacts are what the repository around a Dockerfile tells it.
type repoFacts struct {
	hasS2IBin bool
}

// looksLikeDockerfile tells a Dockerfile from a script by name, then content.
func looksLikeDockerfile(name string, src []byte) bool {
	base := strings.ToLower(path.Base(strings.ReplaceAll(name, "\\", "/")))
	for _, n := range []string{"dockerfile", "containerfile"} {
		if base == n || strings.HasPrefix(base, n+".") || strings.HasSuffix(base, "."+n) {
			return true
		}
	}
	if bytes.HasPrefix(src, []byte("#!")) || strings.HasSuffix(base, ".sh") {
		return false
	}
	for _, line := range strings.Split(string(src), "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		word, _, _ := strings.Cut(t, " ")
		word = strings.ToUpper(word)
		return word == "FROM" || word == "ARG"
	}
	return false
}

func lintDockerfile(name string, src []byte, out *[]Finding) (*dockerfile, error) {
	return lintDockerfileWith(name, src, out, repoFacts{})
}

func lintDockerfileWith(name string, src []byte, out *[]Finding, facts repoFacts) (*dockerfile, error) {
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		pe := &ParseError{File: name, Err: err}
		var le *parser.LocationError
		if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
			pe.Line = le.Locations[0][0].Start.Line
			pe.Err = le.Unwrap()
		}
		return nil, pe
	}
	d := &dockerfile{name: name, lex: shell.NewLex(res.EscapeToken), facts: facts}
	d.rep = reporter{file: name, out: out}
	dirs, commentLines := scanIgnores(src, &d.rep.ignores)
	var units [][2]int
	for _, n := range res.AST.Children {
		units = append(units, [2]int{n.StartLine, n.EndLine})
	}
	d.rep.ignores.bind(dirs, commentLines, units)
	d.build(res.AST)
	d.check()
	return d, nil
}

// build turns the AST into stages of expanded instructions.
func (d *dockerfile) build(root *parser.Node) {
	global := vars{}
	var st *stage
	var env vars
	workdir := "/"
	for _, n := range root.Children {
		in := &instr{cmd: strings.ToLower(n.Value), line: n.StartLine, end: n.EndLine, node: n, json: n.Attributes["json"]}
		if len(n.Flags) > 0 {
			in.flags = make(map[string]string, len(n.Flags))
		}
		for _, f := range n.Flags {
			k, v, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
			in.flags[strings.ToLower(k)] = v
		}
		var raw []string
		for x := n.Next; x != nil; x = x.Next {
			raw = append(raw, x.Value)
		}
		if in.cmd == "from" {
			in.words, in.resolved = d.expandAll(raw, global)
			st = &stage{index: len(d.stages), line: n.StartLine, resolved: in.resolved}
			if len(in.words) > 0 {
				st.base = in.words[0]
			}
			if len(in.words) >= 3 && strings.EqualFold(in.words[1], "as") {
				st.name = strings.ToLower(in.words[2])
			}
			env = vars{}
			workdir = "/"
			for _, prev := range d.stages {
				if prev.name != "" && prev.name == strings.ToLower(st.base) {
					st.parent = prev
					if last := lastInstr(prev); last != nil {
						for k, v := range last.env {
							env[k] = v
						}
						workdir = last.workdir
					}
				}
			}
			d.stages = append(d.stages, st)
		}
		if st == nil {
			// ARGs before the first FROM feed FROM lines and later ARG NAME.
			if in.cmd == "arg" {
				for _, p := range d.argPairs(raw, global) {
					if p.hasValue && p.resolved {
						global[p.key] = p.value
					}
				}
			}
			continue
		}
		in.stage = st
		in.env = env
		switch in.cmd {
		case "arg":
			in.pairs = d.argPairs(raw, env)
			env = cloneVars(env)
			for _, p := range in.pairs {
				switch {
				case p.hasValue && p.resolved:
					env[p.key] = p.value
				case !p.hasValue:
					if v, ok := global[p.key]; ok {
						env[p.key] = v
					}
				default:
					delete(env, p.key)
				}
			}
		case "env", "label":
			in.pairs = d.kvPairs(raw, env)
			if in.cmd == "env" {
				env = cloneVars(env)
				for _, p := range in.pairs {
					if p.resolved {
						env[p.key] = p.value
					} else {
						delete(env, p.key)
					}
				}
			}
		case "run", "cmd", "entrypoint":
			in.words = raw
			in.resolved = true
			d.parseProgram(in, raw, env)
		case "healthcheck", "onbuild", "shell", "maintainer", "stopsignal":
			in.words = raw
			in.resolved = true
		default:
			if in.json {
				in.words, in.resolved = raw, true
				ws, ok := d.expandAll(raw, env)
				if ok {
					in.words = ws
				}
			} else {
				in.words, in.resolved = d.expandAll(raw, env)
			}
		}
		if in.cmd == "workdir" && len(in.words) > 0 && in.resolved {
			workdir = absPath(workdir, in.words[0])
		}
		in.workdir = workdir
		st.instrs = append(st.instrs, in)
	}
}

func lastInstr(st *stage) *instr {
	if len(st.instrs) == 0 {
		return nil
	}
	return st.instrs[len(st.instrs)-1]
}

func cloneVars(v vars) vars {
	c := make(vars, len(v)+2)
	for k, x := range v {
		c[k] = x
	}
	return c
}

func absPath(workdir, p string) string {
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	return path.Join(workdir, p)
}

// expand runs buildkit's own word expansion; ok is false when a variable
// has no known value.
func (d *dockerfile) expand(word string, env vars) (string, bool) {
	if !strings.ContainsAny(word, "$\"'\\`") {
		return word, true
	}
	s, unmatched, err := d.lex.ProcessWord(word, envGetter(env))
	if err != nil {
		return word, false
	}
	return s, len(unmatched) == 0
}

func (d *dockerfile) expandAll(words []string, env vars) ([]string, bool) {
	out := make([]string, len(words))
	all := true
	for i, w := range words {
		var ok bool
		out[i], ok = d.expand(w, env)
		all = all && ok
	}
	return out, all
}

// kvPairs reads ENV and LABEL arguments: the parser yields key, value,
// separator triples.
func (d *dockerfile) kvPairs(raw []string, env vars) []kv {
	var out []kv
	for i := 0; i+1 < len(raw); i += 3 {
		k, okK := d.expand(raw[i], env)
		v, okV := d.expand(raw[i+1], env)
		out = append(out, kv{key: k, value: v, resolved: okK && okV, hasValue: true})
	}
	return out
}

func (d *dockerfile) argPairs(raw []string, env vars) []kv {
	var out []kv
	for _, r := range raw {
		k, v, has := strings.Cut(r, "=")
		p := kv{key: k, hasValue: has, resolved: true}
		if has {
			p.value, p.resolved = d.expand(v, env)
		}
		out = append(out, p)
	}
	return out
}

// parseProgram reads the shell program of RUN, CMD or ENTRYPOINT.
func (d *dockerfile) parseProgram(in *instr, raw []string, env vars) {
	var src string
	switch {
	case in.json:
		if len(raw) >= 3 && isShell(path.Base(raw[0])) && raw[1] == "-c" {
			src = raw[2]
		} else {
			if len(raw) > 0 {
				in.cmds = []command{{args: raw, line: in.line}}
			}
			return
		}
	case len(raw) > 0:
		src = raw[0]
		if hd := in.node.Heredocs; len(hd) > 0 {
			in.heredoc = true
			if strings.HasPrefix(strings.TrimSpace(src), "<<") {
				src = hd[0].Content
			} else {
				var b strings.Builder
				b.WriteString(src)
				b.WriteByte('\n')
				for _, h := range hd {
					b.WriteString(h.Content)
					if !strings.HasSuffix(h.Content, "\n") {
						b.WriteByte('\n')
					}
					b.WriteString(h.Name)
					b.WriteByte('\n')
				}
				src = b.String()
			}
		}
	}
	f, err := parseShell(d.name, src)
	if err != nil {
		return // not sh (SHELL changed, or broken): no command to check
	}
	in.program = f
	in.cmds = commands(f, env, in.line)
}

// finalChain lists the instructions of the final image: the last stage and
// the stages it is built FROM, oldest first.
func (d *dockerfile) finalChain() {
	d.inFinal = map[*stage]bool{}
	if len(d.stages) == 0 {
		return
	}
	var chain []*stage
	for st := d.stages[len(d.stages)-1]; st != nil; st = st.parent {
		chain = append(chain, st)
		d.inFinal[st] = true
	}
	for i := len(chain) - 1; i >= 0; i-- {
		d.final = append(d.final, chain[i].instrs...)
	}
}

func (d *dockerfile) finalStage() *stage {
	if len(d.stages) == 0 {
		return nil
	}
	return d.stages[len(d.stages)-1]
}

func (d *dockerfile) check() {
	d.finalChain()
	d.collectCopies()
	d.collectLabels()
	for _, st := range d.stages {
		d.checkFrom(st)
		d.checkStageOrder(st)
		d.checkCmdCount(st)
		for _, in := range st.instrs {
			d.checkInstr(in)
		}
	}
	if d.finalStage() == nil {
		return
	}
	d.checkPackages()
	d.checkLayers()
	d.checkPorts()
	d.checkEnv()
	d.checkUser()
	d.checkWritableDirs()
	d.checkLabels()
	d.checkVolumes()
	d.checkProcess()
}

func (d *dockerfile) checkFrom(st *stage) {
	if !st.resolved || st.base == "" {
		return
	}
	img := strings.ToLower(st.base)
	if img == "scratch" {
		return
	}
	for _, prev := range d.stages[:st.index] {
		if prev.name != "" && prev.name == img {
			return
		}
	}
	if strings.Contains(img, "@") {
		return
	}
	last := img[strings.LastIndex(img, "/")+1:]
	_, tag, hasTag := strings.Cut(last, ":")
	switch {
	case !hasTag:
		d.rep.add("KL001", st.line, "FROM %s names no tag: it means latest", st.base)
	case tag == "latest":
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
		for _, p := range in.words {
			port, _, ok := parsePort(p)
			if !ok {
				continue
			}
			if port == 22 {
				d.rep.add("KL050", in.line, "EXPOSE 22: port 22 is sshd's")
			}
			if port < 1024 {
				d.rep.add("KL030", in.line, "EXPOSE %s is below 1024; the non-root UID OKD assigns cannot bind it", p)
			}
		}
	case "env", "arg":
		for _, p := range in.pairs {
			if p.hasValue && p.value != "" && looksSecret(p.key, p.value) {
				d.rep.add("KL040", in.line, "%s %s sets a value for a %s", strings.ToUpper(in.cmd), p.key, secretWord(p.key))
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
			d.checkChownCmds(in)
			for _, c := range in.cmds {
				if installs(c) && (c.hasArg("openssh-server") || (c.name() == "apk" && c.hasArg("openssh"))) {
					d.rep.add("KL050", in.line, "RUN installs openssh-server")
				}
			}
		}
	case "volume":
		if !in.resolved {
			return
		}
		for _, v := range in.words {
			p := path.Clean(v)
			for _, bad := range []string{"/dev", "/proc", "/sys"} {
				if p == bad || strings.HasPrefix(p, bad+"/") {
					d.rep.add("KL100", in.line, "VOLUME %s is on %s, a kernel file system", v, bad)
				}
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

// parsePort reads "8080", "8080/tcp" or "8000-8010/udp" (first port).
func parsePort(s string) (port int, proto string, ok bool) {
	p, proto, _ := strings.Cut(s, "/")
	if proto == "" {
		proto = "tcp"
	}
	p, _, _ = strings.Cut(p, "-")
	n, err := strconv.Atoi(p)
	if err != nil || n < 0 {
		return 0, "", false
	}
	return n, strings.ToLower(proto), true
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
			later := 0
			for _, next := range d.final[i+1:] {
				if next.cmd == "run" && slices.ContainsFunc(next.cmds, yumCleans) {
					later = next.line
					break
				}
			}
			if later > 0 {
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

// collectCopies records the final image's COPY/ADD from the build context.
func (d *dockerfile) collectCopies() {
	for _, in := range d.final {
		if (in.cmd != "copy" && in.cmd != "add") || len(in.words) < 2 || !in.resolved {
			continue
		}
		if _, ok := in.flags["from"]; ok {
			continue
		}
		dest := in.words[len(in.words)-1]
		srcs := in.words[:len(in.words)-1]
		op := copyOp{in: in, srcs: srcs, dest: absPath(in.workdir, dest),
			destIsDir: strings.HasSuffix(dest, "/") || len(srcs) > 1 || dest == "." || dest == "./"}
		if m, ok := in.flags["chmod"]; ok {
			op.chmodExec = modeAddsExec(m)
		}
		d.copies = append(d.copies, op)
	}
}

func modeAddsExec(m string) bool {
	if n, err := strconv.ParseUint(m, 8, 32); err == nil {
		return n&0o111 != 0
	}
	return strings.Contains(m, "x")
}

// imagePaths are the paths in the image a copy may create.
func (c copyOp) imagePaths() []string {
	var out []string
	for _, s := range c.srcs {
		base := path.Base(strings.TrimSuffix(s, "/"))
		if c.destIsDir {
			out = append(out, path.Join(c.dest, base))
		} else {
			out = append(out, c.dest)
		}
	}
	if c.destIsDir {
		out = append(out, c.dest)
	}
	return out
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

func (d *dockerfile) exposed() (ports map[string]int, anyExpose bool, firstLine int) {
	ports = map[string]int{}
	for _, in := range d.final {
		if in.cmd != "expose" {
			continue
		}
		anyExpose = true
		if firstLine == 0 {
			firstLine = in.line
		}
		for _, w := range in.words {
			if p, proto, ok := parsePort(w); ok {
				ports[fmt.Sprintf("%d/%s", p, proto)] = in.line
			}
		}
	}
	return ports, anyExpose, firstLine
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

func (d *dockerfile) imageLine() int {
	return d.finalStage().line
}

// labelLine is where a missing label belongs: the first LABEL of the final
// image, else its FROM.
func (d *dockerfile) labelLine() int {
	for _, in := range d.final {
		if in.cmd == "label" && in.stage == d.finalStage() {
			return in.line
		}
	}
	for _, in := range d.final {
		if in.cmd == "label" {
			return in.line
		}
	}
	return d.imageLine()
}

func (d *dockerfile) checkPorts() {
	ports, anyExpose, first := d.exposed()
	svc, hasSvc := d.labels["io.openshift.expose-services"]
	switch {
	case !anyExpose && hasSvc:
		d.rep.add("KL031", svc.line, "io.openshift.expose-services is %q but nothing is EXPOSEd", svc.value)
	case !anyExpose:
		d.rep.add("KL033", d.imageLine(), "the image EXPOSEs no port")
	case !hasSvc:
		d.rep.add("KL084", first, "EXPOSE without an io.openshift.expose-services label")
	case svc.resolved:
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

// secretWords name secrets anywhere in a variable name; keyWords only as its
// last word (API_KEY, GITHUB_TOKEN), since KEY_ALIAS or TOKEN_TTL are not.
var (
	secretWords = []string{"PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "CREDENTIALS"}
	keyWords    = []string{"TOKEN", "APIKEY", "KEY"}
)

// notSecretWords mark names that hold where a secret lives or what it is,
// not the secret: GPG_KEY is a public fingerprint, *_KEY_FILE a path.
var notSecretWords = map[string]bool{
	"FILE": true, "PATH": true, "DIR": true, "URL": true, "URI": true, "ID": true, "FINGERPRINT": true,
	"GPG": true, "PGP": true, "KEYS": true, "KEYRING": true, "SERVER": true, "SERVERS": true, "LENGTH": true,
	"SIZE": true, "HOME": true, "NAME": true, "USER": true, "USERNAME": true, "TYPE": true, "ALGORITHM": true,
	"REF": true, "LOCATION": true, "FORMAT": true, "ENABLED": true, "REQUIRED": true, "HEADER": true,
	"PREFIX": true, "SOURCE": true, "ENV": true, "VAR": true, "MOUNT": true, "PUBLIC": true, "PUB": true,
	"HASH": true, "POLICY": true, "EXPIRY": true, "TTL": true, "TIMEOUT": true, "LIFETIME": true, "MIN": true,
	"MAX": true, "STRENGTH": true, "ROTATION": true, "NAMESPACE": true, "PROVIDER": true,
}

// secretWord returns the word that makes a name look like a secret, or "".
func secretWord(name string) string {
	toks := strings.Split(strings.ToUpper(name), "_")
	for _, tok := range toks {
		for _, w := range secretWords {
			if tok == w || strings.HasSuffix(tok, w) {
				return strings.ToLower(w)
			}
		}
	}
	last := toks[len(toks)-1]
	for _, w := range keyWords {
		if last == w || (len(w) > 3 && strings.HasSuffix(last, w)) {
			return strings.ToLower(w)
		}
	}
	return ""
}

func looksSecret(name, value string) bool {
	if secretWord(name) == "" {
		return false
	}
	for _, tok := range strings.Split(strings.ToUpper(name), "_") {
		if notSecretWords[tok] {
			return false
		}
	}
	v := strings.ToLower(strings.TrimSpace(value))
	switch v {
	case "", "true", "false", "yes", "no", "0", "1":
		return false
	}
	return !strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "$")
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
		d.rep.add("KL070", d.imageLine(), "no USER: the image runs as root, and s2i builds on OKD need a numeric USER")
		return
	}
	if !last.resolved || len(last.words) == 0 {
		return
	}
	spec := last.words[0]
	user, _, _ := strings.Cut(spec, ":")
	switch {
	case user == "root" || user == "0":
		d.rep.add("KL071", last.line, "the last USER is %s: the image runs as root", spec)
	case !isNumber(user):
		d.rep.add("KL072", last.line, "USER %s is a name; OKD's UID checks need a number", spec)
	}
}

func isNumber(s string) bool {
	_, err := strconv.ParseUint(s, 10, 32)
	return err == nil
}

// groupWritableMode reports whether a chmod mode gives the group write
// access (g=u, g+w, 775...).
func groupWritableMode(m string) bool {
	if n, err := strconv.ParseUint(m, 8, 32); err == nil {
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

func covered(dir string, by []string) bool {
	for _, p := range by {
		if dir == p || strings.HasPrefix(dir, strings.TrimSuffix(p, "/")+"/") || p == "/" {
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
	var reported []string
	for _, w := range dirs {
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

// isS2ISource reports whether a COPY source is s2i scripts: s2i/bin, a
// script in it, or VERSION/s2i/bin in multi-version repositories.
func isS2ISource(s string) bool {
	return isS2IDir(s) || isS2IDir(path.Dir(path.Clean(s)))
}

func isS2IDir(s string) bool {
	s = strings.TrimPrefix(path.Clean(s), "./")
	return s == "s2i/bin" || s == ".s2i/bin" || s == "s2i" || strings.HasSuffix(s, "/s2i/bin")
}

// s2iBinDir is the build-context directory the s2i scripts are copied from.
func (d *dockerfile) s2iBinDir() (string, bool) {
	for _, c := range d.copies {
		for _, s := range c.srcs {
			if s = strings.TrimPrefix(path.Clean(s), "./"); isS2IDir(s) && s != "s2i" {
				return s, true
			}
		}
	}
	return "", false
}

func validLabelKey(k string) bool {
	if k == "" {
		return false
	}
	for _, reserved := range []string{"com.docker.", "io.docker.", "org.dockerproject."} {
		if strings.HasPrefix(k, reserved) {
			return false
		}
	}
	alnum := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	if !alnum(k[0]) || !alnum(k[len(k)-1]) {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if alnum(c) {
			continue
		}
		if c != '.' && c != '-' {
			return false
		}
		if n := k[i+1]; n == '.' || n == '-' {
			return false
		}
	}
	return true
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
			if !validLabelKey(p.key) {
				d.rep.add("KL087", in.line, "label key %q is not lower-case reverse-DNS (or is reserved)", p.key)
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
	case d.isBuider && tags.resolved && !slices.Contains(splitList(tags.value), "builder"):
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

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
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
		for _, t := range splitList(strings.ToLower(tags.value)) {
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
			for _, l := range logFiles(in.program, in.env) {
				d.rep.add("KL125", in.line, "%s logs to %s", what, l.target)
			}
		}
	}
}

// wrapperScripts names the image paths CMD and ENTRYPOINT start.
func (d *dockerfile) wrapperScripts() []string {
	var out []string
	for _, in := range d.final {
		if (in.cmd != "cmd" && in.cmd != "entrypoint") || len(in.cmds) == 0 {
			continue
		}
		args := in.cmds[0].args
		if len(args) > 1 && isShell(path.Base(args[0])) && !strings.HasPrefix(args[1], "-") {
			args = args[1:]
		}
		if len(args) == 0 || strings.Contains(args[0], "$") {
			continue
		}
		if !strings.Contains(args[0], "/") {
			out = append(out, args[0]) // found through PATH: matched by name
			continue
		}
		out = append(out, absPath(in.workdir, args[0]))
	}
	return out
}

// executableInImage reports whether the Dockerfile makes the image path p
// executable itself (COPY --chmod, RUN chmod +x).
func (d *dockerfile) executableInImage(p string) bool {
	for _, c := range d.copies {
		if c.chmodExec && covered(p, []string{c.dest}) {
			return true
		}
	}
	for _, in := range d.final {
		if in.cmd != "run" {
			continue
		}
		for _, c := range in.cmds {
			ops := c.operands()
			if c.name() != "chmod" || len(ops) < 2 || !modeAddsExec(ops[0]) {
				continue
			}
			for _, t := range ops[1:] {
				t = absPath(in.workdir, strings.TrimSuffix(t, "*"))
				if covered(p, []string{t}) {
					return true
				}
			}
		}
	}
	return false
}

// imagePath maps a build-context file to where the final image has it.
func (d *dockerfile) imagePath(ctxFile string) (string, bool) {
	for i := len(d.copies) - 1; i >= 0; i-- {
		c := d.copies[i]
		for _, s := range c.srcs {
			s = strings.TrimPrefix(path.Clean(s), "./")
			switch {
			case s == ctxFile && c.destIsDir:
				return path.Join(c.dest, path.Base(s)), true
			case s == ctxFile:
				return c.dest, true
			case strings.HasPrefix(ctxFile, s+"/") || s == ".":
				rel := strings.TrimPrefix(ctxFile, s+"/")
				return path.Join(c.dest, rel), true
			}
		}
	}
	return "", false
}

// contextFile maps an image path back to the build-context file copied there.
func (d *dockerfile) contextFile(p string) (string, bool) {
	if !strings.Contains(p, "/") {
		for i := len(d.copies) - 1; i >= 0; i-- {
			c := d.copies[i]
			for _, s := range c.srcs {
				s = strings.TrimPrefix(path.Clean(s), "./")
				if path.Base(s) == p && (c.destIsDir || path.Base(c.dest) == p) {
					return s, true
				}
			}
		}
		return "", false
	}
	for i := len(d.copies) - 1; i >= 0; i-- {
		c := d.copies[i]
		for _, s := range c.srcs {
			s = strings.TrimPrefix(path.Clean(s), "./")
			if strings.ContainsAny(s, "*?[") || strings.Contains(s, "://") {
				continue
			}
			if !c.destIsDir && p == c.dest {
				return s, true
			}
			if c.destIsDir {
				if p == path.Join(c.dest, path.Base(s)) {
					return s, true
				}
				// a directory source copies its contents into dest
				if rel, ok := strings.CutPrefix(p, c.dest+"/"); ok {
					return path.Join(s, rel), true
				}
			}
		}
	}
	return "", false
}
