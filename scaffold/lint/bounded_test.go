package lint

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestPathsRefuseEndlessInput: kiln lint on /dev/zero grew memory without
// limit and a FIFO named Dockerfile hung it (issue 10); both are now a
// *ParseError at once, as is a Dockerfile or kiln.yaml over the size limit.
func TestPathsRefuseEndlessInput(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo", "Dockerfile")
	if err := os.Mkdir(filepath.Dir(fifo), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	huge := filepath.Join(dir, "huge")
	if err := os.Mkdir(huge, 0o755); err != nil {
		t.Fatal(err)
	}
	big := "FROM x:1\n" + strings.Repeat("# padding\n", 500_000)
	if err := os.WriteFile(filepath.Join(huge, "Dockerfile"), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	yamlFifo := filepath.Join(dir, "yamlfifo")
	if err := os.Mkdir(yamlFifo, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(yamlFifo, "Dockerfile"), []byte("FROM x:1\nUSER 1001\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(yamlFifo, "kiln.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/dev/zero":                           "character device",
		fifo:                                  "named pipe",
		filepath.Join(huge, "Dockerfile"):     "larger than",
		huge:                                  "larger than",
		filepath.Join(yamlFifo, "Dockerfile"): "named pipe",
		yamlFifo:                              "named pipe",
	} {
		_, err := Paths([]string{path}, Options{})
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), want) {
			t.Errorf("Paths(%s) = %v, want a *ParseError saying %q", path, err, want)
		}
	}
}
