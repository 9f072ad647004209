package verify_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/kiln-s2i/kiln/builder/image"
	it "github.com/kiln-s2i/kiln/builder/image/imagetest"
	"github.com/kiln-s2i/kiln/builder/verify"
)

const goodRun = "#!/bin/sh\nset -e\ncd /opt/app-root/src\nexec python3 -m http.server 8080\n"
const goodAssemble = "#!/bin/sh\nset -e\ncp -Rf /tmp/src/. ./\n"

// goodImage follows every guideline; each case below breaks one thing.
func goodImage() it.Image {
	return it.Image{
		Config: v1.ImageConfig{
			User:         "1001",
			Env:          []string{"PATH=/usr/bin:/bin", "HOME=/opt/app-root/src", "APP_VERSION=1.2", "DB_PASSWORD=", "TOKEN_FILE=/run/secrets/token"},
			WorkingDir:   "/opt/app-root/src",
			ExposedPorts: map[string]struct{}{"8080/tcp": {}},
			Labels: map[string]string{
				"io.k8s.description":           "A test builder",
				"io.k8s.display-name":          "Test builder 1.0",
				"io.openshift.tags":            "builder,test",
				"io.openshift.expose-services": "8080:http",
				"io.openshift.s2i.scripts-url": "image:///usr/libexec/s2i",
				"name":                         "test", "vendor": "kiln", "version": "1.0", "release": "1",
				"summary": "test", "description": "test", "maintainer": "a@example.com",
			},
		},
		Layers: [][]it.File{
			{
				it.Dir("etc", 0o755, 0, 0), {Name: "etc/passwd", Mode: 0o644, Body: "root:x:0:0::/root:/bin/sh\n"},
				it.Dir("tmp", 0o1777, 0, 0), it.Dir("usr", 0o755, 0, 0), it.Dir("usr/bin", 0o755, 0, 0),
				{Name: "usr/bin/python3", Mode: 0o755, Size: 100},
				it.Dir("var", 0o755, 0, 0), it.Dir("var/lib", 0o755, 0, 0), it.Dir("var/lib/apt", 0o755, 0, 0),
				it.Dir("var/lib/apt/lists", 0o755, 0, 0), {Name: "var/lib/apt/lists/lock"}, // empty: not a cache
			},
			{
				it.Dir("opt", 0o755, 0, 0), it.Dir("opt/app-root", 0o775, 1001, 0), it.Dir("opt/app-root/src", 0o775, 1001, 0),
				it.Dir("licenses", 0o755, 0, 0), {Name: "licenses/LICENSE", Body: "MIT"},
			},
			{
				it.Dir("usr/libexec", 0o755, 0, 0), it.Dir("usr/libexec/s2i", 0o755, 0, 0),
				{Name: "usr/libexec/s2i/assemble", Mode: 0o755, Body: goodAssemble},
				{Name: "usr/libexec/s2i/run", Mode: 0o755, Body: goodRun},
			},
		},
	}
}

func run(t *testing.T, img it.Image, ref func(t *testing.T, img it.Image) string, o verify.Options) *verify.Report {
	t.Helper()
	opened, err := image.Open(context.Background(), ref(t, img), image.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer opened.Close()
	rep, err := verify.Run(context.Background(), opened, o)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func layout(tag string) func(t *testing.T, img it.Image) string {
	return func(t *testing.T, img it.Image) string { return img.WriteLayout(t, t.TempDir(), tag) }
}

func archive(t *testing.T, img it.Image) string {
	img.Gzip = true
	return img.WriteArchive(t, filepath.Join(t.TempDir(), "image.tar"), "1.0")
}

func result(rep *verify.Report, id string) (verify.Result, bool) {
	for _, r := range rep.Checks {
		if r.ID == id {
			return r, true
		}
	}
	return verify.Result{}, false
}

func TestGoodImagePasses(t *testing.T) {
	for name, ref := range map[string]func(*testing.T, it.Image) string{"oci": layout("1.0"), "oci-archive": archive} {
		t.Run(name, func(t *testing.T) {
			rep := run(t, goodImage(), ref, verify.Options{Certification: true})
			if !rep.Passed {
				t.Errorf("good image failed")
			}
			for _, r := range rep.Checks {
				if r.Status != verify.Pass {
					t.Errorf("%s %s: %s", r.ID, r.Status, r.Message)
				}
			}
			if len(rep.Checks) != len(verify.Checks()) {
				t.Errorf("%d results, want one per check (%d)", len(rep.Checks), len(verify.Checks()))
			}
		})
	}
}

func TestEachViolation(t *testing.T) {
	bigDeleted := func(img *it.Image) {
		img.Layers = append(img.Layers,
			[]it.File{{Name: "tmp/download.tar", Size: 2 << 20}},
			[]it.File{it.Whiteout("tmp/download.tar")})
	}
	tests := []struct {
		name   string
		change func(img *it.Image)
		opts   verify.Options
		tag    string
		id     string
		status verify.Status
		msg    string // in the result's message
	}{
		{"no user", func(img *it.Image) { img.Config.User = "" }, verify.Options{}, "", "KV001", verify.Fail, "runs as root"},
		{"user root", func(img *it.Image) { img.Config.User = "0:0" }, verify.Options{}, "", "KV001", verify.Fail, "is root"},
		{"user name", func(img *it.Image) { img.Config.User = "app" }, verify.Options{}, "", "KV001", verify.Fail, "not a numeric"},
		{"workdir not group writable", func(img *it.Image) {
			img.Layers = append(img.Layers, []it.File{it.Dir("opt/app-root/src", 0o755, 1001, 0)})
		}, verify.Options{}, "", "KV002", verify.Fail, "/opt/app-root/src is not group-writable"},
		{"spec dir owned by another group", func(img *it.Image) {
			img.Layers = append(img.Layers, []it.File{it.Dir("data", 0o775, 1001, 1001)})
		}, verify.Options{WritableDirs: []string{"/data"}}, "", "KV002", verify.Fail, "/data is group 1001"},
		{"spec dir missing", func(*it.Image) {}, verify.Options{WritableDirs: []string{"/var/lib/app"}}, "", "KV002", verify.Fail, "/var/lib/app does not exist"},
		{"passwd group writable", func(img *it.Image) {
			img.Layers = append(img.Layers, []it.File{{Name: "etc/passwd", Mode: 0o664, Body: "root:x:0:0::/root:/bin/sh\n"}})
		}, verify.Options{}, "", "KV003", verify.Fail, "0664"},
		{"sshd", func(img *it.Image) {
			img.Layers = append(img.Layers, []it.File{it.Dir("usr/sbin", 0o755, 0, 0), {Name: "usr/sbin/sshd", Mode: 0o755, Size: 10}})
		}, verify.Options{}, "", "KV004", verify.Fail, "/usr/sbin/sshd"},
		{"sshd removed by a whiteout", func(img *it.Image) {
			img.Layers = append(img.Layers, []it.File{it.Dir("usr/sbin", 0o755, 0, 0), {Name: "usr/sbin/sshd", Mode: 0o755, Size: 10}},
				[]it.File{it.Whiteout("usr/sbin/sshd")})
		}, verify.Options{}, "", "KV004", verify.Pass, "no sshd"},
		{"sshd hidden by an opaque directory", func(img *it.Image) {
			img.Layers = append(img.Layers, []it.File{it.Dir("usr/sbin", 0o755, 0, 0), {Name: "usr/sbin/sshd", Mode: 0o755, Size: 10}},
				[]it.File{it.Dir("usr/sbin", 0o755, 0, 0), it.Opaque("usr/sbin"), {Name: "usr/sbin/other", Mode: 0o755}})
		}, verify.Options{}, "", "KV004", verify.Pass, "no sshd"},
		{"sshd added after an opaque marker in the same layer", func(img *it.Image) {
			img.Layers = append(img.Layers, []it.File{it.Dir("usr/sbin", 0o755, 0, 0), {Name: "usr/sbin/sshd", Mode: 0o755, Size: 10}, it.Opaque("usr/sbin")})
		}, verify.Options{}, "", "KV004", verify.Fail, "/usr/sbin/sshd"},
		{"privileged port", func(img *it.Image) {
			img.Config.ExposedPorts = map[string]struct{}{"80/tcp": {}}
			img.Config.Labels["io.openshift.expose-services"] = "80:http"
		}, verify.Options{}, "", "KV005", verify.Fail, "80/tcp"},
		{"label names an unexposed port", func(img *it.Image) {
			img.Config.Labels["io.openshift.expose-services"] = "8080:http,9090/tcp:metrics"
		}, verify.Options{}, "", "KV006", verify.Fail, "not exposed: 9090/tcp"},
		{"missing labels", func(img *it.Image) {
			delete(img.Config.Labels, "io.k8s.description")
			delete(img.Config.Labels, "io.k8s.display-name")
		}, verify.Options{}, "", "KV007", verify.Fail, "io.k8s.description, io.k8s.display-name"},
		{"tags without builder", func(img *it.Image) { img.Config.Labels["io.openshift.tags"] = "python" }, verify.Options{}, "", "KV007", verify.Fail, "does not contain builder"},
		{"run not executable by group 0", func(img *it.Image) {
			img.Layers = append(img.Layers, []it.File{{Name: "usr/libexec/s2i/run", Mode: 0o700, UID: 1001, GID: 1001, Body: goodRun}})
		}, verify.Options{}, "", "KV008", verify.Fail, "/usr/libexec/s2i/run is not executable by group 0"},
		{"assemble missing", func(img *it.Image) {
			img.Layers = append(img.Layers, []it.File{it.Whiteout("usr/libexec/s2i/assemble")})
		}, verify.Options{}, "", "KV008", verify.Fail, "assemble is missing"},
		// KL120 is a heuristic (which command is the server), so a warning (issue 11)
		{"run without exec", func(img *it.Image) {
			img.Layers = append(img.Layers, []it.File{{Name: "usr/libexec/s2i/run", Mode: 0o755, Body: "#!/bin/sh\npython3 -m http.server 8080\n"}})
		}, verify.Options{}, "", "KV009", verify.Warn, "KL120"},
		{"run with a certain lint error", func(img *it.Image) {
			img.Layers = append(img.Layers, []it.File{{Name: "usr/libexec/s2i/run", Mode: 0o755, Body: "python3 -m http.server 8080\n"}})
		}, verify.Options{}, "", "KV009", verify.Fail, "KL123"},
		{"apt lists left", func(img *it.Image) {
			img.Layers = append(img.Layers, []it.File{{Name: "var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease", Size: 3000}})
		}, verify.Options{}, "", "KV010", verify.Fail, "layer 4 ("},
		{"dnf cache removed later still counts", func(img *it.Image) {
			img.Layers = append(img.Layers, []it.File{{Name: "var/cache/dnf/repo.solv", Size: 2048}}, []it.File{it.Whiteout("var/cache/dnf")})
		}, verify.Options{}, "", "KV010", verify.Fail, "2.0 KiB in /var/cache/dnf"},
		{"pip cache in a home", func(img *it.Image) {
			img.Layers = append(img.Layers, []it.File{{Name: "opt/app-root/src/.cache/pip/http/x", Size: 10}})
		}, verify.Options{}, "", "KV010", verify.Fail, "/opt/app-root/src/.cache/pip"},
		{"bytes deleted by a later layer", bigDeleted, verify.Options{}, "", "KV011", verify.Warn, "2.0 MiB removed or overwritten later (/tmp/download.tar)"},
		{"many layers", func(img *it.Image) {
			for i := 0; i < verify.LayerLimit; i++ {
				img.Layers = append(img.Layers, []it.File{it.Dir("tmp", 0o1777, 0, 0)})
			}
		}, verify.Options{}, "", "KV012", verify.Warn, "33 layers"},
		{"tag latest", func(*it.Image) {}, verify.Options{}, "latest", "KV013", verify.Fail, "tagged latest"},
		{"secret in env", func(img *it.Image) { img.Config.Env = append(img.Config.Env, "API_TOKEN=abc123") }, verify.Options{}, "", "KV014", verify.Fail, "API_TOKEN"},
		{"certification labels", func(img *it.Image) { delete(img.Config.Labels, "vendor") }, verify.Options{Certification: true}, "", "KV015", verify.Fail, "missing: vendor"},
		{"empty licenses", func(img *it.Image) {
			img.Layers = append(img.Layers, []it.File{it.Whiteout("licenses/LICENSE")})
		}, verify.Options{Certification: true}, "", "KV016", verify.Fail, "no license file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img := goodImage()
			tc.change(&img)
			tag := tc.tag
			if tag == "" {
				tag = "1.0"
			}
			rep := run(t, img, layout(tag), tc.opts)
			r, ok := result(rep, tc.id)
			if !ok {
				t.Fatalf("no result for %s", tc.id)
			}
			if r.Status != tc.status || !strings.Contains(r.Message, tc.msg) {
				t.Errorf("%s = %s %q; want %s containing %q", tc.id, r.Status, r.Message, tc.status, tc.msg)
			}
			if (tc.status == verify.Fail) == rep.Passed {
				t.Errorf("passed = %v with %s %s", rep.Passed, tc.id, r.Status)
			}
			if r.Status != verify.Pass && r.Fix == "" {
				t.Errorf("%s has no fix", tc.id)
			}
			// Only the broken check changes: the others still pass.
			for _, other := range rep.Checks {
				if other.ID != tc.id && other.Status != verify.Pass && !(tc.id == "KV010" && other.ID == "KV011") {
					t.Errorf("%s also %s: %s", other.ID, other.Status, other.Message)
				}
			}
		})
	}
}

func TestSecretValueNeverPrinted(t *testing.T) {
	img := goodImage()
	img.Config.Env = append(img.Config.Env, "DB_PASSWORD=hunter2-s3cret")
	rep := run(t, img, layout("1.0"), verify.Options{})
	var b strings.Builder
	if err := verify.WriteText(&b, rep); err != nil {
		t.Fatal(err)
	}
	if err := verify.WriteJSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "hunter2") {
		t.Errorf("the output shows the secret's value:\n%s", b.String())
	}
}
