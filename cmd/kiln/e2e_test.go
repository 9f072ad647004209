package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kiln-s2i/kiln/builder/e2etest"
)

// kiln runs the CLI in-process and returns its exit code and output.
func kiln(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &out)
	return code, out.String()
}

// kilnOK runs the CLI in-process, fails the test unless it exits 0, and
// returns its standard output.
func kilnOK(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb strings.Builder
	if code := run(args, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("kiln %v: exit %d\n%s%s", args, code, out.String(), errb.String())
	}
	return out.String()
}

// newRepo writes a builder repo with kiln new and removes its image at the end.
func newRepo(t *testing.T, preset, from, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	code, out := kiln(t, "new", dir, "--preset", preset, "--defaults", "--from", from, "--pkg-manager", "none")
	if code != 0 {
		t.Fatalf("kiln new: exit %d\n%s", code, out)
	}
	e2etest.RemoveImageAtEnd(t, "localhost/"+name+":1.0")
	return dir
}

// testRun runs the repo's generated test/run against its image.
func testRun(t *testing.T, dir, image string) {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("test/run needs curl (apt-get install curl)")
	}
	cmd := exec.Command(filepath.Join(dir, "test", "run"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "IMAGE_NAME="+image, "ENGINE=podman")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("IMAGE_NAME=%s test/run: %v\n%s", image, err, out)
	}
	if !strings.Contains(string(out), "PASS") {
		t.Fatalf("test/run did not say PASS:\n%s", out)
	}
}

func TestE2EGenericRepoPassesKilnTestAndTestRun(t *testing.T) {
	e2etest.RequireEngine(t)
	base := e2etest.BusyboxBase(t)
	e2etest.LeakCheck(t)
	dir := newRepo(t, "generic", base, "kiln-e2e-generic")
	code, out := kiln(t, "test", dir, "--plain")
	if code != 0 {
		t.Fatalf("kiln test: exit %d\n%s", code, out)
	}
	for _, want := range []string{"---> Restored artifacts", "[verify image] ok", "[stop on SIGTERM] ok", "[cleanup] removed container"} {
		if !strings.Contains(out, want) {
			t.Errorf("kiln test output lacks %q:\n%s", want, out)
		}
	}
	testRun(t, dir, "localhost/kiln-e2e-generic:1.0")

	// --json: one event per line, for scripts.
	code, out = kiln(t, "build", dir, "--json")
	if code != 0 {
		t.Fatalf("kiln build --json: exit %d\n%s", code, out)
	}
	kinds := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e struct{ Kind, Step, Parent string }
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("kiln build --json printed a line that is not JSON: %q", line)
		}
		kinds[e.Kind] = true
	}
	if !kinds["step-started"] || !kinds["log"] || !kinds["step-finished"] {
		t.Errorf("kiln build --json lacks started/log/finished events: %v", kinds)
	}
}

func TestE2EPythonRepoPassesKilnTestAndTestRun(t *testing.T) {
	e2etest.RequireEngine(t)
	base := e2etest.RuntimeBase(t, "python")
	e2etest.LeakCheck(t)
	dir := filepath.Join(t.TempDir(), "kiln-e2e-python-app")
	if code, out := kiln(t, "new", dir, "--preset", "python", "--defaults", "--from", base, "--pkg-manager", "apt"); code != 0 {
		t.Fatalf("kiln new: exit %d\n%s", code, out)
	}
	e2etest.RemoveImageAtEnd(t, "localhost/kiln-e2e-python-app:1.0")
	code, out := kiln(t, "test", dir, "--plain")
	if code != 0 {
		t.Fatalf("kiln test: exit %d\n%s", code, out)
	}
	testRun(t, dir, "localhost/kiln-e2e-python-app:1.0")
}

func TestE2ERunScriptWithoutExecFailsTheStopStep(t *testing.T) {
	e2etest.RequireEngine(t)
	base := e2etest.BusyboxBase(t)
	e2etest.LeakCheck(t)
	dir := newRepo(t, "generic", base, "kiln-e2e-noexec")
	run := filepath.Join(dir, "s2i", "bin", "run")
	data, err := os.ReadFile(run)
	if err != nil {
		t.Fatal(err)
	}
	noExec := strings.Replace(string(data), "exec ./start", "./start", 1)
	if noExec == string(data) {
		t.Fatal("the generic run script has no `exec ./start` to remove")
	}
	if err := os.WriteFile(run, []byte(noExec), 0o755); err != nil {
		t.Fatal(err)
	}
	// kiln lint warns first: KL120 is a heuristic (it reads which command is
	// the server), so it warns without stopping the test (G05).
	code, out := kiln(t, "test", dir, "--plain")
	if code != exitFailed || !strings.Contains(out, "warning KL120") {
		t.Fatalf("kiln test: exit %d, want %d with a KL120 warning from the lint step\n%s", code, exitFailed, out)
	}
	// And the running container proves it: the stop step fails.
	if !strings.Contains(out, "[stop on SIGTERM] FAILED") || !strings.Contains(out, "without exec") {
		t.Errorf("the stop step did not fail naming exec:\n%s", out)
	}
	if !strings.Contains(out, "[readiness] ok") {
		t.Errorf("the app should have been ready before the stop step:\n%s", out)
	}
}

// fixtureBuilder builds one of builder/testdata/fixtures as an image.
func fixtureBuilder(t *testing.T, name, base string) string {
	t.Helper()
	ref := "localhost/kiln-e2e-fixture-" + name + ":1"
	dir := filepath.Join(e2etest.RepoRoot(t), "builder", "testdata", "fixtures", name)
	e2etest.RemoveImageAtEnd(t, ref)
	e2etest.Podman(t, "build", "-q", "--build-arg", "BASE="+base, "-t", ref, dir)
	return ref
}

func TestE2ENamedUserBuilderFailsAllowedUIDs(t *testing.T) {
	e2etest.RequireEngine(t)
	base := e2etest.BusyboxBase(t)
	e2etest.LeakCheck(t)
	img := fixtureBuilder(t, "named-user", base)
	src := filepath.Join(e2etest.RepoRoot(t), "builder", "testdata", "fixtures", "app")
	code, out := kiln(t, "s2i", "build", src, img, "localhost/kiln-e2e-never:1", "--allowed-uids", "1-", "--plain")
	if code != exitFailed {
		t.Fatalf("exit %d, want %d\n%s", code, exitFailed, out)
	}
	if !strings.Contains(out, `assemble user "app" (from the image's USER) is not a numeric UID, so it cannot be checked against the allowed UIDs (1-)`) {
		t.Errorf("no allowed-UIDs error:\n%s", out)
	}
}

func TestE2EFailingAssembleNamesTheStep(t *testing.T) {
	e2etest.RequireEngine(t)
	base := e2etest.BusyboxBase(t)
	e2etest.LeakCheck(t)
	img := fixtureBuilder(t, "builder", base)
	src := filepath.Join(e2etest.RepoRoot(t), "builder", "testdata", "fixtures", "failing-app")
	code, out := kiln(t, "s2i", "build", src, img, "localhost/kiln-e2e-never:1", "--plain")
	if code != exitFailed {
		t.Fatalf("exit %d, want %d\n%s", code, exitFailed, out)
	}
	if !strings.Contains(out, "build failed at RUN /opt/s2i/assemble (the assemble script)") {
		t.Errorf("the error does not name the assemble step:\n%s", out)
	}
	if !strings.Contains(out, "assemble: compiling went wrong") {
		t.Errorf("assemble's own output is missing:\n%s", out)
	}
}

// interruptKiln runs the kiln binary with args, sends it SIGINT once a line
// containing trigger appears, and returns its output; it must exit 130.
func interruptKiln(t *testing.T, bin, trigger string, args ...string) string {
	t.Helper()
	log, took := signalKiln(t, bin, nil, syscall.SIGINT, trigger, 500*time.Millisecond, args...)
	if took > 30*time.Second {
		t.Errorf("kiln took %s to stop after SIGINT", took)
	}
	return log
}

// signalKiln runs the kiln binary with args (env added to the test's), sends
// it sig delay after a line containing trigger appears, and returns its
// output and how long it took to stop; it must exit 128+sig and say it was
// cancelled by that signal.
func signalKiln(t *testing.T, bin string, env []string, sig syscall.Signal, trigger string, delay time.Duration, args ...string) (string, time.Duration) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	started := make(chan struct{})
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		sc := bufio.NewScanner(io.TeeReader(stdout, &log))
		signalled := false
		for sc.Scan() {
			if !signalled && strings.Contains(sc.Text(), trigger) {
				signalled = true
				close(started)
			}
		}
	}()
	select {
	case <-started:
	case <-readDone:
		cmd.Wait()
		t.Fatalf("kiln ended before %q:\n%s", trigger, log.String())
	case <-time.After(3 * time.Minute):
		cmd.Process.Kill()
		<-readDone
		cmd.Wait()
		t.Fatalf("%q never appeared:\n%s", trigger, log.String())
	}
	time.Sleep(delay)
	t0 := time.Now()
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	<-readDone // all output read before Wait closes the pipe
	err = cmd.Wait()
	took := time.Since(t0)
	if code := cmd.ProcessState.ExitCode(); code != 128+int(sig) {
		t.Fatalf("exit %d (%v) after %v, want %d\n%s", code, err, sig, 128+int(sig), log.String())
	}
	if !strings.Contains(log.String(), "cancelled by "+unix.SignalName(sig)) {
		t.Errorf("no word of the cancellation by %s:\n%s", unix.SignalName(sig), log.String())
	}
	return log.String(), took
}

func TestE2ECancelRemovesEverything(t *testing.T) {
	e2etest.RequireEngine(t)
	base := e2etest.BusyboxBase(t)
	e2etest.LeakCheck(t)
	bin := e2etest.KilnBinary(t)

	t.Run("mid-build", func(t *testing.T) {
		dir := newRepo(t, "generic", base, "kiln-e2e-cancel")
		// A slow step after cached ones: the build has made layers and has a
		// RUN container alive when it is interrupted.
		df := filepath.Join(dir, "Dockerfile")
		data, _ := os.ReadFile(df)
		slow := strings.Replace(string(data), "WORKDIR", "RUN echo slow-step-started && sleep 120\nWORKDIR", 1)
		if err := os.WriteFile(df, []byte(slow), 0o644); err != nil {
			t.Fatal(err)
		}
		log := interruptKiln(t, bin, "slow-step-started", "test", dir, "--plain")
		if !strings.Contains(log, "removed build container") {
			t.Errorf("the interrupted build's working container was not removed by kiln:\n%s", log)
		}
		// The first stage's container is named by kiln's unique --from tag,
		// and that tag is gone too: nothing of the build is left.
		if out := e2etest.Podman(t, "ps", "-a", "--external", "--format", "{{.Names}}"); strings.Contains(out, "kiln-build-") {
			t.Errorf("a working container of the build is left:\n%s", out)
		}
		if out := e2etest.Podman(t, "images", "--format", "{{.Repository}}"); strings.Contains(out, "kiln-build-") {
			t.Errorf("the build's --from tag is left:\n%s", out)
		}
	})

	t.Run("app-running", func(t *testing.T) {
		dir := newRepo(t, "generic", base, "kiln-e2e-cancel-run")
		// An app that never listens: kiln test waits in the readiness step
		// with the app container and the app image alive.
		start := filepath.Join(dir, "test", "test-app", "start")
		if err := os.WriteFile(start, []byte("#!/bin/sh\necho never listening\nexec sleep 300\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		log := interruptKiln(t, bin, "[readiness] started", "test", dir, "--plain")
		for _, want := range []string{"[cleanup] removed container kiln-test-app-", "[cleanup] removed image localhost/kiln-test-"} {
			if !strings.Contains(log, want) {
				t.Errorf("cleanup after Ctrl+C lacks %q:\n%s", want, log)
			}
		}
	})
}

func TestE2EDoctor(t *testing.T) {
	e2etest.RequireEngine(t)
	e2etest.LeakCheck(t)
	code, out := kiln(t, "doctor", "--engine", "podman")
	if code != 0 {
		t.Fatalf("kiln doctor: exit %d\n%s", code, out)
	}
	for _, want := range []string{"ok   engine           podman ", "ok   storage", "ok   trial container"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}

	// Ulimits above what the kernel allows fail the way this kind of VM does.
	bad := filepath.Join(t.TempDir(), "containers.conf")
	conf := "[containers]\ndefault_ulimits = [\"nofile=2000000000:2000000000\"]\n[engine]\nruntime = \"runc\"\n"
	if err := os.WriteFile(bad, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CONTAINERS_CONF", bad)
	code, out = kiln(t, "doctor", "--engine", "podman")
	if code != exitFailed {
		t.Fatalf("kiln doctor with impossible ulimits: exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{"FAIL trial container", "default ulimits are above what this sandbox allows", `runtime = "runc"`, "export CONTAINERS_CONF="} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
}

func TestE2EUsageRunsTheUsageScript(t *testing.T) {
	e2etest.RequireEngine(t)
	base := e2etest.BusyboxBase(t)
	e2etest.LeakCheck(t)
	img := fixtureBuilder(t, "builder", base)
	code, out := kiln(t, "usage", img)
	if code != 0 || out != "kiln fixture builder: kiln s2i build SRC IMAGE OUT\n" {
		t.Errorf("kiln usage: exit %d, output %q", code, out)
	}
	code, out = kiln(t, "usage", "localhost/kiln-e2e-no-such-image:1")
	if code != exitFailed || !strings.Contains(out, "localhost/kiln-e2e-no-such-image:1") {
		t.Errorf("kiln usage of a missing image: exit %d\n%s", code, out)
	}
}

func TestE2EBuildahEngine(t *testing.T) {
	e2etest.RequireEngine(t)
	if _, err := exec.LookPath("buildah"); err != nil {
		t.Fatal("buildah is not installed (apt-get install buildah)")
	}
	base := e2etest.BusyboxBase(t)
	e2etest.LeakCheck(t)
	img := fixtureBuilder(t, "builder", base)
	fixtures := filepath.Join(e2etest.RepoRoot(t), "builder", "testdata", "fixtures")
	const out = "localhost/kiln-e2e-buildah-app:1"
	e2etest.RemoveImageAtEnd(t, out)
	code, log := kiln(t, "s2i", "build", filepath.Join(fixtures, "app"), img, out, "--engine", "buildah", "--plain")
	if code != 0 || !strings.Contains(log, "[s2i build] STEP 1/") {
		t.Fatalf("kiln s2i build with buildah: exit %d\n%s", code, log)
	}
	// A failed buildah build leaves neither its working container nor its last layer.
	code, log = kiln(t, "s2i", "build", filepath.Join(fixtures, "failing-app"), img, "localhost/kiln-e2e-never:1", "--engine", "buildah", "--plain")
	if code != exitFailed || !strings.Contains(log, "build failed at RUN /opt/s2i/assemble (the assemble script): buildah build:") {
		t.Fatalf("failing build with buildah: exit %d\n%s", code, log)
	}
}

// unrelatedBuild starts a podman build that has nothing to do with the test
// (another user of the machine: its own label, not the test's) and returns
// its tag. Call it before LeakCheck: its cleanup, which waits for the build,
// requires it to have succeeded (nothing of it was removed under it) and
// removes its image, then runs after the leak check.
func unrelatedBuild(t *testing.T, base string, sleep int) string {
	t.Helper()
	id := fmt.Sprintf("%d", time.Now().UnixNano())
	ref := "localhost/kiln-e2e-unrelated-" + id + ":1"
	dir := t.TempDir()
	df := fmt.Sprintf("FROM %s\nRUN echo one > /one\nRUN sleep %d\nRUN echo two > /two\n", base, sleep)
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("podman", "build", "--label", "io.kiln.unrelated="+id, "-t", ref, dir)
	cmd.Env = append(os.Environ(), "KILN_LABEL=") // not the test's label
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cmd.Wait(); err != nil {
			t.Errorf("the unrelated podman build failed: %v\n%s", err, out.String())
		}
		if !e2etest.ImageExists(ref) {
			t.Errorf("the unrelated build's image %s is gone", ref)
		}
		for _, img := range strings.Fields(e2etest.Podman(t, "images", "-q", "--filter", "label=io.kiln.unrelated="+id)) {
			e2etest.Podman(t, "rmi", "-f", img)
		}
	})
	return ref
}

// Another podman user building on the same machine during an e2e test
// neither fails the test's leak check nor loses anything to kiln.
func TestE2EConcurrentUnrelatedBuild(t *testing.T) {
	e2etest.RequireEngine(t)
	base := e2etest.BusyboxBase(t)
	unrelatedBuild(t, base, 20)
	e2etest.LeakCheck(t)
	img := fixtureBuilder(t, "builder", base)
	src := filepath.Join(e2etest.RepoRoot(t), "builder", "testdata", "fixtures", "app")
	out := "localhost/kiln-e2e-concurrent-app:1"
	e2etest.RemoveImageAtEnd(t, out)
	if code, text := kiln(t, "s2i", "build", src, img, out, "--plain"); code != 0 {
		t.Fatalf("kiln s2i build: exit %d\n%s", code, text)
	}
	if got := e2etest.Podman(t, "image", "inspect", "--format", "{{index .Labels \""+e2etest.LabelKey+"\"}}", out); got == "" {
		t.Errorf("kiln's image lacks the test's label %s", e2etest.LabelKey)
	}
}
