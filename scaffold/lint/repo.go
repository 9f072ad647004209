package lint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/kiln-s2i/kiln/scaffold/bounded"
	"github.com/kiln-s2i/kiln/scaffold/okd"
)

func isQuantity(v string) bool {
	_, err := okd.Quantity(v)
	return err == nil
}

type repo struct {
	fsys     fs.FS // the build context
	findings []Finding
	df       *dockerfile
	dfName   string
	run      *lintRun
	prefix   string // the context's path in the linted tree
	// modesUnknown skips the execute-bit check (KL124)
	modesUnknown bool
}

func hasDockerfileTemplate(fsys fs.FS, dir string) bool {
	entries, _ := fs.ReadDir(fsys, dir)
	for _, e := range entries {
		l := strings.ToLower(e.Name())
		if !e.IsDir() && (strings.Contains(l, "dockerfile") || strings.Contains(l, "containerfile")) && !isDockerfileName(e.Name()) {
			return true
		}
	}
	return false
}

// lintRun is one FS call: scripts shared by several Dockerfiles are linted
// once.
type lintRun struct {
	scripts map[scriptKey]scriptResult
	done    map[string]bool                    // files whose repository checks ran (templates)
	base    func(ref string) (BaseImage, bool) // Options.Base
}

type scriptKey struct {
	path string
	role scriptRole
	ctx  scriptContext
}

type scriptResult struct {
	findings []Finding
	info     *scriptInfo
}

// isDockerfileName reports whether a file name is a Dockerfile kiln looks
// for in a directory; templates (Dockerfile.tpl, Dockerfile.j2) are not.
func isDockerfileName(name string) bool {
	l := strings.ToLower(name)
	for _, suf := range []string{".tpl", ".template", ".tmpl", ".j2", ".jinja", ".in", ".orig", ".bak", ".rej", ".md", ".swp", "~"} {
		if strings.HasSuffix(l, suf) {
			return false
		}
	}
	return l == "dockerfile" || l == "containerfile" ||
		strings.HasPrefix(l, "dockerfile.") || strings.HasPrefix(l, "containerfile.") || strings.HasSuffix(l, ".dockerfile")
}

// dockerfilesIn lists a directory's Dockerfiles, Dockerfile and
// Containerfile first.
func dockerfilesIn(fsys fs.FS, dir string) []string {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil
	}
	return dockerfilesOf(dir, entries)
}

// dockerfilesOf is dockerfilesIn for a directory listed already.
func dockerfilesOf(dir string, entries []fs.DirEntry) []string {
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() || e.Type()&fs.ModeSymlink != 0 {
			if isDockerfileName(e.Name()) {
				out = append(out, path.Join(dir, e.Name()))
			}
		}
	}
	slices.SortStableFunc(out, func(a, b string) int {
		pa, pb := !strings.Contains(path.Base(a), "."), !strings.Contains(path.Base(b), ".")
		switch {
		case pa && !pb:
			return -1
		case pb && !pa:
			return 1
		}
		return strings.Compare(a, b)
	})
	return out
}

// builderDir is a directory to lint and the Dockerfiles in it.
type builderDir struct {
	dir string
	dfs []string
}

// asBuilderDir reports whether a listed directory is a builder directory:
// it holds a Dockerfile or s2i/bin.
func asBuilderDir(fsys fs.FS, dir string, entries []fs.DirEntry) (builderDir, bool) {
	if dfs := dockerfilesOf(dir, entries); len(dfs) > 0 {
		return builderDir{dir, dfs}, true
	}
	fi, err := fs.Stat(fsys, path.Join(dir, "s2i/bin"))
	return builderDir{dir: dir}, err == nil && fi.IsDir()
}

// maxWalkDepth bounds the search for builder directories below a root.
const maxWalkDepth = 6

// listDir is fs.ReadDir as the search for builders reads it: entries
// to descend into (what fs.WalkDir would, even after an error), and the
// listing that counts for Dockerfiles (nothing after an error).
func listDir(fsys fs.FS, dir string) (entries, listed []fs.DirEntry) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return entries, nil
	}
	return entries, entries
}

// builderDirs returns "." when the root (listed by listDir) is a builder
// directory, else the builder directories below it, skipping version
// control, dependencies, test applications and the trees a Dockerfile
// copies (s2i, root). Each directory is listed once: the listing that finds
// its Dockerfiles is the one the walk descends with.
func builderDirs(fsys fs.FS, rootEntries, rootListed []fs.DirEntry) []builderDir {
	if bd, ok := asBuilderDir(fsys, ".", rootListed); ok {
		return []builderDir{bd}
	}
	var out []builderDir
	var walk func(dir string, entries []fs.DirEntry)
	walk = func(dir string, entries []fs.DirEntry) {
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			switch e.Name() {
			case ".git", "node_modules", "vendor", ".venv", "__pycache__", "test-app", "testdata", "s2i", ".s2i", "root":
				continue
			}
			p := path.Join(dir, e.Name())
			if strings.Count(p, "/")+1 > maxWalkDepth {
				continue
			}
			sub, listed := listDir(fsys, p)
			if bd, ok := asBuilderDir(fsys, p, listed); ok {
				out = append(out, bd)
			}
			walk(p, sub)
		}
	}
	walk(".", rootEntries)
	return out
}

// lintDir lints one builder directory: each Dockerfile with the build
// context it copies from, or its s2i scripts alone.
func (run *lintRun) lintDir(fsys fs.FS, dir string, dfs []string) ([]Finding, error) {
	var all []Finding
	if len(dfs) == 0 {
		sub, err := fs.Sub(fsys, dir)
		if err != nil {
			return nil, err
		}
		// beside a Dockerfile template (Dockerfile.template, .tpl) the
		// Dockerfile that sets the modes is generated: they are unknown
		r := &repo{fsys: sub, run: run, prefix: dir, modesUnknown: hasDockerfileTemplate(fsys, dir)}
		if err := r.lint(); err != nil {
			return nil, err
		}
		return prefixed(r.findings, dir), nil
	}
	for _, df := range dfs {
		src, err := bounded.ReadFS(fsys, df)
		if err != nil {
			return nil, &ParseError{File: df, Err: unwrapPathError(err)}
		}
		p := parseBuildkit(src)
		ctx := buildContext(fsys, df, src, &p)
		sub, err := fs.Sub(fsys, ctx)
		if err != nil {
			return nil, err
		}
		r := &repo{fsys: sub, run: run, prefix: ctx}
		if err := r.lintWith(relTo(df, ctx), src, p); err != nil {
			return nil, err
		}
		all = append(all, prefixed(r.findings, ctx)...)
	}
	return all, nil
}

func relTo(p, dir string) string {
	if dir == "." {
		return p
	}
	return strings.TrimPrefix(p, dir+"/")
}

func prefixed(fs []Finding, dir string) []Finding {
	if dir == "." {
		return fs
	}
	for i := range fs {
		fs[i].File = joinDisplay(dir, fs[i].File)
	}
	return fs
}

// buildContext guesses the build context of a Dockerfile: of its directory
// and the directories above it, the one in which most of its COPY and ADD
// sources exist (the nearest on a tie). sclorg's python images build from
// the repository root (COPY 3.12/s2i/bin/ ...), its nodejs images from the
// version directory (COPY ./s2i/bin/ ...).
func buildContext(fsys fs.FS, df string, src []byte, p *parsed) string {
	if path.Dir(df) == "." {
		return "."
	}
	srcs := copySources(src, p)
	best, bestN := path.Dir(df), -1
	for dir := path.Dir(df); ; dir = path.Dir(dir) {
		n := 0
		for _, s := range srcs {
			if _, err := fs.Stat(fsys, path.Join(dir, s)); err == nil {
				n++
			}
		}
		if n > bestN {
			best, bestN = dir, n
		}
		if dir == "." || n == len(srcs) {
			break
		}
	}
	return best
}

// copySources lists the plain local sources of a Dockerfile's COPY and ADD
// instructions, with ARG and ENV defaults expanded.
func copySources(src []byte, p *parsed) []string {
	d := parseDockerfile("Dockerfile", src, *p)
	if d == nil {
		return nil
	}
	p.built = d // linting reuses it
	var srcs []string
	for _, st := range d.stages {
		for _, in := range st.instrs {
			if (in.cmd != "copy" && in.cmd != "add") || len(in.words) < 2 || !in.resolved {
				continue
			}
			if _, ok := in.flags["from"]; ok {
				continue
			}
			for _, s := range in.words[:len(in.words)-1] {
				if s = strings.TrimPrefix(path.Clean(s), "./"); plainSource(s) && s != "." {
					srcs = append(srcs, s)
				}
			}
		}
	}
	return srcs
}

// kilnConfig is the part of kiln.yaml lint reads; other keys belong to the
// scaffold package and are ignored here.
type kilnConfig struct {
	Lint struct {
		Ignore []string `json:"ignore"`
	} `json:"lint"`
}

func (r *repo) config(opts Options) (map[string]bool, error) {
	ignore := ignoreSet(opts.Ignore)
	src, err := bounded.ReadFS(r.fsys, "kiln.yaml")
	if errors.Is(err, fs.ErrNotExist) {
		return ignore, nil
	}
	if err != nil {
		return nil, &ParseError{File: "kiln.yaml", Err: unwrapPathError(err)}
	}
	var cfg kilnConfig
	if err := sigsyaml.Unmarshal(src, &cfg); err != nil {
		return nil, &ParseError{File: "kiln.yaml", Err: err}
	}
	for _, id := range cfg.Lint.Ignore {
		if _, ok := LookupRule(id); !ok {
			return nil, &ParseError{File: "kiln.yaml", Err: fmt.Errorf("lint.ignore: unknown rule %q (see kiln lint --list)", id)}
		}
		ignore[strings.ToUpper(id)] = true
	}
	return ignore, nil
}

func (r *repo) exists(name string) bool {
	_, err := fs.Stat(r.fsys, name)
	return err == nil
}

// listedFile is isFile for a name in a directory listing: only a symbolic
// link needs a Stat.
func (r *repo) listedFile(entries []fs.DirEntry, dir, name string) bool {
	for _, e := range entries {
		if e.Name() != name {
			continue
		}
		if e.Type()&fs.ModeSymlink != 0 {
			return r.isFile(path.Join(dir, name))
		}
		return !e.IsDir()
	}
	return false
}

func (r *repo) isFile(name string) bool {
	fi, err := fs.Stat(r.fsys, name)
	return err == nil && !fi.IsDir()
}

// missingScripts reports assemble or run missing from the scripts
// directory (G28), unless a RUN of the Dockerfile creates it (ln -s, cp,
// install). The finding is certain only when the image starts from a plain
// OS image; any other base may ship the script itself.
func (r *repo) missingScripts(binDir string, names map[string]bool) {
	imgDir := "/usr/libexec/s2i"
	line := 1
	sev := Error
	var base string
	if r.df != nil {
		for n := range names {
			if where, ok := r.df.imagePath(binDir + "/" + n); ok {
				imgDir = path.Dir(where)
				break
			}
		}
		for _, c := range r.df.copies {
			for _, s := range c.srcs {
				if strings.TrimPrefix(path.Clean(s), "./") == binDir {
					line = c.in.line
				}
			}
		}
		if base = r.df.rootBase(); base != "" && !okd.OSBase(base) {
			sev = Info
		}
	}
	var missing []string
	for _, n := range []string{"assemble", "run"} {
		if names[n] {
			continue
		}
		if r.df != nil {
			if ok, _ := r.df.created(path.Join(imgDir, n)); ok {
				continue
			}
		}
		missing = append(missing, binDir+"/"+n)
	}
	if len(missing) == 0 {
		return
	}
	msg := strings.Join(missing, " and ") + " missing"
	if sev < Error {
		msg += fmt.Sprintf(" (the base image %s may provide it)", base)
	}
	if r.df != nil {
		r.df.rep.addSev("KL126", sev, line, 1, "%s", msg)
		return
	}
	rep := reporter{file: binDir, out: &r.findings}
	rep.addSev("KL126", sev, 1, 1, "%s", msg)
}

// lint lints a directory's s2i scripts without a Dockerfile.
func (r *repo) lint() error { return r.lintWith("", nil, parsed{}) }

// lintWith lints the Dockerfile dfName (relative to the build context r.fsys)
// with the scripts, test/run, templates and README it brings in; p is
// buildkit's parse of src.
func (r *repo) lintWith(dfName string, src []byte, p parsed) error {
	dfDir := "."
	if dfName != "" {
		dfDir = path.Dir(dfName)
	}
	binDir := path.Join(dfDir, "s2i/bin")
	bin, err := fs.ReadDir(r.fsys, binDir)
	hasBin := err == nil
	if dfName != "" {
		r.dfName = dfName
		facts := repoFacts{hasS2IBin: hasBin, isDir: func(p string) bool {
			fi, err := fs.Stat(r.fsys, p)
			return err == nil && fi.IsDir()
		}, hasScripts: func(d *dockerfile) bool {
			dir := binDir
			if !hasBin {
				var ok bool
				if dir, ok = d.s2iBinDir(); !ok {
					return false
				}
			}
			if dir == binDir {
				// the directory was listed already: no Stat for what it holds
				return r.listedFile(bin, dir, "assemble") && r.listedFile(bin, dir, "run")
			}
			return r.isFile(path.Join(dir, "assemble")) && r.isFile(path.Join(dir, "run"))
		}}
		var look func(string) (BaseImage, bool)
		if r.run != nil {
			look = r.run.base
		}
		facts.base = baseLookup(look, r.fsys, dfDir)
		// an unparsable Dockerfile is one KL000 finding; its scripts are
		// still linted
		r.df, _ = lintParsedDockerfile(dfName, src, p, &r.findings, facts)
	}
	if !hasBin && r.df != nil {
		// multi-version repositories copy VERSION/s2i/bin
		if dir, ok := r.df.s2iBinDir(); ok {
			if entries, err := fs.ReadDir(r.fsys, dir); err == nil {
				binDir, bin, hasBin = dir, entries, true
			}
		}
	}
	// test/run sits beside s2i/ in the directory that holds the scripts
	testRun := path.Join(path.Dir(path.Dir(binDir)), "test/run")
	isBuilder := hasBin || (r.df != nil && r.df.isBuider)

	// s2i scripts
	names := map[string]bool{}
	for _, e := range bin {
		if !e.IsDir() {
			names[e.Name()] = true
		}
	}
	var runInfo *scriptInfo
	runName := ""
	for _, e := range bin {
		if e.IsDir() {
			continue
		}
		p := binDir + "/" + e.Name()
		role := roleFromName(p)
		if role == roleWrapper {
			role = roleGeneric
		}
		if role == roleGeneric && !r.hasShebang(p) && !strings.HasSuffix(p, ".sh") {
			// s2i runs only assemble, run, save-artifacts and usage; another
			// file without #! (a C# helper, a config) is no script
			continue
		}
		img := "/usr/libexec/s2i/" + e.Name()
		if r.df != nil {
			if where, ok := r.df.imagePath(p); ok {
				img = where
			}
		}
		info, err := r.lintFileScript(p, role, scriptContext{saveArtifactsExists: names["save-artifacts"]}, img)
		if err != nil {
			return err
		}
		if role == roleRun {
			runInfo, runName = info, p
		}
	}
	if hasBin && (!names["assemble"] || !names["run"]) {
		r.missingScripts(binDir, names)
	}

	// wrapper scripts CMD/ENTRYPOINT start
	if r.df != nil {
		done := map[string]bool{}
		for _, imgPath := range r.df.wrapperScripts() {
			src, ok := r.df.contextFile(imgPath)
			if !ok || done[src] || strings.HasPrefix(src, binDir+"/") || !r.isFile(src) || !r.isShellScript(src) {
				continue
			}
			done[src] = true
			if _, err := r.lintFileScript(src, roleWrapper, scriptContext{}, imgPath); err != nil {
				return err
			}
		}
		// and the copied scripts whose names say they start the software
		for _, src := range r.copiedFiles(binDir) {
			if done[src] || strings.HasPrefix(src, binDir+"/") || src == testRun || strings.HasPrefix(src, "test/") || strings.Contains(src, "/test/") ||
				!wrapperName(src) || !r.isShellScript(src) {
				continue
			}
			done[src] = true
			img, _ := r.df.imagePath(src)
			if _, err := r.lintFileScript(src, roleWrapper, scriptContext{}, img); err != nil {
				return err
			}
		}
	}

	// test/run
	if r.exists(testRun) {
		if _, err := r.lintFileScript(testRun, roleTest, scriptContext{}, ""); err != nil {
			return err
		}
	} else if isBuilder {
		r.repoFinding("KL130", "no %s to prove the builder works", testRun)
	}

	if err := r.lintTemplates(dfDir, isBuilder); err != nil {
		return err
	}
	if runInfo != nil {
		r.checkReadme(runName, runInfo, path.Dir(path.Dir(binDir)))
	}
	return nil
}

// maxCopiedFiles bounds the walk of copied directories (COPY . /src).
const maxCopiedFiles = 500

// copiedFiles lists the build-context files the final image's COPY and ADD
// take, walking copied directories (but not .git, node_modules or vendor,
// nor skip: the s2i scripts, linted already).
func (r *repo) copiedFiles(skip string) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range r.df.copies {
		for _, s := range c.srcs {
			s = strings.TrimPrefix(path.Clean(s), "./")
			// the whole context (COPY . /src) is application source, not wrappers
			if s == "." || strings.ContainsAny(s, "*?[") || strings.Contains(s, "://") || strings.HasPrefix(s, "..") || strings.HasPrefix(s, "/") ||
				s == skip || strings.HasPrefix(s, skip+"/") {
				continue
			}
			_ = fs.WalkDir(r.fsys, s, func(p string, e fs.DirEntry, err error) error {
				if err != nil || len(out) >= maxCopiedFiles {
					return fs.SkipAll
				}
				if e.IsDir() {
					switch e.Name() {
					case ".git", "node_modules", "vendor", ".venv", "__pycache__":
						return fs.SkipDir
					}
					return nil
				}
				if !seen[p] {
					seen[p] = true
					out = append(out, p)
				}
				return nil
			})
		}
	}
	return out
}

// wrapperName reports whether a file's name says it starts the software.
func wrapperName(p string) bool {
	b := strings.TrimSuffix(path.Base(p), ".sh")
	return strings.Contains(b, "entrypoint") || strings.HasPrefix(b, "start") || b == "run" || b == "launch"
}

func (r *repo) hasShebang(p string) bool {
	f, err := r.fsys.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 2)
	n, _ := io.ReadFull(f, head)
	return n == 2 && head[0] == '#' && head[1] == '!'
}

func (r *repo) isShellScript(p string) bool {
	f, err := r.fsys.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 128)
	n, _ := f.Read(head)
	if interp, ok := interpreter(head[:n]); ok {
		return isShell(interp)
	}
	return strings.HasSuffix(p, ".sh")
}

// repoFinding reports something missing from the repository on the first
// line of its Dockerfile, where a kiln:ignore-file comment can silence it.
func (r *repo) repoFinding(id, format string, a ...any) {
	if r.df != nil {
		r.df.rep.add(id, 1, format, a...)
		return
	}
	rep := reporter{file: ".", out: &r.findings}
	rep.add(id, 1, format, a...)
}

func (r *repo) lintFileScript(p string, role scriptRole, ctx scriptContext, imgPath string) (*scriptInfo, error) {
	if imgPath != "" && r.df != nil && r.df.executableInImage(imgPath) {
		ctx.executableInImage = true
	}
	key := scriptKey{path: r.prefix + "\x00" + p, role: role, ctx: ctx}
	if r.run != nil {
		if res, ok := r.run.scripts[key]; ok {
			r.findings = append(r.findings, res.findings...)
			return res.info, nil
		}
	}
	src, fi, err := bounded.ReadFSInfo(r.fsys, p)
	if err != nil {
		return nil, &ParseError{File: p, Err: unwrapPathError(err)}
	}
	var mode fs.FileMode
	if !r.modesUnknown {
		mode = fi.Mode()
	}
	var out []Finding
	info, err := lintScript(p, src, mode, role, ctx, &out)
	if err != nil {
		return nil, err
	}
	if r.run != nil {
		r.run.scripts[key] = scriptResult{findings: slices.Clone(out), info: info}
	}
	r.findings = append(r.findings, out...)
	return info, nil
}

var workloadKinds = map[string]bool{"Deployment": true, "DeploymentConfig": true, "StatefulSet": true, "DaemonSet": true}

// lintTemplates checks the probes of workloads in openshift/*.yaml.
func (r *repo) lintTemplates(dir string, isBuilder bool) error {
	var files []string
	entries, _ := fs.ReadDir(r.fsys, path.Join(dir, "openshift"))
	for _, e := range entries {
		// what fs.Glob of openshift/*.yaml, *.yml and *.json matched
		if n := e.Name(); strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml") || strings.HasSuffix(n, ".json") {
			files = append(files, path.Join(dir, "openshift", n))
		}
	}
	if r.run != nil {
		key := r.prefix + "\x00" + dir
		if r.run.done[key] {
			return nil // checked with another Dockerfile of the directory
		}
		r.run.done[key] = true
	}
	slices.Sort(files)
	templates := 0
	for _, name := range files {
		src, err := bounded.ReadFS(r.fsys, name)
		if err != nil {
			return &ParseError{File: name, Err: unwrapPathError(err)}
		}
		if !bytes.Contains(src, []byte("Template")) && !bytes.Contains(src, []byte("containers")) {
			continue // an ImageStream, a Service...: nothing to check
		}
		rep := reporter{file: name, out: &r.findings}
		// in YAML a kiln:ignore comment covers the next line (a container's name)
		if dirs, commentLines := scanIgnores(src, &rep.ignores); len(dirs) > 0 {
			var units [][2]int
			for i, l := range strings.Split(string(src), "\n") {
				if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
					units = append(units, [2]int{i + 1, i + 1})
				}
			}
			rep.ignores.bind(dirs, commentLines, units)
		}
		dec := yaml.NewDecoder(bytes.NewReader(src))
		for {
			var doc yaml.Node
			err := dec.Decode(&doc)
			if errors.Is(err, io.EOF) {
				break
			}
			var w workload
			if err == nil {
				w, err = decodeWorkload(&doc)
			}
			var te *yaml.TypeError
			if err != nil && !errors.As(err, &te) {
				rep.add("KL000", yamlErrorLine(err), "kiln cannot parse this YAML: %v", err)
				break
			}
			objs := []workload{w}
			if w.Kind == "Template" {
				templates++
				objs = w.Objects
			}
			for _, o := range objs {
				if !workloadKinds[o.Kind] {
					continue
				}
				for _, c := range o.Spec.Template.Spec.Containers {
					var missing []string
					if isNullNode(&c.ReadinessProbe) {
						missing = append(missing, "readinessProbe")
					}
					if isNullNode(&c.LivenessProbe) {
						missing = append(missing, "livenessProbe")
					}
					if len(missing) > 0 {
						rep.add("KL131", c.Name.Line, "container %q of %s %s has no %s",
							c.Name.Value, o.Kind, o.Metadata.Name, strings.Join(missing, " or "))
					}
				}
			}
			if err != nil {
				break // a type error ends the stream's useful part
			}
		}
	}
	if templates == 0 && isBuilder {
		r.repoFinding("KL132", "no OKD Template in openshift/*.yaml")
	}
	return nil
}

func isNullNode(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || n.Tag == "!!null"
}

// yamlErrorLine reads the line out of "yaml: line 3: ..." errors.
func yamlErrorLine(err error) int {
	var line int
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i:], "line %d", &line)
	}
	return line
}

// checkReadme wants every variable run reads to appear in README.md.
func (r *repo) checkReadme(runName string, info *scriptInfo, root string) {
	if len(info.envUses) == 0 {
		return
	}
	readme, err := bounded.ReadFS(r.fsys, path.Join(root, "README.md"))
	if err != nil && root != "." {
		readme, err = bounded.ReadFS(r.fsys, "README.md")
	}
	hasReadme := err == nil
	var defined vars
	if r.df != nil {
		defined = vars{}
		for _, in := range r.df.final {
			if in.cmd == "env" {
				for _, p := range in.pairs {
					defined[p.key] = p.value
				}
			}
		}
	}
	rep := reporter{file: runName, out: &r.findings}
	dirs, commentLines := scanIgnores(info.src, &rep.ignores)
	if len(dirs) > 0 {
		rep.ignores.bind(dirs, commentLines, info.stmtRanges)
	}
	for _, u := range info.envUses {
		if _, ok := defined[u.name]; ok {
			continue
		}
		switch {
		case !hasReadme:
			rep.add("KL133", u.line, "run reads $%s, and there is no README.md to document it", u.name)
		case !containsWord(readme, u.name):
			rep.add("KL133", u.line, "run reads $%s, which README.md does not mention", u.name)
		}
	}
}

func containsWord(text []byte, word string) bool {
	isWord := func(c byte) bool {
		return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
	}
	for i := 0; ; {
		j := bytes.Index(text[i:], []byte(word))
		if j < 0 {
			return false
		}
		j += i
		end := j + len(word)
		if (j == 0 || !isWord(text[j-1])) && (end >= len(text) || !isWord(text[end])) {
			return true
		}
		i = j + 1
	}
}
