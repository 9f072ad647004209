package scaffold_test

// Checks every rendered file of a builder repo with the real parsers: the
// Dockerfile with buildkit, the scripts with mvdan.cc/sh and shellcheck, the
// YAML strictly into k8s.io/api types and typed OpenShift structs, kiln.yaml
// by a Parse round trip. Each check also asserts the facts the spec promises.

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"mvdan.cc/sh/v3/syntax"
	"sigs.k8s.io/yaml"

	"github.com/kiln-s2i/kiln/scaffold"
)

// repo is a rendered builder repo, by path.
type repo map[string]scaffold.File

func renderRepo(t testing.TB, s *scaffold.Spec) repo {
	t.Helper()
	files, err := scaffold.Render(s)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	r := repo{}
	for _, f := range files {
		if _, dup := r[f.Path]; dup {
			t.Fatalf("Render returned %s twice", f.Path)
		}
		r[f.Path] = f
	}
	return r
}

func (r repo) content(t testing.TB, name string) []byte {
	t.Helper()
	f, ok := r[name]
	if !ok {
		t.Fatalf("the rendered repo has no %s", name)
	}
	return f.Content
}

// checkRepo runs every check on a rendered repo. Scripts are queued on sc
// for one shellcheck run at the end of the test.
func checkRepo(t *testing.T, s *scaffold.Spec, r repo, sc *shellcheckBatch) {
	t.Helper()
	checkFileSet(t, s, r)
	checkDockerfile(t, s, r.content(t, "Dockerfile"))
	checkScripts(t, s, r, sc)
	checkUsage(t, s, r.content(t, "s2i/bin/usage"))
	checkTestRun(t, s, r.content(t, "test/run"))
	checkTemplate(t, s, r.content(t, "openshift/template.yaml"))
	checkImageStreamFile(t, s, r.content(t, "openshift/imagestream.yaml"))
	checkSpecFile(t, s, r.content(t, scaffold.SpecFile))
	checkReadme(t, s, r.content(t, "README.md"))
}

func checkFileSet(t *testing.T, s *scaffold.Spec, r repo) {
	t.Helper()
	for _, name := range []string{"Dockerfile", "Makefile", "README.md", "kiln.yaml", "s2i/bin/assemble", "s2i/bin/run",
		"s2i/bin/usage", "test/run", "openshift/template.yaml", "openshift/imagestream.yaml"} {
		if _, ok := r[name]; !ok {
			t.Errorf("the rendered repo has no %s", name)
		}
	}
	if _, ok := r["s2i/bin/save-artifacts"]; ok != s.Incremental {
		t.Errorf("s2i/bin/save-artifacts rendered: %v, want %v (incremental: %v)", ok, s.Incremental, s.Incremental)
	}
	for name, f := range r {
		want := fs.FileMode(0o644)
		if strings.HasPrefix(string(f.Content), "#!") {
			want = 0o755
		}
		if f.Mode != want {
			t.Errorf("%s has mode %v, want %v", name, f.Mode, want)
		}
		if name != path.Clean(name) || path.IsAbs(name) || strings.HasPrefix(name, "../") {
			t.Errorf("rendered path %q is not a clean relative path", name)
		}
	}
}

// anyEnv answers every variable, so an unescaped $X in a value shows up as
// «X» after expansion instead of silently vanishing.
type anyEnv struct{}

func (anyEnv) Get(name string) (string, bool) { return "«" + name + "»", true }
func (anyEnv) Keys() []string                 { return nil }

// dockerfile is what a build sees of a Dockerfile.
type dockerfile struct {
	from     string
	labels   map[string]string
	env      map[string]string
	expose   []string
	users    []string
	cmds     [][]string
	cmdShell bool
	volumes  []string
	workdirs []string
	commands []instructions.Command
	escape   rune
}

// parseDockerfile parses with buildkit's parser and instructions, and expands
// LABEL and ENV with its shell lexer, the way a build evaluates them.
func parseDockerfile(t testing.TB, content []byte) *dockerfile {
	t.Helper()
	res, err := parser.Parse(bytes.NewReader(content))
	if err != nil {
		t.Fatalf("Dockerfile does not parse: %v\n%s", err, content)
	}
	for _, w := range res.Warnings {
		t.Errorf("Dockerfile parser warning: %s (line %v)", w.Short, w.Location)
	}
	stages, metaArgs, err := instructions.Parse(res.AST, nil)
	if err != nil {
		t.Fatalf("Dockerfile instructions do not parse: %v\n%s", err, content)
	}
	if len(metaArgs) != 0 {
		t.Errorf("Dockerfile has %d ARGs before FROM, want none", len(metaArgs))
	}
	if len(stages) != 1 {
		t.Fatalf("Dockerfile has %d stages, want 1", len(stages))
	}
	lex := shell.NewLex(res.EscapeToken)
	expand := func(word string) string {
		v, _, err := lex.ProcessWord(word, anyEnv{})
		if err != nil {
			t.Errorf("Dockerfile word %q does not expand: %v", word, err)
		}
		return v
	}
	d := &dockerfile{from: stages[0].BaseName, labels: map[string]string{}, env: map[string]string{}, escape: res.EscapeToken}
	for _, c := range stages[0].Commands {
		d.commands = append(d.commands, c)
		switch c := c.(type) {
		case *instructions.LabelCommand:
			for _, kv := range c.Labels {
				k := expand(kv.Key)
				if _, dup := d.labels[k]; dup {
					t.Errorf("Dockerfile sets label %s twice", k)
				}
				d.labels[k] = expand(kv.Value)
			}
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				k := expand(kv.Key)
				if _, dup := d.env[k]; dup {
					t.Errorf("Dockerfile sets ENV %s twice", k)
				}
				d.env[k] = expand(kv.Value)
			}
		case *instructions.ExposeCommand:
			d.expose = append(d.expose, c.Ports...)
		case *instructions.UserCommand:
			d.users = append(d.users, c.User)
		case *instructions.CmdCommand:
			d.cmds = append(d.cmds, c.CmdLine)
			d.cmdShell = c.PrependShell
		case *instructions.VolumeCommand:
			d.volumes = append(d.volumes, c.Volumes...)
		case *instructions.WorkdirCommand:
			d.workdirs = append(d.workdirs, c.Path)
		case *instructions.RunCommand:
			if !c.PrependShell || len(c.CmdLine) != 1 {
				t.Errorf("RUN is not in shell form: %q", c.CmdLine)
			}
		}
	}
	return d
}

// index returns the position of the first command matching ok, or -1.
func (d *dockerfile) index(ok func(instructions.Command) bool) int {
	return slices.IndexFunc(d.commands, ok)
}

// expectedLabels are the image labels a spec promises, with their values.
func expectedLabels(s *scaffold.Spec) map[string]string {
	m := map[string]string{
		"io.k8s.description":                   s.Description,
		"io.k8s.display-name":                  s.DisplayName,
		"io.openshift.tags":                    strings.Join(s.Tags, ","),
		"io.openshift.expose-services":         s.ExposeServices(),
		"io.openshift.s2i.scripts-url":         "image:///usr/libexec/s2i",
		"io.openshift.s2i.assemble-user":       strconv.Itoa(s.UID),
		"io.openshift.non-scalable":            strconv.FormatBool(s.NonScalable),
		"org.opencontainers.image.title":       s.DisplayName,
		"org.opencontainers.image.description": s.Description,
		"org.opencontainers.image.version":     s.Tag,
	}
	opt := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	opt("io.openshift.wants", strings.Join(s.Wants, ","))
	opt("io.openshift.min-memory", s.MinMemory)
	opt("io.openshift.min-cpu", s.MinCPU)
	opt("maintainer", s.Maintainer)
	opt("org.opencontainers.image.source", s.Source)
	opt("org.opencontainers.image.licenses", s.Licenses)
	if c := s.Certification; c != nil {
		opt("name", c.Name)
		opt("vendor", c.Vendor)
		opt("version", c.Version)
		opt("release", c.Release)
		opt("summary", c.Summary)
		opt("description", c.Description)
		if s.Maintainer == "" {
			opt("maintainer", c.Maintainer)
		}
	}
	for _, l := range s.Labels {
		m[l.Key] = l.Value
	}
	return m
}

// expectedEnv is the image ENV a spec promises: the version, the port, HOME,
// and the author's variables, which win.
func expectedEnv(s *scaffold.Spec) map[string]string {
	m := map[string]string{
		s.Version.Name: s.Version.Value,
		"PORT":         strconv.Itoa(s.Ports[0].Number),
		"HOME":         scaffold.Home,
		"APP_ROOT":     scaffold.AppRoot,
	}
	for _, e := range s.Env {
		m[e.Name] = e.Value
	}
	return m
}

func checkDockerfile(t *testing.T, s *scaffold.Spec, content []byte) {
	t.Helper()
	d := parseDockerfile(t, content)
	if d.escape != '\\' {
		t.Errorf("Dockerfile escape token is %q, want \\ (a value set a parser directive?)", d.escape)
	}
	if d.from != s.From {
		t.Errorf("FROM %q, want %q", d.from, s.From)
	}
	if want := expectedLabels(s); !reflect.DeepEqual(d.labels, want) {
		for k, v := range want {
			if got, ok := d.labels[k]; !ok || got != v {
				t.Errorf("LABEL %s = %q (set: %v), want %q", k, got, ok, v)
			}
		}
		for k, v := range d.labels {
			if _, ok := want[k]; !ok {
				t.Errorf("unexpected LABEL %s = %q", k, v)
			}
		}
	}
	want := expectedEnv(s)
	for k, v := range want {
		if got, ok := d.env[k]; !ok || got != v {
			t.Errorf("ENV %s = %q (set: %v), want %q", k, got, ok, v)
		}
	}
	for k, v := range d.env {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected ENV %s = %q", k, v)
		}
	}
	var ports []string
	for _, p := range s.Ports {
		ports = append(ports, fmt.Sprintf("%d/%s", p.Number, p.Protocol))
	}
	// buildkit sorts EXPOSE's ports.
	if !reflect.DeepEqual(slices.Sorted(slices.Values(d.expose)), slices.Sorted(slices.Values(ports))) {
		t.Errorf("EXPOSE %q, want every port %q", d.expose, ports)
	}
	if len(d.users) == 0 || d.users[len(d.users)-1] != strconv.Itoa(s.UID) {
		t.Errorf("USER instructions %q: the last must be the numeric UID %d", d.users, s.UID)
	}
	if len(d.cmds) != 1 || d.cmdShell || !reflect.DeepEqual(d.cmds[0], []string{"/usr/libexec/s2i/usage"}) {
		t.Errorf("CMD %q (shell form: %v), want exactly one CMD in exec form [\"/usr/libexec/s2i/usage\"]", d.cmds, d.cmdShell)
	}
	if !reflect.DeepEqual(d.workdirs, []string{scaffold.Home}) {
		t.Errorf("WORKDIR %q, want %s", d.workdirs, scaffold.Home)
	}
	if !slices.Equal(d.volumes, s.Volumes) {
		t.Errorf("VOLUME %q, want %q", d.volumes, s.Volumes)
	}
	copyScripts := d.index(func(c instructions.Command) bool {
		cp, ok := c.(*instructions.CopyCommand)
		return ok && slices.Equal(cp.SourcePaths, []string{"s2i/bin/"}) && cp.DestPath == "/usr/libexec/s2i/"
	})
	if copyScripts < 0 {
		t.Errorf("no COPY s2i/bin/ /usr/libexec/s2i/ in the Dockerfile")
	}
	checkRuns(t, s, d, copyScripts)
}

// checkRuns parses every RUN as sh and finds the package install: it and the
// cleaning of the package manager's cache are in one RUN, before COPY s2i/bin.
func checkRuns(t *testing.T, s *scaffold.Spec, d *dockerfile, copyScripts int) {
	t.Helper()
	installers := map[string][]string{
		"dnf": {"dnf", "install"}, "microdnf": {"microdnf", "install"}, "yum": {"yum", "install"},
		"apt": {"apt-get", "install"}, "apk": {"apk", "add"},
	}
	wantInstall := s.PackageManager != "none" && len(s.Packages) > 0
	installRun := -1
	for i, c := range d.commands {
		run, ok := c.(*instructions.RunCommand)
		if !ok {
			continue
		}
		calls := shellCalls(t, "Dockerfile RUN", strings.Join(run.CmdLine, " "), syntax.LangPOSIX)
		for _, call := range calls {
			for mgr, inst := range installers {
				if len(call) < 2 || call[0] != inst[0] || !slices.Contains(call, inst[1]) {
					continue
				}
				if !wantInstall || mgr != s.PackageManager {
					t.Errorf("RUN installs with %s, but the spec's package manager is %q with packages %q", mgr, s.PackageManager, s.Packages)
					continue
				}
				installRun = i
				for _, p := range s.Packages {
					if !slices.Contains(call, p) {
						t.Errorf("the %s install %q does not install %q", mgr, call, p)
					}
				}
				if !cleansCache(mgr, call, calls) {
					t.Errorf("RUN %q installs with %s but does not clean its cache in the same RUN (G06)", run.CmdLine, mgr)
				}
			}
		}
	}
	if wantInstall && installRun < 0 {
		t.Errorf("no RUN installs the packages %q with %s", s.Packages, s.PackageManager)
	}
	if installRun >= 0 && copyScripts >= 0 && copyScripts < installRun {
		t.Errorf("COPY s2i/bin (instruction %d) comes before the package RUN (instruction %d): a script edit would reinstall every package (G08)", copyScripts, installRun)
	}
}

func cleansCache(mgr string, install []string, calls [][]string) bool {
	has := func(want ...string) bool {
		return slices.ContainsFunc(calls, func(c []string) bool { return slices.Equal(c, want) })
	}
	switch mgr {
	case "dnf", "microdnf":
		return has(mgr, "clean", "all")
	case "yum":
		return has("yum", "clean", "all", "-y") || has("yum", "clean", "all")
	case "apt":
		return has("rm", "-rf", "/var/lib/apt/lists/*") && has("apt-get", "update")
	case "apk":
		return slices.Contains(install, "--no-cache")
	}
	return false
}

// shellCalls parses src as shell and returns each simple command's words,
// with quotes removed when the word is static.
func shellCalls(t testing.TB, name, src string, lang syntax.LangVariant) [][]string {
	t.Helper()
	f, err := syntax.NewParser(syntax.Variant(lang)).Parse(strings.NewReader(src), name)
	if err != nil {
		t.Errorf("%s does not parse as %s: %v\n%s", name, lang, err, src)
		return nil
	}
	var calls [][]string
	syntax.Walk(f, func(n syntax.Node) bool {
		if c, ok := n.(*syntax.CallExpr); ok {
			var words []string
			for _, w := range c.Args {
				words = append(words, staticWord(w))
			}
			calls = append(calls, words)
		}
		return true
	})
	return calls
}

// staticWord is a word's value when it is literal or quoted text, else its source.
func staticWord(w *syntax.Word) string {
	var b strings.Builder
	for _, p := range w.Parts {
		switch p := p.(type) {
		case *syntax.Lit:
			b.WriteString(p.Value)
		case *syntax.SglQuoted:
			b.WriteString(p.Value)
		case *syntax.DblQuoted:
			for _, q := range p.Parts {
				lit, ok := q.(*syntax.Lit)
				if !ok {
					return wordSource(w)
				}
				b.WriteString(lit.Value)
			}
		default:
			return wordSource(w)
		}
	}
	return b.String()
}

func wordSource(w *syntax.Word) string {
	var b strings.Builder
	_ = syntax.NewPrinter().Print(&b, w)
	return b.String()
}

// checkScripts parses every script with the dialect its shebang names and
// queues it for shellcheck.
func checkScripts(t *testing.T, s *scaffold.Spec, r repo, sc *shellcheckBatch) {
	t.Helper()
	for name, f := range r {
		first, _, _ := strings.Cut(string(f.Content), "\n")
		want := ""
		switch {
		case strings.HasPrefix(name, "s2i/bin/"):
			want = "#!/bin/sh"
		case name == "test/run":
			want = "#!/bin/bash"
		case strings.HasPrefix(first, "#!"):
			want = first
		}
		if want == "" {
			continue
		}
		if first != want {
			t.Errorf("%s starts with %q, want %q", name, first, want)
		}
		lang := syntax.LangPOSIX
		switch first {
		case "#!/bin/sh":
		case "#!/bin/bash", "#!/usr/bin/env bash":
			lang = syntax.LangBash
		default:
			t.Errorf("%s has the shebang %q, which no check knows", name, first)
			continue
		}
		shellCalls(t, name, string(f.Content), lang)
		sc.add(name, f.Content)
	}
}

// checkUsage runs s2i/bin/usage with /bin/sh, and busybox sh when present:
// the text it prints holds every value it shows exactly.
func checkUsage(t *testing.T, s *scaffold.Spec, content []byte) {
	t.Helper()
	want := []string{s.DisplayName, s.Description, s.ImageRef(), fmt.Sprintf("-p %d:%d", s.Ports[0].Number, s.Ports[0].Number)}
	for _, e := range s.Env {
		want = append(want, e.Name, e.Value)
	}
	want = append(want, s.Version.Name, s.Version.Value)
	want = append(want, s.Secrets...)
	want = append(want, s.Volumes...)
	if alreadyRan("usage", content, want) {
		return
	}
	script := filepath.Join(t.TempDir(), "usage")
	if err := os.WriteFile(script, content, 0o755); err != nil {
		t.Fatal(err)
	}
	shells := [][]string{{"/bin/sh"}}
	if _, err := os.Stat("/bin/busybox"); err == nil {
		shells = append(shells, []string{"/bin/busybox", "sh"})
	}
	for _, sh := range shells {
		cmd := exec.Command(sh[0], append(sh[1:], script)...)
		cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=/nonexistent", "X=«X»", "HOSTILE=«HOSTILE»"}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil || stderr.Len() > 0 {
			t.Errorf("%s s2i/bin/usage: %v, stderr %q", sh, err, stderr.String())
			continue
		}
		text := string(out)
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s s2i/bin/usage does not print %q; it printed:\n%s", sh, w, text)
			}
		}
	}
}

var (
	ranMu sync.Mutex
	ran   = map[[32]byte]bool{}
)

// alreadyRan reports whether a script with this content was already run and
// checked for these expectations, so hostile values in fields a script does
// not show cost no extra process.
func alreadyRan(what string, content []byte, want []string) bool {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00%s", what, len(content), content)
	for _, w := range want {
		fmt.Fprintf(h, "\x00%d:%s", len(w), w)
	}
	var key [32]byte
	copy(key[:], h.Sum(nil))
	ranMu.Lock()
	defer ranMu.Unlock()
	if ran[key] {
		return true
	}
	ran[key] = true
	return false
}

var testRunSetting = regexp.MustCompile(`^(ASSEMBLE_USER|PORT|READINESS_PATH)=`)

// checkTestRun evaluates test/run's settings with bash, as the script does.
func checkTestRun(t *testing.T, s *scaffold.Spec, content []byte) {
	t.Helper()
	var settings []string
	for _, line := range strings.Split(string(content), "\n") {
		if testRunSetting.MatchString(line) {
			settings = append(settings, line)
		}
	}
	want := fmt.Sprintf("%d\n%d\n%s\n", s.UID, s.Ports[0].Number, s.Readiness.Path)
	if alreadyRan("test/run", content, []string{want}) {
		return
	}
	cmd := exec.Command("/bin/bash", "-c", strings.Join(settings, "\n")+"\nprintf '%s\\n' \"$ASSEMBLE_USER\" \"$PORT\" \"$READINESS_PATH\"")
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	out, err := cmd.Output()
	if err != nil {
		t.Errorf("test/run settings %q do not run in bash: %v", settings, err)
		return
	}
	if string(out) != want {
		t.Errorf("test/run settings give %q, want %q", out, want)
	}
}

// ocTemplate is an OpenShift template.openshift.io/v1 Template.
type ocTemplate struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   metav1.ObjectMeta `json:"metadata"`
	Message    string            `json:"message,omitempty"`
	Labels     map[string]string `json:"labels,omitempty"`
	Parameters []ocParameter     `json:"parameters,omitempty"`
	Objects    []json.RawMessage `json:"objects"`
}

type ocParameter struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName,omitempty"`
	Description string `json:"description,omitempty"`
	Value       string `json:"value,omitempty"`
	Generate    string `json:"generate,omitempty"`
	From        string `json:"from,omitempty"`
	Required    bool   `json:"required,omitempty"`
}

type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

// ocBuildConfig is a build.openshift.io/v1 BuildConfig, the fields kiln writes.
type ocBuildConfig struct {
	typeMeta `json:",inline"`
	Metadata metav1.ObjectMeta `json:"metadata"`
	Spec     struct {
		Source struct {
			Type string `json:"type"`
			Git  struct {
				URI string `json:"uri"`
				Ref string `json:"ref,omitempty"`
			} `json:"git"`
			ContextDir string `json:"contextDir,omitempty"`
		} `json:"source"`
		Strategy struct {
			Type           string `json:"type"`
			SourceStrategy struct {
				From        corev1.ObjectReference `json:"from"`
				Incremental *bool                  `json:"incremental,omitempty"`
				Env         []corev1.EnvVar        `json:"env,omitempty"`
			} `json:"sourceStrategy"`
		} `json:"strategy"`
		Output struct {
			To corev1.ObjectReference `json:"to"`
		} `json:"output"`
		Triggers []struct {
			Type   string `json:"type"`
			GitHub *struct {
				Secret string `json:"secret"`
			} `json:"github,omitempty"`
			ImageChange *struct{} `json:"imageChange,omitempty"`
		} `json:"triggers,omitempty"`
	} `json:"spec"`
}

// ocImageStream is an image.openshift.io/v1 ImageStream.
type ocImageStream struct {
	typeMeta `json:",inline"`
	Metadata metav1.ObjectMeta `json:"metadata"`
	Spec     struct {
		LookupPolicy *struct {
			Local bool `json:"local"`
		} `json:"lookupPolicy,omitempty"`
		Tags []struct {
			Name            string                  `json:"name"`
			Annotations     map[string]string       `json:"annotations,omitempty"`
			From            *corev1.ObjectReference `json:"from,omitempty"`
			ReferencePolicy *struct {
				Type string `json:"type"`
			} `json:"referencePolicy,omitempty"`
		} `json:"tags,omitempty"`
	} `json:"spec,omitempty"`
}

// ocRoute is a route.openshift.io/v1 Route.
type ocRoute struct {
	typeMeta `json:",inline"`
	Metadata metav1.ObjectMeta `json:"metadata"`
	Spec     struct {
		Host string `json:"host,omitempty"`
		Path string `json:"path,omitempty"`
		To   struct {
			Kind   string `json:"kind"`
			Name   string `json:"name"`
			Weight *int32 `json:"weight,omitempty"`
		} `json:"to"`
		Port *struct {
			TargetPort intstr.IntOrString `json:"targetPort"`
		} `json:"port,omitempty"`
		TLS *struct {
			Termination string `json:"termination"`
		} `json:"tls,omitempty"`
	} `json:"spec"`
}

func strictYAML(t testing.TB, what string, data []byte, v any) bool {
	t.Helper()
	if err := yaml.UnmarshalStrict(data, v); err != nil {
		t.Errorf("%s does not decode strictly into %T: %v\n%s", what, v, err, data)
		return false
	}
	return true
}

var paramRef = regexp.MustCompile(`\$\{\{?([A-Za-z0-9_]*)\}?\}`)

// processTemplate substitutes the parameters into the objects as `oc process`
// does, with generated and required parameters given test values.
func processTemplate(t testing.TB, tmpl *ocTemplate, objects []byte) []byte {
	t.Helper()
	values := map[string]string{}
	for _, p := range tmpl.Parameters {
		if _, dup := values[p.Name]; dup {
			t.Errorf("template parameter %s is declared twice", p.Name)
		}
		v := p.Value
		switch {
		case p.Generate == "expression":
			if p.From == "" || p.Value != "" {
				t.Errorf("generated parameter %s needs from and no value", p.Name)
			}
			v = strings.Repeat("g", 40)
		case v == "" && p.Required:
			v = "required-" + strings.ToLower(p.Name)
		}
		values[p.Name] = v
	}
	return paramRef.ReplaceAllFunc(objects, func(m []byte) []byte {
		name := string(paramRef.FindSubmatch(m)[1])
		v, ok := values[name]
		if !ok {
			t.Errorf("template refers to %s, which is not a parameter", m)
			return m
		}
		b, _ := json.Marshal(v)
		return b[1 : len(b)-1]
	})
}

func checkTemplate(t *testing.T, s *scaffold.Spec, content []byte) {
	t.Helper()
	var tmpl ocTemplate
	if !strictYAML(t, "openshift/template.yaml", content, &tmpl) {
		return
	}
	if tmpl.APIVersion != "template.openshift.io/v1" || tmpl.Kind != "Template" {
		t.Errorf("template is %s %s, want template.openshift.io/v1 Template", tmpl.APIVersion, tmpl.Kind)
	}
	if got := tmpl.Metadata.Annotations["openshift.io/display-name"]; got != s.DisplayName {
		t.Errorf("template display-name %q, want %q", got, s.DisplayName)
	}
	if got := tmpl.Metadata.Annotations["tags"]; got != strings.Join(s.Tags, ",") {
		t.Errorf("template tags %q, want %q", got, strings.Join(s.Tags, ","))
	}
	for k, v := range tmpl.Labels {
		if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
			t.Errorf("template label %s=%q is not a label value: %v", k, v, errs)
		}
	}
	if i := slices.IndexFunc(tmpl.Parameters, func(p ocParameter) bool { return p.Name == "NAME" }); i >= 0 {
		// NAME names the Service and the Route, which must be DNS-1035 labels.
		if errs := validation.IsDNS1035Label(tmpl.Parameters[i].Value); len(errs) > 0 {
			t.Errorf("the default NAME %q cannot name a Service: %v", tmpl.Parameters[i].Value, errs)
		}
	} else {
		t.Errorf("the template has no NAME parameter")
	}
	for _, name := range s.Secrets {
		i := slices.IndexFunc(tmpl.Parameters, func(p ocParameter) bool { return p.Name == name })
		if i < 0 || !tmpl.Parameters[i].Required || tmpl.Parameters[i].Value != "" {
			t.Errorf("secret %s is not a required template parameter without a value", name)
		}
	}
	rawObjects, _ := json.Marshal(tmpl.Objects)
	var objects []json.RawMessage
	if err := json.Unmarshal(processTemplate(t, &tmpl, rawObjects), &objects); err != nil {
		t.Fatalf("processed template objects are not JSON: %v", err)
	}
	processTemplate(t, &tmpl, []byte(tmpl.Message))
	kinds := map[string]int{}
	var deploy appsv1.Deployment
	var svc corev1.Service
	var route ocRoute
	for _, raw := range objects {
		var tm typeMeta
		if err := json.Unmarshal(raw, &tm); err != nil {
			t.Fatal(err)
		}
		kinds[tm.Kind]++
		what := "template object " + tm.Kind
		switch tm.APIVersion + " " + tm.Kind {
		case "apps/v1 Deployment":
			if strictYAML(t, what, raw, &deploy) {
				checkDeployment(t, s, &deploy)
			}
			checkProbesAlone(t, raw)
		case "v1 Service":
			if strictYAML(t, what, raw, &svc) {
				checkService(t, s, &svc)
			}
		case "v1 Secret":
			var sec corev1.Secret
			if strictYAML(t, what, raw, &sec) {
				var keys []string
				for k := range sec.StringData {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				want := slices.Sorted(slices.Values(s.Secrets))
				if !slices.Equal(keys, want) {
					t.Errorf("Secret keys %q, want the secrets %q", keys, want)
				}
			}
		case "build.openshift.io/v1 BuildConfig":
			var bc ocBuildConfig
			if strictYAML(t, what, raw, &bc) {
				checkBuildConfig(t, s, &bc)
			}
		case "image.openshift.io/v1 ImageStream":
			var is ocImageStream
			strictYAML(t, what, raw, &is)
		case "route.openshift.io/v1 Route":
			strictYAML(t, what, raw, &route)
		default:
			t.Errorf("template object %s %s is not one kiln writes", tm.APIVersion, tm.Kind)
		}
	}
	want := map[string]int{"Deployment": 1, "Service": 1, "BuildConfig": 1, "ImageStream": 1, "Route": 1}
	if len(s.Secrets) > 0 {
		want["Secret"] = 1
	}
	if !reflect.DeepEqual(kinds, want) {
		t.Errorf("template objects %v, want %v", kinds, want)
	}
	if route.Spec.Port != nil && len(svc.Spec.Ports) > 0 {
		if got := route.Spec.Port.TargetPort.String(); got != svc.Spec.Ports[0].Name {
			t.Errorf("Route targetPort %q is not the Service's first port name %q", got, svc.Spec.Ports[0].Name)
		}
	} else {
		t.Errorf("Route has no port, or the Service no ports")
	}
}

// checkProbesAlone decodes each probe of the Deployment on its own, strictly,
// as a corev1.Probe.
func checkProbesAlone(t *testing.T, deployment []byte) {
	t.Helper()
	var d struct {
		Spec struct {
			Template struct {
				Spec struct {
					Containers []map[string]json.RawMessage `json:"containers"`
				} `json:"spec"`
			} `json:"template"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(deployment, &d); err != nil || len(d.Spec.Template.Spec.Containers) == 0 {
		t.Errorf("Deployment has no containers: %v", err)
		return
	}
	for _, key := range []string{"readinessProbe", "livenessProbe"} {
		raw, ok := d.Spec.Template.Spec.Containers[0][key]
		if !ok {
			t.Errorf("Deployment container has no %s", key)
			continue
		}
		var p corev1.Probe
		strictYAML(t, "Deployment "+key, raw, &p)
	}
}

func checkProbe(t *testing.T, s *scaffold.Spec, which string, got *corev1.Probe, want scaffold.Probe) {
	t.Helper()
	if got == nil {
		t.Errorf("Deployment has no %s probe (G26)", which)
		return
	}
	port := intstr.FromInt32(int32(s.ProbePort(want)))
	if !slices.Contains(s.Ports, scaffold.Port{Number: s.ProbePort(want), Protocol: "tcp", Name: portName(s, s.ProbePort(want))}) {
		t.Errorf("the %s probe checks port %d, which is not a tcp port of the image: HTTP and TCP probes cannot reach a udp port", which, s.ProbePort(want))
	}
	switch want.Type {
	case "http":
		if got.HTTPGet == nil || got.HTTPGet.Path != want.Path || got.HTTPGet.Port != port || got.TCPSocket != nil {
			t.Errorf("%s probe %+v, want HTTP GET %q on port %v", which, got.ProbeHandler, want.Path, port.String())
		}
	case "tcp":
		if got.TCPSocket == nil || got.TCPSocket.Port != port || got.HTTPGet != nil {
			t.Errorf("%s probe %+v, want TCP on port %v", which, got.ProbeHandler, port.String())
		}
	}
}

func checkDeployment(t *testing.T, s *scaffold.Spec, d *appsv1.Deployment) {
	t.Helper()
	if len(d.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("Deployment has %d containers, want 1", len(d.Spec.Template.Spec.Containers))
	}
	c := d.Spec.Template.Spec.Containers[0]
	checkProbe(t, s, "readiness", c.ReadinessProbe, s.Readiness)
	checkProbe(t, s, "liveness", c.LivenessProbe, s.Liveness)
	if len(c.Ports) != len(s.Ports) {
		t.Errorf("Deployment container ports %v, want %v", c.Ports, s.Ports)
	}
	for i := range min(len(c.Ports), len(s.Ports)) {
		got, want := c.Ports[i], s.Ports[i]
		if int(got.ContainerPort) != want.Number || string(got.Protocol) != strings.ToUpper(want.Protocol) || got.Name != want.Name {
			t.Errorf("Deployment port %d is %+v, want %+v", i, got, want)
		}
	}
	var secretEnv []string
	for _, e := range c.Env {
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Key == e.Name {
			secretEnv = append(secretEnv, e.Name)
		}
	}
	if !slices.Equal(secretEnv, s.Secrets) && len(secretEnv)+len(s.Secrets) > 0 {
		t.Errorf("Deployment takes %q from the Secret, want %q", secretEnv, s.Secrets)
	}
	if got := c.Resources.Limits.Memory().String(); got != cmpOr(s.MinMemory, "512Mi") {
		t.Errorf("Deployment memory limit %s, want %s", got, cmpOr(s.MinMemory, "512Mi"))
	}
	var triggers []map[string]any
	if err := json.Unmarshal([]byte(d.Annotations["image.openshift.io/triggers"]), &triggers); err != nil || len(triggers) != 1 {
		t.Errorf("Deployment image.openshift.io/triggers %q is not a JSON list of one trigger: %v", d.Annotations["image.openshift.io/triggers"], err)
	}
}

func portName(s *scaffold.Spec, number int) string {
	for _, p := range s.Ports {
		if p.Number == number && p.Protocol == "tcp" {
			return p.Name
		}
	}
	return ""
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func checkService(t *testing.T, s *scaffold.Spec, svc *corev1.Service) {
	t.Helper()
	if len(svc.Spec.Ports) != len(s.Ports) {
		t.Errorf("Service ports %v, want %v", svc.Spec.Ports, s.Ports)
		return
	}
	names := map[string]bool{}
	for i, p := range svc.Spec.Ports {
		want := s.Ports[i]
		if int(p.Port) != want.Number || p.TargetPort != intstr.FromInt32(int32(want.Number)) || string(p.Protocol) != strings.ToUpper(want.Protocol) {
			t.Errorf("Service port %d is %+v, want %+v", i, p, want)
		}
		if errs := validation.IsValidPortName(p.Name); len(errs) > 0 {
			t.Errorf("Service port name %q is invalid, the API server rejects the Service: %v", p.Name, errs)
		}
		if names[p.Name] {
			t.Errorf("Service port name %q is used twice: the API server rejects the Service", p.Name)
		}
		names[p.Name] = true
	}
}

func checkBuildConfig(t *testing.T, s *scaffold.Spec, bc *ocBuildConfig) {
	t.Helper()
	st := bc.Spec.Strategy
	if st.Type != "Source" {
		t.Errorf("BuildConfig strategy %q, want Source", st.Type)
	}
	if inc := st.SourceStrategy.Incremental; inc == nil || *inc != s.Incremental {
		t.Errorf("BuildConfig incremental %v, want %v", inc, s.Incremental)
	}
	if from := st.SourceStrategy.From; from.Kind != "ImageStreamTag" || from.Name != s.ImageRef() {
		t.Errorf("BuildConfig builds from %s %s, want ImageStreamTag %s", from.Kind, from.Name, s.ImageRef())
	}
}

func checkImageStreamFile(t *testing.T, s *scaffold.Spec, content []byte) {
	t.Helper()
	var is ocImageStream
	if !strictYAML(t, "openshift/imagestream.yaml", content, &is) {
		return
	}
	if is.APIVersion != "image.openshift.io/v1" || is.Kind != "ImageStream" || is.Metadata.Name != s.Name {
		t.Errorf("imagestream.yaml is %s %s %s, want image.openshift.io/v1 ImageStream %s", is.APIVersion, is.Kind, is.Metadata.Name, s.Name)
	}
	if got := is.Metadata.Annotations["openshift.io/display-name"]; got != s.DisplayName {
		t.Errorf("imagestream display-name %q, want %q", got, s.DisplayName)
	}
	if len(is.Spec.Tags) != 1 {
		t.Fatalf("imagestream has %d tags, want 1", len(is.Spec.Tags))
	}
	tag := is.Spec.Tags[0]
	if tag.Name != s.Tag || tag.From == nil || tag.From.Kind != "DockerImage" || tag.From.Name != s.ImageRef() {
		t.Errorf("imagestream tag %s from %+v, want %s from DockerImage %s", tag.Name, tag.From, s.Tag, s.ImageRef())
	}
	if tags := strings.Split(tag.Annotations["tags"], ","); !slices.Contains(tags, "builder") {
		t.Errorf("imagestream tags annotation %q does not contain builder (G23)", tag.Annotations["tags"])
	}
	if got := tag.Annotations["description"]; got != s.Description {
		t.Errorf("imagestream description %q, want %q", got, s.Description)
	}
	if got, want := tag.Annotations["openshift.io/display-name"], s.DisplayName+" "+s.Tag; got != want {
		t.Errorf("imagestream tag display-name %q, want %q", got, want)
	}
}

// checkSpecFile parses the rendered kiln.yaml back: it is the same spec,
// stamped with the kiln that rendered it.
func checkSpecFile(t *testing.T, s *scaffold.Spec, content []byte) {
	t.Helper()
	back, err := scaffold.Parse(content)
	if err != nil {
		t.Errorf("the rendered kiln.yaml does not parse: %v\n%s", err, content)
		return
	}
	if back.KilnVersion != scaffold.KilnVersion {
		t.Errorf("the rendered kiln.yaml records kilnVersion %q, want %q", back.KilnVersion, scaffold.KilnVersion)
	}
	back.KilnVersion = s.KilnVersion
	if !reflect.DeepEqual(back, s) {
		got, _ := json.MarshalIndent(back, "", " ")
		want, _ := json.MarshalIndent(s, "", " ")
		t.Errorf("the rendered kiln.yaml parses to a different spec:\n%s\nkiln.yaml:\n%s", lineDiff(string(want), string(got)), content)
	}
}

// shellcheckBatch collects scripts for one shellcheck run, which is far
// faster than one run per script. Identical scripts are checked once.
type shellcheckBatch struct {
	byHash map[[32]byte]string // content hash -> first script name
	files  []batchedScript
}

type batchedScript struct {
	name    string
	content []byte
}

func (b *shellcheckBatch) add(name string, content []byte) {
	if b == nil {
		return
	}
	if b.byHash == nil {
		b.byHash = map[[32]byte]string{}
	}
	h := sha256.Sum256(content)
	if _, seen := b.byHash[h]; seen {
		return
	}
	b.byHash[h] = name
	b.files = append(b.files, batchedScript{name: name, content: content})
}

// run checks every queued script with shellcheck. A missing shellcheck fails
// in CI (KILN_E2E=1) and skips loudly elsewhere.
func (b *shellcheckBatch) run(t *testing.T) {
	t.Helper()
	t.Run("shellcheck", func(t *testing.T) {
		bin, err := exec.LookPath("shellcheck")
		if err != nil {
			if os.Getenv("KILN_E2E") == "1" {
				t.Fatal("shellcheck is not installed (apt-get install shellcheck); KILN_E2E=1 requires it")
			}
			t.Skip("SKIPPING shellcheck: it is not installed (apt-get install shellcheck); set KILN_E2E=1 to make this a failure")
		}
		if len(b.files) == 0 {
			t.Fatal("no script was queued for shellcheck")
		}
		dir := t.TempDir()
		var args []string
		names := map[string]batchedScript{}
		for i, f := range b.files {
			p := filepath.Join(dir, fmt.Sprintf("%04d-%s", i, path.Base(f.name)))
			if err := os.WriteFile(p, f.content, 0o755); err != nil {
				t.Fatal(err)
			}
			args = append(args, p)
			names[p] = f
		}
		out, err := exec.Command(bin, append([]string{"--norc", "-f", "gcc"}, args...)...).CombinedOutput()
		if err == nil {
			return
		}
		reported := map[string]bool{}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			file, rest, _ := strings.Cut(line, ":")
			f, ok := names[file]
			if !ok {
				t.Errorf("shellcheck: %s", line)
				continue
			}
			t.Errorf("shellcheck %s:%s", f.name, rest)
			if !reported[file] {
				reported[file] = true
				t.Logf("%s:\n%s", f.name, f.content)
			}
		}
		t.Logf("shellcheck checked %d distinct scripts", len(b.files))
	})
}
