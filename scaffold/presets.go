package scaffold

import (
	"fmt"
	"sort"
	"strings"
)

// PackageManagers are the package managers kiln writes install-and-clean RUNs for.
var PackageManagers = []string{"dnf", "microdnf", "yum", "apt", "apk", "none"}

// Preset is a starting point for one kind of builder: its base image,
// packages, s2i script bodies (templates/presets/NAME.tmpl) and test app
// (templates/testapp/NAME/).
type Preset struct {
	Name           string
	Description    string
	From           string // a maintained upstream base, pinned (G01, G02)
	PackageManager string
	Packages       []string
	Version        EnvVar // the version variable (G10)
	Port           int
	Readiness      string // readiness and liveness path
	Tags           []string
	Incremental    bool
	Env            []EnvVar
}

var presets = []Preset{
	{
		Name:           "generic",
		Description:    "Any language: assemble runs the source's ./build, run execs its ./start",
		From:           "registry.access.redhat.com/ubi9/ubi-minimal:9.5",
		PackageManager: "microdnf",
		Packages:       []string{"tar", "gzip", "findutils", "python3"},
		Version:        EnvVar{Name: "BUILDER_VERSION", Value: "1.0"},
		Port:           8080,
		Readiness:      "/",
		Tags:           []string{"builder"},
		Incremental:    true,
	},
	{
		Name:           "python",
		Description:    "Python 3.11: pip installs requirements.txt, run starts app.py (or APP_FILE)",
		From:           "registry.access.redhat.com/ubi9/ubi-minimal:9.5",
		PackageManager: "microdnf",
		Packages:       []string{"python3.11", "python3.11-pip", "tar", "gzip", "findutils", "libpq"},
		Version:        EnvVar{Name: "PYTHON_VERSION", Value: "3.11"},
		Port:           8080,
		Readiness:      "/",
		Tags:           []string{"builder", "python"},
		Incremental:    true,
		Env:            []EnvVar{{Name: "PYTHONUNBUFFERED", Value: "1"}, {Name: "APP_FILE", Value: "app.py"}},
	},
	{
		Name:           "nodejs",
		Description:    "Node.js 20: npm installs package.json, run starts `npm start` (or server.js)",
		From:           "docker.io/library/node:20.18.1-bookworm-slim",
		PackageManager: "apt",
		Packages:       []string{"ca-certificates", "tar", "gzip"},
		Version:        EnvVar{Name: "NODEJS_VERSION", Value: "20"},
		Port:           8080,
		Readiness:      "/",
		Tags:           []string{"builder", "nodejs"},
		Incremental:    true,
		Env:            []EnvVar{{Name: "NODE_ENV", Value: "production"}, {Name: "NPM_CONFIG_CACHE", Value: "/opt/app-root/src/.npm"}},
	},
	{
		Name:           "static",
		Description:    "Static web content served by nginx (public/ or the source root)",
		From:           "registry.access.redhat.com/ubi9/ubi-minimal:9.5",
		PackageManager: "microdnf",
		Packages:       []string{"nginx", "tar", "gzip", "findutils"},
		Version:        EnvVar{Name: "NGINX_VERSION", Value: "1.20"},
		Port:           8080,
		Readiness:      "/",
		Tags:           []string{"builder", "static", "nginx"},
		Incremental:    false,
	},
}

// Presets lists the presets in a stable order.
func Presets() []Preset { return append([]Preset(nil), presets...) }

// PresetNames lists the preset names, sorted.
func PresetNames() []string {
	var names []string
	for _, p := range presets {
		names = append(names, p.Name)
	}
	sort.Strings(names)
	return names
}

// PresetByName finds a preset.
func PresetByName(name string) (Preset, bool) {
	for _, p := range presets {
		if p.Name == name {
			return p, true
		}
	}
	return Preset{}, false
}

// AppRoot is where the assembled application lives; HOME and WORKDIR are its src/.
const AppRoot = "/opt/app-root"

// Defaults returns the spec a preset starts from. The name, description and
// display name are left for the author (kiln new fills the name from DIR).
func Defaults(preset string) (*Spec, error) {
	p, ok := PresetByName(preset)
	if !ok {
		return nil, fmt.Errorf("%q: no such preset: use one of %s (see kiln presets)", preset, strings.Join(PresetNames(), ", "))
	}
	probe := Probe{Type: "http", Path: p.Readiness}
	return &Spec{
		SchemaVersion:  SchemaVersion,
		Tag:            "1.0",
		Preset:         p.Name,
		From:           p.From,
		PackageManager: p.PackageManager,
		Packages:       append([]string(nil), p.Packages...),
		Ports:          []Port{{Number: p.Port, Protocol: "tcp", Name: "http"}},
		Readiness:      probe,
		Liveness:       probe,
		UID:            1001,
		WritableDirs:   []string{AppRoot},
		Version:        p.Version,
		Env:            append([]EnvVar(nil), p.Env...),
		Tags:           append([]string(nil), p.Tags...),
		Incremental:    p.Incremental,
	}, nil
}

// FillDefaults completes the fields an author may leave out, from the name.
func (s *Spec) FillDefaults() {
	if s.DisplayName == "" && s.Name != "" {
		s.DisplayName = s.Name + " builder"
	}
	if s.Description == "" && s.Name != "" {
		if p, ok := PresetByName(s.Preset); ok {
			s.Description = fmt.Sprintf("%s: an s2i builder image. %s.", s.Name, p.Description)
		}
	}
}
