package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer collects a child's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitDeadline bounds a wait for a child's output; it is not a timing assertion.
const waitDeadline = 60 * time.Second

// waitFor polls out until it holds want.
func waitFor(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(waitDeadline)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the output never showed %q; it shows:\n%s", want, out.String())
		}
		time.Sleep(10 * time.Millisecond) // polling interval
	}
}

// TestAccessibleCtrlCSaysWhatWasWritten runs the real kiln new --accessible
// with its answers on a pipe and interrupts it (Ctrl+C is SIGINT) at a
// question: before the review nothing is written and kiln says so; at
// "Build and test now?" the files are written and kiln says that.
func TestAccessibleCtrlCSaysWhatWasWritten(t *testing.T) {
	kiln, err := exec.LookPath("kiln") // the test binary, as testscript.Main put it on PATH
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		args    []string
		answers string // typed before the interrupt
		prompt  string // the question the interrupt comes at
		stderr  string
		written bool
	}{
		{"at the first question", nil, "", "Image name [", "kiln: cancelled: nothing was written\n", false},
		{"at the second screen", nil, "\n2.0\n\n\n\n\n\n", "Preset [", "kiln: cancelled: nothing was written\n", false},
		{"at build now", []string{"--yes", "--defaults"}, "\n", "Build and test now? [Y/n]: ",
			"kiln: cancelled: the files are written in DIR; nothing was built\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "acc")
			cmd := exec.Command(kiln, append([]string{"new", dir, "--accessible"}, tc.args...)...)
			cmd.Env = append(os.Environ(), "NO_COLOR=1")
			in, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			var out, errOut syncBuffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer in.Close() // the input stays open, like a person thinking
			if _, err := io.WriteString(in, tc.answers); err != nil {
				t.Fatal(err)
			}
			waitFor(t, &out, tc.prompt)
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			err = cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitCanceled {
				t.Fatalf("exit: %v, want %d\nstdout:\n%s\nstderr:\n%s", err, exitCanceled, out.String(), errOut.String())
			}
			if want := strings.ReplaceAll(tc.stderr, "DIR", dir); errOut.String() != want {
				t.Errorf("stderr = %q, want %q", errOut.String(), want)
			}
			_, statErr := os.Stat(filepath.Join(dir, "kiln.yaml"))
			if written := statErr == nil; written != tc.written {
				t.Errorf("kiln.yaml written: %v, want %v", written, tc.written)
			}
		})
	}
}
