package tui

import (
	"context"
	"os"
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
