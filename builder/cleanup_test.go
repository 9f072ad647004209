package builder

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln-s2i/kiln/builder/image"
)

// fakePodman writes a fake podman that logs its arguments to log and runs
// body (sh) for them.
func fakePodman(t *testing.T, body string) (e *Engine, log string) {
	t.Helper()
	dir := t.TempDir()
	log = filepath.Join(dir, "calls")
	script := filepath.Join(dir, "podman")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$*\" >> "+log+"\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return &Engine{Kind: Podman, Path: script}, log
}

func collect(events *[]Event) *Logger {
	return &Logger{r: newReporter(SinkFunc(func(e Event) { *events = append(*events, e) })), step: "cleanup"}
}

func kinds(events []Event, k EventKind) []string {
	var out []string
	for _, e := range events {
		if e.Kind == k {
			out = append(out, e.Message)
		}
	}
	return out
}

// The tracker's cleanup runs on a fresh context: the run's, cancelled by a
// signal, does not stop the removals.
func TestTrackerCleanupRunsAfterCancellation(t *testing.T) {
	e, _ := fakePodman(t, "exit 0\n")
	tr := NewTracker(e)
	tr.Container("kiln-test-app-1")
	tr.Image("localhost/kiln-test-1-app:latest")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var events []Event
	if err := tr.Cleanup(ctx, collect(&events)); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(kinds(events, Cleanup), "; ")
	if got != "container kiln-test-app-1; image localhost/kiln-test-1-app:latest" {
		t.Errorf("removed after cancellation: %q", got)
	}
}

// What the cleanup cannot remove is reported by name with the engine's
// reason, after a few tries; what is not there is not reported.
func TestTrackerCleanupNamesWhatItLeft(t *testing.T) {
	e, calls := fakePodman(t, `case "$1 $2" in
"container exists") for a; do :; done; [ "$a" = kiln-gone ] && exit 1; exit 0 ;;
"image exists") exit 0 ;;
"rm -f") echo "Error: container is in use: device or resource busy" >&2; exit 125 ;;
esac
exit 0
`)
	tr := NewTracker(e)
	tr.Container("kiln-busy")
	tr.Container("kiln-gone")
	tr.Image("localhost/kiln-test-2-app:latest")
	var events []Event
	err := tr.Cleanup(context.Background(), collect(&events))
	if err == nil || !strings.Contains(err.Error(), "kiln-busy") {
		t.Errorf("err = %v, want one naming kiln-busy", err)
	}
	left := kinds(events, LeftBehind)
	if len(left) != 1 || !strings.HasPrefix(left[0], "container kiln-busy (") || !strings.Contains(left[0], "device or resource busy") {
		t.Errorf("left behind: %q", left)
	}
	if got := kinds(events, Cleanup); len(got) != 1 || got[0] != "image localhost/kiln-test-2-app:latest" {
		t.Errorf("removed: %q", got)
	}
	data, _ := os.ReadFile(calls)
	if n := strings.Count(string(data), "rm -f -t 0 kiln-busy"); n != removeTries {
		t.Errorf("rm of the busy container tried %d times, want %d:\n%s", n, removeTries, data)
	}
	for _, e := range events {
		if strings.Contains(e.Message, "kiln-gone") {
			t.Errorf("a container that is not there is reported: %+v", e)
		}
	}
}

// A removal that hangs is given up at the cleanup's deadline, and the
// report says so.
func TestCleanupDeadline(t *testing.T) {
	defer func(d, g time.Duration) { CleanupTimeout, killGrace = d, g }(CleanupTimeout, killGrace)
	CleanupTimeout, killGrace = 300*time.Millisecond, 100*time.Millisecond
	e, _ := fakePodman(t, `case "$1" in rm) exec sleep 30 ;; esac
exit 0
`)
	tr := NewTracker(e)
	tr.Container("kiln-hung")
	var events []Event
	_ = tr.Cleanup(context.Background(), collect(&events))
	left := kinds(events, LeftBehind)
	if len(left) != 1 || !strings.Contains(left[0], "kiln-hung") || !strings.Contains(left[0], "cleanup deadline (300ms) passed") {
		t.Errorf("left behind: %q", left)
	}
}

// Every engine invocation gets a per-run TMPDIR under $TMPDIR, and Close
// removes it with what the engine left in it.
func TestEngineTempDir(t *testing.T) {
	base := t.TempDir()
	t.Setenv("TMPDIR", base)
	e, _ := fakePodman(t, `mkdir "$TMPDIR/buildah123" "$TMPDIR/storage456" && echo "$TMPDIR"`)
	var dirs []string
	for range 2 {
		out, err := e.Output(context.Background(), "build")
		if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, strings.TrimSpace(string(out)))
		os.RemoveAll(filepath.Join(dirs[0], "buildah123"))
		os.RemoveAll(filepath.Join(dirs[0], "storage456"))
	}
	if dirs[0] != dirs[1] || filepath.Dir(dirs[0]) != base || !strings.HasPrefix(filepath.Base(dirs[0]), "kiln-engine-") {
		t.Fatalf("TMPDIR of the engine = %q, want one kiln-engine-* directory in %s", dirs, base)
	}
	if _, err := e.Output(context.Background(), "build"); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(base); len(entries) != 0 {
		t.Errorf("left in $TMPDIR after Close: %v", entries)
	}
}

// A cached step's `--> <id>` line names the cached layer again: only the
// layers a build really committed are its own to remove after an
// interruption (removing the last cached one deleted the builder image a
// previous run had tagged). Lines as podman 4.3 prints them.
func TestBuildLayersTellsCommittedFromCached(t *testing.T) {
	out := `STEP 1/4: FROM localhost/kiln-build-fc2e4565ba:from
STEP 2/4: ENV PORT="8080"
--> Using cache e2d2916e4e0969c9eed672b733c19152075e20a7262be87fc6628f320dab3a6c
--> e2d2916e4e0
STEP 3/4: RUN echo hi
hi
--> 3f1c2b4a5d6
STEP 4/4: LABEL "io.kiln.test"="f7bc9e818128"
COMMIT kiln-e2e-signals:1.0
--> 9b8c33f33ef
Successfully tagged localhost/kiln-e2e-signals:1.0
9b8c33f33ef0d9a99348d9be7d286ea007843609c577f1a34244992ef5169a44`
	var b buildLayers
	for _, l := range strings.Split(out, "\n") {
		b.line(l)
	}
	if got := strings.Join(b.committed, " "); got != "3f1c2b4a5d6 9b8c33f33ef" {
		t.Errorf("committed = %q", got)
	}
	if got := strings.Join(b.layers, " "); got != "e2d2916e4e0969c9eed672b733c19152075e20a7262be87fc6628f320dab3a6c 3f1c2b4a5d6 9b8c33f33ef" {
		t.Errorf("layers = %q", got)
	}
	// the final step from the cache too: nothing is the build's own
	b = buildLayers{}
	for _, l := range []string{"--> Using cache 9b8c33f33ef0d9a99348d9be7d286ea007843609c577f1a34244992ef5169a44", "COMMIT kiln-e2e-signals:1.0", "--> 9b8c33f33ef"} {
		b.line(l)
	}
	if len(b.committed) != 0 {
		t.Errorf("a fully cached build committed %q", b.committed)
	}
}

// An interrupted build's first-stage container has kiln's name: it is
// removed by name even when listing the containers fails (another podman
// user's removal races with listings), and the failed listing is reported
// instead of the claim that nothing is left.
func TestRemoveLeftoversWhenTheListingFails(t *testing.T) {
	e, calls := fakePodman(t, `case "$1" in
ps) echo "Error: image not known" >&2; exit 125 ;;
esac
exit 0
`)
	var events []Event
	r := newReporter(SinkFunc(func(ev Event) { events = append(events, ev) }))
	brokenChildren = func([]string) ([]image.BrokenImage, error) { return nil, nil }
	defer func() { brokenChildren = image.BrokenChildren }()
	e.removeLeftovers(context.Background(), r, "build", BuildOptions{From: "localhost/kiln-s2i-0123456789:from"}, nil, []string{"3f1c2b4a5d6"})
	if got := kinds(events, Cleanup); len(got) != 1 || got[0] != "build container kiln-s2i-0123456789-working-container" {
		t.Errorf("removed: %q", got)
	}
	if left := kinds(events, LeftBehind); len(left) != 1 || !strings.Contains(left[0], "working containers of the build's steps") || !strings.Contains(left[0], "image not known") {
		t.Errorf("left behind: %q", left)
	}
	data, _ := os.ReadFile(calls)
	if strings.Count(string(data), "ps -a") != removeTries {
		t.Errorf("the listing was not tried %d times:\n%s", removeTries, data)
	}
}
