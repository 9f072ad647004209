package lint

import (
	"bytes"
	"cmp"
	"errors"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

type scriptRole int

const (
	roleGeneric scriptRole = iota
	roleAssemble
	roleRun
	roleSaveArtifacts
	roleUsage
	roleWrapper // started by CMD/ENTRYPOINT: must exec its server
	roleTest
)

// roleFromName guesses a lone script's role from its file name.
func roleFromName(name string) scriptRole {
	base := path.Base(strings.ReplaceAll(name, "\\", "/"))
	switch base {
	case "assemble":
		return roleAssemble
	case "run":
		if path.Base(path.Dir(name)) == "test" {
			return roleTest
		}
		return roleRun
	case "save-artifacts":
		return roleSaveArtifacts
	case "usage":
		return roleUsage
	}
	b := strings.TrimSuffix(base, ".sh")
	if strings.Contains(b, "entrypoint") || strings.HasPrefix(b, "start") || strings.HasPrefix(b, "run") {
		return roleWrapper
	}
	return roleGeneric
}

// scriptContext is what the repository tells about a script.
type scriptContext struct {
	saveArtifactsExists bool
	executableInImage   bool // the Dockerfile sets the x bit itself
}

// scriptInfo is what a script tells the repository checks.
type scriptInfo struct {
	envUses []envUse // variables read but never set by the script
	// a run script's text and statement spans, for KL133's kiln:ignore
	// comments (checkReadme reports on it)
	src        []byte
	stmtRanges [][2]int
}

type envUse struct {
	name string
	line int
}

func (r *reporter) addPos(id string, p syntax.Pos, format string, a ...any) {
	r.addCol(id, int(p.Line()), int(p.Col()), format, a...)
}

func lintScript(name string, src []byte, mode fs.FileMode, role scriptRole, ctx scriptContext, out *[]Finding) (*scriptInfo, error) {
	rep := reporter{file: name, out: out}
	dirs, commentLines := scanIgnores(src, &rep.ignores)
	rep.reportUnknown()
	interp, hasShebang := interpreter(src)
	info := &scriptInfo{}
	if !hasShebang {
		rep.add("KL123", 1, "%s has no #! line", path.Base(name))
	}
	if mode != 0 && mode.Perm()&0o111 == 0 && !ctx.executableInImage {
		rep.add("KL124", 1, "%s is not executable (mode %v)", path.Base(name), mode.Perm())
	}
	if hasShebang && !isShell(interp) {
		return info, nil // another language: only the file checks apply
	}
	f, err := parseShellFrom(name, bytes.NewReader(src))
	if err != nil {
		line, msg := 1, err.Error()
		var se syntax.ParseError
		var le syntax.LangError
		switch {
		case errors.As(err, &se):
			line, msg = int(se.Pos.Line()), se.Text
		case errors.As(err, &le):
			line = int(le.Pos.Line()) // valid in another shell (bash arrays kiln reads as arithmetic)
		}
		rep.add("KL000", line, "kiln cannot parse this script as shell: %s", msg)
		return info, nil
	}
	nodes := walkScript(f, len(src))
	if len(dirs) > 0 {
		rep.ignores.bind(dirs, commentLines, nodes.stmtRanges())
	}
	for i, call := range nodes.calls {
		c := newCommand(trimPrefixes(nodes.args[i]), call, 0)
		switch c.name() {
		case "chmod", "chgrp", "chown":
			for _, op := range c.operands() {
				if path.Clean(op) == "/etc/passwd" {
					rep.addPos("KL075", call.Pos(), "%s changes /etc/passwd", c.name())
				}
			}
		}
	}
	if role != roleTest {
		checkErrorExit(&rep, f, nodes)
	}
	switch role {
	case roleRun, roleWrapper:
		checkFinalExec(&rep, f, nodes)
		checkServices(&rep, nodes)
		for _, l := range logFiles(nodes, nil) {
			rep.addPos("KL125", l.pos, "logs to %s", l.target)
		}
		if role == roleRun {
			info.envUses = envReads(nodes)
			if len(info.envUses) > 0 {
				info.src = src
				if len(dirs) > 0 {
					info.stmtRanges = nodes.stmtRanges()
				}
			}
		}
	case roleSaveArtifacts:
		checkSaveArtifacts(&rep, nodes)
	case roleAssemble:
		if ctx.saveArtifactsExists && !nodes.mentionsArtifacts {
			rep.add("KL122", 1, "assemble never restores /tmp/artifacts, though save-artifacts exists")
		}
	}
	return info, nil
}

// checkErrorExit finds an error message followed by exit 0 (or a bare
// exit, whose status is the message's, 0): the failure is reported as
// success (G21).
func checkErrorExit(rep *reporter, f *syntax.File, nodes *scriptNodes) {
	check := func(stmts []*syntax.Stmt) {
		for i := 0; i+1 < len(stmts); i++ {
			if !errorMessage(stmts[i]) {
				continue
			}
			next, ok := stmts[i+1].Cmd.(*syntax.CallExpr)
			if !ok || len(next.Args) == 0 || wordString(next.Args[0], nil) != "exit" {
				continue
			}
			if len(next.Args) == 1 || wordString(next.Args[1], nil) == "0" {
				rep.addPos("KL127", next.Pos(), "the script prints an error, then exits with status 0")
			}
		}
	}
	check(f.Stmts)
	for _, l := range nodes.lists {
		check(l)
	}
}

// errorMessage reports whether a statement prints an error: echo or printf
// of text that says error or fatal.
func errorMessage(s *syntax.Stmt) bool {
	c, ok := s.Cmd.(*syntax.CallExpr)
	if !ok || len(c.Args) < 2 {
		return false
	}
	if n := wordString(c.Args[0], nil); n != "echo" && n != "printf" {
		return false
	}
	for _, w := range c.Args[1:] {
		t := strings.ToLower(wordString(w, nil))
		if strings.Contains(t, "error") || strings.Contains(t, "fatal") {
			return true
		}
	}
	return false
}

// checkFinalExec follows the script to its final command and wants exec there.
func checkFinalExec(rep *reporter, f *syntax.File, nodes *scriptNodes) {
	fe := finalExec{funcs: map[string]*syntax.Stmt{}, done: map[string]bool{}}
	for _, fd := range nodes.funcs {
		if fd.Name != nil {
			fe.funcs[fd.Name.Value] = fd.Body
		}
	}
	for _, bad := range fe.last(f.Stmts, 0) {
		rep.addPos("KL120", bad.pos, "the final command %s is not exec-ed: signals go to the shell, not to it", bad.what)
	}
}

type notExec struct {
	pos  syntax.Pos
	what string
}

// finalExec walks to the final commands; each function is followed once, so
// recursive or branching functions cannot blow up the walk.
type finalExec struct {
	funcs map[string]*syntax.Stmt
	done  map[string]bool
}

func lastStmt(stmts []*syntax.Stmt) *syntax.Stmt {
	for i := len(stmts) - 1; i >= 0; i-- {
		if _, ok := stmts[i].Cmd.(*syntax.FuncDecl); ok {
			continue
		}
		return stmts[i]
	}
	return nil
}

const maxFinalDepth = 64

func (fe *finalExec) last(stmts []*syntax.Stmt, depth int) []notExec {
	s := lastStmt(stmts)
	if s == nil || depth > maxFinalDepth {
		return nil
	}
	return fe.stmt(s, depth)
}

func (fe *finalExec) stmt(s *syntax.Stmt, depth int) []notExec {
	if depth > maxFinalDepth {
		return nil
	}
	line := s.Pos()
	if s.Background {
		return []notExec{{line, "(started in the background with &)"}}
	}
	switch c := s.Cmd.(type) {
	case nil:
		return nil
	case *syntax.CallExpr:
		if len(c.Args) == 0 {
			return nil // assignments only
		}
		name := wordString(c.Args[0], nil)
		switch name {
		case "exec":
			if len(c.Args) > 1 {
				return nil
			}
		case "exit", "return", "die", "fail", "usage":
			return nil
		case "echo", "printf", "cat", "true", ":", "false", "logger", "touch", "mkdir", "rm", "cp", "mv", "ln", "chmod", "test", "[":
			// a branch that only reports something (an error, the usage) or
			// touches a file and ends leaves no server to exec
			return nil
		}
		if body, ok := fe.funcs[name]; ok {
			if fe.done[name] {
				return nil
			}
			fe.done[name] = true
			return fe.stmt(body, depth+1)
		}
		return []notExec{{line, "`" + shortCommand(c) + "`"}}
	case *syntax.Block:
		return fe.last(c.Stmts, depth+1)
	case *syntax.IfClause:
		var out []notExec
		for ic := c; ic != nil; ic = ic.Else {
			out = append(out, fe.last(ic.Then, depth+1)...)
		}
		return out
	case *syntax.CaseClause:
		var out []notExec
		for _, item := range c.Items {
			out = append(out, fe.last(item.Stmts, depth+1)...)
		}
		return out
	case *syntax.BinaryCmd:
		switch c.Op {
		case syntax.AndStmt:
			return fe.stmt(c.Y, depth+1)
		case syntax.OrStmt:
			return fe.stmt(c.X, depth+1)
		}
		return []notExec{{line, "(a pipeline)"}}
	case *syntax.Subshell:
		return []notExec{{line, "(a subshell)"}}
	case *syntax.WhileClause, *syntax.ForClause:
		return []notExec{{line, "(a loop)"}}
	}
	return nil
}

func shortCommand(c *syntax.CallExpr) string {
	var parts []string
	for i, w := range c.Args {
		if i == 3 {
			parts = append(parts, "...")
			break
		}
		parts = append(parts, wordString(w, nil))
	}
	return strings.Join(parts, " ")
}

func checkServices(rep *reporter, nodes *scriptNodes) {
	for _, n := range nodes.stmts {
		if n.Background {
			what := "a process"
			if call, ok := n.Cmd.(*syntax.CallExpr); ok && len(call.Args) > 0 {
				what = wordString(call.Args[0], nil)
			}
			rep.addPos("KL060", n.Pos(), "starts %s in the background with &: a second service in the container", what)
		}
	}
	for i, n := range nodes.calls {
		args := nodes.args[i]
		name := path.Base(args[0])
		if name == "exec" && len(args) > 1 {
			name = path.Base(args[1])
		}
		switch {
		case supervisors[name] && name != "init":
			rep.addPos("KL060", n.Pos(), "starts %s, a supervisor of several services", name)
		case name == "sshd" || name == "dropbear":
			rep.addPos("KL050", n.Pos(), "starts %s, an SSH server", name)
		default:
			if svc := startsDaemon(args); svc != "" {
				rep.addPos("KL060", n.Pos(), "starts %s as a background daemon beside the main process", svc)
			}
		}
	}
}

// startsDaemon recognises commands that start a service in the background:
// service X start, /etc/init.d/X start, systemctl start X, start-stop-daemon,
// and servers told to daemonize. It returns what is started, or "".
func startsDaemon(args []string) string {
	if len(args) == 0 {
		return ""
	}
	name := path.Base(args[0])
	switch {
	case name == "service" && len(args) > 2 && (args[2] == "start" || args[2] == "restart"):
		return args[1]
	case strings.HasPrefix(args[0], "/etc/init.d/") && len(args) > 1 && (args[1] == "start" || args[1] == "restart"):
		return name
	case (name == "systemctl" || name == "rc-service") && len(args) > 2 && slices.Contains(args[1:], "start"):
		return args[len(args)-1]
	case name == "start-stop-daemon":
		return "a daemon"
	case (name == "apachectl" || name == "httpd") && (slices.Contains(args[1:], "start") || slices.Contains(args[1:], "-k") && slices.Contains(args[1:], "start")):
		return name
	case strings.HasPrefix(name, "php-fpm") && slices.Contains(args[1:], "-D"):
		return name
	case name == "pg_ctl" && slices.Contains(args[1:], "start"):
		return "postgres"
	case name == "memcached" && slices.Contains(args[1:], "-d"):
		return name
	case name == "mysqld_safe" || name == "crond" && !slices.Contains(args[1:], "-f") && !slices.Contains(args[1:], "-n"):
		return name
	}
	for i, a := range args[1:] {
		opt, val, _ := strings.Cut(a, "=")
		switch opt {
		case "--daemon", "--daemonize", "-daemon", "--fork":
			if val == "" && i+2 < len(args) {
				val = args[i+2]
			}
			switch val {
			case "no", "false", "0", "off":
				continue
			}
			return name
		}
	}
	return ""
}

type logUse struct {
	pos    syntax.Pos
	target string
}

func isStdStream(t string) bool {
	switch t {
	case "/dev/stdout", "/dev/stderr", "-", "/proc/self/fd/1", "/proc/self/fd/2", "/dev/null", "/dev/fd/1", "/dev/fd/2":
		return true
	}
	return false
}

func isLogPath(t string) bool {
	return !isStdStream(t) && (strings.HasSuffix(t, ".log") || strings.HasPrefix(t, "/var/log/"))
}

// logFiles finds output redirected to log files and --log-file options.
func logFiles(nodes *scriptNodes, env vars) []logUse {
	var out []logUse
	for _, n := range nodes.redirs {
		switch n.Op {
		case syntax.RdrOut, syntax.AppOut, syntax.RdrAll, syntax.AppAll, syntax.RdrClob:
			if t := wordString(n.Word, env); isLogPath(t) {
				out = append(out, logUse{n.Pos(), t})
			}
		}
	}
	for _, n := range nodes.calls {
		for i, w := range n.Args {
			a := wordString(w, env)
			opt, val, hasVal := strings.Cut(a, "=")
			switch strings.TrimLeft(opt, "-") {
			case "log-file", "logfile", "log_file", "error-log", "errorlog", "access-log", "accesslog":
			default:
				continue
			}
			if !strings.HasPrefix(opt, "-") {
				continue
			}
			if !hasVal && i+1 < len(n.Args) {
				val = wordString(n.Args[i+1], env)
			}
			if val != "" && !isStdStream(val) && !strings.HasPrefix(val, "$") {
				out = append(out, logUse{n.Pos(), val})
			}
		}
	}
	return out
}

var stdoutPrinters = map[string]bool{
	"echo": true, "printf": true, "cat": true, "ls": true, "pushd": true, "popd": true, "dirs": true,
	"pwd": true, "env": true, "printenv": true, "date": true, "find": true, "du": true, "df": true,
	"id": true, "whoami": true, "hostname": true, "uname": true, "which": true, "type": true,
	"head": true, "tail": true, "wc": true, "grep": true, "tree": true,
}

// checkSaveArtifacts flags commands whose output would mix into the tar
// stream: printers whose stdout is not redirected, piped or captured.
func checkSaveArtifacts(rep *reporter, nodes *scriptNodes) {
	type span struct{ from, to uint }
	var quiet []span
	for _, n := range nodes.stmts {
		if redirectsStdout(n) {
			quiet = append(quiet, span{n.Pos().Offset(), n.End().Offset()})
		}
	}
	for _, n := range nodes.pipes {
		quiet = append(quiet, span{n.X.Pos().Offset(), n.X.End().Offset()})
	}
	for _, n := range nodes.substs {
		quiet = append(quiet, span{n.Pos().Offset(), n.End().Offset()})
	}
	// the spans nest or are disjoint: merge them into sorted disjoint ones
	slices.SortFunc(quiet, func(a, b span) int { return cmp.Compare(a.from, b.from) })
	merged := quiet[:0]
	for _, q := range quiet {
		if n := len(merged); n > 0 && q.from < merged[n-1].to {
			merged[n-1].to = max(merged[n-1].to, q.to)
			continue
		}
		merged = append(merged, q)
	}
	isQuiet := func(off uint) bool {
		i := sort.Search(len(merged), func(i int) bool { return merged[i].to > off })
		return i < len(merged) && merged[i].from <= off
	}
	for i, call := range nodes.calls {
		name := path.Base(nodes.args[i][0])
		if !stdoutPrinters[name] || isQuiet(call.Pos().Offset()) {
			continue
		}
		note := ""
		if name == "pushd" || name == "popd" {
			note = " (it prints the directory stack)"
		}
		rep.addPos("KL121", call.Pos(), "%s writes to stdout%s, corrupting the tar stream", name, note)
	}
}

var wellKnownVars = map[string]bool{
	"HOME": true, "PATH": true, "PWD": true, "OLDPWD": true, "USER": true, "UID": true, "EUID": true, "GID": true,
	"HOSTNAME": true, "HOST": true, "LANG": true, "LANGUAGE": true, "TERM": true, "SHELL": true, "IFS": true,
	"OPTARG": true, "OPTIND": true, "RANDOM": true, "SECONDS": true, "LINENO": true, "FUNCNAME": true, "PPID": true,
	"TMPDIR": true, "TZ": true, "PS1": true, "PS4": true, "APP_ROOT": true, "STI_SCRIPTS_PATH": true, "STI_SCRIPTS_URL": true,
	"HOSTTYPE": true, "OSTYPE": true, "MACHTYPE": true, "LOGNAME": true, "MAIL": true, "EDITOR": true,
}

// envReads lists the upper-case variables a script reads but never sets:
// its configuration interface.
func envReads(nodes *scriptNodes) []envUse {
	set := map[string]bool{}
	for _, n := range nodes.assigns {
		if n.Name != nil {
			set[n.Name.Value] = true
		}
	}
	for _, n := range nodes.fors {
		if wi, ok := n.Loop.(*syntax.WordIter); ok && wi.Name != nil {
			set[wi.Name.Value] = true
		}
	}
	for _, n := range nodes.decls {
		// local $vars, export $(cgroup-limits): names known only at run time
		for _, a := range n.Args {
			if a.Name == nil && a.Value != nil && a.Value.Lit() == "" {
				return nil // any variable may be one the script sets itself
			}
			if a.Name != nil {
				set[a.Name.Value] = true
			}
		}
	}
	for i := range nodes.calls {
		args := nodes.args[i]
		if args[0] == "eval" {
			return nil
		}
		if len(args) > 1 && (args[0] == "read" || args[0] == "export") {
			for _, a := range args[1:] {
				name, _, _ := strings.Cut(a, "=")
				set[name] = true
			}
		}
	}
	var out []envUse
	seen := map[string]bool{}
	for _, pe := range nodes.params {
		if pe.Param == nil {
			continue
		}
		name := pe.Param.Value
		if seen[name] || set[name] || wellKnownVars[name] || !configName(name) {
			continue
		}
		// ${X:=default} and ${X=default} assign X.
		if pe.Exp != nil && (pe.Exp.Op == syntax.AssignUnsetOrNull || pe.Exp.Op == syntax.AssignUnset) {
			if strings.HasPrefix(name, "_") {
				continue
			}
		}
		seen[name] = true
		out = append(out, envUse{name, int(pe.Pos().Line())})
	}
	return out
}

// configName accepts upper-case names, the convention for environment
// configuration; lower-case names are the script's own variables.
func configName(name string) bool {
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		return false
	}
	for _, p := range []string{"BASH", "LC_", "KUBERNETES_", "OPENSHIFT_BUILD_", "S2I_", "STI_"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	letter := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9' || c == '_':
		default:
			return false
		}
	}
	return letter
}
