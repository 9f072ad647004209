//go:build unix

package scaffold_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/kiln-s2i/kiln/scaffold"
)

// TestModesFollowUmaskAndAuthor: new files were always 0644/0755 whatever
// the umask, and render reset an author's README 0600 to 0644 (issue 10).
func TestModesFollowUmaskAndAuthor(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	dir := t.TempDir()
	files := goldenFiles(t)
	writeAll(t, dir, files)
	for path, want := range map[string]fs.FileMode{"README.md": 0o600, "s2i/bin/run": 0o700, "Dockerfile": 0o600} {
		if info, err := os.Stat(filepath.Join(dir, path)); err != nil || info.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v under umask 077", path, info.Mode().Perm(), err, want)
		}
	}

	syscall.Umask(0o022)
	readme := filepath.Join(dir, "README.md")
	if err := os.WriteFile(readme, []byte("kiln's, edited\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(readme, 0o640); err != nil {
		t.Fatal(err)
	}
	plan, err := scaffold.Plan(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.Apply(true); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(readme); info.Mode().Perm() != 0o640 {
		t.Errorf("README.md has mode %v after a forced render, want the author's 0640", info.Mode().Perm())
	}
}
