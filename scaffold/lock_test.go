package scaffold_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-s2i/kiln/scaffold"
)

// TestLockLeavesNothing: a kiln that takes a new directory's lock and
// writes nothing (bad input, say) leaves no directory behind.
func TestLockLeavesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "repo")
	l, err := scaffold.Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, scaffold.LockFile)); err != nil {
		t.Fatalf("no lock file while the lock is held: %v", err)
	}
	if _, err := scaffold.Lock(dir); err == nil || !strings.Contains(err.Error(), "already holds its lock") {
		t.Errorf("a second Lock in the same process = %v, want an error", err)
	}
	l.Unlock()
	if _, err := os.Stat(filepath.Dir(dir)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s is left after the lock was released: %v", filepath.Dir(dir), err)
	}
}

// TestLockRefusesALinkOutside: a .kiln that is a symbolic link out of the
// repository gets no lock file (issue 10: writes stay inside the repo).
func TestLockRefusesALinkOutside(t *testing.T) {
	root := t.TempDir()
	dir, outside := filepath.Join(root, "repo"), filepath.Join(root, "outside")
	for _, d := range []string{dir, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("../outside", filepath.Join(dir, ".kiln")); err != nil {
		t.Fatal(err)
	}
	if _, err := scaffold.Lock(dir); err == nil || !strings.Contains(err.Error(), "outside the repository") {
		t.Fatalf("Lock = %v, want a refusal of the link", err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) > 0 {
		t.Errorf("Lock wrote %s outside the repository", entries[0].Name())
	}
}
