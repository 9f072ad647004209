package scaffold_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kiln-s2i/kiln/scaffold"
)

func validSpec(t testing.TB) *scaffold.Spec {
	s := presetSpec(t, "python", "valid")
	if err := s.Validate(); err != nil {
		t.Fatalf("the base spec is not valid: %v", err)
	}
	return s
}

func problemFields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *scaffold.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate returned %T (%v), want *ValidationError", err, err)
	}
	var fields []string
	for _, p := range ve.Problems {
		if p.Message == "" || p.Fix == "" {
			t.Errorf("problem %+v lacks a message or a fix", p)
		}
		if !strings.Contains(ve.Error(), p.Field) {
			t.Errorf("the error text does not name %s", p.Field)
		}
		fields = append(fields, p.Field)
	}
	return fields
}

// TestValidateRules gives each rule a failing case, asserting exactly which
// fields the problems name, and a passing case next to it.
func TestValidateRules(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name   string
		mutate func(s *scaffold.Spec)
		want   []string // problem fields; nil: valid
	}{
		{"schema version 3", func(s *scaffold.Spec) { s.SchemaVersion = 3 }, []string{"schemaVersion"}},
		{"schema version 1", func(s *scaffold.Spec) { s.SchemaVersion = 1 }, []string{"schemaVersion"}},
		{"kilnVersion on two lines", func(s *scaffold.Spec) { s.KilnVersion = "v1\nv2" }, []string{"kilnVersion"}},

		{"name empty", func(s *scaffold.Spec) { s.Name = "" }, []string{"name"}},
		{"name upper case", func(s *scaffold.Spec) { s.Name = "MyImage" }, []string{"name"}},
		{"name with dot", func(s *scaffold.Spec) { s.Name = "my.image" }, []string{"name"}},
		{"name ends in dash", func(s *scaffold.Spec) { s.Name = "image-" }, []string{"name"}},
		{"name 64 chars", func(s *scaffold.Spec) { s.Name = long(64) }, []string{"name"}},
		{"name 63 chars ok", func(s *scaffold.Spec) { s.Name = long(63) }, nil},
		{"name with digits and dashes ok", func(s *scaffold.Spec) { s.Name = "py3-builder-2" }, nil},

		{"tag empty", func(s *scaffold.Spec) { s.Tag = "" }, []string{"tag"}},
		{"tag latest", func(s *scaffold.Spec) { s.Tag = "latest" }, []string{"tag"}},
		{"tag with colon", func(s *scaffold.Spec) { s.Tag = "1:0" }, []string{"tag"}},
		{"tag starting with dot", func(s *scaffold.Spec) { s.Tag = ".1" }, []string{"tag"}},
		{"tag 129 chars", func(s *scaffold.Spec) { s.Tag = long(129) }, []string{"tag"}},
		{"tag 128 chars ok", func(s *scaffold.Spec) { s.Tag = long(128) }, nil},
		{"tag with letters ok", func(s *scaffold.Spec) { s.Tag = "3.11-ubi9_x" }, nil},

		{"description empty", func(s *scaffold.Spec) { s.Description = "" }, []string{"description"}},
		{"description two lines", func(s *scaffold.Spec) { s.Description = "a\nb" }, []string{"description"}},
		{"description carriage return", func(s *scaffold.Spec) { s.Description = "a\rb" }, []string{"description"}},
		{"description control char", func(s *scaffold.Spec) { s.Description = "a\x07b" }, []string{"description"}},
		{"description invalid UTF-8", func(s *scaffold.Spec) { s.Description = "caf\xe9" }, []string{"description"}},
		{"label value invalid UTF-8", func(s *scaffold.Spec) { s.Labels = []scaffold.Label{{Key: "com.example.a", Value: "\xff"}} }, []string{"labels[0].value"}},
		{"description 1001 bytes", func(s *scaffold.Spec) { s.Description = long(1001) }, []string{"description"}},
		{"description 1000 bytes ok", func(s *scaffold.Spec) { s.Description = long(1000) }, nil},
		{"displayName empty", func(s *scaffold.Spec) { s.DisplayName = "" }, []string{"displayName"}},
		{"displayName 201 bytes", func(s *scaffold.Spec) { s.DisplayName = long(201) }, []string{"displayName"}},
		{"displayName with quotes ok", func(s *scaffold.Spec) { s.DisplayName = `"Py" 'builder' $X` }, nil},
		{"maintainer empty ok", func(s *scaffold.Spec) { s.Maintainer = "" }, nil},
		{"maintainer newline", func(s *scaffold.Spec) { s.Maintainer = "a\n" }, []string{"maintainer"}},
		{"source newline", func(s *scaffold.Spec) { s.Source = "https://x\n" }, []string{"source"}},
		{"source 501 bytes", func(s *scaffold.Spec) { s.Source = long(501) }, []string{"source"}},
		{"licenses newline", func(s *scaffold.Spec) { s.Licenses = "MIT\nGPL" }, []string{"licenses"}},
		{"licenses 201 bytes", func(s *scaffold.Spec) { s.Licenses = long(201) }, []string{"licenses"}},
		{"certification ok", func(s *scaffold.Spec) {
			s.Certification = &scaffold.Certification{Name: "n", Vendor: "v", Version: "1", Release: "2", Summary: "s", Description: "d", Maintainer: "m"}
		}, nil},
		{"certification fields with newlines", func(s *scaffold.Spec) {
			s.Certification = &scaffold.Certification{Name: "\n", Vendor: "\n", Version: "\n", Release: "\n", Summary: "\n", Description: "\n", Maintainer: "\n"}
		}, []string{"certification.name", "certification.vendor", "certification.version", "certification.release", "certification.summary", "certification.description", "certification.maintainer"}},
		{"certification 1001 bytes", func(s *scaffold.Spec) { s.Certification = &scaffold.Certification{Summary: long(1001)} }, []string{"certification.summary"}},

		{"preset unknown", func(s *scaffold.Spec) { s.Preset = "cobol" }, []string{"preset"}},
		{"from empty", func(s *scaffold.Spec) { s.From = "" }, []string{"from"}},
		{"from not a reference", func(s *scaffold.Spec) { s.From = "Not An Image" }, []string{"from"}},
		{"from untagged", func(s *scaffold.Spec) { s.From = "registry.access.redhat.com/ubi9/ubi" }, []string{"from"}},
		{"from latest", func(s *scaffold.Spec) { s.From = "ubi9/ubi:latest" }, []string{"from"}},
		{"from latest allowed", func(s *scaffold.Spec) { s.From, s.AllowLatest = "ubi9/ubi:latest", true }, nil},
		{"from untagged allowed", func(s *scaffold.Spec) { s.From, s.AllowLatest = "ubi9/ubi", true }, nil},
		{"from digest ok", func(s *scaffold.Spec) { s.From = "quay.io/x/y@sha256:" + strings.Repeat("0", 64) }, nil},
		{"from port and tag ok", func(s *scaffold.Spec) { s.From = "localhost:5000/base:1.2" }, nil},
		{"package manager unknown", func(s *scaffold.Spec) { s.PackageManager = "pacman" }, []string{"packageManager"}},
		{"packages with manager none", func(s *scaffold.Spec) { s.PackageManager = "none" }, []string{"packages"}},
		{"manager none without packages ok", func(s *scaffold.Spec) { s.PackageManager, s.Packages = "none", nil }, nil},
		{"package with space and semicolon", func(s *scaffold.Spec) { s.Packages = []string{"ok", "a b", "x;rm"} }, []string{"packages[1]", "packages[2]"}},
		{"package starting with dash", func(s *scaffold.Spec) { s.Packages = []string{"-y"} }, []string{"packages[0]"}},
		{"package with version ok", func(s *scaffold.Spec) { s.Packages = []string{"nodejs:20", "libpq=1.2", "gcc-c++"} }, nil},

		{"no ports", func(s *scaffold.Spec) { s.Ports = nil }, []string{"ports"}},
		{"privileged port", func(s *scaffold.Spec) { s.Ports[0].Number = 80 }, []string{"ports[0].number"}},
		{"port 1023", func(s *scaffold.Spec) { s.Ports[0].Number = 1023 }, []string{"ports[0].number"}},
		{"port 1024 ok", func(s *scaffold.Spec) { s.Ports[0].Number = 1024 }, nil},
		{"port 65535 ok", func(s *scaffold.Spec) { s.Ports[0].Number = 65535 }, nil},
		{"port 65536", func(s *scaffold.Spec) { s.Ports[0].Number = 65536 }, []string{"ports[0].number"}},
		{"port 0", func(s *scaffold.Spec) { s.Ports[0].Number = 0 }, []string{"ports[0].number"}},
		{"protocol sctp", func(s *scaffold.Spec) { s.Ports[0].Protocol = "sctp" }, []string{"ports[0].protocol", "readiness.port", "liveness.port"}},
		{"protocol TCP upper case", func(s *scaffold.Spec) { s.Ports[0].Protocol = "TCP" }, []string{"ports[0].protocol", "readiness.port", "liveness.port"}},
		{"port name upper case", func(s *scaffold.Spec) { s.Ports[0].Name = "HTTP" }, []string{"ports[0].name"}},
		{"port name 16 chars", func(s *scaffold.Spec) { s.Ports[0].Name = long(16) }, []string{"ports[0].name"}},
		{"port name digits only", func(s *scaffold.Spec) { s.Ports[0].Name = "8080" }, []string{"ports[0].name"}},
		{"port name double dash", func(s *scaffold.Spec) { s.Ports[0].Name = "a--b" }, []string{"ports[0].name"}},
		{"port name leading dash", func(s *scaffold.Spec) { s.Ports[0].Name = "-http" }, []string{"ports[0].name"}},
		{"port name trailing dash", func(s *scaffold.Spec) { s.Ports[0].Name = "http-" }, []string{"ports[0].name"}},
		{"port name 15 chars ok", func(s *scaffold.Spec) { s.Ports[0].Name = "a-b-c-d-e-f-g-h" }, nil},
		{"port name empty ok", func(s *scaffold.Spec) { s.Ports[0].Name = "" }, nil},
		{"port listed twice", func(s *scaffold.Spec) { s.Ports = append(s.Ports, scaffold.Port{Number: 8080, Protocol: "tcp"}) }, []string{"ports[1]"}},
		{"same number tcp and udp ok", func(s *scaffold.Spec) {
			s.Ports = append(s.Ports, scaffold.Port{Number: 8080, Protocol: "udp", Name: "dns"})
		}, nil},
		{"port names repeat", func(s *scaffold.Spec) {
			s.Ports = append(s.Ports, scaffold.Port{Number: 9090, Protocol: "tcp", Name: "http"})
		}, []string{"ports[1].name"}},
		{"port name equals an unnamed port's service name", func(s *scaffold.Spec) {
			s.Ports = []scaffold.Port{{Number: 8080, Protocol: "tcp"}, {Number: 9090, Protocol: "tcp", Name: "8080-tcp"}}
		}, []string{"ports[1].name"}},

		{"readiness type exec", func(s *scaffold.Spec) { s.Readiness = scaffold.Probe{Type: "exec"} }, []string{"readiness.type"}},
		{"readiness path relative", func(s *scaffold.Spec) { s.Readiness.Path = "healthz" }, []string{"readiness.path"}},
		{"readiness path empty", func(s *scaffold.Spec) { s.Readiness.Path = "" }, []string{"readiness.path"}},
		{"readiness path with space", func(s *scaffold.Spec) { s.Readiness.Path = "/a b" }, []string{"readiness.path"}},
		{"readiness path with query", func(s *scaffold.Spec) { s.Readiness.Path = "/a?b" }, []string{"readiness.path"}},
		{"readiness path with URL characters ok", func(s *scaffold.Spec) { s.Readiness.Path = "/a/b;c=d/%20/~u/(x)" }, nil},
		{"readiness tcp with path", func(s *scaffold.Spec) { s.Readiness = scaffold.Probe{Type: "tcp", Path: "/"} }, []string{"readiness.path"}},
		{"readiness tcp ok", func(s *scaffold.Spec) { s.Readiness = scaffold.Probe{Type: "tcp"} }, nil},
		{"readiness port unknown", func(s *scaffold.Spec) { s.Readiness.Port = 9999 }, []string{"readiness.port"}},
		{"readiness port listed ok", func(s *scaffold.Spec) { s.Readiness.Port = 8080 }, nil},
		{"readiness on a udp port", func(s *scaffold.Spec) {
			s.Ports = append(s.Ports, scaffold.Port{Number: 5353, Protocol: "udp", Name: "dns"})
			s.Readiness.Port = 5353
		}, []string{"readiness.port"}},
		{"first port udp: default probes reach no tcp port", func(s *scaffold.Spec) {
			s.Ports = []scaffold.Port{{Number: 5353, Protocol: "udp", Name: "dns"}, {Number: 8080, Protocol: "tcp", Name: "http"}}
		}, []string{"readiness.port", "liveness.port"}},
		{"first port udp, probes on the tcp port ok", func(s *scaffold.Spec) {
			s.Ports = []scaffold.Port{{Number: 5353, Protocol: "udp", Name: "dns"}, {Number: 8080, Protocol: "tcp", Name: "http"}}
			s.Readiness.Port, s.Liveness.Port = 8080, 8080
		}, nil},
		{"liveness type empty", func(s *scaffold.Spec) { s.Liveness = scaffold.Probe{} }, []string{"liveness.type"}},
		{"liveness path relative", func(s *scaffold.Spec) { s.Liveness.Path = "x" }, []string{"liveness.path"}},
		{"liveness port unknown", func(s *scaffold.Spec) { s.Liveness.Port = 1 }, []string{"liveness.port"}},

		{"uid 0", func(s *scaffold.Spec) { s.UID = 0 }, []string{"uid"}},
		{"uid negative", func(s *scaffold.Spec) { s.UID = -1 }, []string{"uid"}},
		{"uid too big", func(s *scaffold.Spec) { s.UID = 2147483648 }, []string{"uid"}},
		{"uid max ok", func(s *scaffold.Spec) { s.UID = 2147483647 }, nil},
		{"no writable dirs", func(s *scaffold.Spec) { s.WritableDirs = nil }, []string{"writableDirs"}},
		{"writable dir relative", func(s *scaffold.Spec) { s.WritableDirs = []string{"opt/app"} }, []string{"writableDirs[0]"}},
		{"writable dir unclean", func(s *scaffold.Spec) { s.WritableDirs = []string{"/opt/app/../x"} }, []string{"writableDirs[0]"}},
		{"writable dir trailing slash", func(s *scaffold.Spec) { s.WritableDirs = []string{"/opt/app/"} }, []string{"writableDirs[0]"}},
		{"writable dir with space", func(s *scaffold.Spec) { s.WritableDirs = []string{"/opt/my app"} }, []string{"writableDirs[0]"}},
		{"writable dir with $", func(s *scaffold.Spec) { s.WritableDirs = []string{"/opt/$HOME"} }, []string{"writableDirs[0]"}},
		{"writable dir system", func(s *scaffold.Spec) { s.WritableDirs = []string{"/opt/app-root", "/etc", "/", "/usr"} }, []string{"writableDirs[1]", "writableDirs[2]", "writableDirs[3]"}},
		{"writable dir under /proc", func(s *scaffold.Spec) { s.WritableDirs = []string{"/proc/1"} }, []string{"writableDirs[0]"}},
		{"writable dirs ok", func(s *scaffold.Spec) { s.WritableDirs = []string{"/opt/app-root", "/var/lib/myapp", "/data"} }, nil},

		{"version name invalid", func(s *scaffold.Spec) { s.Version.Name = "1VERSION" }, []string{"version.name"}},
		{"version name empty", func(s *scaffold.Spec) { s.Version.Name = "" }, []string{"version.name"}},
		{"version value empty", func(s *scaffold.Spec) { s.Version.Value = "" }, []string{"version.value"}},
		{"version value newline", func(s *scaffold.Spec) { s.Version.Value = "3\n11" }, []string{"version.value"}},
		{"version value 201 bytes", func(s *scaffold.Spec) { s.Version.Value = long(201) }, []string{"version.value"}},
		{"env name invalid", func(s *scaffold.Spec) { s.Env = []scaffold.EnvVar{{Name: "A-B", Value: "x"}} }, []string{"env[0].name"}},
		{"env name empty", func(s *scaffold.Spec) { s.Env = []scaffold.EnvVar{{Name: "", Value: "x"}} }, []string{"env[0].name"}},
		{"env password with default", func(s *scaffold.Spec) { s.Env = []scaffold.EnvVar{{Name: "DB_PASSWORD", Value: "admin"}} }, []string{"env[0].value"}},
		{"env token with default", func(s *scaffold.Spec) { s.Env = []scaffold.EnvVar{{Name: "GITHUB_TOKEN", Value: "x"}} }, []string{"env[0].value"}},
		{"env api key with default", func(s *scaffold.Spec) { s.Env = []scaffold.EnvVar{{Name: "API_KEY", Value: "x"}} }, []string{"env[0].value"}},
		{"env password without default ok", func(s *scaffold.Spec) { s.Env = []scaffold.EnvVar{{Name: "DB_PASSWORD"}} }, nil},
		{"env PUBLIC_KEY is no secret, as lint (KL040) reads it", func(s *scaffold.Spec) { s.Env = []scaffold.EnvVar{{Name: "PUBLIC_KEY", Value: "abc"}} }, nil},
		{"env secret path is no secret", func(s *scaffold.Spec) { s.Env = []scaffold.EnvVar{{Name: "DB_PASSWORD", Value: "/run/secrets/db"}} }, nil},
		{"env KEYBOARD is no secret", func(s *scaffold.Spec) { s.Env = []scaffold.EnvVar{{Name: "KEYBOARD_LAYOUT", Value: "us"}} }, nil},
		{"env value newline", func(s *scaffold.Spec) { s.Env = []scaffold.EnvVar{{Name: "A", Value: "x\ny"}} }, []string{"env[0].value"}},
		{"env value 4001 bytes", func(s *scaffold.Spec) { s.Env = []scaffold.EnvVar{{Name: "A", Value: long(4001)}} }, []string{"env[0].value"}},
		{"env twice", func(s *scaffold.Spec) { s.Env = []scaffold.EnvVar{{Name: "A", Value: "1"}, {Name: "A", Value: "2"}} }, []string{"env[1].name"}},
		{"env repeats the version", func(s *scaffold.Spec) { s.Env = []scaffold.EnvVar{{Name: "PYTHON_VERSION", Value: "3"}} }, []string{"env[0].name"}},
		{"env repeats PORT ok", func(s *scaffold.Spec) { s.Env = []scaffold.EnvVar{{Name: "PORT", Value: "8080"}} }, nil},
		{"env PORT differs from the first port", func(s *scaffold.Spec) { s.Env = []scaffold.EnvVar{{Name: "PORT", Value: "9090"}} }, []string{"env[0].value"}},
		{"env moves HOME and APP_ROOT", func(s *scaffold.Spec) {
			s.Env = []scaffold.EnvVar{{Name: "HOME", Value: "/home/app"}, {Name: "APP_ROOT", Value: "/app"}}
		}, []string{"env[0].name", "env[1].name"}},
		{"secret name invalid", func(s *scaffold.Spec) { s.Secrets = []string{"DB PASSWORD"} }, []string{"secrets[0]"}},
		{"secret also in env", func(s *scaffold.Spec) { s.Secrets = []string{"APP_FILE"} }, []string{"secrets[0]"}},
		{"secret twice", func(s *scaffold.Spec) { s.Secrets = []string{"DB_PASSWORD", "DB_PASSWORD"} }, []string{"secrets[1]"}},
		{"secret named like a template parameter", func(s *scaffold.Spec) { s.Secrets = []string{"GITHUB_WEBHOOK_SECRET", "NAME"} }, []string{"secrets[0]", "secrets[1]"}},
		{"secret named like a variable the image sets", func(s *scaffold.Spec) { s.Secrets = []string{"PORT", "HOME", "APP_ROOT"} }, []string{"secrets[0]", "secrets[1]", "secrets[2]"}},
		{"secrets ok", func(s *scaffold.Spec) { s.Secrets = []string{"DB_PASSWORD", "API_TOKEN"} }, nil},
		{"volume relative", func(s *scaffold.Spec) { s.Volumes = []string{"data"} }, []string{"volumes[0]"}},
		{"volume system dir", func(s *scaffold.Spec) { s.Volumes = []string{"/var"} }, []string{"volumes[0]"}},
		// Issue 10: these were accepted and made system binaries and
		// libraries writable by group 0, which every OKD UID is in.
		{"writable dir below system dirs", func(s *scaffold.Spec) {
			s.WritableDirs = []string{"/usr/bin", "/usr/sbin", "/etc/ssl", "/lib/x86_64-linux-gnu", "/var/lib", "/opt/app-root", "/var/lib/myapp"}
		}, []string{"writableDirs[0]", "writableDirs[1]", "writableDirs[2]", "writableDirs[3]", "writableDirs[4]"}},
		{"volume below system dirs", func(s *scaffold.Spec) { s.Volumes = []string{"/usr/local/data", "/etc/app", "/var/lib/app/data"} }, []string{"volumes[0]", "volumes[1]"}},
		{"writable dir too long", func(s *scaffold.Spec) { s.WritableDirs = []string{"/opt/" + long(300)} }, []string{"writableDirs[0]"}},
		{"display name whitespace only", func(s *scaffold.Spec) { s.DisplayName = "   " }, []string{"displayName"}},
		{"display name zero-width space", func(s *scaffold.Spec) { s.DisplayName = "\u200b" }, []string{"displayName"}},
		{"display name braille blank", func(s *scaffold.Spec) { s.DisplayName = " \u2800 " }, []string{"displayName"}},
		{"volume ok", func(s *scaffold.Spec) { s.Volumes = []string{"/opt/app-root/data"} }, nil},

		{"tags without builder", func(s *scaffold.Spec) { s.Tags = []string{"python"} }, []string{"tags"}},
		{"tags empty", func(s *scaffold.Spec) { s.Tags = nil }, []string{"tags"}},
		{"tag word with comma", func(s *scaffold.Spec) { s.Tags = []string{"builder", "a,b"} }, []string{"tags[1]"}},
		{"tag word upper case", func(s *scaffold.Spec) { s.Tags = []string{"builder", "Python"} }, []string{"tags[1]"}},
		{"wants word invalid", func(s *scaffold.Spec) { s.Wants = []string{"postgresql", "my db"} }, []string{"wants[1]"}},
		{"wants ok", func(s *scaffold.Spec) { s.Wants = []string{"postgresql", "redis"} }, nil},
		{"min memory invalid", func(s *scaffold.Spec) { s.MinMemory = "lots" }, []string{"minMemory"}},
		{"min memory zero", func(s *scaffold.Spec) { s.MinMemory = "0" }, []string{"minMemory"}},
		{"min memory negative", func(s *scaffold.Spec) { s.MinMemory = "-1Gi" }, []string{"minMemory"}},
		{"min memory ok", func(s *scaffold.Spec) { s.MinMemory = "512Mi" }, nil},
		{"min cpu invalid", func(s *scaffold.Spec) { s.MinCPU = "1 core" }, []string{"minCPU"}},
		{"min cpu ok", func(s *scaffold.Spec) { s.MinCPU = "500m" }, nil},
		{"label key invalid", func(s *scaffold.Spec) { s.Labels = []scaffold.Label{{Key: "io.openshift.Tags", Value: "x"}} }, []string{"labels[0].key"}},
		{"label key reserved", func(s *scaffold.Spec) { s.Labels = []scaffold.Label{{Key: "com.docker.x", Value: "x"}} }, []string{"labels[0].key"}},
		{"vendor label keys", func(s *scaffold.Spec) {
			s.Labels = []scaffold.Label{{Key: "com.redhat.license_terms", Value: "x"}, {Key: "example.com/team", Value: "x"}, {Key: "Com.Example", Value: "x"}}
		}, nil},
		{"label key with space", func(s *scaffold.Spec) { s.Labels = []scaffold.Label{{Key: "a b", Value: "x"}} }, []string{"labels[0].key"}},
		{"label key managed by kiln", func(s *scaffold.Spec) { s.Labels = []scaffold.Label{{Key: "io.openshift.tags", Value: "x"}} }, []string{"labels[0].key"}},
		{"label key maintainer managed", func(s *scaffold.Spec) { s.Labels = []scaffold.Label{{Key: "maintainer", Value: "x"}} }, []string{"labels[0].key"}},
		{"label key twice", func(s *scaffold.Spec) {
			s.Labels = []scaffold.Label{{Key: "com.example.a", Value: "x"}, {Key: "com.example.a", Value: "y"}}
		}, []string{"labels[1].key"}},
		{"label key of a certification field", func(s *scaffold.Spec) {
			s.Labels = []scaffold.Label{{Key: "summary", Value: "x"}, {Key: "vendor", Value: "y"}}
		}, []string{"labels[0].key", "labels[1].key"}},
		{"label value empty", func(s *scaffold.Spec) { s.Labels = []scaffold.Label{{Key: "com.example.a"}} }, []string{"labels[0].value"}},
		{"label value newline", func(s *scaffold.Spec) { s.Labels = []scaffold.Label{{Key: "com.example.a", Value: "a\nb"}} }, []string{"labels[0].value"}},
		{"labels ok", func(s *scaffold.Spec) {
			s.Labels = []scaffold.Label{{Key: "com.example/team", Value: "x"}, {Key: "com.example.b-c", Value: "$y"}}
		}, nil},

		{"engine unknown", func(s *scaffold.Spec) { s.Engine = "lxc" }, []string{"engine"}},
		{"engine podman ok", func(s *scaffold.Spec) { s.Engine = "podman" }, nil},
		{"lint ignore invalid", func(s *scaffold.Spec) {
			s.Lint = &scaffold.LintConfig{Ignore: []string{"KL001", "G01", "kl002", "KL999"}}
		}, []string{"lint.ignore[1]", "lint.ignore[3]"}},
		{"lint ignore ok", func(s *scaffold.Spec) { s.Lint = &scaffold.LintConfig{Ignore: []string{"KL001"}} }, nil},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		if seen[tt.name] {
			t.Fatalf("two cases are named %q", tt.name)
		}
		seen[tt.name] = true
		t.Run(tt.name, func(t *testing.T) {
			s := validSpec(t)
			tt.mutate(s)
			got := problemFields(t, s.Validate())
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems name %q, want %q", got, tt.want)
			}
		})
	}
}

// TestValidateReportsEveryProblem: one Validate call lists every problem of
// a badly broken spec, not only the first.
func TestValidateReportsEveryProblem(t *testing.T) {
	s := &scaffold.Spec{
		SchemaVersion:  9,
		Name:           "Bad Name",
		Tag:            "latest",
		Description:    "two\nlines",
		Preset:         "cobol",
		From:           "ubi9",
		PackageManager: "pacman",
		Packages:       []string{"a b"},
		Ports:          []scaffold.Port{{Number: 80, Protocol: "sctp", Name: "HTTP"}},
		Readiness:      scaffold.Probe{Type: "exec"},
		Liveness:       scaffold.Probe{Type: "http", Path: "nope"},
		UID:            0,
		WritableDirs:   []string{"/etc"},
		Version:        scaffold.EnvVar{Name: "1X"},
		Env:            []scaffold.EnvVar{{Name: "DB_PASSWORD", Value: "admin"}},
		Secrets:        []string{"bad secret"},
		Volumes:        []string{"rel"},
		Tags:           []string{"Python"},
		Wants:          []string{"A B"},
		MinMemory:      "lots",
		MinCPU:         "-1",
		Labels:         []scaffold.Label{{Key: "maintainer"}},
		Engine:         "lxc",
		Lint:           &scaffold.LintConfig{Ignore: []string{"x"}},
	}
	got := problemFields(t, s.Validate())
	want := []string{
		"schemaVersion", "name", "tag", "description", "displayName", "preset", "from", "packageManager", "packages[0]",
		"ports[0].number", "ports[0].protocol", "ports[0].name", "readiness.type", "liveness.path", "liveness.port", "uid",
		"writableDirs[0]", "version.name", "env[0].value", "secrets[0]", "volumes[0]", "tags", "tags[0]", "wants[0]",
		"minMemory", "minCPU", "labels[0].key", "labels[0].value", "engine", "lint.ignore[0]",
	}
	for _, f := range want {
		if !slices.Contains(got, f) {
			t.Errorf("no problem names %s; the problems name %q", f, got)
		}
	}
	if len(got) < len(want) {
		t.Errorf("%d problems, want at least %d", len(got), len(want))
	}
	var ve *scaffold.ValidationError
	errors.As(s.Validate(), &ve)
	if ps := ve.For("ports"); len(ps) != 3 {
		t.Errorf("For(ports) = %v, want the 3 problems of ports[0]", ps)
	}
}

// TestPresetDefaultsAreValid: every preset's defaults, named, pass Validate.
func TestPresetDefaultsAreValid(t *testing.T) {
	for _, p := range scaffold.Presets() {
		s := presetSpec(t, p.Name, "x")
		if err := s.Validate(); err != nil {
			t.Errorf("preset %s: %v", p.Name, err)
		}
	}
	if _, err := scaffold.Defaults("nope"); err == nil {
		t.Error("Defaults(nope) returned no error")
	}
}

// TestPortNamesFollowKubernetes: Validate accepts exactly the port names the
// API server accepts (apimachinery's IsValidPortName).
func TestPortNamesFollowKubernetes(t *testing.T) {
	names := []string{"http", "h", "8080", "8080-tcp", "a1", "1a", "http-alt", "http--alt", "-http", "http-", "HTTP", "http_alt",
		"http.alt", "abcdefghijklmno", "abcdefghijklmnop", "a-b-c-d-e-f-g-h", "a-b-c-d-e-f-g-hi", "9-9", "x-1", "é"}
	for _, name := range names {
		s := validSpec(t)
		s.Ports[0].Name = name
		accepted := s.Validate() == nil
		k8sAccepts := len(validation.IsValidPortName(name)) == 0
		if accepted != k8sAccepts {
			t.Errorf("port name %q: Validate accepts it: %v, Kubernetes accepts it: %v", name, accepted, k8sAccepts)
		}
	}
}

// TestSecretsCannotShadowTemplateParameters: a secret named like one of the
// example template's own parameters would declare it twice; Validate rejects
// every such name, read from the rendered template itself.
func TestSecretsCannotShadowTemplateParameters(t *testing.T) {
	s := validSpec(t)
	var tmpl ocTemplate
	if !strictYAML(t, "openshift/template.yaml", renderRepo(t, s).content(t, "openshift/template.yaml"), &tmpl) {
		return
	}
	if len(tmpl.Parameters) == 0 {
		t.Fatal("the template has no parameters")
	}
	for _, p := range tmpl.Parameters {
		s := validSpec(t)
		s.Secrets = []string{p.Name}
		if got := problemFields(t, s.Validate()); !slices.Equal(got, []string{"secrets[0]"}) {
			t.Errorf("secret %s: problems name %q, want [secrets[0]]", p.Name, got)
		}
	}
}

// TestValidateNeverEchoesSecrets: a problem names the field and the reason
// but never repeats a secret, a credential or a huge value, and its text
// carries no raw control character (issue 10).
func TestValidateNeverEchoesSecrets(t *testing.T) {
	huge := strings.Repeat("x", 5<<20)
	tests := []struct {
		name   string
		mutate func(s *scaffold.Spec)
		field  string
		leak   string
	}{
		{"token in env", func(s *scaffold.Spec) {
			s.Env = append(s.Env, scaffold.EnvVar{Name: "GITHUB_TOKEN", Value: "ghp_SECRETSECRET"})
		}, "env[", "ghp_SECRET"},
		{"value in secrets", func(s *scaffold.Spec) { s.Secrets = []string{"DB_PASSWORD=hunter2"} }, "secrets[0]", "hunter2"},
		{"passphrase", func(s *scaffold.Spec) { s.Env = append(s.Env, scaffold.EnvVar{Name: "DB_PASSPHRASE", Value: "xyzzy1"}) }, "env[", "xyzzy1"},
		{"auth", func(s *scaffold.Spec) { s.Env = append(s.Env, scaffold.EnvVar{Name: "AUTH", Value: "abc123"}) }, "env[", "abc123"},
		{"url with password", func(s *scaffold.Spec) {
			s.Env = append(s.Env, scaffold.EnvVar{Name: "DATABASE_URL", Value: "postgres://u:pw0rd@db/app"})
		}, "env[", "pw0rd"},
		{"secret label", func(s *scaffold.Spec) {
			s.Labels = []scaffold.Label{{Key: "com.example.password", Value: "s3cr3t"}}
		}, "labels[0].value", "s3cr3t"},
		{"source with token", func(s *scaffold.Spec) { s.Source = "https://u:ghp_TOKEN@github.com/o/r" }, "source", "ghp_TOKEN"},
		{"5 MB display name", func(s *scaffold.Spec) { s.DisplayName = huge }, "displayName", strings.Repeat("x", 100)},
		{"5 MB secret line", func(s *scaffold.Spec) { s.Env = append(s.Env, scaffold.EnvVar{Name: "APP_NOTE", Value: huge + "\n"}) }, "env[", strings.Repeat("x", 100)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validSpec(t)
			tt.mutate(s)
			err := s.Validate()
			if err == nil {
				t.Fatal("Validate accepted it")
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.field) {
				t.Errorf("the error does not name %s:\n%.500s", tt.field, msg)
			}
			if strings.Contains(msg, tt.leak) {
				t.Errorf("the error repeats %.20q:\n%.500s", tt.leak, msg)
			}
			if len(msg) > 2000 {
				t.Errorf("the error is %d bytes long", len(msg))
			}
		})
	}
	s := validSpec(t)
	s.DisplayName = "red \x1b[31m text"
	if msg := fmt.Sprint(s.Validate()); strings.ContainsRune(msg, 0x1b) {
		t.Errorf("the error carries a raw ESC: %q", msg)
	}
}
