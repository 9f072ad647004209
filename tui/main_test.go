package tui

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

var binDir string

func TestMain(m *testing.M) {
	// goldens are compared without colour, whatever the test terminal supports
	lipgloss.SetColorProfile(termenv.Ascii)
	// drafts of unfinished wizards go to a cache of this run, not the user's
	cache, err := os.MkdirTemp("", "kiln-tui-cache")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CACHE_HOME", cache)
	code := m.Run()
	os.RemoveAll(cache)
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	buildErr  error
	buildOut  []byte
)

// goBuild builds a package of this module once per test run into a shared
// temporary directory and returns the binary's path.
func goBuild(t testing.TB, pkg, name string) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "kiln-tui-bin")
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	out := filepath.Join(binDir, name)
	if _, err := os.Stat(out); err == nil {
		return out
	}
	// -buildvcs=false: in a git checkout go build stamps a pseudo-version,
	// which kiln records as kilnVersion; the wizard run in this process is
	// "dev", and the trees are compared byte for byte.
	cmd := exec.Command("go", "build", "-buildvcs=false", "-tags", "containers_image_openpgp", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}
