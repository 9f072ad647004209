package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kiln-s2i/kiln/builder/e2etest"
	"github.com/kiln-s2i/kiln/scaffold/lint"
)

// presetReuse is, per language preset, the line its assemble logs on the
// incremental build when it reuses what save-artifacts kept: the proof that
// the restore was real, not just copied and ignored.
var presetReuse = map[string]string{
	"python": "Reusing the restored virtual environment's packages: requirements.txt is unchanged",
	"nodejs": "Reusing the restored node_modules: package.json and package-lock.json are unchanged",
	"ruby":   "Reusing the restored gems in vendor/bundle: Gemfile and Gemfile.lock are unchanged",
	"java":   "Reusing the restored classes in target/",
	"go":     "Reusing the restored Go build cache",
	"php":    "Nothing to install, update or remove",
}

// TestE2ELanguagePresets scaffolds each language preset with --from its e2e
// runtime image (Debian's packages of that language, made locally) and
// --pkg-manager apt, so the preset's own package list is installed, and
// requires kiln test to pass every step: lint, the builder build, usage,
// the s2i build, an incremental rebuild that restores and reuses the saved
// dependencies, a run as an arbitrary UID, HTTP 200, a stop on SIGTERM and
// logs; then kiln verify passes on the builder image. Run one with -run 'TestE2ELanguagePresets/go'.
func TestE2ELanguagePresets(t *testing.T) {
	for _, preset := range []string{"python", "nodejs", "ruby", "java", "go", "php"} {
		t.Run(preset, func(t *testing.T) {
			e2etest.RequireEngine(t)
			t0 := time.Now()
			base := e2etest.RuntimeBase(t, preset)
			if d := time.Since(t0); d > time.Second {
				t.Logf("runtime image %s made in %s", base, d.Round(time.Second))
			}
			e2etest.LeakCheck(t)
			name := "kiln-e2e-preset-" + preset
			dir := filepath.Join(t.TempDir(), name)
			code, out := kiln(t, "new", dir, "--preset", preset, "--defaults", "--from", base, "--pkg-manager", "apt")
			if code != 0 {
				t.Fatalf("kiln new: exit %d\n%s", code, out)
			}
			e2etest.RemoveImageAtEnd(t, "localhost/"+name+":1.0")

			// Zero lint findings, warnings included.
			findings, err := lint.Repo(dir, lint.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range findings {
				t.Errorf("kiln lint: %+v", f)
			}

			code, out = kiln(t, "test", dir, "--plain")
			if code != 0 {
				t.Fatalf("kiln test: exit %d\n%s", code, out)
			}
			for _, want := range []string{"[lint] ok", "[build builder] ok", "[usage] ok", "[s2i build] ok",
				"---> Restored artifacts", presetReuse[preset], "[incremental build] ok",
				"[run as arbitrary UID] ok", "[readiness] ok", "[stop on SIGTERM] ok", "[logs on stdout] ok"} {
				if !strings.Contains(out, want) {
					t.Errorf("kiln test output lacks %q", want)
				}
			}
			if t.Failed() {
				t.Fatalf("kiln test output:\n%s", out)
			}
			// The builder image kiln test built passes kiln verify, warnings included.
			code, vout := kiln(t, "verify", "--spec", dir, "localhost/"+name+":1.0")
			if code != 0 || strings.Contains(vout, "WARN") {
				t.Errorf("kiln verify: exit %d\n%s", code, vout)
			}
			clean, incr := stepDuration(out, "s2i build"), stepDuration(out, "incremental build")
			if clean > 0 && incr > 0 {
				t.Logf("%s: s2i build %s, incremental build %s: ratio clean/incremental %.2f", preset, clean, incr, float64(clean)/float64(incr))
			}
			if os.Getenv("KILN_E2E_VERBOSE") != "" {
				t.Log(out)
			}
		})
	}
}

// stepDuration reads a step's "[step] ok (1.2s)" line of --plain output.
func stepDuration(out, step string) time.Duration {
	m := regexp.MustCompile(`(?m)^\[` + regexp.QuoteMeta(step) + `\] ok \(([^)]+)\)`).FindStringSubmatch(out)
	if m == nil {
		return 0
	}
	d, _ := time.ParseDuration(m[1])
	return d
}
