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

// fullSpec uses every feature at once, so its golden files show them all:
// several ports, tcp probes, secrets, volumes, certification and extra labels.
func fullSpec(t testing.TB) *scaffold.Spec {
	s := presetSpec(t, "nodejs", "full")
	s.Description = `A "full" builder: it's $HOME, ${X} and \ kept as they are.`
	s.Maintainer = "Kiln Team <kiln@example.com>"
	s.Source = "https://example.com/kiln/full-builder"
	s.Licenses = "Apache-2.0"
	s.Certification = &scaffold.Certification{Name: "full", Vendor: "Example", Version: "1.0", Release: "1", Summary: "Full builder", Description: "Every feature", Maintainer: "certs@example.com"}
	s.Ports = []scaffold.Port{{Number: 8080, Protocol: "tcp", Name: "http"}, {Number: 9090, Protocol: "tcp"}, {Number: 5353, Protocol: "udp", Name: "dns"}}
	s.Readiness = scaffold.Probe{Type: "http", Path: "/ready", Port: 9090}
	s.Liveness = scaffold.Probe{Type: "tcp"}
	s.UID = 1000
	s.WritableDirs = []string{"/opt/app-root", "/var/lib/full"}
	s.Env = append(s.Env, scaffold.EnvVar{Name: "APP_GREETING", Value: "it's \"hi\""}, scaffold.EnvVar{Name: "DB_PASSWORD"})
	s.Secrets = []string{"API_TOKEN", "ON"}
	s.Volumes = []string{"/var/lib/full/data"}
	s.Wants = []string{"postgresql"}
	s.NonScalable = true
	s.MinMemory, s.MinCPU = "1Gi", "500m"
	s.Labels = []scaffold.Label{{Key: "com.example.team", Value: "kiln"}}
	s.Incremental = false
	s.PackageManager, s.Packages = "apk", []string{"curl", "tini"}
	return s
}

// TestGolden compares every rendered file of each preset, and of fullSpec,
// with testdata/golden/NAME/, and the file modes with testdata/golden/NAME.modes.
// Refresh with: go test ./scaffold -run TestGolden -update
func TestGolden(t *testing.T) {
	specs := map[string]*scaffold.Spec{"full": fullSpec(t)}
	for _, preset := range scaffold.PresetNames() {
		specs[preset] = presetSpec(t, preset, "golden")
	}
	for name, spec := range specs {
		t.Run(name, func(t *testing.T) {
			files, err := scaffold.Render(spec)
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join("testdata", "golden", name)
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
	t.Run("full", func(t *testing.T) {
		s := fullSpec(t)
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		checkRepo(t, s, renderRepo(t, s), &sc)
	})
	sc.run(t)
}
