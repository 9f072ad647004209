package scaffold_test

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-s2i/kiln/scaffold"
)

// runScript runs a rendered script with sh in a clean environment.
func runScript(t *testing.T, content []byte, env []string, args ...string) (stdout, stderr []byte, code int) {
	t.Helper()
	script := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(script, content, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/sh", append([]string{script}, args...)...)
	cmd.Env = append([]string{"PATH=/usr/bin:/bin"}, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.Bytes(), errOut.Bytes(), code
}

// TestRunRefusesToStartWithoutItsSecrets (G11): s2i/bin/run stops with exit
// 1 and names every missing secret, before it starts anything.
func TestRunRefusesToStartWithoutItsSecrets(t *testing.T) {
	for _, preset := range scaffold.PresetNames() {
		t.Run(preset, func(t *testing.T) {
			s := presetSpec(t, preset, "golden")
			s.Secrets = []string{"DB_PASSWORD", "API_TOKEN", "ON"}
			run := renderRepo(t, s).content(t, "s2i/bin/run")
			home := t.TempDir()

			out, errOut, code := runScript(t, run, []string{"HOME=" + home, "API_TOKEN="})
			if code != 1 || len(out) != 0 {
				t.Errorf("run without secrets: exit %d, stdout %q; want exit 1 and nothing on stdout", code, out)
			}
			for _, name := range s.Secrets {
				if !strings.Contains(string(errOut), name) {
					t.Errorf("run without secrets does not name %s: %q", name, errOut)
				}
			}

			_, errOut, code = runScript(t, run, []string{"HOME=" + home, "DB_PASSWORD=x", "ON=y"})
			if code != 1 || !strings.Contains(string(errOut), "API_TOKEN") || strings.Contains(string(errOut), "DB_PASSWORD") {
				t.Errorf("run missing only API_TOKEN: exit %d, stderr %q; want exit 1 naming API_TOKEN alone", code, errOut)
			}

			// With every secret set, run gets past the check to the app,
			// which the empty HOME lacks.
			_, errOut, _ = runScript(t, run, []string{"HOME=" + home, "DB_PASSWORD=x", "API_TOKEN=y", "ON=z"})
			if strings.Contains(string(errOut), "required secret") {
				t.Errorf("run with every secret set still complains: %q", errOut)
			}
		})
	}
}

// TestSaveArtifactsStreamsOnlyATar (G29): save-artifacts writes a tar of the
// artifacts that exist, and nothing else, to stdout; an empty tar when none do.
func TestSaveArtifactsStreamsOnlyATar(t *testing.T) {
	artifacts := map[string][]string{"generic": {"deps"}, "python": {".local", ".cache/pip"}, "nodejs": {"node_modules"}, "static": nil}
	for _, preset := range scaffold.PresetNames() {
		t.Run(preset, func(t *testing.T) {
			s := presetSpec(t, preset, "golden")
			s.Incremental = true
			script := renderRepo(t, s).content(t, "s2i/bin/save-artifacts")
			home := t.TempDir()

			names := func(stdout []byte) []string {
				var got []string
				tr := tar.NewReader(bytes.NewReader(stdout))
				for {
					h, err := tr.Next()
					if err == io.EOF {
						return got
					}
					if err != nil {
						t.Fatalf("save-artifacts' stdout is not a tar: %v", err)
					}
					got = append(got, strings.TrimSuffix(h.Name, "/"))
				}
			}
			out, _, code := runScript(t, script, []string{"HOME=" + home})
			if code != 0 || len(names(out)) != 0 {
				t.Errorf("with nothing to save: exit %d, entries %q; want exit 0 and an empty tar", code, names(out))
			}

			want := artifacts[preset]
			if len(want) == 0 {
				return
			}
			// Only the first artifact exists, with one file in it.
			if err := os.MkdirAll(filepath.Join(home, want[0]), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(home, want[0], "kept"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			out, errOut, code := runScript(t, script, []string{"HOME=" + home})
			got := names(out)
			if code != 0 || !slices.Equal(got, []string{want[0], want[0] + "/kept"}) {
				t.Errorf("save-artifacts: exit %d, entries %q, stderr %q; want %s and %s/kept", code, got, errOut, want[0], want[0])
			}
		})
	}
}
