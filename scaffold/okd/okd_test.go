package okd

//go:generate go test -run TestDocsUpToDate -update .

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/guidelines.md")

// TestDocsUpToDate fails when docs/guidelines.md no longer matches the
// guideline table.
func TestDocsUpToDate(t *testing.T) {
	file := filepath.Join("..", "..", "docs", "guidelines.md")
	want := Markdown()
	if *update {
		if err := os.WriteFile(file, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v: run go generate ./scaffold/okd", err)
	}
	if string(got) != want {
		t.Errorf("docs/guidelines.md is stale: run go generate ./scaffold/okd")
	}
}

func TestGuidelineTable(t *testing.T) {
	gs := Guidelines()
	if len(gs) != 31 {
		t.Fatalf("%d guidelines, want G01-G31", len(gs))
	}
	for i, g := range gs {
		if want := "G" + twoDigits(i+1); g.ID != want {
			t.Errorf("guideline %d has ID %s, want %s", i, g.ID, want)
		}
		if g.Section == "" || g.Summary == "" || len(g.Text) < 80 || g.Ways&Write == 0 {
			t.Errorf("%s lacks a section, summary, full text or the write way", g.ID)
		}
		if got, ok := Lookup(g.ID); !ok || got.Summary != g.Summary {
			t.Errorf("Lookup(%s) = %v, %v", g.ID, got, ok)
		}
	}
	if _, ok := Lookup("G32"); ok {
		t.Error("Lookup(G32) found a guideline")
	}
}

func twoDigits(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

func TestFromTag(t *testing.T) {
	for _, c := range []struct {
		ref  string
		want TagState
	}{
		{"registry.access.redhat.com/ubi9/ubi-minimal:9.5", Pinned},
		{"localhost:5000/ubi9", Untagged}, // the port is not a tag
		{"localhost:5000/ubi9:1", Pinned},
		{"ubi9", Untagged},
		{"fedora:latest", Latest},
		{"fedora:LATEST", Latest},
		{"fedora@sha256:0123", Pinned},
		{"fedora:latest@sha256:0123", Pinned},
	} {
		if got := FromTag(c.ref); got != c.want {
			t.Errorf("FromTag(%q) = %d, want %d", c.ref, got, c.want)
		}
	}
}

func TestValidTag(t *testing.T) {
	for tag, want := range map[string]bool{
		"1.0": true, "_x": true, "v2_x-y": true, "A": true, "": false, ".1": false, "-x": false, "a/b": false, "a:b": false,
		strings.Repeat("x", 128): true, strings.Repeat("x", 129): false,
	} {
		if got := ValidTag(tag); got != want {
			t.Errorf("ValidTag(%q) = %v, want %v", tag, got, want)
		}
	}
}

func TestUser(t *testing.T) {
	for spec, want := range map[string]UserKind{
		"1001": NonRoot, "1001:0": NonRoot, "0": Root, "root": Root, "0:0": Root, "root:1001": Root,
		"default": Named, "nobody:0": Named, "99999999999": Named, "$UID": Named,
	} {
		if got := User(spec); got != want {
			t.Errorf("User(%q) = %d, want %d", spec, got, want)
		}
	}
	if NonRootUID(0) || !NonRootUID(1001) || NonRootUID(MaxUID+1) || NonRootUID(-1) {
		t.Error("NonRootUID is wrong at its bounds")
	}
}

func TestLabelKey(t *testing.T) {
	fine := []string{
		"io.openshift.tags", "com.example.team", "example.com/team", "com.redhat.license_terms",
		"com.redhat.component", "Vendor", "name", "org.label-schema.build-date", "io.buildah.version",
	}
	for _, k := range fine {
		if p := LabelKey(k); p != "" {
			t.Errorf("LabelKey(%q) = %q, want no problem", k, p)
		}
	}
	bad := map[string]string{
		"":                    "empty",
		"my key":              "' '",
		"a=b":                 "'='",
		`a"b`:                 `'"'`,
		"a$b":                 "'$'",
		"com.docker.compose":  "reserves",
		"io.docker.x":         "reserves",
		"org.dockerproject.x": "reserves",
		"io.openshift.Tags":   "io.openshift.tags",
		"IO.K8S.DESCRIPTION":  "io.k8s.description",
		"tab\tkey":            `'\t'`,
	}
	for k, want := range bad {
		if p := LabelKey(k); !strings.Contains(p, want) {
			t.Errorf("LabelKey(%q) = %q, want a problem mentioning %q", k, p, want)
		}
	}
}

// TestLabelKeyCase holds LabelKey's map lookup of KnownLabels to a scan of
// the list with strings.EqualFold, for every known key in several cases.
func TestLabelKeyCase(t *testing.T) {
	var keys []string
	for _, k := range KnownLabels {
		keys = append(keys, k, strings.ToUpper(k), strings.ToUpper(k[:1])+k[1:], k[:len(k)-1]+strings.ToUpper(k[len(k)-1:]), k+"x", "x"+k)
	}
	for _, k := range keys {
		want := ""
		if i := slices.IndexFunc(KnownLabels, func(known string) bool { return known != k && strings.EqualFold(known, k) }); i >= 0 {
			want = "differs from " + KnownLabels[i] + " only in case; tools look labels up by exact key"
		}
		if got := LabelKey(k); got != want {
			t.Errorf("LabelKey(%q) = %q, want %q", k, got, want)
		}
	}
}

func TestSecrets(t *testing.T) {
	for name, want := range map[string]string{
		"DB_PASSWORD": "password", "MYSQL_ROOT_PASSWORD": "password", "API_KEY": "key", "GITHUB_TOKEN": "token",
		"DB_PASS": "pass", "CLIENT_SECRET_VALUE": "secret", "AWS_CREDENTIALS": "credentials", "MYAPIKEY": "apikey",
		"PUBLIC_KEY": "", "GPG_KEY": "", "TLS_KEY_FILE": "", "KEY_ALIAS": "", "TOKEN_TTL": "", "PWD": "", "OLDPWD": "",
		"BYPASS": "", "PASSENGER_VERSION": "", "NODE_ENV": "", "MONKEY": "",
		// Issue 10: these passed the rule and reached ENV, labels and README.
		"DB_PASSPHRASE": "passphrase", "AUTH": "auth", "GITHUB_AUTH": "auth", "SENTRY_DSN": "dsn",
		"AWS_CREDENTIAL": "credential", "com.example.password": "password", "com.example.api-token": "token",
		"AUTH_TYPE": "", "io.k8s.description": "",
	} {
		if got := SecretWord(name); got != want {
			t.Errorf("SecretWord(%q) = %q, want %q", name, got, want)
		}
	}
	for _, c := range []struct {
		name, value string
		want        bool
	}{
		{"DB_PASSWORD", "changeme", true},
		{"DB_PASSWORD", "", false},
		{"DB_PASSWORD", "/run/secrets/db", false},
		{"DB_PASSWORD", "$OTHER", false},
		{"ENABLE_TOKEN", "true", false},
		{"PUBLIC_KEY", "abc", false},
		{"APP_NOTE", "abc", false},
		{"DATABASE_URL", "postgres://u:pw@db:5432/app", true},
		{"APP_REPO", "https://ghp_x@github.com/o/r", true},
		{"DATABASE_URL", "postgres://db:5432/app", false},
		{"APP_REPO", "ssh://git@github.com/o/r", false},
	} {
		if got := SecretDefault(c.name, c.value); got != c.want {
			t.Errorf("SecretDefault(%q, %q) = %v, want %v", c.name, c.value, got, c.want)
		}
	}
}

func TestTagWord(t *testing.T) {
	for w, want := range map[string]bool{"builder": true, "python-3.12": true, "c++": true, "s2i-core rhel9": false, "Builder": false, "": false, "-x": false} {
		if got := TagWord(w); got != want {
			t.Errorf("TagWord(%q) = %v, want %v", w, got, want)
		}
	}
}

func TestEndOfLife(t *testing.T) {
	now := day("2026-11-30")
	for ref, want := range map[string]string{
		"centos:7": "CentOS 7", "centos:centos7": "CentOS 7", "docker.io/library/centos:7.9.2009": "CentOS 7",
		"quay.io/centos/centos:stream8": "CentOS Stream 8", "quay.io/sclorg/s2i-core-c8s:c8s": "CentOS Stream 8",
		"fedora:28": "Fedora 28", "registry.fedoraproject.org/fedora:37": "Fedora 37", "quay.io/fedora/s2i-core:38": "Fedora 38",
		"registry.access.redhat.com/ubi7/ubi-minimal:7.9": "RHEL 7 (UBI 7)", "ubi7": "RHEL 7 (UBI 7)",
		"debian:buster": "Debian 10", "ubuntu:18.04": "Ubuntu 18.04",
		"quay.io/centos/centos:stream9": "", "ubi9/ubi:9.5": "", "fedora:43": "", "debian:12": "", "example.com/centos7:1": "",
		"quay.io/sclorg/s2i-core-c9s:c9s": "", "fedora": "",
	} {
		r, eol := EndOfLife(ref, now)
		if eol != (want != "") || r.Name != want {
			t.Errorf("EndOfLife(%q) = %q, %v; want %q", ref, r.Name, eol, want)
		}
	}
	// a release is maintained up to its date
	if _, eol := EndOfLife("fedora:41", day("2025-01-01")); eol {
		t.Error("Fedora 41 was maintained in January 2025")
	}
}

func TestOSBase(t *testing.T) {
	for ref, want := range map[string]bool{
		"registry.access.redhat.com/ubi9/ubi-minimal:9.5": true, "ubi9": true, "ubi10-minimal:latest": true, "ubi9/ubi-micro": true,
		"busybox": true, "quay.io/centos/centos:stream9": true, "quay.io/fedora/fedora:42": true, "debian:12": true, "scratch": true,
		"quay.io/sclorg/s2i-core-c9s:c9s": false, "ubi9/s2i-core": false, "ubi8/nodejs-16": false, "quay.io/fedora/s2i-base:42": false,
		"sti_test/sti-fake": false,
	} {
		if got := OSBase(ref); got != want {
			t.Errorf("OSBase(%q) = %v, want %v", ref, got, want)
		}
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"https://u:ghp_SECRET@github.com/o/r.git":   "https://github.com/o/r.git",
		"https://ghp_SECRET@github.com/o/r.git":     "https://github.com/o/r.git",
		"git@github.com:o/r.git":                    "git@github.com:o/r.git",
		"see postgres://u:pw@db/x and http://h/p@x": "see postgres://db/x and http://h/p@x",
		"/home/me/src": "/home/me/src",
	} {
		if got := StripUserinfo(in); got != want {
			t.Errorf("StripUserinfo(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"GITHUB_TOKEN=ghp_abcdef":           "GITHUB_TOKEN=" + Hidden,
		"DB_PASSWORD=hunter2":               "DB_PASSWORD=" + Hidden,
		"DATABASE_URL=postgres://u:pw@db/x": "DATABASE_URL=" + Hidden,
		"APP_MODE=prod":                     "APP_MODE=prod",
		"https://u:pw@example.com/x":        "https://example.com/x",
		strings.Repeat("a", 5<<20):          strings.Repeat("a", MaxShown) + "…(5242880 bytes)",
		strings.Repeat("é", MaxShown):       strings.Repeat("é", MaxShown/2) + "…(80 bytes)",
	} {
		if got := ShowValue(in); got != want {
			t.Errorf("ShowValue(%.60q) = %.80q, want %.80q", in, got, want)
		}
	}
}

func TestSystemDir(t *testing.T) {
	for p, want := range map[string]bool{
		"/": true, "/usr": true, "/usr/bin": true, "/usr/sbin": true, "/usr/local/bin": true, "/etc": true, "/etc/ssl": true,
		"/lib/x86_64-linux-gnu": true, "/lib64": true, "/var/lib": true, "/var": true, "/bin": true, "/sbin/": true,
		"/proc/1": true, "/sys": true, "/dev/shm": true, "/boot": true, "/usr/../etc": true,
		"/opt/app-root": false, "/var/lib/myapp": false, "/srv/data": false, "/data": false, "/usrdata": false, "/etcetera": false,
		"relative": false,
	} {
		if got := SystemDir(p); got != want {
			t.Errorf("SystemDir(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestCoreSystemDir(t *testing.T) {
	for p, want := range map[string]bool{
		"/usr/bin": true, "/usr/libexec/s2i": true, "/lib/x86_64-linux-gnu": true, "/etc/ssl/certs": true, "/etc": true,
		"/var/lib": true, "/": true, "/usr": true,
		"/usr/share/nginx": false, "/etc/httpd": false, "/opt/app-root": false, "/var/lib/myapp": false,
	} {
		if got := CoreSystemDir(p); got != want {
			t.Errorf("CoreSystemDir(%q) = %v, want %v", p, got, want)
		}
	}
}
