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
	artifacts := map[string][]string{"generic": {"deps"}, "python": {".venv", ".cache/pip"}, "nodejs": {"node_modules"}, "static": nil,
		"ruby": {"vendor/bundle"}, "java": {".m2", ".gradle", "target"}, "go": {"go/pkg/mod", ".cache/go-build"}, "php": {"vendor", ".composer/cache"}}
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

// TestJavaAssembleMavenAndGradlePaths runs the java preset's assemble with
// stand-in mvn and gradlew (a real Maven or Gradle build needs a repository
// this test machine cannot reach; the e2e test proves the javac path): the
// arguments it passes, the mirror settings it writes and the jar it picks.
func TestJavaAssembleMavenAndGradlePaths(t *testing.T) {
	s := presetSpec(t, "java", "golden")
	script := string(renderRepo(t, s).content(t, "s2i/bin/assemble"))
	cases := []struct {
		name   string
		files  map[string]string // the application source
		tool   string            // a stand-in put on PATH (empty: in the source)
		env    []string
		argsIn string // what the stand-in's argument log must contain
		jar    string // the jar that must become app.jar
	}{
		{
			name:  "maven",
			files: map[string]string{"pom.xml": "<project/>"},
			tool:  "mvn",
			env:   []string{"MAVEN_MIRROR_URL=http://mirror.example/maven2", "MAVEN_ARGS_APPEND=-Pprod"},
			// The built jar, not the sources jar or the shade plugin's original.
			argsIn: "-B --settings HOME/.m2/settings.xml -DskipTests -Dmaven.repo.local=HOME/.m2/repository -Pprod package",
			jar:    "target/demo-1.0.jar",
		},
		{
			name:   "gradle wrapper",
			files:  map[string]string{"build.gradle": "plugins { id 'java' }", "gradlew": ""},
			env:    []string{"GRADLE_ARGS=--offline"},
			argsIn: "--no-daemon -x test --offline build",
			jar:    "build/libs/demo-1.0.jar",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			src, artifacts, home, bin := filepath.Join(tmp, "src"), filepath.Join(tmp, "artifacts"), filepath.Join(tmp, "home"), filepath.Join(tmp, "bin")
			for _, d := range []string{src, artifacts, home, bin} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			// The stand-in records its arguments and makes the jars a real
			// build would, plus the ones assemble must not pick.
			standIn := "#!/bin/sh\necho \"$@\" > \"$HOME/args\"\n" +
				"mkdir -p target build/libs\n" +
				"for j in target/demo-1.0.jar target/demo-1.0-sources.jar target/original-demo-1.0.jar build/libs/demo-1.0.jar build/libs/demo-1.0-plain.jar; do echo \"$j\" > \"$j\"; done\n"
			for name, content := range tc.files {
				mode := os.FileMode(0o644)
				if name == "gradlew" {
					content, mode = standIn, 0o755
				}
				if err := os.WriteFile(filepath.Join(src, name), []byte(content), mode); err != nil {
					t.Fatal(err)
				}
			}
			if tc.tool != "" {
				if err := os.WriteFile(filepath.Join(bin, tc.tool), []byte(standIn), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			// The s2i paths point at this test's directories.
			body := strings.NewReplacer("/tmp/src", src, "/tmp/artifacts", artifacts).Replace(script)
			env := append([]string{"HOME=" + home, "PATH=" + bin + ":/usr/bin:/bin"}, tc.env...)
			out, errOut, code := runScript(t, []byte(body), env)
			if code != 0 {
				t.Fatalf("assemble: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			args, err := os.ReadFile(filepath.Join(home, "args"))
			if err != nil {
				t.Fatalf("the build tool did not run: %v\n%s", err, out)
			}
			if got := strings.ReplaceAll(strings.TrimSpace(string(args)), home, "HOME"); got != tc.argsIn {
				t.Errorf("arguments %q, want %q", got, tc.argsIn)
			}
			app, err := os.ReadFile(filepath.Join(home, "app.jar"))
			if err != nil || strings.TrimSpace(string(app)) != tc.jar {
				t.Errorf("app.jar is %q (%v), want a copy of %s", app, err, tc.jar)
			}
			if tc.tool == "mvn" {
				settings, err := os.ReadFile(filepath.Join(home, ".m2", "settings.xml"))
				if err != nil || !strings.Contains(string(settings), "<url>http://mirror.example/maven2</url>") {
					t.Errorf("MAVEN_MIRROR_URL is not in settings.xml: %q (%v)", settings, err)
				}
			}
		})
	}
}
