package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/rogpeppe/go-internal/testscript"

	it "github.com/kiln-s2i/kiln/builder/image/imagetest"
	"github.com/kiln-s2i/kiln/scaffold"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"kiln": func() {
			// KILN_TEST_KILL_AT=STEP kills kiln (SIGKILL) at that step of a
			// write, e.g. "rename Dockerfile" (see scaffold.SetTestHookStep).
			if at := os.Getenv("KILN_TEST_KILL_AT"); at != "" {
				scaffold.SetTestHookStep(func(step string) error {
					if step == at {
						_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
						select {}
					}
					return nil
				})
			}
			os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// TestScript runs the CLI scenarios in testdata/script: each is a txtar of
// commands and the files they read and expect.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"replace": replaceCmd,
			"status":  statusCmd,
			"mkimage": mkimageCmd,
		},
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			env.Setenv("NL", "\n") // a newline inside one argument: A=b${NL}c
			return nil
		},
	})
}

// statusCmd runs a program and checks its exit code: status CODE PROG ARGS...
// (testscript's exec only tells zero from non-zero; kiln promises 2 for
// every usage error).
func statusCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status CODE PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// replaceCmd edits a file in place: replace OLD NEW FILE. OLD must occur.
func replaceCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: replace OLD NEW FILE")
	}
	path := ts.MkAbs(args[2])
	data := ts.ReadFile(args[2])
	if !strings.Contains(data, args[0]) {
		ts.Fatalf("replace: %q is not in %s", args[0], args[2])
	}
	ts.Check(os.WriteFile(path, []byte(strings.ReplaceAll(data, args[0], args[1])), 0o644))
}

// mkimageCmd writes a small builder image as an OCI layout: mkimage DIR TAG
// [user=U] [sshd] [port=P]. Without options it passes every kiln verify check.
func mkimageCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: mkimage DIR TAG [user=U] [sshd] [port=P]")
	}
	port := "8080"
	img := it.Image{
		Config: v1.ImageConfig{User: "1001", WorkingDir: "/opt/app-root/src", Env: []string{"HOME=/opt/app-root/src"},
			Labels: map[string]string{"io.k8s.description": "d", "io.k8s.display-name": "n", "io.openshift.tags": "builder",
				"io.openshift.s2i.scripts-url": "image:///usr/libexec/s2i"}},
		Layers: [][]it.File{{
			it.Dir("etc", 0o755, 0, 0), {Name: "etc/passwd", Body: "root:x:0:0::/root:/bin/sh\n"}, it.Dir("tmp", 0o1777, 0, 0),
			it.Dir("opt/app-root", 0o775, 1001, 0), it.Dir("opt/app-root/src", 0o775, 1001, 0), it.Dir("usr/libexec/s2i", 0o755, 0, 0),
			{Name: "usr/libexec/s2i/assemble", Mode: 0o755, Body: "#!/bin/sh\nset -e\ncp -Rf /tmp/src/. ./\n"},
			{Name: "usr/libexec/s2i/run", Mode: 0o755, Body: "#!/bin/sh\nexec python3 -m http.server 8080\n"},
		}},
	}
	for _, opt := range args[2:] {
		switch k, v, _ := strings.Cut(opt, "="); k {
		case "user":
			img.Config.User = v
		case "sshd":
			img.Layers = append(img.Layers, []it.File{it.Dir("usr/sbin", 0o755, 0, 0), {Name: "usr/sbin/sshd", Mode: 0o755, Body: "fake"}})
		case "port":
			port = v
		default:
			ts.Fatalf("mkimage: unknown option %q", opt)
		}
	}
	img.Config.ExposedPorts = map[string]struct{}{port + "/tcp": {}}
	img.Config.Labels["io.openshift.expose-services"] = port + ":http"
	dir := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(dir, 0o755))
	img.WriteLayout(tsTB{ts}, filepath.Clean(dir), args[1])
}

// tsTB lets imagetest report through a TestScript.
type tsTB struct{ ts *testscript.TestScript }

func (t tsTB) Helper()           {}
func (t tsTB) Fatal(args ...any) { t.ts.Fatalf("%v", args...) }
func (t tsTB) TempDir() string {
	d, err := os.MkdirTemp(t.ts.Getenv("WORK"), "tmp")
	t.ts.Check(err)
	return d
}
