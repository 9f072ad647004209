package scaffold_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-s2i/kiln/scaffold"
)

// TestPlanRefusesLinksOutOfTheRepo: with d/s2i -> ../other, kiln new and
// kiln render wrote the four scripts into other/bin (issue 10). A link out
// of the repo on the way to any file is refused before anything is
// written; a link inside the repo, and a repo behind a link, are fine.
func TestPlanRefusesLinksOutOfTheRepo(t *testing.T) {
	files := goldenFiles(t)
	for name, tt := range map[string]struct {
		link, target string // link inside the repo, and where it points
		refused      bool
	}{
		"subdirectory out": {"s2i", "../other", true},
		"nested out":       {"s2i/bin", "../../other", true},
		"manifest dir out": {".kiln", "../other", true},
		"absolute out":     {"openshift", "OTHER", true},
		"inside the repo":  {"s2i", "real-s2i", false},
	} {
		t.Run(name, func(t *testing.T) {
			base := t.TempDir()
			dir, other := filepath.Join(base, "d"), filepath.Join(base, "other")
			for _, d := range []string{dir, other, filepath.Join(dir, "real-s2i")} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			target := strings.Replace(tt.target, "OTHER", other, 1)
			link := filepath.Join(dir, filepath.FromSlash(tt.link))
			if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			plan, err := scaffold.Plan(dir, files)
			if tt.refused {
				if err == nil || !strings.Contains(err.Error(), "outside the repository") {
					t.Fatalf("Plan = %v, want a refusal naming the link", err)
				}
				if entries, _ := os.ReadDir(other); len(entries) > 0 {
					t.Errorf("%s got files: %v", other, entries)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := plan.Apply(false); err != nil {
				t.Fatal(err)
			}
		})
	}
	// The repo itself behind a link: its files are inside it.
	base := t.TempDir()
	if err := os.Mkdir(filepath.Join(base, "real"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real", filepath.Join(base, "repo")); err != nil {
		t.Fatal(err)
	}
	if _, err := scaffold.Plan(filepath.Join(base, "repo"), files); err != nil {
		t.Errorf("a repo behind a link: %v", err)
	}
}
