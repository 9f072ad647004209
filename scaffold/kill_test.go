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

// TestKillHelper is the process TestUpdateKilledAtEachStep kills: it
// updates KILN_KILL_DIR and SIGKILLs itself at step KILN_KILL_AT of the
// write (see scaffold.SetTestHookStep), or prints how many steps it took.
func TestKillHelper(t *testing.T) {
	dir := os.Getenv("KILN_KILL_DIR")
	if dir == "" {
		t.Skip("run by TestUpdateKilledAtEachStep")
	}
	at, _ := strconv.Atoi(os.Getenv("KILN_KILL_AT"))
	n := 0
	scaffold.SetTestHookStep(func(step string) error {
		if n++; n == at {
			fmt.Printf("killed at %s\n", step)
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // the signal is on its way
		}
		return nil
	})
	if _, err := reRender(t, dir, builtin, killSpec(t)); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("steps=%d\n", n)
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

// TestUpdateKilledAtEachStep kills an update (SIGKILL, in a child process)
// at each step of its write in turn (issue 10: 7% of kills left a mix of
// old and new files with a stale manifest, 23% left temp files). Killed,
// every file is old or new, never partial; the next update finishes or
// rolls back the killed one, and then the repo, kiln's record of it
// included, is exactly what an uninterrupted update gives: no temporary
// file, no journal, no lock, no conflict, and a further update has
// nothing to do.
func TestUpdateKilledAtEachStep(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process per step")
	}
	start, _ := newRepo(t, "python")
	edit(t, start, "Dockerfile", "USER 1001\n", "USER 1001\n# mine\n")
	edit(t, start, "s2i/bin/assemble", "set -eu\n", "set -eu\n# mine\n")
	old := workFiles(t, start)

	whole := t.TempDir()
	copyTree(t, start, whole)
	if _, err := reRender(t, whole, builtin, killSpec(t)); err != nil {
		t.Fatal(err)
	}
	want := tree(t, whole)

	steps := 0
	killedAt := map[string]bool{}
	for at := 1; steps == 0 || at <= steps; at++ {
		dir := t.TempDir()
		copyTree(t, start, dir)
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillHelper$", "-test.v")
		cmd.Env = append(os.Environ(), "KILN_KILL_DIR="+dir, "KILN_KILL_AT="+strconv.Itoa(at))
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != -1 {
			// not killed: the update finished, in fewer steps than at
			if err != nil {
				t.Fatalf("helper: %v\n%s", err, out)
			}
			if _, err := fmt.Sscanf(string(out[strings.Index(string(out), "steps="):]), "steps=%d", &steps); err != nil {
				t.Fatalf("helper output: %s", out)
			}
			if at <= steps {
				t.Fatalf("the helper was not killed at step %d of %d", at, steps)
			}
			break
		}
		step, _, _ := strings.Cut(string(out[strings.Index(string(out), "killed at ")+len("killed at "):]), "\n")
		killedAt[strings.Fields(step)[0]] = true
		for p, v := range workFiles(t, dir) {
			if strings.Contains(filepath.Base(p), ".kiln-") {
				continue // a temporary file of the killed run
			}
			if v != old[p] && v != want[p] {
				t.Errorf("killed at %s: %s is neither old nor new:\n%s", step, p, v)
			}
		}
		plan, err := reRender(t, dir, builtin, killSpec(t))
		if err != nil {
			t.Errorf("killed at %s, the next update fails: %v", step, err)
		}
		if c := plan.Conflicts(); len(c) > 0 {
			t.Errorf("killed at %s, the next update sees conflicts in %v", step, c)
		}
		got := tree(t, dir)
		for p := range want {
			if got[p] != want[p] {
				t.Errorf("killed at %s, then updated again: %s differs from an uninterrupted update:\n%s\nwant:\n%s", step, p, got[p], want[p])
			}
		}
		for p := range got {
			if _, ok := want[p]; !ok {
				t.Errorf("killed at %s, then updated again: %s is left", step, p)
			}
		}
		again, err := reRender(t, dir, builtin, killSpec(t))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range again.Files {
			if f.Status != scaffold.Identical {
				t.Errorf("killed at %s, updated, then updated again: %s is %s, want unchanged", step, f.Path, f.Status)
			}
		}
	}
	for _, s := range []string{"journal", "temp", "rename", "remove", "done"} {
		if !killedAt[s] {
			t.Errorf("no kill at a %q step (steps: %v)", s, killedAt)
		}
	}
}

// TestUpdateFailingAtEachStepChangesNothing fails an update at each step
// of its write in turn (in process): the repo, kiln's record included, is
// then exactly as before, with no temporary file, journal or lock.
func TestUpdateFailingAtEachStepChangesNothing(t *testing.T) {
	start, _ := newRepo(t, "python")
	edit(t, start, "Dockerfile", "USER 1001\n", "USER 1001\n# mine\n")
	before := tree(t, start)
	boom := errors.New("boom")
	defer scaffold.SetTestHookStep(nil)
	for at := 1; ; at++ {
		dir := t.TempDir()
		copyTree(t, start, dir)
		n, failedAt := 0, ""
		scaffold.SetTestHookStep(func(step string) error {
			if n++; n == at && step != "done" {
				failedAt = step
				return boom
			}
			return nil
		})
		_, err := reRender(t, dir, builtin, killSpec(t))
		if failedAt == "" {
			break // every step passed
		}
		if !errors.Is(err, boom) {
			t.Fatalf("failed at %s: Apply = %v, want the step's error", failedAt, err)
		}
		got := tree(t, dir)
		if !mapsEqual(got, before) {
			for p, v := range got {
				if before[p] != v {
					t.Errorf("failed at %s: %s changed or was left", failedAt, p)
				}
			}
			for p := range before {
				if _, ok := got[p]; !ok {
					t.Errorf("failed at %s: %s is gone", failedAt, p)
				}
			}
		}
		if at > 200 {
			t.Fatal("the write never ends")
		}
	}
}

// TestRecordDirectoryWritesNothing: with .kiln/rendered.sha256 (or a base
// copy) a directory, kiln cannot record its render, so it replaces nothing
// (issue 10: every other file had been replaced, then kiln exited 1).
func TestRecordDirectoryWritesNothing(t *testing.T) {
	for _, path := range []string{scaffold.ManifestFile, scaffold.BaseDir + "/README.md"} {
		t.Run(path, func(t *testing.T) {
			dir, _ := newRepo(t, "python")
			record := filepath.Join(dir, filepath.FromSlash(path))
			if err := os.Remove(record); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(record, 0o755); err != nil {
				t.Fatal(err)
			}
			before := tree(t, dir)
			files, err := scaffold.Render(killSpec(t))
			if err != nil {
				t.Fatal(err)
			}
			plan, err := scaffold.Plan(dir, files)
			if err == nil {
				err = plan.Apply(true)
			}
			if err == nil || !strings.Contains(err.Error(), filepath.Base(path)+" is a directory") {
				t.Fatalf("Apply = %v, want an error naming %s as a directory", err, path)
			}
			if got := tree(t, dir); !mapsEqual(got, before) {
				for p, v := range got {
					if before[p] != v {
						t.Errorf("%s changed or was left", p)
					}
				}
			}
		})
	}
}
