package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

// BenchmarkStartup runs a hello-world Go binary, `kiln version` and
// `kiln new --defaults` (onto the disk and onto tmpfs) alternately, so machine noise hits all three alike,
// and reports each median and the ratios to hello-world (aims: version at
// most 2.5x, new at most 5x).
func BenchmarkStartup(b *testing.B) {
	dir := b.TempDir()
	kiln := filepath.Join(dir, "kiln")
	hello := filepath.Join(dir, "hello")
	if err := os.WriteFile(filepath.Join(dir, "hello.go"), []byte("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	build := func(args ...string) {
		cmd := exec.Command("go", args...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("go %v: %v\n%s", args, err, out)
		}
	}
	build("build", "-tags", "containers_image_openpgp", "-ldflags", "-s -w", "-o", kiln, ".")
	build("build", "-ldflags", "-s -w", "-o", hello, filepath.Join(dir, "hello.go"))

	timeRun := func(name string, args ...string) time.Duration {
		start := time.Now()
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			b.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return time.Since(start)
	}
	// /dev/shm (tmpfs) takes the disk's metadata latency out of kiln new's
	// time; the TempDir run keeps it in, as a user on this disk sees it.
	shm := ""
	if info, err := os.Stat("/dev/shm"); err == nil && info.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "kiln-bench-"); err == nil {
			shm = d
			b.Cleanup(func() { os.RemoveAll(d) })
		}
	}
	var tHello, tVersion, tNew, tNewShm []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tHello = append(tHello, timeRun(hello))
		tVersion = append(tVersion, timeRun(kiln, "version"))
		tNew = append(tNew, timeRun(kiln, "new", filepath.Join(dir, "out", strconv.Itoa(i)), "--defaults"))
		if shm != "" {
			tNewShm = append(tNewShm, timeRun(kiln, "new", filepath.Join(shm, strconv.Itoa(i)), "--defaults"))
		}
	}
	b.StopTimer()
	h, v, n := median(tHello), median(tVersion), median(tNew)
	b.ReportMetric(float64(h.Microseconds()), "hello-µs")
	b.ReportMetric(float64(v.Microseconds()), "version-µs")
	b.ReportMetric(float64(n.Microseconds()), "new-µs")
	b.ReportMetric(float64(v)/float64(h), "version/hello")
	b.ReportMetric(float64(n)/float64(h), "new/hello")
	if shm != "" {
		ns := median(tNewShm)
		b.ReportMetric(float64(ns.Microseconds()), "new-tmpfs-µs")
		b.ReportMetric(float64(ns)/float64(h), "new-tmpfs/hello")
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
