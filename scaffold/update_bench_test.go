package scaffold_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiln-s2i/kiln/scaffold"
)

// BenchmarkUpdate updates a whole repo in process (render, plan, apply,
// git merge-file for the edited files) with the port changed at every turn.
// Each turn also renders and writes the same spec into an empty directory
// (what kiln new does, the baseline), so machine noise hits both alike; it
// reports both medians and their ratio. The goal is an update under 50 ms.
//
//	go test ./scaffold -run '^$' -bench Update -benchtime 100x
func BenchmarkUpdate(b *testing.B) {
	// every file edited at its end: the five the port change reaches merge,
	// the others keep the edits
	var all [][3]string
	for _, f := range renderFiles(b, presetSpec(b, "python", "bench")) {
		if f.Path != scaffold.SpecFile {
			all = append(all, [3]string{f.Path, "", "# mine\n"})
		}
	}
	for _, sc := range []struct {
		name  string
		edits [][3]string
	}{
		{"untouched", nil},
		// three files the port change reaches, each edited: three merges
		{"3-merges", [][3]string{
			{"Dockerfile", "&& \\\n", "&& \\\n    echo mine > /etc/mine && \\\n"},
			{"s2i/bin/usage", "#!/bin/sh\n", "#!/bin/sh\n# mine\n"},
			{"README.md", "\n", "\nMine.\n"},
		}},
		{"all-edited", all},
	} {
		b.Run(sc.name, func(b *testing.B) {
			dir := b.TempDir()
			s := presetSpec(b, "python", "bench")
			benchApply(b, dir, s)
			for _, e := range sc.edits {
				benchEdit(b, dir, e)
			}
			var tUpdate, tNew []time.Duration
			merges := 0
			for i := 0; b.Loop(); i++ {
				s.Ports[0].Number = 8080 + 1000*(i%2+1) // 9080, 10080: a change every turn
				start := time.Now()
				merges = benchApply(b, dir, s)
				tUpdate = append(tUpdate, time.Since(start))

				fresh := filepath.Join(b.TempDir(), "new")
				start = time.Now()
				benchApply(b, fresh, s)
				tNew = append(tNew, time.Since(start))
			}
			u, n := medianOf(tUpdate), medianOf(tNew)
			b.ReportMetric(float64(u.Microseconds())/1000, "update-ms")
			b.ReportMetric(float64(n.Microseconds())/1000, "new-ms")
			b.ReportMetric(float64(u)/float64(n), "update/new")
			b.ReportMetric(float64(merges), "merges")
		})
	}
}

func medianOf(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func renderFiles(b *testing.B, s *scaffold.Spec) []scaffold.File {
	files, err := scaffold.Render(s)
	if err != nil {
		b.Fatal(err)
	}
	return files
}

// benchApply updates dir to s and returns how many files it merged.
func benchApply(b *testing.B, dir string, s *scaffold.Spec) int {
	plan, err := scaffold.Plan(dir, renderFiles(b, s))
	if err != nil {
		b.Fatal(err)
	}
	if err := plan.Apply(false); err != nil {
		b.Fatal(err)
	}
	return plan.Count(scaffold.Merged)
}

// benchEdit replaces the first e[1] in dir/e[0] by e[2]; an empty e[1]
// appends e[2].
func benchEdit(b *testing.B, dir string, e [3]string) {
	b.Helper()
	path := filepath.Join(dir, filepath.FromSlash(e[0]))
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	s := string(data) + e[2]
	if e[1] != "" {
		if !strings.Contains(string(data), e[1]) {
			b.Fatalf("%s has no %q", e[0], e[1])
		}
		s = strings.Replace(string(data), e[1], e[2], 1)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		b.Fatal(err)
	}
}
