package main

import (
	"errors"
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

	"github.com/kiln-s2i/kiln/builder"
)

// openPTY opens a pseudo-terminal of w×h: kiln sees a real terminal on the
// slave; the test reads what it draws and types on the master.
func openPTY(t *testing.T, w, h uint16) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Col: w, Row: h}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { master.Close(); slave.Close() })
	return master, slave
}

// fakePodman is an engine CLI that fails every command the way podman
// does without its base image: enough for the UI to show a failed build.
// The build's real paths are tested with podman in builder and e2e tests.
func fakePodman(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "podman")
	script := "#!/bin/sh\necho 'Error: fake engine for a UI test: nothing is built here' >&2\nexit 125\n"
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAccessibleBuildPrintsPlainLines: on a real terminal with TERM=dumb,
// kiln new asks line by line, and "Build and test now?" → yes runs the
// build in plain lines: no full-screen progress view, no escape sequences,
// and it ends by itself (the view would wait for q).
func TestAccessibleBuildPrintsPlainLines(t *testing.T) {
	kiln, err := exec.LookPath("kiln") // the test binary, as testscript.Main put it on PATH
	if err != nil {
		t.Fatal(err)
	}
	master, slave := openPTY(t, 80, 24)
	dir := filepath.Join(t.TempDir(), "acc")
	cmd := exec.Command(kiln, "new", dir, "--yes", "--defaults")
	env := []string{"TERM=dumb", "KILN_ENGINE=" + fakePodman(t)}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TERM=") && !strings.HasPrefix(kv, "NO_COLOR=") && !strings.HasPrefix(kv, "KILN_") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	var errOut syncBuffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, &errOut
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true} // the pty is its controlling terminal
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close() // the child has its own; the master reads EIO once it exits
	var out syncBuffer
	copied := make(chan struct{})
	go func() { io.Copy(&out, master); close(copied) }()
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()

	waitFor(t, &out, "Write these files? [Y/n]: ")
	io.WriteString(master, "\n")
	waitFor(t, &out, "Build and test now? [Y/n]: ")
	io.WriteString(master, "\n")
	select {
	case err = <-waited:
	case <-time.After(waitDeadline): // bounds the wait; not a timing assertion
		cmd.Process.Kill()
		<-waited
		t.Fatalf("the build did not end by itself (a full-screen view waits for q):\n%q", out.String())
	}
	<-copied
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitFailed {
		t.Fatalf("exit: %v, want %d (the fake engine fails the build)\n%s\nstderr:\n%s", err, exitFailed, out.String(), errOut.String())
	}
	o := out.String()
	if i := strings.Index(o, "\x1b"); i >= 0 {
		t.Errorf("escape sequence in the output after accessible mode: %q", o[max(0, i-40):min(len(o), i+40)])
	}
	build := builder.StepBuildBuilder.String()
	for _, want := range []string{
		"[" + builder.StepLint.String() + "] started",
		"[" + build + "] FAILED after",
		"fake engine for a UI test",
		"FAILED", // the summary's verdict
	} {
		if !strings.Contains(o, want) {
			t.Errorf("the plain output lacks %q:\n%s", want, o)
		}
	}
	if got := strings.Count(errOut.String(), "kiln: "); got != 1 {
		t.Errorf("the final error is printed %d times, want once:\n%s", got, errOut.String())
	}
}
