package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiln-s2i/kiln/builder/e2etest"
)

// The builder benchmarks compare kiln with plain podman on the same work,
// alternating runs so that cache and load drift hit both sides alike, and
// report the ratio of medians (b.ReportMetric). They need podman; each
// measures once per benchmark run, whatever b.N.

const benchRuns = 9

// kilnB runs the CLI in-process; a failure stops the benchmark.
func kilnB(b *testing.B, args ...string) {
	b.Helper()
	var out bytes.Buffer
	if code := run(args, strings.NewReader(""), &out, &out); code != 0 {
		b.Fatalf("kiln %s: exit %d\n%s", strings.Join(args, " "), code, out.String())
	}
}

func podmanB(b *testing.B, args ...string) {
	b.Helper()
	e2etest.Podman(b, args...) // with the benchmark's label, like kiln's builds
}

func timed(f func()) time.Duration {
	t0 := time.Now()
	f()
	return time.Since(t0)
}

// alternate runs a and c benchRuns times each, interleaved, after setup
// before each run, and returns both medians.
func alternate(setup func(), a, c func()) (time.Duration, time.Duration) {
	var da, dc []time.Duration
	for i := 0; i < benchRuns; i++ {
		setup()
		da = append(da, timed(a))
		setup()
		dc = append(dc, timed(c))
	}
	return median(da), median(dc)
}

func benchRepo(b *testing.B, name string) string {
	b.Helper()
	e2etest.RequireEngine(b)
	base := e2etest.BusyboxBase(b)
	e2etest.LeakCheck(b)
	e2etest.RemoveNewDanglingAtEnd(b)
	dir := filepath.Join(b.TempDir(), name)
	kilnB(b, "new", dir, "--preset", "generic", "--defaults", "--from", base, "--pkg-manager", "none")
	e2etest.RemoveImageAtEnd(b, "localhost/"+name+":1.0")
	return dir
}

func report(b *testing.B, what string, a, c time.Duration, unit string) {
	ratio := float64(a) / float64(c)
	b.ReportMetric(ratio, unit)
	b.ReportMetric(0, "ns/op") // the ratio is the result, not the loop time
	fmt.Fprintf(os.Stderr, "%s: medians %s vs %s, ratio %.3f (%d alternating runs each)\n", what, a.Round(time.Millisecond), c.Round(time.Millisecond), ratio, benchRuns)
}

// BenchmarkKilnBuildVsPodmanBuild: kiln build against podman build of the
// same context, both with a warm layer cache (the everyday rebuild), so the
// difference is kiln's own cost. Goal: ratio at most 1.05.
func BenchmarkKilnBuildVsPodmanBuild(b *testing.B) {
	dir := benchRepo(b, "kiln-bench-build")
	kilnB(b, "build", dir, "--plain")
	for range b.N {
		k, p := alternate(func() {},
			func() { kilnB(b, "build", dir, "--plain") },
			func() { podmanB(b, "build", "-t", "localhost/kiln-bench-build:1.0", dir) })
		report(b, "kiln build / podman build", k, p, "kiln/podman")
	}
}

// s2iDockerfile is the hand-written equivalent of kiln's generated
// Dockerfile for the generic test app.
const s2iDockerfile = `FROM localhost/kiln-bench-s2i:1.0
COPY --chown=1001:0 src /tmp/src
USER 1001
RUN /usr/libexec/s2i/assemble
CMD ["/usr/libexec/s2i/run"]
`

// BenchmarkS2IBuildVsDockerfile: kiln s2i build of the generic test app
// against podman build of a hand-written equivalent Dockerfile, both without
// cache (an s2i build always runs assemble). Goal: ratio at most 1.10.
func BenchmarkS2IBuildVsDockerfile(b *testing.B) {
	dir := benchRepo(b, "kiln-bench-s2i")
	kilnB(b, "build", dir, "--plain")
	ctx := b.TempDir()
	if out, err := exec.Command("cp", "-a", filepath.Join(dir, "test", "test-app"), filepath.Join(ctx, "src")).CombinedOutput(); err != nil {
		b.Fatalf("%v %s", err, out)
	}
	if err := os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte(s2iDockerfile), 0o644); err != nil {
		b.Fatal(err)
	}
	const out = "localhost/kiln-bench-s2i-app:1"
	e2etest.RemoveImageAtEnd(b, out)
	app := filepath.Join(dir, "test", "test-app")
	for range b.N {
		k, p := alternate(func() {},
			func() { kilnB(b, "s2i", "build", app, "localhost/kiln-bench-s2i:1.0", out, "--no-cache", "--plain") },
			func() { podmanB(b, "build", "--no-cache", "-t", out, ctx) })
		report(b, "kiln s2i build / podman build of the equivalent Dockerfile", k, p, "kiln/podman")
	}
	// The image must be no larger than the hand-written one's: no source or
	// artifacts layer left behind.
	size := func() float64 {
		n, err := strconv.ParseFloat(e2etest.Podman(b, "image", "inspect", "--format", "{{.Size}}", out), 64)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	kilnB(b, "s2i", "build", app, "localhost/kiln-bench-s2i:1.0", out, "--no-cache", "--plain")
	ks := size()
	podmanB(b, "build", "--no-cache", "-t", out, ctx)
	ps := size()
	b.ReportMetric(ks, "kiln-bytes")
	b.ReportMetric(ps, "podman-bytes")
	b.ReportMetric(ks/ps, "size-kiln/podman")
}

// BenchmarkIncrementalVsClean: an s2i build of an app whose build step
// downloads dependencies slowly (5 s), after an edit of the app's source,
// clean against incremental (deps/ restored from the previous image's
// save-artifacts, so the download is skipped). Goal: incremental at least 2x faster.
func BenchmarkIncrementalVsClean(b *testing.B) {
	e2etest.RequireEngine(b)
	base := e2etest.BusyboxBase(b)
	e2etest.LeakCheck(b)
	e2etest.RemoveNewDanglingAtEnd(b)
	root := e2etest.RepoRoot(b)
	const builderRef, out = "localhost/kiln-bench-fixture:1", "localhost/kiln-bench-incr-app:1"
	e2etest.RemoveImageAtEnd(b, builderRef)
	e2etest.RemoveImageAtEnd(b, out)
	podmanB(b, "build", "--build-arg", "BASE="+base, "-t", builderRef, filepath.Join(root, "builder", "testdata", "fixtures", "builder"))
	app := filepath.Join(b.TempDir(), "app")
	if o, err := exec.Command("cp", "-a", filepath.Join(root, "builder", "testdata", "fixtures", "app"), app).CombinedOutput(); err != nil {
		b.Fatalf("%v %s", err, o)
	}
	edits := 0
	editSource := func() {
		edits++
		if err := os.WriteFile(filepath.Join(app, "version.txt"), []byte(fmt.Sprintf("edit %d\n", edits)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	args := []string{"s2i", "build", app, builderRef, out, "--plain", "--env", "SLOW_SECONDS=5"}
	kilnB(b, args...)
	for range b.N {
		clean, incr := alternate(editSource,
			func() { kilnB(b, args...) },
			func() { kilnB(b, append(args, "--incremental")...) })
		report(b, "clean / incremental s2i build", clean, incr, "clean/incremental")
	}
}

// BenchmarkRebuildAfterRunEdit: the generic repo with a package layer that
// takes 3 s (a stand-in for dnf/apt), clean build against a rebuild after
// editing s2i/bin/run, which must reuse the package layer. Goal: at most 0.3.
func BenchmarkRebuildAfterRunEdit(b *testing.B) {
	dir := benchRepo(b, "kiln-bench-rebuild")
	df := filepath.Join(dir, "Dockerfile")
	data, err := os.ReadFile(df)
	if err != nil {
		b.Fatal(err)
	}
	slow := strings.Replace(string(data), "RUN mkdir -p", "RUN sleep 3 && mkdir -p", 1)
	if slow == string(data) {
		b.Fatal("the generic Dockerfile has no package layer (RUN mkdir -p) to slow down")
	}
	if err := os.WriteFile(df, []byte(slow), 0o644); err != nil {
		b.Fatal(err)
	}
	runScript := filepath.Join(dir, "s2i", "bin", "run")
	edits := 0
	editRun := func() {
		edits++
		f, err := os.OpenFile(runScript, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(f, "# edit %d\n", edits)
		f.Close()
	}
	kilnB(b, "build", dir, "--plain")
	for range b.N {
		var clean, rebuild []time.Duration
		for i := 0; i < benchRuns; i++ {
			clean = append(clean, timed(func() { kilnB(b, "build", dir, "--no-cache", "--plain") }))
			editRun()
			rebuild = append(rebuild, timed(func() { kilnB(b, "build", dir, "--plain") }))
		}
		report(b, "rebuild after editing s2i/bin/run / clean build", median(rebuild), median(clean), "rebuild/clean")
	}
}

// presetMainSource is each language preset's test app file that the preset
// benchmark edits between builds: a code change, as an author makes.
var presetMainSource = map[string]string{
	"python": "app.py", "nodejs": "server.js", "ruby": "app.rb",
	"java": "src/main/java/Main.java", "go": "main.go", "php": "public/index.php",
}

// BenchmarkPresetIncrementalVsClean: for each language preset, on its e2e
// runtime image (e2etest.RuntimeBase), an s2i build of the preset's test app
// after an edit of its main source file, clean (--no-cache) against
// --incremental (save-artifacts of the previous image restored), alternating.
// The test apps have one small local dependency each, so this measures what
// the restore saves over the work of saving and restoring, not a download.
func BenchmarkPresetIncrementalVsClean(b *testing.B) {
	for _, preset := range []string{"python", "nodejs", "ruby", "java", "go", "php"} {
		b.Run(preset, func(b *testing.B) {
			e2etest.RequireEngine(b)
			base := e2etest.RuntimeBase(b, preset)
			e2etest.LeakCheck(b)
			e2etest.RemoveNewDanglingAtEnd(b)
			name := "kiln-bench-preset-" + preset
			dir := filepath.Join(b.TempDir(), name)
			kilnB(b, "new", dir, "--preset", preset, "--defaults", "--from", base, "--pkg-manager", "apt")
			builderRef, out := "localhost/"+name+":1.0", "localhost/"+name+"-app:1"
			e2etest.RemoveImageAtEnd(b, builderRef)
			e2etest.RemoveImageAtEnd(b, out)
			kilnB(b, "build", dir, "--plain")
			app := filepath.Join(dir, "test", "test-app")
			main := filepath.Join(app, presetMainSource[preset])
			edits := 0
			editSource := func() {
				edits++
				f, err := os.OpenFile(main, os.O_APPEND|os.O_WRONLY, 0)
				if err != nil {
					b.Fatal(err)
				}
				comment := "#"
				if preset == "nodejs" || preset == "java" || preset == "go" || preset == "php" {
					comment = "//"
				}
				fmt.Fprintf(f, "%s edit %d\n", comment, edits)
				f.Close()
			}
			args := []string{"s2i", "build", app, builderRef, out, "--plain", "--no-cache"}
			kilnB(b, args...)
			for range b.N {
				clean, incr := alternate(editSource,
					func() { kilnB(b, args...) },
					func() { kilnB(b, append(args, "--incremental")...) })
				report(b, preset+": clean / incremental s2i build", clean, incr, "clean/incremental")
			}
		})
	}
}
