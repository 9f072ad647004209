package tui

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

// TestProgressRealPodman runs a real podman build through the builder into
// the progress view: a build whose last Dockerfile step fails, then one that
// passes. With KILN_E2E=1 a missing podman fails the test.
func TestProgressRealPodman(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	e2etest.RequireEngine(t)
	base := e2etest.BusyboxBase(t)
	e2etest.LeakCheck(t)
	e2etest.RemoveNewDanglingAtEnd(t)
	engine, err := builder.DetectEngine("podman")
	if err != nil {
		t.Fatal(err)
	}
	build := func(dockerfile, tag string) (string, error) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
			t.Fatal(err)
		}
		e2etest.RemoveImageAtEnd(t, tag)
		return runProgressForTest(t, strings.NewReader(""), ProgressOptions{ExitWhenDone: true},
			func(ctx context.Context, sink builder.Sink) error {
				return engine.Build(ctx, sink, "build", builder.BuildOptions{ContextDir: dir, Tags: []string{tag}})
			})
	}

	out, err := build("FROM "+base+"\nRUN echo hello-from-podman\nRUN echo about-to-fail >&2 && false\n", "localhost/kiln-tui-e2e:fail")
	if err == nil {
		t.Fatalf("the failing build succeeded:\n%s", out)
	}
	summary := out[strings.LastIndex(out, "kiln test: "):]
	for _, want := range []string{"kiln test: FAILED", "build", "FAILED", "↳ RUN echo about-to-fail", "last lines of build:", "about-to-fail"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the summary of the failed podman build lacks %q:\n%s", want, summary)
		}
	}

	out, err = build("FROM "+base+"\nRUN echo hello-from-podman\n", "localhost/kiln-tui-e2e:ok")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	summary = out[strings.LastIndex(out, "kiln test: "):]
	if !strings.HasPrefix(summary, "kiln test: ok") || !strings.Contains(summary, "build") {
		t.Errorf("the summary of the podman build:\n%s", summary)
	}
	if !strings.Contains(out, "hello-from-podman") {
		t.Errorf("the view never showed the build's output")
	}
}

// TestTmuxKilnBuildRealPodman runs `kiln build` on a 120x40 terminal against
// real podman: the progress view shows the build, q leaves, the summary
// stays; then a build cancelled with Ctrl+C cleans up and exits 130.
func TestTmuxKilnBuildRealPodman(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	e2etest.RequireEngine(t)
	base := e2etest.BusyboxBase(t)
	e2etest.LeakCheck(t)
	e2etest.RemoveNewDanglingAtEnd(t)
	kiln := goBuild(t, "github.com/kiln-s2i/kiln/cmd/kiln", "kiln")
	repo := func(name, dockerfile string) string {
		dir := filepath.Join(t.TempDir(), name)
		if out, err := exec.Command(kiln, "new", dir, "--defaults").CombinedOutput(); err != nil {
			t.Fatalf("kiln new: %v\n%s", err, out)
		}
		// kiln build builds whatever Dockerfile the repo has; a local base keeps it offline
		if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM "+base+"\n"+dockerfile), 0o644); err != nil {
			t.Fatal(err)
		}
		e2etest.RemoveImageAtEnd(t, "localhost/"+name+":1.0")
		e2etest.RemoveImageAtEnd(t, name+":1.0")
		return dir
	}
	env := "CONTAINERS_CONF=" + os.Getenv("CONTAINERS_CONF")

	t.Run("build", func(t *testing.T) {
		dir := repo("tui-e2e-ok", "RUN echo hello-from-kiln-build\n")
		s := startTmux(t, 120, 40, kiln+" build --engine podman "+dir, env)
		pane := s.waitFor("done")
		if !strings.Contains(pane, "✓ build") || !strings.Contains(pane, "RUN echo hello-from-kiln-build") {
			t.Errorf("the view does not show the build and its Dockerfile step:\n%s", pane)
		}
		s.keys("q")
		pane = s.waitFor("exited with")
		if !strings.Contains(pane, "exited with 0") || !strings.Contains(pane, "tui-e2e-ok:1.0: ok") {
			t.Errorf("after q:\n%s", pane)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		dir := repo("tui-e2e-cancel", "RUN echo started && sleep 60\n")
		s := startTmux(t, 120, 40, kiln+" build --engine podman "+dir, env)
		s.waitFor("started")
		s.run("send-keys", "-t", s.name, "C-c")
		pane := s.waitFor("cancelled after") // the header, once the run has ended
		if !strings.Contains(pane, "removed") {
			t.Errorf("the view does not say what the cleanup removed:\n%s", pane)
		}
		s.keys("q")
		pane = s.waitFor("exited with")
		if !strings.Contains(pane, "exited with 130") || !strings.Contains(pane, "tui-e2e-cancel:1.0: CANCELLED") {
			t.Errorf("a cancelled build did not exit 130:\n%s", pane)
		}
	})
}
