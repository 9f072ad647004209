package builder_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/builder/e2etest"
)

// The scenarios of source-to-image's own integration tests, written for
// kiln and run against real podman: scripts from an http:// URL served on
// 127.0.0.1, --inject present for assemble and emptied in the image, an
// assemble-user label of 0 (assemble as root, the image runs as the
// builder's USER), -E and --exclude, an ONBUILD USER 0 refused under
// --allowed-uids, a hostile destination label refused. Each with podman
// and with buildah (same storage; the images are checked with podman run).
func TestE2ES2IParity(t *testing.T) {
	e2etest.RequireEngine(t)
	base := e2etest.BusyboxBase(t)
	e2etest.LeakCheck(t)
	e := podmanEngine(t)
	ctx := context.Background()

	builderRef := "localhost/kiln-e2e-parity-builder:1"
	e2etest.RemoveImageAtEnd(t, builderRef)
	if err := e.Build(ctx, &recorder{}, "build", builder.BuildOptions{ContextDir: filepath.Join("testdata", "fixtures", "builder"),
		Tags: []string{builderRef}, BuildArgs: []string{"BASE=" + base}}); err != nil {
		t.Fatal(err)
	}
	// A local HTTP server with an assemble script that reports what it sees.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/scripts/assemble" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, `#!/bin/sh
set -e
echo "http assemble as uid $(id -u)"
echo "injected: $(cat /opt/secret/token)"
cp -a /opt/dest/src/. /opt/app/
`)
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	url := "http://" + l.Addr().String() + "/scripts"

	engines := []string{"podman"}
	if _, err := exec.LookPath("buildah"); err == nil {
		engines = append(engines, "buildah")
	} else if os.Getenv("KILN_E2E") == "1" {
		t.Error("buildah is not installed: the buildah half of the parity suite cannot run")
	}
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			e, err := builder.DetectEngine(engine)
			if err != nil {
				t.Fatal(err)
			}
			src := copyFixture(t, "app")
			if err := os.MkdirAll(filepath.Join(src, "cache", ".git"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(src, "cache", ".git", "HEAD"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			secret := filepath.Join(t.TempDir(), "secret")
			if err := os.MkdirAll(secret, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(secret, "token"), []byte("s3cr3t"), 0o644); err != nil {
				t.Fatal(err)
			}
			envFile := filepath.Join(t.TempDir(), "env")
			if err := os.WriteFile(envFile, []byte("FROM_FILE=yes\nGREETING=from -E\n"), 0o644); err != nil {
				t.Fatal(err)
			}

			out := "localhost/kiln-e2e-parity-app-" + engine + ":1"
			e2etest.RemoveImageAtEnd(t, out)
			rec := &recorder{}
			_, err = builder.S2IBuild(ctx, e, rec, "s2i", builder.S2IOptions{Source: src, Builder: builderRef, Output: out,
				ScriptsURL: url, Injections: []builder.Injection{{Source: secret, Dest: "/opt/secret"}},
				EnvFile: envFile, Env: []string{"FROM_FLAG=1"}, AssembleUser: "0"})
			if err != nil {
				t.Fatalf("%v\n%s", err, rec.text())
			}
			for _, want := range []string{"http assemble as uid 0", "injected: s3cr3t"} {
				if !strings.Contains(rec.text(), want) {
					t.Errorf("assemble did not print %q:\n%s", want, rec.text())
				}
			}
			// The image: runs as the builder's USER, the secret emptied, the env
			// from -E and --env, no nested .git.
			if u := e2etest.Podman(t, "image", "inspect", "--format", "{{.Config.User}}", out); u != "1001" {
				t.Errorf("the image's USER is %q, want the builder's 1001", u)
			}
			check := e2etest.Podman(t, "run", "--rm", "--entrypoint", "/bin/sh", out, "-c",
				`echo "size=$(wc -c < /opt/secret/token)"; echo "env=$FROM_FILE,$GREETING,$FROM_FLAG"; ls -a /opt/app/cache; id -u`)
			for _, want := range []string{"size=0", "env=yes,from -E,1", "1001"} {
				if !strings.Contains(check, want) {
					t.Errorf("the image lacks %q:\n%s", want, check)
				}
			}
			if strings.Contains(check, ".git") {
				t.Errorf("a nested .git reached the image:\n%s", check)
			}

			// A builder whose ONBUILD switches to root is refused under --allowed-uids.
			onbuild := t.TempDir()
			df := fmt.Sprintf("FROM %s\nUSER 1001\nONBUILD USER 0\nONBUILD RUN id\n", base)
			if err := os.WriteFile(filepath.Join(onbuild, "Dockerfile"), []byte(df), 0o644); err != nil {
				t.Fatal(err)
			}
			onbuildRef := "localhost/kiln-e2e-parity-onbuild-" + engine + ":1"
			e2etest.RemoveImageAtEnd(t, onbuildRef)
			e2etest.Podman(t, "build", "-q", "--format", "docker", "-t", onbuildRef, onbuild)
			_, err = builder.S2IBuild(ctx, e, &recorder{}, "s2i", builder.S2IOptions{Source: src, Builder: onbuildRef, Output: "localhost/kiln-e2e-never:1", AllowedUIDs: "1-"})
			if err == nil || !strings.Contains(err.Error(), `ONBUILD instruction "USER 0"`) {
				t.Errorf("an ONBUILD USER 0 builder under --allowed-uids 1-: err = %v", err)
			}

			// A destination label with a newline is refused, naming the label.
			hostile := t.TempDir()
			df = fmt.Sprintf("FROM %s\nUSER 1001\n", base)
			if err := os.WriteFile(filepath.Join(hostile, "Dockerfile"), []byte(df), 0o644); err != nil {
				t.Fatal(err)
			}
			hostileRef := "localhost/kiln-e2e-parity-hostile-" + engine + ":1"
			e2etest.RemoveImageAtEnd(t, hostileRef)
			e2etest.Podman(t, "build", "-q", "--label", "io.openshift.s2i.destination=/tmp\nRUN id", "-t", hostileRef, hostile)
			_, err = builder.S2IBuild(ctx, e, &recorder{}, "s2i", builder.S2IOptions{Source: src, Builder: hostileRef, Output: "localhost/kiln-e2e-never:1"})
			if err == nil || !strings.Contains(err.Error(), "label io.openshift.s2i.destination") {
				t.Errorf("a destination label with a newline: err = %v", err)
			}
		})
	}
}
