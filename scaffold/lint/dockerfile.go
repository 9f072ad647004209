package lint

import (
	"bytes"
	"errors"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"mvdan.cc/sh/v3/syntax"

	"github.com/kiln-s2i/kiln/scaffold/okd"
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
	cmd       string // lower-case: run, copy...
	line, end int
	node      *parser.Node
	flags     map[string]string
	json      bool
	words     []string // expanded arguments
	resolved  bool     // every word fully expanded
	pairs     []kv     // ENV, LABEL, ARG
	program   *syntax.File
	cmds      []command // simple commands of RUN, CMD, ENTRYPOINT
	heredoc   bool
	stage     *stage
	workdir   string // WORKDIR in force
	// workdirKnown: the stage set an absolute WORKDIR, or its base is an
	// OS image (WORKDIR /); a builder base (ubi8/nodejs-16) has its own.
	workdirKnown bool
	env          vars   // ENV and ARG in force
	usesScript   string // path of the wrapper script CMD/ENTRYPOINT starts
	lazySrc      string // a RUN's program, not parsed yet
}

type stage struct {
	index   int
	env     vars   // ENV and ARG at the end of the stage
	workdir string // WORKDIR at the end of the stage
	// workdirKnown as for instr, at the end of the stage
	workdirKnown bool
	name         string
	base         string
	resolved     bool
	line         int
	parent       *stage
	instrs       []*instr
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
	src     []byte
	names   map[string]*stage // stages by AS name
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
	stage    *stage
}

// keyLine finds the line of an instruction that sets key, so a finding on
// one key of a multi-line LABEL points at that key (and a kiln:ignore
// before the LABEL still covers it).
func (d *dockerfile) keyLine(in *instr, key string) int {
	if in.end <= in.line || d.src == nil {
		return in.line
	}
	rest := d.src
	for l := 1; l < in.line && len(rest) > 0; l++ {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			return in.line
		}
		rest = rest[i+1:]
	}
	for l := in.line; l <= in.end && len(rest) > 0; l++ {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		t := bytes.TrimSpace(line)
		if l == in.line {
			t = bytes.TrimSpace(t[min(len(t), len(in.cmd)):]) // past LABEL
		}
		t = bytes.TrimLeft(t, `"'`)
		if bytes.HasPrefix(t, []byte(key)) {
			if rest := t[len(key):]; len(rest) == 0 || bytes.IndexByte([]byte(`"'= `), rest[0]) >= 0 {
				return l
			}
		}
	}
	return in.line
}

// repoFacts are what the repository around a Dockerfile tells it.
type repoFacts struct {
	hasS2IBin bool
	// hasScripts reports whether the s2i scripts the Dockerfile copies
	// include both assemble and run; nil means no.
	hasScripts func(d *dockerfile) bool
	// isDir reports whether a path of the build context is a directory;
	// nil when the context is unknown.
	isDir func(ctxPath string) bool
	now   time.Time // for end-of-life dates; zero means today
	// base looks up a base image's known config (BaseImage); nil: none known.
	base func(ref string) (BaseImage, bool)
}

// inheritedEnv are variables that the s2i base images (s2i-core and the
// images built on it) set, and that builder Dockerfiles use without setting
// them, mostly in COPY destinations. They are assumed only when the
// Dockerfile leaves them unset, to follow where its scripts go.
var inheritedEnv = vars{
	"STI_SCRIPTS_PATH": "/usr/libexec/s2i",
	"APP_ROOT":         "/opt/app-root",
	"HOME":             "/opt/app-root/src",
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

var knownInstructions = map[string]bool{
	"from": true, "run": true, "cmd": true, "label": true, "maintainer": true, "expose": true, "env": true, "add": true,
	"copy": true, "entrypoint": true, "volume": true, "user": true, "workdir": true, "arg": true, "onbuild": true,
	"stopsignal": true, "healthcheck": true, "shell": true,
}

// upperInstructions maps the usual spelling of each known instruction
// (RUN) to the lower-case name kiln uses, so that lower-casing the
// instructions of a Dockerfile allocates nothing.
var upperInstructions = func() map[string]string {
	m := make(map[string]string, len(knownInstructions))
	for k := range knownInstructions {
		m[strings.ToUpper(k)] = k
	}
	return m
}()

// instrName is strings.ToLower(name) without an allocation for RUN, COPY...
func instrName(name string) string {
	if l, ok := upperInstructions[name]; ok {
		return l
	}
	return strings.ToLower(name)
}

// parsed is buildkit's parse of a Dockerfile, made once per file: finding
// the build context and linting read the same tree.
type parsed struct {
	res *parser.Result
	err error
	// built is the expanded tree when the build context search made it
	// (build reads neither the name nor the repository facts)
	built *dockerfile
}

func parseBuildkit(src []byte) parsed {
	res, err := parser.Parse(bytes.NewReader(src))
	return parsed{res: res, err: err}
}

// parseDockerfile expands a parsed Dockerfile without checking it; nil
// when it does not parse.
func parseDockerfile(name string, src []byte, p parsed) *dockerfile {
	if p.err != nil {
		return nil
	}
	d := &dockerfile{name: name, lex: shell.NewLex(p.res.EscapeToken), src: src}
	d.build(p.res.AST)
	return d
}

func lintDockerfile(name string, src []byte, out *[]Finding) (*dockerfile, error) {
	return lintDockerfileWith(name, src, out, repoFacts{})
}

func lintDockerfileWith(name string, src []byte, out *[]Finding, facts repoFacts) (*dockerfile, error) {
	return lintParsedDockerfile(name, src, parseBuildkit(src), out, facts)
}

func lintParsedDockerfile(name string, src []byte, p parsed, out *[]Finding, facts repoFacts) (*dockerfile, error) {
	rep := reporter{file: name, out: out}
	dirs, commentLines := scanIgnores(src, &rep.ignores)
	rep.reportUnknown()
	res, err := p.res, p.err
	if err != nil {
		line := 1
		var le *parser.LocationError
		if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
			line = max(1, le.Locations[0][0].Start.Line)
			err = le.Unwrap()
		}
		if strings.Contains(err.Error(), "no instructions") {
			rep.add("KL006", line, "no FROM: the file has no instructions at all")
			return nil, nil
		}
		rep.add("KL000", line, "kiln cannot parse this Dockerfile: %v", err)
		return nil, nil
	}
	sawFrom := false
	for _, n := range res.AST.Children {
		cmd := instrName(n.Value)
		if !knownInstructions[cmd] {
			// buildkit's parser takes any word; the build stops here.
			// Template syntax ({% if %}, {{ }}, @VAR@) is KL000: the file
			// may be a template; a typo or garbage is an error (issue 10).
			if !templateWord(n.Value) {
				rep.add("KL005", n.StartLine, "unknown instruction %q: the build stops here", okd.Cap(n.Value))
			} else {
				rep.add("KL000", n.StartLine, "kiln cannot read this Dockerfile: unknown instruction %q (a template?)", okd.Cap(n.Value))
			}
			return nil, nil
		}
		if !sawFrom && cmd != "from" && cmd != "arg" {
			rep.add("KL006", n.StartLine, "%s before any FROM: every build stage starts with FROM", strings.ToUpper(cmd))
			return nil, nil
		}
		sawFrom = sawFrom || cmd == "from"
	}
	if !sawFrom {
		rep.add("KL006", 1, "no FROM: every Dockerfile starts with FROM and its base image")
		return nil, nil
	}
	d := p.built
	if d == nil {
		d = &dockerfile{name: name, lex: shell.NewLex(res.EscapeToken), src: src}
		d.build(res.AST)
	}
	d.name, d.facts, d.rep = name, facts, rep
	if len(dirs) > 0 {
		units := make([][2]int, len(res.AST.Children))
		for i, n := range res.AST.Children {
			units[i] = [2]int{n.StartLine, n.EndLine}
		}
		d.rep.ignores.bind(dirs, commentLines, units)
	}
	d.check()
	return d, nil
}

// build turns the AST into stages of expanded instructions.
func (d *dockerfile) build(root *parser.Node) {
	global := vars{}
	var st *stage
	var env vars
	workdir, workdirKnown := "/", false
	// one allocation for all instructions and one for all their words
	slab := make([]instr, len(root.Children))
	nwords := 0
	for _, n := range root.Children {
		for x := n.Next; x != nil; x = x.Next {
			nwords++
		}
	}
	words := make([]string, 0, nwords)
	for i, n := range root.Children {
		in := &slab[i]
		*in = instr{cmd: instrName(n.Value), line: n.StartLine, end: n.EndLine, node: n, json: n.Attributes["json"]}
		if len(n.Flags) > 0 {
			in.flags = make(map[string]string, len(n.Flags))
		}
		for _, f := range n.Flags {
			k, v, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
			in.flags[strings.ToLower(k)] = v
		}
		start := len(words)
		for x := n.Next; x != nil; x = x.Next {
			words = append(words, x.Value)
		}
		var raw []string
		if len(words) > start {
			raw = words[start:len(words):len(words)] // full slice: an append copies
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
			if !okd.OSBase(st.base) {
				env = cloneVars(inheritedEnv)
			}
			workdir, workdirKnown = "/", okd.OSBase(st.base)
			if prev, ok := d.names[strings.ToLower(st.base)]; ok && st.resolved {
				st.parent = prev
				env = cloneVars(prev.env)
				workdir, workdirKnown = prev.workdir, prev.workdirKnown
			}
			if st.name != "" {
				if d.names == nil {
					d.names = map[string]*stage{}
				}
				d.names[st.name] = st
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
			workdirKnown = workdirKnown || strings.HasPrefix(in.words[0], "/")
		}
		in.workdir, in.workdirKnown = workdir, workdirKnown
		st.instrs = append(st.instrs, in)
		st.env, st.workdir, st.workdirKnown = env, workdir, workdirKnown
	}
}

func cloneVars(v vars) vars {
	if v == nil {
		return vars{}
	}
	return maps.Clone(v)
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
	if s, ok := quotedLiteral(word); ok {
		return s, true
	}
	if name, ok := lonePlainVar(word); ok {
		v, set := env[name]
		return v, set
	}
	s, unmatched, err := d.lex.ProcessWord(word, envGetter(env))
	if err != nil {
		return word, false
	}
	return s, len(unmatched) == 0
}

// quotedLiteral reads the two commonest quoted words of LABEL and ENV
// values, "text" and 'text' with nothing inside that expands or escapes,
// without buildkit's lexer (which allocates a scanner and a map per word);
// TestExpandFastPaths holds them equal to it.
func quotedLiteral(w string) (string, bool) {
	if len(w) < 2 || (w[0] != '"' && w[0] != '\'') || w[len(w)-1] != w[0] {
		return "", false
	}
	inner := w[1 : len(w)-1]
	for i := 0; i < len(inner); i++ {
		switch c := inner[i]; {
		case c < 0x20 || c == 0x7f || c == w[0]:
			return "", false
		case w[0] == '"' && (c == '$' || c == '\\' || c == '`'):
			return "", false
		}
	}
	if !utf8.ValidString(inner) {
		return "", false // buildkit's scanner turns bad bytes into U+FFFD
	}
	return inner, true
}

// lonePlainVar reads a word that is only $NAME or ${NAME}, as FROM ${BASE}
// and WORKDIR ${HOME} are.
func lonePlainVar(w string) (string, bool) {
	if len(w) < 2 || w[0] != '$' {
		return "", false
	}
	name := w[1:]
	if name[0] == '{' {
		if len(name) < 3 || name[len(name)-1] != '}' {
			return "", false
		}
		name = name[1 : len(name)-1]
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return "", false
		}
	}
	return name, true
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
	out := make([]kv, 0, len(raw)/3)
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
				in.cmds = []command{newCommand(raw, nil, in.line)}
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
	if in.cmd == "run" && !mentionsCheckedCommand(src) {
		in.lazySrc = src // nothing any RUN check looks at: parse only if created asks
		return
	}
	f, err := parseShell(d.name, src)
	if err != nil {
		return // not sh (SHELL changed, or broken): no command to check
	}
	in.program = f
	in.cmds = commands(f, env, in.line)
}

// runCommandsChecked are the programs the RUN checks look for; a RUN that
// names none of them (in any word) needs no shell parse.
var runCommandsChecked = []string{"yum", "dnf", "apt", "apk", "rm", "chown", "chgrp", "chmod", "fix-permissions", "openssh"}

func mentionsCheckedCommand(src string) bool {
	// one pass over the text, trying only the names that start with each byte
	for i := 0; i < len(src); i++ {
		for _, c := range checkedByFirstByte[src[i]] {
			if strings.HasPrefix(src[i:], c) {
				return true
			}
		}
	}
	return false
}

var checkedByFirstByte = func() (t [256][]string) {
	for _, c := range runCommandsChecked {
		t[c[0]] = append(t[c[0]], c)
	}
	return t
}()

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

// rootBase is the image the final stage is built on, past stages it
// builds FROM; "" when unknown.
func (d *dockerfile) rootBase() string {
	st := d.finalStage()
	if st == nil {
		return ""
	}
	for st.parent != nil {
		st = st.parent
	}
	if !st.resolved {
		return ""
	}
	return st.base
}

// inherits reports whether the final image's base may set labels, ports,
// a USER or environment of its own: any base but a plain OS image. Rules
// about what the image lacks are then only info (the base may have it).
func (d *dockerfile) inherits() (base string, ok bool) {
	base = d.rootBase()
	if base == "" {
		st := d.finalStage()
		for st != nil && st.parent != nil {
			st = st.parent
		}
		if st != nil {
			return st.base, true // a variable: could be anything
		}
		return "", false
	}
	return base, !okd.OSBase(base)
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
	if n, ok := octalMode(m); ok {
		return n&0o111 != 0
	}
	return strings.Contains(m, "x")
}

// octalMode reads a numeric mode (755); symbolic modes (g=u, +x) are not,
// and are told apart without strconv's error value.
func octalMode(m string) (uint64, bool) {
	if m == "" || strings.Trim(m, "01234567") != "" {
		return 0, false
	}
	n, err := strconv.ParseUint(m, 8, 32)
	return n, err == nil
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

func covered(dir string, by []string) bool {
	for _, p := range by {
		if dir == p || strings.HasPrefix(dir, strings.TrimSuffix(p, "/")+"/") || p == "/" {
			return true
		}
	}
	return false
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
// executable itself (COPY --chmod, RUN chmod +x, RUN install).
func (d *dockerfile) executableInImage(p string) bool {
	if _, exec := d.created(p); exec {
		return true
	}
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
			if c.name() != "chmod" {
				continue
			}
			ops := c.operands()
			if len(ops) < 2 || !modeAddsExec(ops[0]) {
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

// srcIsDir reports whether a COPY source names a directory: its contents
// land in the destination, with or without a trailing slash.
func (d *dockerfile) srcIsDir(s string) bool {
	if strings.HasSuffix(s, "/") || s == "." || s == "./" {
		return true
	}
	if d.facts.isDir != nil {
		return d.facts.isDir(strings.TrimPrefix(path.Clean(s), "./"))
	}
	return false
}

// under returns p relative to dir when p lies below it.
func under(p, dir string) (string, bool) {
	if dir == "/" {
		return strings.TrimPrefix(p, "/"), strings.HasPrefix(p, "/") && p != "/"
	}
	return strings.CutPrefix(p, dir+"/")
}

func plainSource(s string) bool {
	return !strings.ContainsAny(s, "*?[") && !strings.Contains(s, "://") && !strings.HasPrefix(s, "..") && !strings.HasPrefix(s, "/")
}

// imagePath maps a build-context file to where the final image has it.
func (d *dockerfile) imagePath(ctxFile string) (string, bool) {
	for i := len(d.copies) - 1; i >= 0; i-- {
		c := d.copies[i]
		for _, raw := range c.srcs {
			s := strings.TrimPrefix(path.Clean(raw), "./")
			if !plainSource(s) {
				continue
			}
			switch {
			case s == ctxFile && c.destIsDir:
				return path.Join(c.dest, path.Base(s)), true
			case s == ctxFile:
				return c.dest, true
			case s == ".":
				return path.Join(c.dest, ctxFile), true
			case strings.HasPrefix(ctxFile, s+"/"):
				return path.Join(c.dest, strings.TrimPrefix(ctxFile, s+"/")), true
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
		for _, raw := range c.srcs {
			s := strings.TrimPrefix(path.Clean(raw), "./")
			if !plainSource(s) {
				continue
			}
			if d.srcIsDir(raw) {
				// a directory's contents land in dest
				if rel, ok := under(p, c.dest); ok {
					return path.Join(s, rel), true
				}
				continue
			}
			if !c.destIsDir && p == c.dest {
				return s, true
			}
			if c.destIsDir && p == path.Join(c.dest, path.Base(s)) {
				return s, true
			}
		}
	}
	return "", false
}

// created reports whether a RUN of the final image creates the image path
// p (ln, cp, mv, install) and whether the result is executable: install
// defaults to mode 755, and a symbolic link is as executable as its target.
func (d *dockerfile) created(p string) (present, executable bool) {
	for _, in := range d.final {
		if in.cmd != "run" {
			continue
		}
		if in.lazySrc != "" && strings.Contains(in.lazySrc, path.Base(p)) {
			if f, err := parseShell(d.name, in.lazySrc); err == nil {
				in.program, in.cmds = f, commands(f, in.env, in.line)
			}
			in.lazySrc = ""
		}
		for _, c := range in.cmds {
			name := c.name()
			if name != "ln" && name != "cp" && name != "mv" && name != "install" {
				continue
			}
			var ops []string
			mode, exec := "", name == "ln" || name == "install"
			for i := 1; i < len(c.args); i++ {
				a := c.args[i]
				switch {
				case name == "install" && (a == "-m" || a == "--mode") && i+1 < len(c.args):
					mode = c.args[i+1]
					i++
				case name == "install" && strings.HasPrefix(a, "--mode="):
					mode = strings.TrimPrefix(a, "--mode=")
				case name == "install" && strings.HasPrefix(a, "-m") && len(a) > 2:
					mode = a[2:]
				case strings.HasPrefix(a, "-"):
				default:
					ops = append(ops, a)
				}
			}
			if mode != "" {
				exec = modeAddsExec(mode)
			}
			if len(ops) < 2 {
				continue
			}
			dest := ops[len(ops)-1]
			if strings.Contains(dest, "$") {
				continue
			}
			destAbs := absPath(in.workdir, dest)
			for _, src := range ops[:len(ops)-1] {
				target := destAbs
				if strings.HasSuffix(dest, "/") || len(ops) > 2 {
					target = path.Join(destAbs, path.Base(src))
				}
				if target == p || (path.Base(p) == path.Base(src) && destAbs == path.Dir(p)) {
					return true, exec
				}
			}
		}
	}
	return false, false
}

// templateWord reports whether an unknown instruction looks like a
// template's syntax rather than a misspelt instruction or binary garbage.
func templateWord(s string) bool {
	return strings.ContainsAny(s, "{}%<>$@") && utf8.ValidString(s) &&
		!strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError })
}
