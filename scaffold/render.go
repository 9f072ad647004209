package scaffold

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/template"

	"github.com/kiln-s2i/kiln/templates"
)

// File is one rendered file of a builder repo.
type File struct {
	Path    string // slash-separated, relative to the repo root
	Content []byte
	Mode    fs.FileMode // 0755 for scripts, 0644 otherwise
}

// renderData is what templates see: the spec plus values derived from it.
type renderData struct {
	Spec              *Spec
	Home              string
	Port              int
	FirstPort         Port
	ReadinessPort     int
	LivenessPort      int
	ReadinessPath     string
	Labels            []Label
	Env               []EnvVar
	SetupCommands     []string
	UsageLines        []string
	MemoryLimit       string
	TriggerAnnotation string
	AppName           string // the example template's default NAME
	TemplateName      string // the example template's name and template label
}

// Home is the assembled application's directory: HOME and WORKDIR.
const Home = AppRoot + "/src"

// ScriptsDir is where the s2i scripts live in the image.
const ScriptsDir = "/usr/libexec/s2i"

// KilnVersion is the version of the running kiln, which kiln.yaml records
// as kilnVersion; cmd/kiln sets it at start.
var KilnVersion = "dev"

// Render renders every file of the builder repo described by s. The same
// spec always renders the same bytes. s must be valid.
func Render(s *Spec) ([]File, error) { return builtin.Render(s) }

// Render renders every file of the builder repo described by s from t.
func (t *Templates) Render(s *Spec) ([]File, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	tmpl, err := t.presetTemplates(s.Preset)
	if err != nil {
		return nil, err
	}
	d := newRenderData(s)
	var files []File
	add := func(name, tmplName string, mode fs.FileMode) error {
		var buf bytes.Buffer
		if err := tmpl.ExecuteTemplate(&buf, tmplName, d); err != nil {
			return fmt.Errorf("rendering %s: %w", name, err)
		}
		files = append(files, File{Path: name, Content: buf.Bytes(), Mode: mode})
		return nil
	}
	outputs := []struct {
		path, tmpl string
		mode       fs.FileMode
	}{
		{"Dockerfile", "Dockerfile.tmpl", 0o644},
		{"s2i/bin/assemble", "assemble.tmpl", 0o755},
		{"s2i/bin/run", "run.tmpl", 0o755},
		{"s2i/bin/usage", "usage.tmpl", 0o755},
		{"Makefile", "Makefile.tmpl", 0o644},
		{"test/run", "test-run.tmpl", 0o755},
		{"openshift/template.yaml", "template.yaml.tmpl", 0o644},
		{"openshift/imagestream.yaml", "imagestream.yaml.tmpl", 0o644},
		{"README.md", "README.md.tmpl", 0o644},
	}
	if s.Incremental {
		outputs = append(outputs, struct {
			path, tmpl string
			mode       fs.FileMode
		}{"s2i/bin/save-artifacts", "save-artifacts.tmpl", 0o755})
	}
	for _, o := range outputs {
		if err := add(o.path, o.tmpl, o.mode); err != nil {
			return nil, err
		}
	}
	apps, err := t.testApps()
	if err != nil {
		return nil, err
	}
	files = append(files, apps[s.Preset]...)
	stamped := *s
	stamped.KilnVersion = KilnVersion
	spec, err := stamped.Marshal()
	if err != nil {
		return nil, err
	}
	files = append(files, File{Path: SpecFile, Content: spec, Mode: 0o644})
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

func newRenderData(s *Spec) *renderData {
	d := &renderData{Spec: s, Home: Home, MemoryLimit: "512Mi"}
	if len(s.Ports) > 0 {
		d.FirstPort = s.Ports[0]
		d.Port = s.Ports[0].Number
	}
	d.ReadinessPort = s.ProbePort(s.Readiness)
	d.LivenessPort = s.ProbePort(s.Liveness)
	d.ReadinessPath = s.Readiness.Path
	if s.MinMemory != "" {
		d.MemoryLimit = s.MinMemory
	}
	d.Labels = imageLabels(s)
	d.Env = imageEnv(s)
	d.SetupCommands = setupCommands(s)
	d.UsageLines = usageLines(s)
	trigger, _ := json.Marshal([]map[string]any{{
		"from":      map[string]string{"kind": "ImageStreamTag", "name": "${NAME}:latest"},
		"fieldPath": `spec.template.spec.containers[?(@.name=="app")].image`,
	}})
	d.TriggerAnnotation = string(trigger)
	d.AppName = appName(s.Name)
	d.TemplateName = label63(s.Name, "-example")
	return d
}

// appName is the example template's default NAME, which names its Service
// and Route: a DNS-1035 label, so a letter first and at most 63 characters.
func appName(name string) string {
	if name != "" && name[0] >= '0' && name[0] <= '9' {
		return label63("app-"+name, "")
	}
	return label63(name, "-app")
}

// label63 appends suffix to name, shortening name so that the result fits
// in a Kubernetes label value or DNS label (63 characters).
func label63(name, suffix string) string {
	if max := 63 - len(suffix); len(name) > max {
		name = strings.TrimRight(name[:max], "-")
	}
	return name + suffix
}

// ExposeServices renders io.openshift.expose-services: PORT/PROTO[:NAME],...
func (s *Spec) ExposeServices() string {
	var parts []string
	for _, p := range s.Ports {
		parts = append(parts, p.String())
	}
	return strings.Join(parts, ",")
}

// imageLabels lists the image's labels in a fixed order (G14, G23).
func imageLabels(s *Spec) []Label {
	var ls []Label
	add := func(k, v string) {
		if v != "" {
			ls = append(ls, Label{Key: k, Value: v})
		}
	}
	add("io.k8s.description", s.Description)
	add("io.k8s.display-name", s.DisplayName)
	add("io.openshift.expose-services", s.ExposeServices())
	add("io.openshift.tags", strings.Join(s.Tags, ","))
	add("io.openshift.wants", strings.Join(s.Wants, ","))
	add("io.openshift.non-scalable", strconv.FormatBool(s.NonScalable))
	add("io.openshift.min-memory", s.MinMemory)
	add("io.openshift.min-cpu", s.MinCPU)
	add("io.openshift.s2i.scripts-url", "image://"+ScriptsDir)
	add("io.openshift.s2i.assemble-user", s.UIDString())
	add("maintainer", s.Maintainer)
	add("org.opencontainers.image.title", s.DisplayName)
	add("org.opencontainers.image.description", s.Description)
	add("org.opencontainers.image.version", s.Tag)
	add("org.opencontainers.image.source", s.Source)
	add("org.opencontainers.image.licenses", s.Licenses)
	if c := s.Certification; c != nil {
		add("name", c.Name)
		add("vendor", c.Vendor)
		add("version", c.Version)
		add("release", c.Release)
		add("summary", c.Summary)
		add("description", c.Description)
		if s.Maintainer == "" {
			add("maintainer", c.Maintainer)
		}
	}
	ls = append(ls, s.Labels...)
	return ls
}

// imageEnv is the ENV of the image: the version, well-known paths, the port,
// then the author's variables, which win over kiln's (G10, G21).
func imageEnv(s *Spec) []EnvVar {
	own := map[string]bool{}
	for _, e := range s.Env {
		own[e.Name] = true
	}
	var env []EnvVar
	for _, e := range []EnvVar{
		s.Version,
		{Name: "APP_ROOT", Value: AppRoot},
		{Name: "HOME", Value: Home},
		{Name: "PORT", Value: strconv.Itoa(portOrZero(s))},
	} {
		if !own[e.Name] {
			env = append(env, e)
		}
	}
	return append(env, s.Env...)
}

func portOrZero(s *Spec) int {
	if len(s.Ports) == 0 {
		return 0
	}
	return s.Ports[0].Number
}

// installCommand is one RUN fragment that installs packages and removes the
// package manager's caches in the same layer (G06).
func installCommand(manager string, pkgs []string) []string {
	if len(pkgs) == 0 || manager == "none" {
		return nil
	}
	list := make([]string, len(pkgs))
	for i, p := range pkgs {
		list[i] = shellWord(p)
	}
	p := strings.Join(list, " ")
	switch manager {
	case "dnf":
		return []string{"dnf -y install --setopt=install_weak_deps=0 --nodocs " + p, "dnf clean all"}
	case "microdnf":
		return []string{"microdnf -y install --setopt=install_weak_deps=0 --nodocs " + p, "microdnf clean all"}
	case "yum":
		return []string{"yum -y install --setopt=tsflags=nodocs " + p, "yum clean all -y"}
	case "apt":
		// apt-get clean too: a base without Docker's apt configuration (a
		// debootstrap one) keeps the downloaded .debs (G06).
		return []string{"apt-get update", "DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends " + p, "apt-get clean", "rm -rf /var/lib/apt/lists/*"}
	case "apk":
		return []string{"apk add --no-cache " + p}
	}
	return nil
}

// allAppDirs are the directories the app writes: HOME, the writable
// directories and the volumes, sorted, each once.
func allAppDirs(s *Spec) []string {
	all := append([]string{Home}, s.WritableDirs...)
	all = append(all, s.Volumes...)
	slices.Sort(all)
	return slices.Compact(all)
}

// appDirs are allAppDirs without the ones already inside another, for the
// recursive chown, chgrp and chmod.
func appDirs(all []string) []string {
	var out []string
	for _, d := range all {
		if slices.ContainsFunc(out, func(p string) bool { return strings.HasPrefix(d, p+"/") }) {
			continue
		}
		out = append(out, d)
	}
	return out
}

func setupCommands(s *Spec) []string {
	cmds := installCommand(s.PackageManager, s.Packages)
	dirs := allAppDirs(s)
	top := strings.Join(appDirs(dirs), " ")
	return append(cmds,
		"mkdir -p "+strings.Join(dirs, " "),
		fmt.Sprintf("chown -R %d:0 %s", s.UID, top),
		"chgrp -R 0 "+top,
		"chmod -R g=u "+top,
	)
}

func usageLines(s *Spec) []string {
	var lines []string
	env := imageEnv(s)
	lines = append(lines, "", "Environment variables (set with -e NAME=value):")
	for _, e := range env {
		// The value verbatim: Go quoting would show \" and \u200f, not what the variable holds.
		if e.Value == "" {
			lines = append(lines, fmt.Sprintf("  %s (empty by default)", e.Name))
		} else {
			lines = append(lines, fmt.Sprintf("  %s (default: %s)", e.Name, e.Value))
		}
	}
	if len(s.Secrets) > 0 {
		lines = append(lines, "", "Required secrets, with no default: the app will not start without them:")
		for _, name := range s.Secrets {
			lines = append(lines, "  "+name)
		}
	}
	if len(s.Volumes) > 0 {
		lines = append(lines, "", "Volumes for persistent data: "+strings.Join(s.Volumes, ", "))
	}
	return lines
}

// shellWord quotes a word for sh only when it needs it.
func shellWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("+-._/:@=,%", r))
	}) < 0 {
		return s
	}
	return shellQuote(s)
}

// shellQuote single-quotes s for sh: nothing inside is special.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// DockerfileQuote double-quotes s as one Dockerfile word (a LABEL or ENV
// key or value): the escape character, quotes and $ (which would be
// expanded) are escaped, so the builder's word processing gives back s
// exactly. It cannot make a line break safe: callers refuse those.
func DockerfileQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`)
	return `"` + r.Replace(s) + `"`
}

// yamlQuote renders s as a YAML double-quoted scalar (JSON is YAML).
func yamlQuote(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(buf.String(), "\n")
}

// markdownCode renders s as a Markdown code span in a table cell: the fence
// is one backtick longer than any run of backticks inside (CommonMark), and
// pipes are escaped so the table holds (GFM).
func markdownCode(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	if s == "" {
		return "(empty)"
	}
	fence := strings.Repeat("`", longest+1)
	// One blank inside each end is dropped when both ends have one (CommonMark).
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") && strings.Trim(s, " ") != "" {
		s = " " + s + " "
	}
	return fence + markdownCell(s) + fence
}

// markdownCell keeps a value from breaking a Markdown table.
func markdownCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// markdownEscaper backslash-escapes the ASCII punctuation that is Markdown
// or HTML syntax inside a line (CommonMark: any of it may be escaped, and
// reads back as itself), so a display name, description, maintainer or
// label value in README.md stays text: no raw HTML such as <script> or
// <img onerror=…>, no entity, link, image, emphasis or code span (issue 10).
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`,
	"&", `\&`, "|", `\|`, "~", `\~`, "#", `\#`, "!", `\!`,
	"\r\n", " ", "\n", " ", "\r", " ",
)

// markdownText renders free text as Markdown inline text in a paragraph,
// a heading or a table cell (see markdownEscaper). At the start of a line
// a list marker or indentation would open a block: escaped too.
func markdownText(s string) string {
	s = markdownEscaper.Replace(s)
	trimmed := strings.TrimLeft(s, " \t")
	if lead := len(s) - len(trimmed); lead >= 4 || strings.Contains(s[:lead], "\t") {
		s = trimmed // an indented code block otherwise; Markdown drops leading blanks anyway
	}
	switch i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }); {
	case strings.HasPrefix(s, "-"), strings.HasPrefix(s, "+"):
		s = `\` + s // a list item, or a rule ("---")
	case i > 0 && (s[i] == '.' || s[i] == ')') && (i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\t'):
		s = s[:i] + `\` + s[i:] // "1. " opens an ordered list
	}
	return s
}

var funcs = template.FuncMap{
	"dq":      DockerfileQuote,
	"sq":      shellQuote,
	"yq":      yamlQuote,
	"md":      markdownText,
	"code":    markdownCode,
	"comment": func(s string) string { return strings.NewReplacer("\n", " ", "\r", " ").Replace(s) },
	"jq": func(s string) string {
		b, _ := json.Marshal(s)
		return string(b)
	},
	"join":     func(l []string, sep string) string { return strings.Join(l, sep) },
	"upper":    strings.ToUpper,
	"portName": Port.ServiceName,
	"indent": func(n int, s string) string {
		pad := strings.Repeat(" ", n)
		return pad + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+pad)
	},
	"probe": func(p Probe, port int) string {
		if p.Type == "tcp" {
			return fmt.Sprintf("tcpSocket:\n  port: %d", port)
		}
		return fmt.Sprintf("httpGet:\n  path: %s\n  port: %d", yamlQuote(p.Path), port)
	},
	"probeText": func(p Probe, port int) string {
		if p.Type == "tcp" {
			return fmt.Sprintf("TCP connect to port %d", port)
		}
		return fmt.Sprintf("HTTP GET `%s` on port %d answers 2xx", markdownCell(p.Path), port)
	},
}

// Templates is a template set a builder repo is rendered from. kiln's own
// is embedded (package templates); tests render with a second set to play a
// kiln upgrade that improves its templates.
type Templates struct {
	fsys     fs.FS
	base     func() (*template.Template, error)
	presets  map[string]func() (*template.Template, error)
	testApps func() (map[string][]File, error)
}

// NewTemplates reads a template set laid out like package templates' FS.
// Each part is parsed on first use only, so a kiln new pays for its own
// preset, not for all of them.
func NewTemplates(fsys fs.FS) *Templates {
	t := &Templates{fsys: fsys, presets: map[string]func() (*template.Template, error){}}
	t.base = sync.OnceValues(func() (*template.Template, error) {
		base := template.New("kiln").Funcs(funcs).Option("missingkey=error")
		return base.ParseFS(fsys, "*.tmpl", "s2i/*.tmpl", "openshift/*.tmpl")
	})
	for _, p := range presets {
		t.presets[p.Name] = sync.OnceValues(func() (*template.Template, error) {
			base, err := t.base()
			if err != nil {
				return nil, err
			}
			c, err := base.Clone()
			if err == nil {
				_, err = c.ParseFS(fsys, "presets/"+p.Name+".tmpl")
			}
			if err != nil {
				return nil, fmt.Errorf("preset %s: %w", p.Name, err)
			}
			return c, nil
		})
	}
	t.testApps = sync.OnceValues(func() (map[string][]File, error) { return readTestApps(fsys) })
	return t
}

// builtin is kiln's embedded template set.
var builtin = NewTemplates(templates.FS)

// presetTemplates returns the shared templates plus the preset's script bodies.
func (t *Templates) presetTemplates(preset string) (*template.Template, error) {
	parse, ok := t.presets[preset]
	if !ok {
		return nil, fmt.Errorf("preset %q does not exist", preset)
	}
	return parse()
}

// embedSuffix ends the test app files stored under another name: the go
// preset's go.mod and .go files would otherwise make templates/testapp/go
// another module (which go:embed refuses) or a package of kiln's own.
const embedSuffix = ".embed"

// executableTestAppFiles are the test app files that must keep their x bit,
// which embed.FS does not record.
var executableTestAppFiles = []string{"build", "start"}

func readTestApps(fsys fs.FS) (map[string][]File, error) {
	apps := map[string][]File{}
	for _, p := range presets {
		root := "testapp/" + p.Name
		err := fs.WalkDir(fsys, root, func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := fs.ReadFile(fsys, name)
			if err != nil {
				return err
			}
			rel := strings.TrimSuffix(strings.TrimPrefix(name, root+"/"), embedSuffix)
			mode := fs.FileMode(0o644)
			if slices.Contains(executableTestAppFiles, path.Base(rel)) {
				mode = 0o755
			}
			apps[p.Name] = append(apps[p.Name], File{Path: "test/test-app/" + rel, Content: data, Mode: mode})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return apps, nil
}

// MarkdownText is free text as README.md writes it in a table cell: for
// editors that change a README's rows in place (scaffold/mdedit).
func MarkdownText(s string) string { return markdownText(s) }

// MarkdownCode is a value as README.md writes it as a code span in a cell.
func MarkdownCode(s string) string { return markdownCode(s) }
