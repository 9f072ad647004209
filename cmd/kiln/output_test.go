package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kiln-s2i/kiln/builder"
)

var sampleEvents = []builder.Event{
	{Kind: builder.StepStarted, Step: "build builder", Index: 1, Total: 9},
	{Kind: builder.StepStarted, Step: "RUN make", Parent: "build builder", Index: 2, Total: 4},
	{Kind: builder.StepLog, Step: "RUN make", Parent: "build builder", Stream: "stdout", Line: "compiling"},
	{Kind: builder.StepFinished, Step: "RUN make", Parent: "build builder", Index: 2, Total: 4, Duration: time.Second},
	{Kind: builder.StepError, Step: "RUN false", Parent: "build builder", Line: "Error: building at STEP"},
	{Kind: builder.StepFinished, Step: "RUN false", Parent: "build builder", Err: "exit status 1"},
	{Kind: builder.StepFinished, Step: "build builder", Index: 1, Total: 9, Duration: 1500 * time.Millisecond, Err: "build failed"},
	{Kind: builder.StepSkipped, Step: "usage", Message: "an earlier step failed: build builder"},
	{Kind: builder.StepWarning, Step: "s2i build", Message: "incremental build: no previous image"},
	{Kind: builder.Cleanup, Step: "cleanup", Message: "container kiln-test-app-1"},
	{Kind: builder.StepFinished, Step: "cleanup", Duration: 20 * time.Millisecond},
	{Kind: builder.RunFinished, Duration: 2 * time.Second, Err: "steps failed: 1 of 9 (build builder)"},
}

func TestPlainSinkOneLinePerEventWithStepPrefix(t *testing.T) {
	var buf bytes.Buffer
	sink := newPlainSink(&buf)
	for _, e := range sampleEvents {
		sink.Event(e)
	}
	want := `[build builder] started (1/9)
[build builder] STEP 2/4: RUN make
[build builder] compiling
[build builder] error: Error: building at STEP
[build builder] RUN false FAILED: exit status 1
[build builder] FAILED after 1.5s: build failed
[usage] skipped: an earlier step failed: build builder
[s2i build] warning: incremental build: no previous image
[cleanup] removed container kiln-test-app-1
[cleanup] ok (20ms)
[kiln] failed after 2s: steps failed: 1 of 9 (build builder)
`
	if buf.String() != want {
		t.Errorf("plain output:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func TestJSONSinkRoundTrips(t *testing.T) {
	var buf bytes.Buffer
	sink := newJSONSink(&buf)
	for _, e := range sampleEvents {
		sink.Event(e)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != len(sampleEvents) {
		t.Fatalf("%d JSON lines for %d events", len(lines), len(sampleEvents))
	}
	for i, l := range lines {
		var e builder.Event
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("line %d %q: %v", i, l, err)
		}
		if e != sampleEvents[i] {
			t.Errorf("line %d reads back as %+v, want %+v", i, e, sampleEvents[i])
		}
	}
	if !strings.Contains(lines[2], `"kind":"log"`) || !strings.Contains(lines[2], `"parent":"build builder"`) {
		t.Errorf("unexpected JSON shape: %s", lines[2])
	}
}

func TestEventSinkSelection(t *testing.T) {
	out := &bytes.Buffer{}
	f := newFactory(streams{out: out})
	f.progress = func(string, context.Context, context.CancelFunc) (builder.Sink, func(error)) {
		t.Error("the progress view opened without a terminal")
		return nil, nil
	}
	if sink, _ := f.eventSink(runOutputOptions{json: true}, "t", context.Background(), func() {}, true); !isType[*jsonSink](sink) {
		t.Errorf("--json gave %T", sink)
	}
	// A buffer is not a terminal: plain, even with a progress view available.
	if sink, _ := f.eventSink(runOutputOptions{}, "t", context.Background(), func() {}, false); !isType[*plainSink](sink) {
		t.Errorf("no TTY gave %T", sink)
	}
	// kiln test's plain output ends with the summary the progress view prints.
	sink, done := f.eventSink(runOutputOptions{}, "kiln test x", context.Background(), func() {}, true)
	for _, e := range []builder.Event{
		{Kind: builder.StepStarted, Step: "lint", Index: 1, Total: 2},
		{Kind: builder.StepFinished, Step: "lint", Index: 1, Total: 2, Duration: time.Second},
		{Kind: builder.StepSkipped, Step: "usage", Index: 2, Total: 2, Message: "an earlier step failed"},
		{Kind: builder.RunFinished, Duration: 2 * time.Second},
	} {
		sink.Event(e)
	}
	done(nil)
	want := "[lint] started (1/2)\n[lint] ok (1s)\n[usage] skipped: an earlier step failed\n[kiln] done in 2s\n\n" +
		"kiln test x: ok in 2.0s\n  lint   ok       1.0s\n  usage  skipped  an earlier step failed\n"
	if out.String() != want {
		t.Errorf("plain output with summary:\n%s\nwant:\n%s", out, want)
	}
}

func isType[T any](v any) bool { _, ok := v.(T); return ok }

func TestRunErrorExitCodes(t *testing.T) {
	ctx, cancel := signalContext()
	defer cancel()
	var ee *exitError
	if err := runError(ctx, errors.New("x")); !errors.As(err, &ee) || ee.code != exitFailed {
		t.Errorf("a failure: %v", err)
	}
	cancel()
	if err := runError(ctx, errors.New("x")); !errors.As(err, &ee) || ee.code != exitCanceled {
		t.Errorf("a cancelled run: %v", err)
	}
}

// SIGHUP, SIGTERM and SIGINT cancel a run alike (the process survives
// them); kiln exits 128+signal, names the signal, and claims everything was
// removed only when nothing was left behind.
func TestSignalsCancelTheRun(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT} {
		ctx, stop := signalContext()
		if err := syscall.Kill(os.Getpid(), sig); err != nil {
			t.Fatal(err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
			t.Fatalf("%v did not cancel the run", sig)
		}
		// a second signal during the cleanup is ignored, not fatal; seen
		// here too, so the test knows it was delivered before stop
		seen := make(chan os.Signal, 1)
		signal.Notify(seen, sig)
		if err := syscall.Kill(os.Getpid(), sig); err != nil {
			t.Fatal(err)
		}
		select {
		case <-seen:
		case <-time.After(10 * time.Second):
			t.Fatalf("the second %v never came", sig)
		}
		var ee *exitError
		err := runErrorLeft(ctx, context.Canceled, nil)
		name := unix.SignalName(sig)
		if !errors.As(err, &ee) || ee.code != 128+int(sig) || err.Error() != "cancelled by "+name+"; everything this run created was removed" {
			t.Errorf("%s, nothing left: exit %d, %v", name, ee.code, err)
		}
		err = runErrorLeft(ctx, context.Canceled, []string{"container kiln-test-app-1 (podman rm: busy)", "temporary directory /tmp/kiln-engine-1 (permission denied)"})
		if !errors.As(err, &ee) || ee.code != 128+int(sig) || strings.Contains(err.Error(), "everything") ||
			!strings.Contains(err.Error(), "cancelled by "+name+"; 2 thing(s) this run created could not be removed; remove them by hand:\n  container kiln-test-app-1 (podman rm: busy)\n  temporary directory /tmp/kiln-engine-1") {
			t.Errorf("%s, two things left: exit %d, %v", name, ee.code, err)
		}
		stop()
		signal.Stop(seen)
	}
	// not cancelled, but something left: exit 1 naming it
	var ee *exitError
	err := runErrorLeft(context.Background(), nil, []string{"tag localhost/kiln-build-1:from (podman untag: x)"})
	if !errors.As(err, &ee) || ee.code != exitFailed || !strings.Contains(err.Error(), "tag localhost/kiln-build-1:from") {
		t.Errorf("a run that left a tag: %v", err)
	}
}

// TestDevNullIsNoTerminal: /dev/null is a character device, not a terminal;
// kiln must not start its UI on it (CI redirects to it).
func TestDevNullIsNoTerminal(t *testing.T) {
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTTY(f) {
		t.Fatal("/dev/null was taken for a terminal")
	}
}
