package builder_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/builder/e2etest"
)

// flagsApp is a source whose assemble reads and writes a --volume, lists
// how its links arrived, and writes s2i's image metadata file.
func flagsApp(t *testing.T, metadata string) (src, outside string) {
	t.Helper()
	root := t.TempDir()
	src, outside = filepath.Join(root, "app"), filepath.Join(root, "outside")
	for _, d := range []string{filepath.Join(src, ".s2i", "bin"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	assemble := `#!/bin/sh
set -e
echo "cache says: $(cat /opt/cache/seen)"
echo "written by assemble" > /opt/cache/from-assemble
cp -a /opt/dest/src/. /opt/app/
for f in link-in link-out; do
    if [ -L /opt/app/$f ]; then echo "$f: a link"; else echo "$f: a file with $(cat /opt/app/$f)"; fi
done
mkdir -p /tmp/.s2i
cat > /tmp/.s2i/image_metadata.json <<'EOF'
` + metadata + `
EOF
`
	files := map[string]string{".s2i/bin/assemble": assemble, "data.txt": "app data"}
	for p, s := range files {
		if err := os.WriteFile(filepath.Join(src, p), []byte(s), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("HOST-SECRET"), 0o644); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"link-in": "data.txt", "link-out": filepath.Join(outside, "secret")} {
		if err := os.Symlink(target, filepath.Join(src, link)); err != nil {
			t.Fatal(err)
		}
	}
	return src, outside
}

// TestE2ES2IVolumeLinksMetadata: s2i's -v/--volume, --keep-symlinks and
// image_metadata.json labels, with podman and with buildah (same storage):
// the volume is there for assemble, its writes reach the host and not the
// image; links inside the source are copied as their content unless
// --keep-symlinks, a link out of the source never is; the metadata labels
// land on OUT, the unlabelled image is removed, and a hostile label fails
// the build and leaves no image.
func TestE2ES2IVolumeLinksMetadata(t *testing.T) {
	e2etest.RequireEngine(t)
	base := e2etest.BusyboxBase(t)
	e2etest.LeakCheck(t)
	ctx := context.Background()

	builderRef := "localhost/kiln-e2e-flags-builder:1"
	e2etest.RemoveImageAtEnd(t, builderRef)
	if err := podmanEngine(t).Build(ctx, &recorder{}, "build", builder.BuildOptions{ContextDir: filepath.Join("testdata", "fixtures", "builder"),
		Tags: []string{builderRef}, BuildArgs: []string{"BASE=" + base}}); err != nil {
		t.Fatal(err)
	}
	engines := []string{"podman"}
	if _, err := exec.LookPath("buildah"); err == nil {
		engines = append(engines, "buildah")
	} else if os.Getenv("KILN_E2E") == "1" {
		t.Error("buildah is not installed: the buildah half of this test cannot run")
	}
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			e, err := builder.DetectEngine(engine)
			if err != nil {
				t.Fatal(err)
			}
			src, _ := flagsApp(t, `{"labels": [{"com.example.built-by": "assemble \"quoted\" $HOME"}, {"io.k8s.display-name": "from metadata"}]}`)
			cache := t.TempDir()
			if err := os.WriteFile(filepath.Join(cache, "seen"), []byte("host-cache"), 0o644); err != nil {
				t.Fatal(err)
			}
			os.Chmod(cache, 0o777) // assemble runs as 1001
			out := "localhost/kiln-e2e-flags-" + engine + ":1"
			e2etest.RemoveImageAtEnd(t, out)
			vol, err := builder.ParseVolume(cache + ":/opt/cache")
			if err != nil {
				t.Fatal(err)
			}
			rec := &recorder{}
			if _, err := builder.S2IBuild(ctx, e, rec, "s2i", builder.S2IOptions{Source: src, Builder: builderRef, Output: out,
				Volumes: []builder.Volume{vol}}); err != nil {
				t.Fatalf("%v\n%s", err, rec.text())
			}
			for _, want := range []string{
				"cache says: host-cache",
				"link-in: a file with app data",
				"link-out: a link",
				"warning s2i link-out is a symbolic link that leads out of the source: copied as a link, not followed",
				"applying 2 labels from /tmp/.s2i/image_metadata.json: com.example.built-by, io.k8s.display-name",
			} {
				if !strings.Contains(rec.text(), want) {
					t.Errorf("the build did not report %q:\n%s", want, rec.text())
				}
			}
			if strings.Contains(rec.text(), `"labels"`) || strings.Contains(rec.text(), `"com.example.built-by":`) {
				t.Errorf("the metadata markers reached the output:\n%s", rec.text())
			}
			// The volume's write reached the host, not the image.
			if data, err := os.ReadFile(filepath.Join(cache, "from-assemble")); err != nil || string(data) != "written by assemble\n" {
				t.Errorf("assemble's write to the volume is not on the host: %q %v", data, err)
			}
			inImage := e2etest.Podman(t, "run", "--rm", "--entrypoint", "/bin/sh", out, "-c", "ls -A /opt/cache 2>&1; echo end")
			if strings.Contains(inImage, "from-assemble") || strings.Contains(inImage, "seen") {
				t.Errorf("the volume's content is in the image:\n%s", inImage)
			}
			labels := e2etest.Podman(t, "image", "inspect", "--format", "{{json .Labels}}", out)
			for _, want := range []string{`"com.example.built-by":"assemble \"quoted\" $HOME"`, `"io.k8s.display-name":"from metadata"`,
				`"io.openshift.s2i.build.image":"` + builderRef + `"`} {
				if !strings.Contains(labels, want) {
					t.Errorf("labels lack %s:\n%s", want, labels)
				}
			}
			if cmd := e2etest.Podman(t, "image", "inspect", "--format", "{{json .Config.Cmd}}", out); cmd != `["/opt/s2i/run"]` {
				t.Errorf("the relabelled image's CMD is %s", cmd)
			}
			_, unlabelled, _ := strings.Cut(rec.text(), "cleanup s2i image ")
			if unlabelled = strings.Fields(unlabelled + " ")[0]; unlabelled == "" || e2etest.ImageExists(unlabelled) {
				t.Errorf("the unlabelled image %q was left behind:\n%s", unlabelled, rec.text())
			}
			firstID := e2etest.Podman(t, "image", "inspect", "--format", "{{.Id}}", out)

			// --keep-symlinks: links stay links.
			rec = &recorder{}
			if _, err := builder.S2IBuild(ctx, e, rec, "s2i", builder.S2IOptions{Source: src, Builder: builderRef, Output: out,
				Volumes: []builder.Volume{vol}, KeepSymlinks: true}); err != nil {
				t.Fatalf("%v\n%s", err, rec.text())
			}
			if !strings.Contains(rec.text(), "link-in: a link") || strings.Contains(rec.text(), "warning") {
				t.Errorf("--keep-symlinks:\n%s", rec.text())
			}
			e2etest.Podman(t, "rmi", firstID) // the previous OUT, kept as s2i keeps it

			// A label with a newline fails the build and leaves no image.
			e2etest.Podman(t, "rmi", out)
			hostile, _ := flagsApp(t, `{"labels": [{"com.example.x": "v\nRUN id"}]}`)
			rec = &recorder{}
			_, err = builder.S2IBuild(ctx, e, rec, "s2i", builder.S2IOptions{Source: hostile, Builder: builderRef, Output: out, Volumes: []builder.Volume{vol}})
			if err == nil || !strings.Contains(err.Error(), `/tmp/.s2i/image_metadata.json: label com.example.x="v\nRUN id" holds the control character '\n'`) {
				t.Errorf("a hostile metadata label: err = %v\n%s", err, rec.text())
			}
			if e2etest.ImageExists(out) {
				t.Errorf("the build with refused metadata left %s", out)
			}
			_, dropped, _ := strings.Cut(rec.text(), "cleanup s2i image ")
			if dropped = strings.Fields(dropped + " ")[0]; dropped == "" || e2etest.ImageExists(dropped) {
				t.Errorf("the refused build's image %q was left behind:\n%s", dropped, rec.text())
			}
		})
	}
}

// TestE2EIncrementalPullPolicy: --incremental-pull-policy never does not
// look for the previous image beyond local storage, always pulls it even
// when it is local, and a failed pull means a clean build, as in s2i.
func TestE2EIncrementalPullPolicy(t *testing.T) {
	e2etest.RequireEngine(t)
	base := e2etest.BusyboxBase(t)
	e2etest.LeakCheck(t)
	e2etest.RemoveNewDanglingAtEnd(t)
	e := podmanEngine(t)
	ctx := context.Background()
	builderRef := "localhost/kiln-e2e-ipp-builder:1"
	e2etest.RemoveImageAtEnd(t, builderRef)
	if err := e.Build(ctx, &recorder{}, "build", builder.BuildOptions{ContextDir: filepath.Join("testdata", "fixtures", "builder"),
		Tags: []string{builderRef}, BuildArgs: []string{"BASE=" + base}}); err != nil {
		t.Fatal(err)
	}
	src := copyFixture(t, "app")
	out := "localhost/kiln-e2e-ipp-app:1"
	e2etest.RemoveImageAtEnd(t, out)
	o := builder.S2IOptions{Source: src, Builder: builderRef, Output: out, Incremental: true, Copy: true}

	steps := []struct {
		policy   string
		restored bool
		want     string
	}{
		{"never", false, "no previous image " + out + " (--incremental-pull-policy never: not pulled)"},
		{"if-not-present", true, "---> Restored artifacts: deps"}, // local now: no pull
		{"always", false, "pulling the previous image " + out},    // localhost has no registry: clean build
	}
	for _, s := range steps {
		o.IncrementalPullPolicy = s.policy
		rec := &recorder{}
		res, err := builder.S2IBuild(ctx, e, rec, "s2i", o)
		if err != nil {
			t.Fatalf("%s: %v\n%s", s.policy, err, rec.text())
		}
		if res.Restored != s.restored || !strings.Contains(rec.text(), s.want) {
			t.Errorf("--incremental-pull-policy %s: restored=%v, want %v and %q:\n%s", s.policy, res.Restored, s.restored, s.want, rec.text())
		}
		if s.policy == "if-not-present" && strings.Contains(rec.text(), "pulling") {
			t.Errorf("if-not-present pulled a local image:\n%s", rec.text())
		}
	}
}
