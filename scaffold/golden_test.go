package scaffold_test

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-s2i/kiln/scaffold"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// presetSpec is what `kiln new DIR --preset P --defaults` builds for DIR golden.
func presetSpec(t testing.TB, preset, name string) *scaffold.Spec {
	t.Helper()
	s, err := scaffold.Defaults(preset)
	if err != nil {
		t.Fatal(err)
	}
	s.Name = name
	s.FillDefaults()
	return s
}

// TestGolden compares every rendered file of each preset with
// testdata/golden/PRESET/, and the file modes with testdata/golden/PRESET.modes.
// Refresh with: go test ./scaffold -run TestGolden -update
func TestGolden(t *testing.T) {
	for _, preset := range scaffold.PresetNames() {
		t.Run(preset, func(t *testing.T) {
			files, err := scaffold.Render(presetSpec(t, preset, "golden"))
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join("testdata", "golden", preset)
			var modes strings.Builder
			for _, f := range files {
				fmt.Fprintf(&modes, "%04o %s\n", f.Mode.Perm(), f.Path)
			}
			modesFile := dir + ".modes"
			if *update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				for _, f := range files {
					p := filepath.Join(dir, filepath.FromSlash(f.Path))
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, f.Content, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				if err := os.WriteFile(modesFile, []byte(modes.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var onDisk []string
			err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(dir, p)
					onDisk = append(onDisk, filepath.ToSlash(rel))
				}
				return err
			})
			if err != nil {
				t.Fatalf("%v (run go test ./scaffold -run TestGolden -update)", err)
			}
			var rendered []string
			for _, f := range files {
				rendered = append(rendered, f.Path)
				want, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
				if err != nil {
					t.Errorf("%s: no golden file: %v (run with -update)", f.Path, err)
					continue
				}
				if !bytes.Equal(f.Content, want) {
					t.Errorf("%s differs from its golden file (run with -update and review the diff):\n%s", f.Path, lineDiff(string(want), string(f.Content)))
				}
			}
			slices.Sort(onDisk)
			if !slices.Equal(onDisk, rendered) {
				t.Errorf("golden files %q, rendered files %q (run with -update)", onDisk, rendered)
			}
			wantModes, err := os.ReadFile(modesFile)
			if err != nil || string(wantModes) != modes.String() {
				t.Errorf("file modes:\n%s\ndiffer from %s (%v):\n%s", modes.String(), modesFile, err, wantModes)
			}
		})
	}
}

// lineDiff shows the first differing lines, enough to see what changed.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  golden:   %q\n  rendered: %q\n", i+1, wl, gl)
			shown++
		}
	}
	return b.String()
}

// TestRenderDeterministic: the same spec renders the same bytes, every time.
func TestRenderDeterministic(t *testing.T) {
	specs := map[string]*scaffold.Spec{}
	for _, preset := range scaffold.PresetNames() {
		specs[preset] = presetSpec(t, preset, "golden")
	}
	for i, s := range randomSpecs(t, 20, 7) {
		specs[fmt.Sprintf("random-%d", i)] = s
	}
	for name, s := range specs {
		first, err := scaffold.Render(s)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		second, err := scaffold.Render(s.Clone())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(first) != len(second) {
			t.Fatalf("%s: %d files, then %d", name, len(first), len(second))
		}
		for i := range first {
			a, b := first[i], second[i]
			if a.Path != b.Path || a.Mode != b.Mode || !bytes.Equal(a.Content, b.Content) {
				t.Errorf("%s: %s rendered differently the second time", name, a.Path)
			}
		}
	}
}

// TestPresets runs every check on each preset's repo.
func TestPresets(t *testing.T) {
	var sc shellcheckBatch
	for _, preset := range scaffold.PresetNames() {
		t.Run(preset, func(t *testing.T) {
			s := presetSpec(t, preset, "golden")
			if err := s.Validate(); err != nil {
				t.Fatalf("the preset's defaults are not valid: %v", err)
			}
			checkRepo(t, s, renderRepo(t, s), &sc)
		})
	}
	sc.run(t)
}
