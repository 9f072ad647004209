package scaffold_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/kiln-s2i/kiln/scaffold"
)

// killSpec is the answer change the killed update applies.
func killSpec(t *testing.T) *scaffold.Spec {
	s := presetSpec(t, "python", "golden")
	s.Ports[0].Number = 9090
	s.Incremental = false // save-artifacts is removed
	return s
}

// TestKillHelper is the process TestUpdateKilledBetweenFiles kills: it
// updates KILN_KILL_DIR and SIGKILLs itself after KILN_KILL_AFTER writes.
func TestKillHelper(t *testing.T) {
	dir := os.Getenv("KILN_KILL_DIR")
	if dir == "" {
		t.Skip("run by TestUpdateKilledBetweenFiles")
	}
	after, _ := strconv.Atoi(os.Getenv("KILN_KILL_AFTER"))
	n := 0
	scaffold.SetTestHookAfterWrite(func(string) {
		if n++; n == after {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // the signal is on its way
		}
	})
	reRender(t, dir, builtin, killSpec(t))
	fmt.Printf("writes=%d\n", n)
}

// copyTree copies the regular files of src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	for p, v := range tree(t, src) {
		mode, content, _ := strings.Cut(v, " ")
		if !strings.HasPrefix(mode, "-") {
			continue
		}
		target := filepath.Join(dst, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		perm := os.FileMode(0o644)
		if strings.Contains(mode, "x") {
			perm = 0o755
		}
		if err := os.WriteFile(target, []byte(content), perm); err != nil {
			t.Fatal(err)
		}
	}
}

// workFiles is the repo without kiln's record of its render.
func workFiles(t *testing.T, dir string) map[string]string {
	m := tree(t, dir)
	for p := range m {
		if p == ".kiln" || strings.HasPrefix(p, ".kiln/") {
			delete(m, p)
		}
	}
	return m
}

// TestUpdateKilledBetweenFiles kills an update (SIGKILL, in a child
// process) after each of its writes in turn: every file is then either old
// or new, never partial, and running the update again gives exactly what an
// uninterrupted update gives.
func TestUpdateKilledBetweenFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process per write")
	}
	start, _ := newRepo(t, "python")
	edit(t, start, "Dockerfile", "USER 1001\n", "USER 1001\n# mine\n")
	edit(t, start, "s2i/bin/assemble", "set -eu\n", "set -eu\n# mine\n")
	old := workFiles(t, start)

	whole := t.TempDir()
	copyTree(t, start, whole)
	reRender(t, whole, builtin, killSpec(t))
	want := workFiles(t, whole)

	writes := 0
	for after := 1; writes == 0 || after <= writes; after++ {
		dir := t.TempDir()
		copyTree(t, start, dir)
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillHelper$", "-test.v")
		cmd.Env = append(os.Environ(), "KILN_KILL_DIR="+dir, "KILN_KILL_AFTER="+strconv.Itoa(after))
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != -1 {
			// not killed: the update finished, having written fewer times than after
			if err != nil {
				t.Fatalf("helper: %v\n%s", err, out)
			}
			if _, err := fmt.Sscanf(string(out[strings.Index(string(out), "writes="):]), "writes=%d", &writes); err != nil {
				t.Fatalf("helper output: %s", out)
			}
			if after <= writes {
				t.Fatalf("the helper was not killed after write %d of %d", after, writes)
			}
			break
		}
		for p, v := range workFiles(t, dir) {
			if strings.Contains(filepath.Base(p), ".kiln-") {
				continue // a temporary file of the killed run
			}
			if v != old[p] && v != want[p] {
				t.Errorf("killed after write %d: %s is neither old nor new:\n%s", after, p, v)
			}
		}
		reRender(t, dir, builtin, killSpec(t))
		if got := workFiles(t, dir); !mapsEqual(got, want) {
			for p := range want {
				if got[p] != want[p] {
					t.Errorf("killed after write %d, then updated again: %s differs from an uninterrupted update:\n%s\nwant:\n%s", after, p, got[p], want[p])
				}
			}
			for p := range got {
				if _, ok := want[p]; !ok {
					t.Errorf("killed after write %d, then updated again: %s is left", after, p)
				}
			}
		}
	}
	if writes < 3 {
		t.Errorf("the update wrote %d times: the test kills nothing of interest", writes)
	}
}
