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

// TestAssembleSkipsAnUnchangedInstall runs the nodejs, ruby and python
// presets' assemble with stand-in tools three times, the way incremental
// builds follow each other: a clean build installs and records its inputs in
// the dependency directory; a build that restores that directory (as
// save-artifacts and /tmp/artifacts hand it over) with the same lock file
// does not start the installer; a changed lock file, or an input the
// checksum cannot see (an npm install script, a local path in
// requirements.txt), installs again.
func TestAssembleSkipsAnUnchangedInstall(t *testing.T) {
	// Each stand-in logs "installer ran" to $HOME/installs when it installs.
	cases := []struct {
		preset   string
		depDir   string            // what save-artifacts keeps, relative to $HOME
		files    map[string]string // the application source
		tools    map[string]string // stand-ins on PATH
		changed  map[string]string // a change the next build must install again for
		unseen   map[string]string // a source whose install is never skipped
		reuseLog string
	}{
		{
			preset: "nodejs", depDir: "node_modules",
			files: map[string]string{"package.json": `{"name":"a"}`, "package-lock.json": `{"lockfileVersion":3}`},
			tools: map[string]string{
				// node -p prints its version and the install scripts package.json has.
				"node": "#!/bin/sh\ncase \"$(cat package.json)\" in *postinstall*) s=postinstall;; *) s=;; esac\necho \"v20.1.0 install scripts:$s\"\n",
				"npm":  "#!/bin/sh\necho installer ran >> \"$HOME/installs\"\nmkdir -p node_modules/dep\n",
			},
			changed:  map[string]string{"package-lock.json": `{"lockfileVersion":3,"packages":{}}`},
			unseen:   map[string]string{"package.json": `{"name":"a","scripts":{"postinstall":"make"}}`},
			reuseLog: "Reusing the restored node_modules: package.json and package-lock.json are unchanged",
		},
		{
			preset: "ruby", depDir: "vendor/bundle",
			files: map[string]string{"Gemfile": "gem 'rack'\n", "Gemfile.lock": "GEM\n  specs:\n    rack (3.0.0)\n"},
			tools: map[string]string{
				"ruby": "#!/bin/sh\necho 3.3.6 x86_64-linux\n",
				"bundle": "#!/bin/sh\nif [ \"$1\" = config ]; then mkdir -p .bundle; echo \"$*\" >> .bundle/config; exit 0; fi\n" +
					"echo installer ran >> \"$HOME/installs\"\nmkdir -p vendor/bundle/ruby\n",
			},
			changed:  map[string]string{"Gemfile.lock": "GEM\n  specs:\n    rack (3.0.1)\n"},
			reuseLog: "Reusing the restored gems in vendor/bundle: Gemfile and Gemfile.lock are unchanged",
		},
		{
			preset: "python", depDir: ".venv",
			files: map[string]string{"requirements.txt": "--no-index\n--find-links wheels\nflask==3.0.0\n"},
			tools: map[string]string{
				"python3": "#!/bin/sh\ncase \"$1\" in\n--version) echo Python 3.11.2;;\n" +
					"-m) if [ \"$2\" = venv ]; then mkdir -p \"$3/bin\"; printf '#!/bin/sh\\necho installer ran >> \"$HOME/installs\"\\n' > \"$3/bin/pip\"; printf '#!/bin/sh\\n' > \"$3/bin/python\"; chmod +x \"$3/bin/pip\" \"$3/bin/python\"; fi;;\nesac\n",
			},
			changed:  map[string]string{"requirements.txt": "--no-index\n--find-links wheels\nflask==3.0.1\n"},
			unseen:   map[string]string{"requirements.txt": "-e .\nflask==3.0.0\n"},
			reuseLog: "Reusing the restored virtual environment's packages: requirements.txt is unchanged",
		},
	}
	for _, tc := range cases {
		t.Run(tc.preset, func(t *testing.T) {
			s := presetSpec(t, tc.preset, "golden")
			s.Incremental = true
			script := string(renderRepo(t, s).content(t, "s2i/bin/assemble"))
			bin := t.TempDir()
			for name, content := range tc.tools {
				if err := os.WriteFile(filepath.Join(bin, name), []byte(content), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			var saved string // the dependency directory of the last build
			// build runs assemble on the source with what the last build saved.
			build := func(files map[string]string) (installed bool, log string) {
				t.Helper()
				tmp := t.TempDir()
				src, artifacts, home := filepath.Join(tmp, "src"), filepath.Join(tmp, "artifacts"), filepath.Join(tmp, "home")
				for _, d := range []string{src, artifacts, home} {
					if err := os.MkdirAll(d, 0o755); err != nil {
						t.Fatal(err)
					}
				}
				for name, content := range files {
					if err := os.WriteFile(filepath.Join(src, name), []byte(content), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				if saved != "" {
					dst := filepath.Join(artifacts, tc.depDir)
					if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
						t.Fatal(err)
					}
					if out, err := exec.Command("cp", "-Rp", saved, dst).CombinedOutput(); err != nil {
						t.Fatalf("%v: %s", err, out)
					}
				}
				body := strings.NewReplacer("/tmp/src", src, "/tmp/artifacts", artifacts).Replace(script)
				out, errOut, code := runScript(t, []byte(body), []string{"HOME=" + home, "PATH=" + bin + ":/usr/bin:/bin"})
				if code != 0 {
					t.Fatalf("assemble: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
				}
				saved = filepath.Join(home, tc.depDir)
				_, err := os.Stat(filepath.Join(home, "installs"))
				return err == nil, string(out)
			}
			with := func(change map[string]string) map[string]string {
				m := map[string]string{}
				for k, v := range tc.files {
					m[k] = v
				}
				for k, v := range change {
					m[k] = v
				}
				return m
			}

			if installed, log := build(tc.files); !installed {
				t.Fatalf("a clean build did not install:\n%s", log)
			}
			if installed, log := build(tc.files); installed || !strings.Contains(log, tc.reuseLog) {
				t.Errorf("a build restoring the same dependencies installed again (%v) or did not say so:\n%s", installed, log)
			}
			if installed, log := build(with(tc.changed)); !installed {
				t.Errorf("a changed lock file did not install again:\n%s", log)
			}
			if tc.unseen != nil {
				for range 2 {
					if installed, log := build(with(tc.unseen)); !installed {
						t.Errorf("a source whose install cannot be skipped was not installed:\n%s", log)
					}
				}
			}
		})
	}
}
