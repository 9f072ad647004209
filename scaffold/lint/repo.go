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

	"github.com/kiln-s2i/kiln/scaffold/okd"
)

func isQuantity(v string) bool {
	_, err := okd.Quantity(v)
	return err == nil
}

type repo struct {
	fsys     fs.FS
	findings []Finding
	df       *dockerfile
	dfName   string
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
	src, err := fs.ReadFile(r.fsys, "kiln.yaml")
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

func (r *repo) lint() error {
	binDir := "s2i/bin"
	bin, err := fs.ReadDir(r.fsys, binDir)
	hasBin := err == nil
	for _, name := range []string{"Dockerfile", "Containerfile"} {
		src, err := fs.ReadFile(r.fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return &ParseError{File: name, Err: unwrapPathError(err)}
		}
		r.dfName = name
		r.df, err = lintDockerfileWith(name, src, &r.findings, repoFacts{hasS2IBin: hasBin})
		if err != nil {
			return err
		}
		break
	}
	if r.df == nil && !hasBin {
		return &ParseError{File: ".", Err: errors.New("no Dockerfile, Containerfile or s2i/bin here: not a builder repository")}
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
		var missing []string
		for _, n := range []string{"assemble", "run"} {
			if !names[n] {
				missing = append(missing, binDir+"/"+n)
			}
		}
		r.repoFinding("KL126", "%s missing", strings.Join(missing, " and "))
	}

	// wrapper scripts CMD/ENTRYPOINT start
	if r.df != nil {
		done := map[string]bool{}
		for _, imgPath := range r.df.wrapperScripts() {
			src, ok := r.df.contextFile(imgPath)
			if !ok || done[src] || strings.HasPrefix(src, binDir+"/") || !r.exists(src) {
				continue
			}
			done[src] = true
			if _, err := r.lintFileScript(src, roleWrapper, scriptContext{}, imgPath); err != nil {
				return err
			}
		}
		// and the copied scripts whose names say they start the software
		for _, src := range r.copiedFiles() {
			if done[src] || strings.HasPrefix(src, binDir+"/") || src == testRun || strings.HasPrefix(src, "test/") ||
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

	if err := r.lintTemplates(isBuilder); err != nil {
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
// take, walking copied directories (but not .git, node_modules or vendor).
func (r *repo) copiedFiles() []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range r.df.copies {
		for _, s := range c.srcs {
			s = strings.TrimPrefix(path.Clean(s), "./")
			// the whole context (COPY . /src) is application source, not wrappers
			if s == "." || strings.ContainsAny(s, "*?[") || strings.Contains(s, "://") || strings.HasPrefix(s, "..") || strings.HasPrefix(s, "/") {
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
	src, err := fs.ReadFile(r.fsys, p)
	if err != nil {
		return nil, &ParseError{File: p, Err: unwrapPathError(err)}
	}
	var mode fs.FileMode
	if fi, err := fs.Stat(r.fsys, p); err == nil {
		mode = fi.Mode()
	}
	if imgPath != "" && r.df != nil && r.df.executableInImage(imgPath) {
		ctx.executableInImage = true
	}
	return lintScript(p, src, mode, role, ctx, &r.findings)
}

// workload is what KL131 reads of a Template, Deployment or
// DeploymentConfig; yaml.Node fields keep their line for the report.
type workload struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Objects []workload `yaml:"objects"`
	Spec    struct {
		Template struct {
			Spec struct {
				Containers []struct {
					Name           yaml.Node `yaml:"name"`
					ReadinessProbe yaml.Node `yaml:"readinessProbe"`
					LivenessProbe  yaml.Node `yaml:"livenessProbe"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

var workloadKinds = map[string]bool{"Deployment": true, "DeploymentConfig": true, "StatefulSet": true, "DaemonSet": true}

// lintTemplates checks the probes of workloads in openshift/*.yaml.
func (r *repo) lintTemplates(isBuilder bool) error {
	var files []string
	for _, pat := range []string{"openshift/*.yaml", "openshift/*.yml", "openshift/*.json"} {
		m, _ := fs.Glob(r.fsys, pat)
		files = append(files, m...)
	}
	slices.Sort(files)
	templates := 0
	for _, name := range files {
		src, err := fs.ReadFile(r.fsys, name)
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
			var w workload
			err := dec.Decode(&w)
			if errors.Is(err, io.EOF) {
				break
			}
			var te *yaml.TypeError
			if err != nil && !errors.As(err, &te) {
				return &ParseError{File: name, Line: yamlErrorLine(err), Err: err}
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
	readme, err := fs.ReadFile(r.fsys, path.Join(root, "README.md"))
	if err != nil && root != "." {
		readme, err = fs.ReadFile(r.fsys, "README.md")
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
	src, _ := fs.ReadFile(r.fsys, runName)
	dirs, commentLines := scanIgnores(src, &rep.ignores)
	if len(dirs) > 0 {
		if f, err := parseShell(runName, string(src)); err == nil {
			rep.ignores.bind(dirs, commentLines, stmtRanges(f))
		}
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
