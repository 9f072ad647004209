package bounded

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestRefuses: FIFOs, devices, directories and oversized files are refused
// promptly with a clear error; a regular file (also through a symlink) reads.
func TestRefuses(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "Dockerfile")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, MaxSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	ok := filepath.Join(dir, "ok")
	if err := os.WriteFile(ok, []byte("FROM x:1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("ok", link); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		fifo:        "named pipe",
		"/dev/zero": "character device",
		dir:         "directory",
		big:         "larger than 4 MiB",
	} {
		for _, read := range []func() ([]byte, error){
			func() ([]byte, error) { return ReadFile(name) },
			func() ([]byte, error) { return ReadFS(os.DirFS(filepath.Dir(name)), filepath.Base(name)) },
		} {
			_, err := read()
			var be *Error
			if !errors.As(err, &be) || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: err = %v, want an *Error saying %q", name, err, want)
			}
		}
	}
	for _, name := range []string{ok, link} {
		if b, err := ReadFile(name); err != nil || string(b) != "FROM x:1\n" {
			t.Errorf("ReadFile(%s) = %q, %v", name, b, err)
		}
	}
}
