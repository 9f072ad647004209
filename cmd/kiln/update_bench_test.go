package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkUpdateCommand runs `kiln update` on a python repo whose author
// edited the Dockerfile's RUN, the usage script and the README, with the
// port changed before every run (three merges with git merge-file, four
// files replaced), alternately with `kiln new --defaults` into an empty
// directory, the baseline, and reports both medians and their ratio. The
// goal is an update under 50 ms, process start included.
//
//	go test ./cmd/kiln -run '^$' -bench UpdateCommand -benchtime 50x
func BenchmarkUpdateCommand(b *testing.B) {
	dir := b.TempDir()
	kiln := filepath.Join(dir, "kiln")
	cmd := exec.Command("go", "build", "-tags", "containers_image_openpgp", "-ldflags", "-s -w", "-o", kiln, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	run := func(args ...string) time.Duration {
		start := time.Now()
		if out, err := exec.Command(kiln, args...).CombinedOutput(); err != nil {
			b.Fatalf("kiln %v: %v\n%s", args, err, out)
		}
		return time.Since(start)
	}
	repo := filepath.Join(dir, "repo")
	run("new", repo, "--defaults", "--preset", "python")
	edit := func(path, old, new string) {
		p := filepath.Join(repo, path)
		data, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(data), old) {
			b.Fatalf("%s: %v, or no %q in it", path, err, old)
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	edit("Dockerfile", "&& \\\n", "&& \\\n    echo mine > /etc/mine && \\\n")
	edit("s2i/bin/usage", "#!/bin/sh\n", "#!/bin/sh\n# mine\n")
	edit("README.md", "\n", "\nMine.\n")
	port := 8080
	var tUpdate, tNew []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		next := 9080 + 1000*(i%2)
		edit("kiln.yaml", "number: "+strconv.Itoa(port), "number: "+strconv.Itoa(next))
		port = next
		tUpdate = append(tUpdate, run("update", repo))
		tNew = append(tNew, run("new", filepath.Join(dir, "new", strconv.Itoa(i)), "--defaults", "--preset", "python"))
	}
	b.StopTimer()
	u, n := median(tUpdate), median(tNew)
	b.ReportMetric(float64(u.Microseconds())/1000, "update-ms")
	b.ReportMetric(float64(n.Microseconds())/1000, "new-ms")
	b.ReportMetric(float64(u)/float64(n), "update/new")
}
