package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-s2i/kiln/builder/e2etest"
)

// bench250 builds a ~250 MB image in podman's storage: the Debian base
// with python3 and a 90 MB layer of random bytes (incompressible, as a
// layer of binaries nearly is).
func bench250(b *testing.B) string {
	b.Helper()
	e2etest.RequireEngine(b)
	base := e2etest.PythonBase(b)
	const ref = "localhost/kiln-bench-250:1"
	dir := b.TempDir()
	df := "FROM " + base + "\nRUN head -c 90000000 /dev/urandom > /opt/blob\nLABEL io.openshift.tags=builder\nUSER 1001\n"
	if err := os.WriteFile(filepath.Join(dir, "Containerfile"), []byte(df), 0o644); err != nil {
		b.Fatal(err)
	}
	e2etest.RemoveImageAtEnd(b, ref)
	podmanB(b, "build", "-q", "-t", ref, dir)
	return ref
}

// kilnAnyExit runs the CLI in-process; exit 0 and 1 (checks failed) are
// both a finished run.
func kilnAnyExit(b *testing.B, args ...string) {
	b.Helper()
	var out bytes.Buffer
	if code := run(args, strings.NewReader(""), &out, &out); code > 1 {
		b.Fatalf("kiln %s: exit %d\n%s", strings.Join(args, " "), code, out.String())
	}
}

// BenchmarkVerifyVsPodmanSave: kiln verify of a 250 MB image from
// containers-storage (every layer read and applied) against podman save of
// the same image to /dev/null (every layer read and written once).
func BenchmarkVerifyVsPodmanSave(b *testing.B) {
	ref := bench250(b)
	a, c := alternate(func() {},
		func() { kilnAnyExit(b, "verify", ref) },
		func() { podmanB(b, "save", "-q", "-o", "/dev/null", ref) })
	report(b, "kiln verify / podman save (250 MB)", a, c, "verify/save")
}

// BenchmarkPushVsSkopeoCopy: kiln push of the 250 MB image against skopeo
// copy of it, each to a fresh docker-registry on 127.0.0.1 (so neither
// finds a blob there already), both compressing with gzip.
func BenchmarkPushVsSkopeoCopy(b *testing.B) {
	ref := bench250(b)
	if _, err := exec.LookPath("skopeo"); err != nil {
		b.Fatal("skopeo is not installed")
	}
	b.Setenv("REGISTRY_AUTH_FILE", filepath.Join(b.TempDir(), "auth.json"))
	var addr string
	var stop func()
	defer func() {
		if stop != nil {
			stop()
		}
	}()
	setup := func() {
		if stop != nil {
			stop()
		}
		addr, stop = startRegistry(b, "")
	}
	a, c := alternate(setup,
		func() { kilnB(b, "push", "--tls-verify=false", "--plain", ref, addr+"/bench/img:1") },
		func() {
			cmd := exec.Command("skopeo", "copy", "-q", "--dest-tls-verify=false", "containers-storage:"+ref, "docker://"+addr+"/bench/img:1")
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("skopeo copy: %v\n%s", err, out)
			}
		})
	report(b, "kiln push / skopeo copy (250 MB)", a, c, "push/skopeo")
}
