// Package specstub stands in for package scaffold until it lands on main:
// the same names and shapes as announced, with just enough behaviour to
// drive the wizard. Delete it once tui/spec.go points at scaffold.
package specstub

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

type Port struct {
	Number   int    `json:"number"`
	Protocol string `json:"protocol,omitempty"`
	Name     string `json:"name,omitempty"`
}
type EnvVar struct{ Name, Value string }
type Label struct{ Key, Value string }
type Probe struct {
	Type string
	Path string
	Port int
}
type Certification struct{ Name, Vendor, Version, Release, Summary, Description, Maintainer string }

type Spec struct {
	SchemaVersion                                           int
	Name, Tag, Description, DisplayName, Maintainer, Preset string
	From                                                    string
	AllowLatest                                             bool
	PackageManager                                          string
	Packages                                                []string
	Ports                                                   []Port
	UID                                                     int
	WritableDirs                                            []string
	Version                                                 EnvVar
	Env                                                     []EnvVar
	Secrets, Volumes, Tags, Wants                           []string
	NonScalable                                             bool
	MinMemory, MinCPU                                       string
	Labels                                                  []Label
	Certification                                           *Certification
	Incremental                                             bool
	Readiness, Liveness                                     Probe
	Engine                                                  string
}

type Preset struct{ Name, Description string }

func Presets() []Preset {
	return []Preset{
		{"python", "Python 3.12 with pip; runs app.py or gunicorn"},
		{"nodejs", "Node.js 20 with npm; runs npm start"},
		{"minimal", "UBI minimal and your own assemble and run"},
	}
}

func Defaults(preset string) (*Spec, error) {
	s := &Spec{SchemaVersion: 1, Name: "my-builder", Tag: "1.0", Preset: preset, PackageManager: "microdnf",
		UID: 1001, WritableDirs: []string{"/opt/app-root"}, Tags: []string{"builder"}, Incremental: true, Engine: "podman",
		Ports: []Port{{Number: 8080, Protocol: "tcp", Name: "http"}}, MinMemory: "256Mi", MinCPU: "100m",
		Readiness: Probe{Type: "http", Path: "/", Port: 8080}, Liveness: Probe{Type: "tcp", Port: 8080}}
	switch preset {
	case "python":
		s.From, s.Packages, s.Version = "registry.access.redhat.com/ubi9/ubi-minimal:9.4", []string{"python3.12"}, EnvVar{"PYTHON_VERSION", "3.12"}
		s.Tags = append(s.Tags, "python")
	case "nodejs":
		s.From, s.Packages, s.Version = "registry.access.redhat.com/ubi9/ubi-minimal:9.4", []string{"nodejs"}, EnvVar{"NODEJS_VERSION", "20"}
		s.Tags = append(s.Tags, "nodejs")
	case "minimal":
		s.From = "registry.access.redhat.com/ubi9/ubi-minimal:9.4"
	default:
		return nil, fmt.Errorf("unknown preset %q", preset)
	}
	s.Description = "Builds and runs " + preset + " applications"
	s.DisplayName = strings.ToUpper(preset[:1]) + preset[1:] + " builder"
	return s, nil
}

type Problem struct{ Field, Value, Message, Fix string }
type ValidationError struct{ Problems []Problem }

func (e *ValidationError) Error() string {
	var b []string
	for _, p := range e.Problems {
		b = append(b, p.Field+": "+p.Message)
	}
	return strings.Join(b, "; ")
}

func (s *Spec) Validate() error {
	var ps []Problem
	add := func(f, v, m, fix string) { ps = append(ps, Problem{f, v, m, fix}) }
	if s.Name == "" {
		add("name", s.Name, "must not be empty", "give the image a name")
	}
	if s.Tag == "" || s.Tag == "latest" {
		add("tag", s.Tag, "must be a fixed tag", "use a version like 1.0")
	}
	if s.From == "" {
		add("from", s.From, "must not be empty", "name a base image")
	} else if !s.AllowLatest && (!strings.Contains(s.From, ":") || strings.HasSuffix(s.From, ":latest")) {
		add("from", s.From, "has no fixed tag", "add a tag such as :9.4")
	}
	for i, p := range s.Ports {
		if p.Number < 1024 {
			add(fmt.Sprintf("ports[%d].number", i), fmt.Sprint(p.Number), "is below 1024", "use a port of 1024 or above")
		}
	}
	if s.UID == 0 {
		add("uid", "0", "must not be root", "use a UID such as 1001")
	}
	for i, e := range s.Env {
		if strings.Contains(strings.ToUpper(e.Name), "PASSWORD") && e.Value != "" {
			add(fmt.Sprintf("env[%d].value", i), e.Value, "is a default password", "declare it as a secret instead")
		}
	}
	if len(ps) > 0 {
		return &ValidationError{ps}
	}
	return nil
}

type File struct {
	Path    string
	Content []byte
	Mode    fs.FileMode
}

func Render(s *Spec) ([]File, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "FROM %s\n\n", s.From)
	fmt.Fprintf(&b, "LABEL io.k8s.description=%q \\\n      io.k8s.display-name=%q \\\n      io.openshift.tags=%q\n\n", s.Description, s.DisplayName, strings.Join(s.Tags, ","))
	if s.Version.Name != "" {
		fmt.Fprintf(&b, "ENV %s=%s\n\n", s.Version.Name, s.Version.Value)
	}
	if len(s.Packages) > 0 {
		fmt.Fprintf(&b, "RUN %s install -y %s && %s clean all\n\n", s.PackageManager, strings.Join(s.Packages, " "), s.PackageManager)
	}
	for _, p := range s.Ports {
		fmt.Fprintf(&b, "EXPOSE %d\n", p.Number)
	}
	fmt.Fprintf(&b, "\nUSER %d\n", s.UID)
	files := []File{
		{Path: "Dockerfile", Content: []byte(b.String()), Mode: 0o644},
		{Path: "s2i/bin/assemble", Content: []byte("#!/bin/sh\nset -e\n"), Mode: 0o755},
		{Path: "s2i/bin/run", Content: []byte("#!/bin/sh\nexec app\n"), Mode: 0o755},
		{Path: "kiln.yaml", Content: []byte("name: " + s.Name + "\n"), Mode: 0o644},
	}
	if s.Incremental {
		files = append(files, File{Path: "s2i/bin/save-artifacts", Content: []byte("#!/bin/sh\ntar cf - .cache\n"), Mode: 0o755})
	}
	return files, nil
}

type Status int

const (
	Create Status = iota
	Identical
	Conflict
)

func (s Status) String() string { return [...]string{"create", "identical", "conflict"}[s] }

type PlanEntry struct {
	Path   string
	Status Status
	Diff   string
}
type WritePlan struct {
	Dir     string
	Entries []PlanEntry
	files   []File
}

func Plan(dir string, files []File) (*WritePlan, error) {
	p := &WritePlan{Dir: dir, files: files}
	for _, f := range files {
		e := PlanEntry{Path: f.Path}
		old, err := os.ReadFile(filepath.Join(dir, f.Path))
		switch {
		case err != nil:
			e.Status = Create
		case string(old) == string(f.Content):
			e.Status = Identical
		default:
			e.Status = Conflict
		}
		p.Entries = append(p.Entries, e)
	}
	return p, nil
}

func (p *WritePlan) Apply(force bool) error {
	for i, f := range p.files {
		if p.Entries[i].Status == Conflict && !force {
			return fmt.Errorf("%s: conflict", f.Path)
		}
	}
	for _, f := range p.files {
		path := filepath.Join(p.Dir, f.Path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, f.Content, f.Mode); err != nil {
			return err
		}
	}
	return nil
}
