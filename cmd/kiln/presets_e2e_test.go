package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
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
	"php":    "Reusing the restored vendor: composer.json, composer.lock and the path repositories are unchanged",
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

// TestE2EPresetServerRunPaths runs the python and ruby presets' s2i/bin/run,
// as kiln renders it, on the paths the preset test apps do not take: gunicorn
// for a wsgi.py, puma when Gemfile.lock has it, rackup for a config.ru. The
// servers come from Debian's packages (e2etest.Runtimes), since no wheel or
// gem index is reachable; Bundler cannot install Debian's gems into
// vendor/bundle, so this proves the run script, not assemble, on these paths.
// Each server must answer HTTP 200 as an arbitrary UID and stop on SIGTERM
// (not be killed when podman's grace ends: exit code 137).
func TestE2EPresetServerRunPaths(t *testing.T) {
	cases := []struct {
		name, preset, runtime string
		files                 map[string]string
		prepare               string // shell run in $HOME before the run script
		started               string // the server's log line
		pid1                  string // the program the run script execs (/proc/1/comm)
	}{
		{
			name: "python gunicorn", preset: "python", runtime: "python+gunicorn",
			files: map[string]string{"wsgi.py": "def application(environ, start_response):\n" +
				"    start_response('200 OK', [('Content-Type', 'text/plain')])\n    return [b'hello from gunicorn\\n']\n"},
			// gunicorn's access log on stdout (the run script's --access-logfile -).
			started: `"GET / HTTP/1.1" 200`,
			pid1:    "gunicorn",
		},
		{
			name: "ruby puma", preset: "ruby", runtime: "ruby+puma",
			files: map[string]string{"config.ru": "run ->(env) { [200, {'content-type' => 'text/plain'}, [\"hello from puma\\n\"]] }\n",
				"Gemfile": "source 'https://rubygems.org'\ngem 'puma'\ngem 'rack'\n"},
			// The lock file of Debian's gems: their versions follow Debian's updates.
			prepare: "bundle lock --local >/dev/null",
			started: "Puma starting",
			pid1:    "puma",
		},
		{
			name: "ruby rackup", preset: "ruby", runtime: "ruby+puma",
			files:   map[string]string{"config.ru": "run ->(env) { [200, {'content-type' => 'text/plain'}, [\"hello from rackup\\n\"]] }\n"},
			started: "Puma starting", // rackup's default server when puma is installed
			pid1:    "rackup",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e2etest.RequireEngine(t)
			t0 := time.Now()
			base := e2etest.RuntimeBase(t, tc.runtime)
			if d := time.Since(t0); d > time.Second {
				t.Logf("runtime image %s ready in %s", base, d.Round(time.Second))
			}
			label := e2etest.LeakCheck(t)
			dir := filepath.Join(t.TempDir(), "repo")
			if code, out := kiln(t, "new", dir, "--preset", tc.preset, "--defaults", "--from", base, "--pkg-manager", "apt"); code != 0 {
				t.Fatalf("kiln new: exit %d\n%s", code, out)
			}
			// The app and the run script, readable by the arbitrary UID.
			app := t.TempDir()
			for name, content := range tc.files {
				if err := os.WriteFile(filepath.Join(app, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Chmod(app, 0o755); err != nil {
				t.Fatal(err)
			}
			run := filepath.Join(dir, "s2i", "bin", "run")
			script := `mkdir -p "$HOME" && cp -R /app/. "$HOME" && cd "$HOME" && ` + cmp(tc.prepare, "true") + ` && exec /s2i-run`
			port := freeTCPPort(t)
			name := "kiln-e2e-runpath-" + strings.ReplaceAll(tc.name, " ", "-")
			e2etest.Podman(t, "run", "-d", "--name", name, "--label", label, "--user", "1000870000:0",
				"-e", "HOME=/tmp/app", "-e", "PORT=8080", "-p", fmt.Sprintf("127.0.0.1:%d:8080", port),
				"-v", app+":/app:ro", "-v", run+":/s2i-run:ro", "--entrypoint", "/bin/sh", base, "-c", script)
			t.Cleanup(func() { _, _ = exec.Command("podman", "rm", "-f", "-t", "0", name).CombinedOutput() })

			body, err := httpGetWithin(fmt.Sprintf("http://127.0.0.1:%d/", port), 60*time.Second, func() bool {
				return strings.TrimSpace(e2etest.Podman(t, "inspect", "--format", "{{.State.Running}}", name)) == "true"
			})
			logs := e2etest.Podman(t, "logs", name)
			if err != nil {
				t.Fatalf("no HTTP 200: %v\nlogs:\n%s", err, logs)
			}
			if !strings.Contains(body, "hello from") || !strings.Contains(logs, tc.started) {
				t.Errorf("body %q; logs lack %q:\n%s", body, tc.started, logs)
			}
			if comm := strings.TrimSpace(e2etest.Podman(t, "exec", name, "cat", "/proc/1/comm")); comm != tc.pid1 {
				t.Errorf("PID 1 is %q, want %q: the run script took another path or did not exec", comm, tc.pid1)
			}
			e2etest.Podman(t, "stop", "-t", "10", name)
			if code := strings.TrimSpace(e2etest.Podman(t, "inspect", "--format", "{{.State.ExitCode}}", name)); code == "137" {
				t.Errorf("the server ignored SIGTERM and was killed (exit %s)\nlogs:\n%s", code, e2etest.Podman(t, "logs", name))
			}
		})
	}
}

// freeTCPPort is a port nothing listens on now.
func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// httpGetWithin gets url until it answers 200 or until bound passes or
// running says the server is gone, and returns the body.
func httpGetWithin(url string, bound time.Duration, running func() bool) (string, error) {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(bound)
	for {
		resp, err := client.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return string(b), nil
			}
			err = fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		if !running() {
			return "", fmt.Errorf("the server stopped: %v", err)
		}
		if time.Now().After(deadline) {
			return "", err
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// TestE2EPHPAssembleReuse runs the php preset's s2i/bin/assemble, as kiln
// renders it, with Debian's PHP and Composer (e2etest.Runtimes), the way
// incremental builds follow each other: a clean build installs; a build
// restoring that vendor with the same composer files does not start
// composer; a change composer.lock does not record (a file of a path
// repository) installs again; with an autoload section of its own the app's
// classes come from composer dump-autoload, so a new class of the source is
// in the classmap; install scripts are never skipped.
func TestE2EPHPAssembleReuse(t *testing.T) {
	e2etest.RequireEngine(t)
	base := e2etest.RuntimeBase(t, "php")
	label := e2etest.LeakCheck(t)
	dir := filepath.Join(t.TempDir(), "repo")
	if code, out := kiln(t, "new", dir, "--preset", "php", "--defaults", "--from", base, "--pkg-manager", "apt"); code != 0 {
		t.Fatalf("kiln new: exit %d\n%s", code, out)
	}
	script, err := os.ReadFile(filepath.Join(dir, "s2i", "bin", "assemble"))
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	assemble := strings.NewReplacer("/tmp/src", "/w/src", "/tmp/artifacts", "/w/artifacts").Replace(string(script))
	if err := os.WriteFile(filepath.Join(work, "assemble"), []byte(assemble), 0o755); err != nil {
		t.Fatal(err)
	}
	app := filepath.Join(work, "app")
	if out, err := exec.Command("cp", "-R", filepath.Join(dir, "test", "test-app"), app).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(app, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	composerJSON, err := os.ReadFile(filepath.Join(app, "composer.json"))
	if err != nil {
		t.Fatal(err)
	}
	// build runs assemble on the app with the vendor the last build saved
	// (what save-artifacts keeps, handed over in /tmp/artifacts) and then
	// loads the dependency through the autoloader.
	build := func(step string) string {
		t.Helper()
		sh := `set -e
rm -rf /w/src /w/artifacts /w/home && mkdir -p /w/src /w/artifacts /w/home
cp -R /w/app/. /w/src/
if [ -d /w/saved ]; then cp -Rp /w/saved /w/artifacts/vendor; fi
HOME=/w/home sh /w/assemble
rm -rf /w/saved && cp -Rp /w/home/vendor /w/saved
cd /w/home && php -r 'require "vendor/autoload.php"; echo \Kiln\Greeting\Greeting::greeting("php");'
if [ -f src/Second.php ]; then grep -F "Second.php" vendor/composer/autoload_classmap.php; fi`
		out, err := exec.Command("podman", "run", "--rm", "--label", label, "--network", "none",
			"-e", "COMPOSER_ALLOW_SUPERUSER=1", "-v", work+":/w", "--entrypoint", "/bin/sh", base, "-c", sh).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", step, err, out)
		}
		if !strings.Contains(string(out), "greeted by kiln/greeting") {
			t.Errorf("%s: the app cannot load its dependency:\n%s", step, out)
		}
		return string(out)
	}
	const install, reuse, dump = "Installing dependencies with composer install", "Reusing the restored vendor", "composer dump-autoload"
	expect := func(step, out string, want, not []string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: the log lacks %q:\n%s", step, w, out)
			}
		}
		for _, n := range not {
			if strings.Contains(out, n) {
				t.Errorf("%s: the log has %q:\n%s", step, n, out)
			}
		}
	}

	expect("clean build", build("clean build"), []string{install}, []string{reuse})
	expect("nothing changed", build("nothing changed"), []string{reuse}, []string{install, dump})
	write("packages/kiln-greeting/src/Extra.php", "<?php\nnamespace Kiln\\Greeting;\nfinal class Extra {}\n")
	expect("a path repository changed", build("a path repository changed"), []string{install}, []string{reuse})
	expect("then unchanged", build("then unchanged"), []string{reuse}, []string{install})

	// An autoload section of the app's own: composer.json changed, so
	// composer installs; after that the classmap is made again on every build.
	withAutoload := strings.Replace(string(composerJSON), `"require"`, `"autoload": {"psr-4": {"App\\": "src/"}},
    "require"`, 1)
	write("composer.json", withAutoload)
	write("src/First.php", "<?php\nnamespace App;\nfinal class First {}\n")
	expect("an autoload section added", build("an autoload section added"), []string{install}, []string{reuse})
	write("src/Second.php", "<?php\nnamespace App;\nfinal class Second {}\n")
	out := build("a class added to the source")
	expect("a class added to the source", out, []string{reuse, dump, "/src/Second.php"}, []string{install})

	// Install scripts run on every install: composer is never skipped.
	write("composer.json", strings.Replace(withAutoload, `"require"`, `"scripts": {"post-install-cmd": ["@php -r \"echo 'post-install ran', PHP_EOL;\""]},
    "require"`, 1))
	for _, step := range []string{"install scripts", "install scripts again"} {
		expect(step, build(step), []string{install, "post-install ran"}, []string{reuse})
	}
}
