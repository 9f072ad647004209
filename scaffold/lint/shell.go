package lint

import (
	"bytes"
	"io"
	"path"
	"strings"
	"sync"

	"mvdan.cc/sh/v3/syntax"
)

// Parsers are reused: building one per RUN would dominate the run time.
var shellParsers = sync.Pool{New: func() any {
	return syntax.NewParser(syntax.Variant(syntax.LangBash))
}}

func parseShell(name, src string) (*syntax.File, error) {
	return parseShellFrom(name, strings.NewReader(src))
}

// parseShellFrom parses a script's bytes as they were read, with no
// string copy of the whole file.
func parseShellFrom(name string, r io.Reader) (*syntax.File, error) {
	p := shellParsers.Get().(*syntax.Parser)
	defer shellParsers.Put(p)
	return p.Parse(r, name)
}

// vars resolves $NAME in words; a missing name stays as "$NAME".
type vars map[string]string

// wordString renders a shell word as the literal it would most likely be,
// expanding variables known in env.
func wordString(w *syntax.Word, env vars) string {
	if w == nil {
		return ""
	}
	if lit := w.Lit(); lit != "" {
		return lit
	}
	var b strings.Builder
	writeParts(&b, w.Parts, env)
	return b.String()
}

func writeParts(b *strings.Builder, parts []syntax.WordPart, env vars) {
	for _, p := range parts {
		switch p := p.(type) {
		case *syntax.Lit:
			b.WriteString(p.Value)
		case *syntax.SglQuoted:
			b.WriteString(p.Value)
		case *syntax.DblQuoted:
			writeParts(b, p.Parts, env)
		case *syntax.ParamExp:
			name := ""
			if p.Param != nil {
				name = p.Param.Value
			}
			v, ok := env[name]
			switch {
			case ok && p.Exp == nil && p.Repl == nil && p.Slice == nil && !p.Length && !p.Excl:
				b.WriteString(v)
			case p.Exp != nil && (p.Exp.Op == syntax.DefaultUnsetOrNull || p.Exp.Op == syntax.DefaultUnset) && !ok:
				b.WriteString(wordString(p.Exp.Word, env))
			case ok && p.Exp != nil && (p.Exp.Op == syntax.DefaultUnsetOrNull || p.Exp.Op == syntax.DefaultUnset):
				b.WriteString(v)
			default:
				b.WriteString("$" + name)
			}
		case *syntax.CmdSubst:
			b.WriteString("$(...)")
		default:
			b.WriteString("?")
		}
	}
}

// command is one simple command with its words rendered.
type command struct {
	args []string
	call *syntax.CallExpr
	line int
	prog string // path.Base(args[0]): every check asks for it
}

func newCommand(args []string, call *syntax.CallExpr, line int) command {
	c := command{args: args, call: call, line: line}
	if len(args) > 0 {
		c.prog = path.Base(args[0])
	}
	return c
}

// name is the command run, past sudo, env and command prefixes.
func (c command) name() string { return c.prog }

// commands lists the simple commands of a shell program, in order,
// skipping prefixes such as sudo so args[0] is the real program.
func commands(f *syntax.File, env vars, lineBase int) []command {
	var out []command
	syntax.Walk(f, func(n syntax.Node) bool {
		call, ok := n.(*syntax.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		line := lineBase
		if lineBase == 0 {
			line = int(call.Pos().Line())
		}
		out = append(out, newCommand(trimPrefixes(renderArgs(call, env)), call, line))
		return true
	})
	return out
}

func renderArgs(call *syntax.CallExpr, env vars) []string {
	args := make([]string, len(call.Args))
	for i, w := range call.Args {
		args[i] = wordString(w, env)
	}
	return args
}

// trimPrefixes drops sudo, command, nohup and time so args[0] is the program.
func trimPrefixes(args []string) []string {
	for len(args) > 1 && (args[0] == "sudo" || args[0] == "command" || args[0] == "nohup" || args[0] == "time") {
		args = args[1:]
	}
	return args
}

// scriptNodes are the nodes of a script the checks read, gathered in one
// walk of the syntax tree instead of one walk per check.
type scriptNodes struct {
	stmts   []*syntax.Stmt
	calls   []*syntax.CallExpr // with at least one argument
	args    [][]string         // each call's words, rendered without variables
	lists   [][]*syntax.Stmt   // the bodies of blocks, if branches and case items
	funcs   []*syntax.FuncDecl
	redirs  []*syntax.Redirect
	pipes   []*syntax.BinaryCmd // | and |&
	substs  []syntax.Node       // $(...) and <(...)
	params  []*syntax.ParamExp
	assigns []*syntax.Assign
	fors    []*syntax.ForClause
	decls   []*syntax.DeclClause
	// mentionsArtifacts: a literal names artifacts (assemble restores them)
	mentionsArtifacts bool
}

func walkScript(f *syntax.File, sizeHint int) *scriptNodes {
	// a statement or a command every ~30 bytes: few slices need to grow
	n := sizeHint/30 + 2
	ns := &scriptNodes{stmts: make([]*syntax.Stmt, 0, n), calls: make([]*syntax.CallExpr, 0, n), args: make([][]string, 0, n)}
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.Stmt:
			ns.stmts = append(ns.stmts, n)
		case *syntax.CallExpr:
			if len(n.Args) > 0 {
				ns.calls = append(ns.calls, n)
				ns.args = append(ns.args, renderArgs(n, nil))
			}
		case *syntax.Block:
			ns.lists = append(ns.lists, n.Stmts)
		case *syntax.IfClause:
			ns.lists = append(ns.lists, n.Then)
		case *syntax.CaseItem:
			ns.lists = append(ns.lists, n.Stmts)
		case *syntax.FuncDecl:
			ns.funcs = append(ns.funcs, n)
		case *syntax.Redirect:
			ns.redirs = append(ns.redirs, n)
		case *syntax.BinaryCmd:
			if n.Op == syntax.Pipe || n.Op == syntax.PipeAll {
				ns.pipes = append(ns.pipes, n)
			}
		case *syntax.CmdSubst:
			ns.substs = append(ns.substs, n)
		case *syntax.ProcSubst:
			ns.substs = append(ns.substs, n)
		case *syntax.ParamExp:
			ns.params = append(ns.params, n)
		case *syntax.Assign:
			ns.assigns = append(ns.assigns, n)
		case *syntax.ForClause:
			ns.fors = append(ns.fors, n)
		case *syntax.DeclClause:
			ns.decls = append(ns.decls, n)
		case *syntax.Lit:
			ns.mentionsArtifacts = ns.mentionsArtifacts || strings.Contains(n.Value, "artifacts")
		case *syntax.SglQuoted:
			ns.mentionsArtifacts = ns.mentionsArtifacts || strings.Contains(n.Value, "artifacts")
		}
		return true
	})
	return ns
}

// stmtRanges lists the line span of every statement, for kiln:ignore comments.
func (ns *scriptNodes) stmtRanges() [][2]int {
	out := make([][2]int, len(ns.stmts))
	for i, s := range ns.stmts {
		out[i] = [2]int{int(s.Pos().Line()), int(s.End().Line())}
	}
	return out
}

// hasArg reports whether any argument after the command name equals one of want.
func (c command) hasArg(want ...string) bool {
	for _, a := range c.args[1:] {
		for _, w := range want {
			if a == w {
				return true
			}
		}
	}
	return false
}

// operands are the non-flag arguments after the command name.
func (c command) operands() []string {
	var out []string
	for _, a := range c.args[1:] {
		if !strings.HasPrefix(a, "-") {
			out = append(out, a)
		}
	}
	return out
}

// interpreter reads a script's shebang: "sh", "bash", "python3"...; ok is
// false without a shebang.
func interpreter(src []byte) (name string, ok bool) {
	if len(src) < 2 || src[0] != '#' || src[1] != '!' {
		return "", false
	}
	first := src[2:]
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i] // the #! line only: no string copy of the script
	}
	line := string(first)
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return "", true
	}
	name = path.Base(fields[0])
	if name == "env" {
		for _, f := range fields[1:] {
			if !strings.HasPrefix(f, "-") {
				return path.Base(f), true
			}
		}
	}
	if name == "busybox" && len(fields) > 1 {
		return fields[1], true
	}
	return name, true
}

func isShell(interp string) bool {
	switch interp {
	case "sh", "bash", "ash", "dash", "ksh", "mksh", "busybox":
		return true
	}
	return false
}

// redirectsStdout reports whether a statement's stdout goes to a file, a
// pipe target or stderr (and so is not the script's stdout).
func redirectsStdout(s *syntax.Stmt) bool {
	for _, r := range s.Redirs {
		fd := "1"
		if r.N != nil {
			fd = r.N.Value
		}
		switch r.Op {
		case syntax.RdrOut, syntax.AppOut, syntax.DplOut, syntax.RdrClob:
			if fd == "1" {
				return true
			}
		case syntax.RdrAll, syntax.AppAll:
			return true
		}
	}
	return false
}
