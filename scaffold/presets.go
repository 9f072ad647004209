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
		Name:        "python",
		Description: "Python 3.11: pip into a virtual environment; gunicorn or app.py",
		// The full (not -slim) image carries gcc and the PostgreSQL and
		// MySQL client headers that psycopg2 and mysqlclient build against (G20).
		From:           "docker.io/library/python:3.11.11-bookworm",
		PackageManager: "apt",
		Packages:       []string{"tini", "libpq-dev", "default-libmysqlclient-dev"},
		Version:        EnvVar{Name: "PYTHON_VERSION", Value: "3.11"},
		Port:           8080,
		Readiness:      "/",
		Tags:           []string{"builder", "python"},
		Incremental:    true,
		Env:            []EnvVar{{Name: "PYTHONUNBUFFERED", Value: "1"}, {Name: "APP_FILE", Value: "app.py"}},
	},
	{
		Name:           "nodejs",
		Description:    "Node.js 20: npm ci or npm install; npm start or server.js",
		From:           "docker.io/library/node:20.18.1-bookworm-slim",
		PackageManager: "apt",
		// Node's PostgreSQL and MySQL drivers (pg, mysql2) are JavaScript:
		// no client libraries to carry.
		Packages:    []string{"tini", "ca-certificates"},
		Version:     EnvVar{Name: "NODEJS_VERSION", Value: "20"},
		Port:        8080,
		Readiness:   "/",
		Tags:        []string{"builder", "nodejs"},
		Incremental: true,
		Env:         []EnvVar{{Name: "NODE_ENV", Value: "production"}, {Name: "NPM_CONFIG_CACHE", Value: "/opt/app-root/src/.npm"}, {Name: "NPM_CONFIG_UPDATE_NOTIFIER", Value: "false"}},
	},
	{
		Name:        "ruby",
		Description: "Ruby 3.3: bundle install; puma, rackup or app.rb",
		// The full image carries gcc and libpq/libmysqlclient headers for
		// the pg and mysql2 gems (G20).
		From:           "docker.io/library/ruby:3.3.6-bookworm",
		PackageManager: "apt",
		Packages:       []string{"libpq-dev", "default-libmysqlclient-dev"},
		Version:        EnvVar{Name: "RUBY_VERSION", Value: "3.3"},
		Port:           8080,
		Readiness:      "/",
		Tags:           []string{"builder", "ruby"},
		Incremental:    true,
		// The ruby image points BUNDLE_APP_CONFIG at a root-owned directory;
		// Bundler's settings belong with the app, writable by its user.
		Env: []EnvVar{{Name: "RACK_ENV", Value: "production"}, {Name: "APP_FILE", Value: "app.rb"}, {Name: "BUNDLE_APP_CONFIG", Value: "/opt/app-root/src/.bundle"}},
	},
	{
		Name:        "java",
		Description: "Java 21: Maven, Gradle or javac; java -jar",
		From:        "docker.io/library/maven:3.9.9-eclipse-temurin-21",
		// JDBC drivers are jars the build fetches: no client libraries.
		PackageManager: "apt",
		Packages:       []string{"tar", "gzip"},
		Version:        EnvVar{Name: "JAVA_VERSION", Value: "21"},
		Port:           8080,
		Readiness:      "/",
		Tags:           []string{"builder", "java"},
		Incremental:    true,
		Env:            []EnvVar{{Name: "JAVA_MAIN_CLASS", Value: "Main"}},
	},
	{
		Name:        "go",
		Description: "Go 1.22: go build; runs the binary",
		From:        "docker.io/library/golang:1.22.10-bookworm",
		// Go's PostgreSQL and MySQL drivers are pure Go: no client libraries.
		PackageManager: "apt",
		Packages:       []string{"tar", "gzip"},
		Version:        EnvVar{Name: "GO_VERSION", Value: "1.22"},
		Port:           8080,
		Readiness:      "/",
		Tags:           []string{"builder", "go", "golang"},
		Incremental:    true,
		Env:            []EnvVar{{Name: "CGO_ENABLED", Value: "0"}},
	},
	{
		Name:        "php",
		Description: "PHP 8.2: composer install; PHP's built-in server",
		// Debian's PHP, its PostgreSQL and MySQL extensions and Debian's
		// composer (G20): the php image would need its extensions compiled.
		From:           "docker.io/library/debian:bookworm-20241111-slim",
		PackageManager: "apt",
		Packages:       []string{"php-cli", "php-pgsql", "php-mysql", "php-mbstring", "php-xml", "php-curl", "php-zip", "composer", "unzip", "tini"},
		Version:        EnvVar{Name: "PHP_VERSION", Value: "8.2"},
		Port:           8080,
		Readiness:      "/",
		Tags:           []string{"builder", "php"},
		Incremental:    true,
		Env:            []EnvVar{{Name: "COMPOSER_HOME", Value: "/opt/app-root/src/.composer"}, {Name: "PHP_CLI_SERVER_WORKERS", Value: "2"}},
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
