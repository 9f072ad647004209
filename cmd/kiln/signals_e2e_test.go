package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kiln-s2i/kiln/builder/e2etest"
)

// kiln doctor finds the images an interrupted commit left without a
// manifest, names them and says how to repair the store; once they are
// removed as it says, the store is healthy again. The broken state is made
// in a store of the test's own (CONTAINERS_STORAGE_CONF), never the user's.
func TestE2EDoctorFindsImagesWithoutManifest(t *testing.T) {
	podman := e2etest.RequireEngine(t)
	bin := e2etest.KilnBinary(t)
	conf := e2etest.StorageConf(t)
	_, child, other := e2etest.BrokenCommit(t, conf)
	env := append(os.Environ(), "CONTAINERS_STORAGE_CONF="+conf)
	doctor := func() (int, string) {
		cmd := exec.Command(bin, "doctor", "--engine", "podman")
		cmd.Env = env
		out, _ := cmd.CombinedOutput()
		return cmd.ProcessState.ExitCode(), string(out)
	}
	code, out := doctor()
	if code != exitFailed {
		t.Errorf("kiln doctor on a store with images without a manifest: exit %d, want %d\n%s", code, exitFailed, out)
	}
	for _, want := range []string{"FAIL images", "2 image(s) without a manifest", child[:12], other[:12], "remedy: once no build is running, remove them: podman rmi -f "} {
		if !strings.Contains(out, want) {
			t.Errorf("kiln doctor output lacks %q:\n%s", want, out)
		}
	}
	// The remedy, as printed, repairs the store.
	i := strings.Index(out, "podman rmi -f ")
	if i < 0 {
		t.FailNow()
	}
	args := strings.Fields(strings.SplitN(out[i:], "\n", 2)[0])[1:]
	rmi := exec.Command(podman, args...)
	rmi.Env = env
	if o, err := rmi.CombinedOutput(); err != nil {
		t.Fatalf("the remedy %v failed: %v\n%s", args, err, o)
	}
	images := exec.Command(podman, "images", "-a")
	images.Env = env
	if o, err := images.CombinedOutput(); err != nil {
		t.Errorf("podman images -a still fails after the remedy: %v\n%s", err, o)
	}
	if _, out := doctor(); !strings.Contains(out, "ok   images           every local image has a manifest") {
		t.Errorf("kiln doctor after the repair:\n%s", out)
	}
}

// noLeftovers fails the test if the run with label left a container, an
// image (besides the builder image keep and its layers, which kiln test
// keeps), one of kiln's tags, a temporary directory in tmp, or a store that
// podman cannot list. It empties tmp for the next run.
func noLeftovers(t *testing.T, label, keep, base, tmp, log string) {
	t.Helper()
	left := e2etest.Leftovers(t, label, keep, base)
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries {
		left = append(left, "temporary directory "+e.Name())
		os.RemoveAll(filepath.Join(tmp, e.Name()))
	}
	if broken := brokenStore(); broken != "" {
		left = append(left, "a broken store: "+broken)
	}
	if len(left) > 0 {
		t.Errorf("left behind:\n  %s\nkiln said:\n%s", strings.Join(left, "\n  "), log)
	}
	claimed := strings.Contains(log, "everything this run created was removed")
	if claimed && len(left) > 0 {
		t.Error("kiln claimed everything was removed")
	}
	if !claimed && !strings.Contains(log, "could not be removed") {
		t.Errorf("kiln says neither that everything was removed nor what was not:\n%s", log)
	}
}

// brokenStore is podman's complaint about an image without a manifest
// ("" when none): podman images -a fails on one and podman images warns
// that it "may be corrupted". A listing that fails because another podman
// user removed an image meanwhile ("image not known") is tried again.
func brokenStore() string {
	for range 3 {
		out, err := exec.Command("podman", "images", "-a").CombinedOutput()
		text := string(out)
		if strings.Contains(text, `item named "manifest"`) || strings.Contains(text, "may be corrupted") {
			return text
		}
		if err == nil || !strings.Contains(text, "image not known") {
			return ""
		}
		time.Sleep(time.Second)
	}
	return ""
}

// SIGHUP, SIGTERM and SIGINT each stop kiln test at the start of each of
// its steps; every time, what the run created is removed (counted by the
// run's own label) and kiln exits 128+signal saying so. The signals take
// turns over the steps; KILN_SIGNAL_MATRIX=1 sends all three at every step.
func TestE2ESignalsAtEachStepOfKilnTest(t *testing.T) {
	e2etest.RequireEngine(t)
	base := e2etest.BusyboxBase(t)
	label := e2etest.LeakCheck(t)
	bin := e2etest.KilnBinary(t)
	dir := newRepo(t, "generic", base, "kiln-e2e-signals")
	const keep = "localhost/kiln-e2e-signals:1.0"
	tmp := t.TempDir()
	env := []string{"TMPDIR=" + tmp}
	// The builder image first, so that each run below gets to its step soon.
	if code, out := kiln(t, "build", dir, "--plain"); code != 0 {
		t.Fatalf("kiln build: exit %d\n%s", code, out)
	}
	signals := []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT}
	steps := []string{"lint", "build builder", "verify image", "usage", "s2i build", "incremental build",
		"run as arbitrary UID", "readiness", "stop on SIGTERM", "logs on stdout"}
	for i, step := range steps {
		sigs := []syscall.Signal{signals[i%len(signals)]}
		if os.Getenv("KILN_SIGNAL_MATRIX") == "1" {
			sigs = signals
		}
		for _, sig := range sigs {
			t.Run(unix.SignalName(sig)+" at "+step, func(t *testing.T) {
				log, _ := signalKiln(t, bin, env, sig, "["+step+"] started", 0, "test", dir, "--plain")
				noLeftovers(t, label, keep, base, tmp, log)
			})
		}
	}
}

// The terminal of kiln test's progress view is closed (tmux's server is
// killed, which hangs the pane up): kiln gets SIGHUP with the app container
// running, closes the view without waiting for a key, removes what the run
// created and exits.
func TestE2EHangupInTheProgressView(t *testing.T) {
	e2etest.RequireEngine(t)
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is not installed (apt-get install tmux)")
	}
	base := e2etest.BusyboxBase(t)
	label := e2etest.LeakCheck(t)
	bin := e2etest.KilnBinary(t)
	dir := newRepo(t, "generic", base, "kiln-e2e-hangup")
	// An app that never listens: kiln test waits in the readiness step.
	start := filepath.Join(dir, "test", "test-app", "start")
	if err := os.WriteFile(start, []byte("#!/bin/sh\necho never listening\nexec sleep 300\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	socket := fmt.Sprintf("kiln-hup-%d-%d", os.Getpid(), time.Now().UnixNano())
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", append([]string{"-L", socket}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	tmux("new-session", "-d", "-s", "kiln", "-x", "120", "-y", "40", "env", "TERM=xterm-256color", "TMPDIR="+tmp,
		"KILN_LABEL="+label, "CONTAINERS_CONF="+os.Getenv("CONTAINERS_CONF"), "PATH="+os.Getenv("PATH"), bin, "test", dir)
	t.Cleanup(func() { exec.Command("tmux", "-L", socket, "kill-server").Run() })
	pid, err := strconv.Atoi(tmux("display", "-p", "-t", "kiln", "#{pane_pid}"))
	if err != nil {
		t.Fatal(err)
	}
	// wait for the app container: the run step has made it
	deadline := time.Now().Add(5 * time.Minute)
	for e2etest.Podman(t, "ps", "-q", "--filter", "label="+label, "--filter", "name=kiln-test-app-") == "" {
		if time.Now().After(deadline) {
			t.Fatalf("the app container never ran; the pane shows:\n%s", tmux("capture-pane", "-p", "-t", "kiln"))
		}
		time.Sleep(200 * time.Millisecond) // polling interval
	}
	tmux("kill-server") // the terminal is gone: SIGHUP
	// kiln is not this test's child: wait for its PID to go, bounded by the
	// cleanup deadline and the engine's kill grace.
	deadline = time.Now().Add(builderCleanupBound)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("kiln was still running %s after SIGHUP", builderCleanupBound)
		}
		time.Sleep(200 * time.Millisecond) // polling interval
	}
	left := e2etest.Leftovers(t, label, "localhost/kiln-e2e-hangup:1.0", base)
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries {
		left = append(left, "temporary directory "+e.Name())
	}
	if len(left) > 0 {
		t.Errorf("left behind after SIGHUP in the progress view:\n  %s", strings.Join(left, "\n  "))
	}
}

// builderCleanupBound is how long a signalled kiln may take to exit: the
// engine's kill grace and the cleanup's deadline, and then some. It bounds
// a wait for a process that is not the test's child, not a speed goal.
const builderCleanupBound = 4 * time.Minute
