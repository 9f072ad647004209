package scaffold_test

import (
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-s2i/kiln/scaffold"
)

// answerChange makes one to three random changes to s's answers.
func answerChange(g specGen, s *scaffold.Spec) {
	changes := []func(){
		func() { s.Ports[0].Number = 1024 + g.r.Intn(60000) },
		func() { s.Description = "Changed: " + g.text(4) },
		func() { s.DisplayName = "Changed " + g.word(lower, 1, 8) },
		func() { s.Tag = fmt.Sprintf("%d.%d", 1+g.r.Intn(9), g.r.Intn(10)) },
		func() { s.Labels = append(s.Labels, scaffold.Label{Key: "x." + g.word(lower, 1, 6), Value: g.text(3)}) },
		func() { s.Env = append(s.Env, scaffold.EnvVar{Name: g.envName("NEW_"), Value: g.word(lower, 0, 5)}) },
		func() { s.Incremental = !s.Incremental },
		func() { s.Packages = append(s.Packages, g.word(lower, 2, 8)) },
		func() { s.UID = 1000 + g.r.Intn(50000) },
		func() { s.WritableDirs = append(s.WritableDirs, g.dir()) },
		func() { s.Secrets = append(s.Secrets, g.envName("SECRET_")) },
		func() { s.Volumes = append(s.Volumes, g.dir()) },
	}
	for n := 1 + g.r.Intn(3); n > 0; n-- {
		changes[g.r.Intn(len(changes))]()
	}
}

// authorEdits edits random files of dir at random lines: inserts, rewrites
// and deletes lines, and sometimes deletes a whole file. It returns, per
// file, the lines the author wrote (each unique), and the files deleted.
func authorEdits(t *testing.T, g specGen, dir string, files []scaffold.File) (map[string][]string, []string) {
	written := map[string][]string{}
	var deleted []string
	n := 0
	for _, f := range files {
		if f.Path == scaffold.SpecFile || !g.chance(0.4) {
			continue // kiln.yaml is the source, edited through answers
		}
		if g.chance(0.1) {
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(f.Path))); err != nil {
				t.Fatal(err)
			}
			deleted = append(deleted, f.Path)
			continue
		}
		lines := strings.SplitAfter(string(f.Content), "\n")
		isMine := map[string]bool{} // the author's own lines are not edited again
		for k := 1 + g.r.Intn(4); k > 0; k-- {
			n++
			mine := fmt.Sprintf("# author line %d\n", n)
			i := g.r.Intn(len(lines) + 1)
			switch g.r.Intn(3) {
			case 0: // insert
				lines = slices.Insert(lines, i, mine)
				written[f.Path] = append(written[f.Path], mine)
				isMine[mine] = true
			case 1: // rewrite
				if i < len(lines) && lines[i] != "" && !isMine[lines[i]] {
					lines[i] = strings.TrimSuffix(lines[i], "\n") + fmt.Sprintf(" # author edit %d\n", n)
					written[f.Path] = append(written[f.Path], lines[i])
					isMine[lines[i]] = true
				}
			case 2: // delete
				if i < len(lines) && !isMine[lines[i]] {
					lines = slices.Delete(lines, i, i+1)
				}
			}
		}
		write(t, dir, f.Path, strings.Join(lines, ""))
	}
	return written, deleted
}

// FuzzUpdateKeepsAuthorLines: a random render, random edits by the author,
// a random answer change, then an update. Whether a file merges cleanly or
// conflicts, every line the author wrote is still in it (a conflict shows
// it between the markers); a file the author deleted stays deleted; no
// conflict is reported where the author edited nothing.
//
//	go test ./scaffold -run '^$' -fuzz FuzzUpdateKeepsAuthorLines -fuzztime 60s
func FuzzUpdateKeepsAuthorLines(f *testing.F) {
	for seed := range int64(12) {
		f.Add(seed * 7919)
	}
	f.Fuzz(func(t *testing.T, seed int64) {
		g := specGen{r: rand.New(rand.NewSource(seed))}
		s := g.spec()
		if err := s.Validate(); err != nil {
			t.Fatalf("random spec (seed %d) is not valid: %v", seed, err)
		}
		dir := t.TempDir()
		first, err := scaffold.Render(s)
		if err != nil {
			t.Fatal(err)
		}
		writeAll(t, dir, first)
		written, deleted := authorEdits(t, g, dir, first)

		answerChange(g, s)
		if s.Validate() != nil {
			t.Skip("the change made the spec invalid")
		}
		plan, err := reRender(t, dir, builtin, s)
		var ce *scaffold.ConflictError
		if err != nil && !(errors.As(err, &ce) && ce.Marked) {
			t.Fatalf("update: %v", err)
		}
		for _, pf := range plan.Files {
			if pf.Status == scaffold.Conflict && len(written[pf.Path]) == 0 && !slices.Contains(deleted, pf.Path) {
				// Only deletions by the author can collide here.
				onDisk := read(t, dir, pf.Path)
				if !strings.Contains(onDisk, "<<<<<<< yours\n") {
					t.Errorf("%s is a conflict without markers", pf.Path)
				}
			}
		}
		for path, lines := range written {
			b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(path)))
			if err != nil {
				// kiln no longer renders it: kept, since the author edited it.
				t.Fatalf("%s, edited by the author, is gone: %v", path, err)
			}
			for _, l := range lines {
				if !strings.Contains(string(b), l) {
					t.Errorf("seed %d: %s lost the author's line %q:\n%s", seed, path, l, b)
				}
			}
		}
		for _, path := range deleted {
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(path))); err == nil {
				t.Errorf("seed %d: %s, deleted by the author, came back", seed, path)
			}
		}
	})
}
