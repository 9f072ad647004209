package scaffold_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kiln-s2i/kiln/scaffold"
	"github.com/kiln-s2i/kiln/templates"
)

// reRender re-renders dir from s with tm, as kiln update does (under the
// repository's lock, taken before reading), and applies it.
func reRender(t *testing.T, dir string, tm *scaffold.Templates, s *scaffold.Spec) (*scaffold.WritePlan, error) {
	t.Helper()
	files, err := tm.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	lock, err := scaffold.Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	plan, err := scaffold.Plan(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	return plan, plan.Apply(false)
}

func read(t *testing.T, dir, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func write(t *testing.T, dir, path, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(path)), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// edit replaces the first old in dir/path with new, failing if old is not there.
func edit(t *testing.T, dir, path, old, new string) {
	t.Helper()
	s := read(t, dir, path)
	if !strings.Contains(s, old) {
		t.Fatalf("%s has no %q", path, old)
	}
	write(t, dir, path, strings.Replace(s, old, new, 1))
}

// improvedTemplates is kiln's template set with edits, as a later kiln
// release that improves its templates would ship.
func improvedTemplates(t *testing.T, edits map[string][2]string) *scaffold.Templates {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(templates.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templates.FS, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, e := range edits {
		f, ok := m[name]
		if !ok || !bytes.Contains(f.Data, []byte(e[0])) {
			t.Fatalf("template %s has no %q", name, e[0])
		}
		f.Data = bytes.Replace(f.Data, []byte(e[0]), []byte(e[1]), 1)
	}
	return scaffold.NewTemplates(m)
}

var builtin = scaffold.NewTemplates(templates.FS)

// newRepo renders preset into a fresh directory and returns it with its spec.
func newRepo(t *testing.T, preset string) (string, *scaffold.Spec) {
	t.Helper()
	dir := t.TempDir()
	s := presetSpec(t, preset, "golden")
	if _, err := reRender(t, dir, builtin, s); err != nil {
		t.Fatal(err)
	}
	return dir, s
}

// TestUpdateKeepsEditsAcrossAPortChange, on every preset: the author's
// lines in assemble, the Dockerfile's RUN and the usage script survive a
// port change, which kiln's changes reach in the same files.
func TestUpdateKeepsEditsAcrossAPortChange(t *testing.T) {
	for _, preset := range scaffold.PresetNames() {
		t.Run(preset, func(t *testing.T) {
			dir, s := newRepo(t, preset)
			edit(t, dir, "s2i/bin/assemble", "set -eu\n", "set -eu\nexport MY_BUILD_FLAG=1 # mine\n")
			edit(t, dir, "Dockerfile", "&& \\\n", "&& \\\n    echo mine > /etc/mine && \\\n")
			edit(t, dir, "s2i/bin/usage", "#!/bin/sh\n", "#!/bin/sh\n# mine: the usage, my way\n")
			s.Ports[0].Number = 9090
			plan, err := reRender(t, dir, builtin, s)
			if err != nil {
				t.Fatalf("update: %v", err)
			}
			st := statuses(plan)
			if st["Dockerfile"] != scaffold.Merged || st["s2i/bin/usage"] != scaffold.Merged || st["README.md"] != scaffold.Update {
				t.Errorf("statuses %v: want Dockerfile and usage merged, README updated", st)
			}
			if !strings.Contains(read(t, dir, "s2i/bin/assemble"), "export MY_BUILD_FLAG=1 # mine\n") {
				t.Error("the assemble edit was lost")
			}
			df := read(t, dir, "Dockerfile")
			if !strings.Contains(df, "    echo mine > /etc/mine && \\\n") || !strings.Contains(df, "EXPOSE 9090/tcp") || strings.Contains(df, "8080") {
				t.Errorf("the Dockerfile lost the RUN edit or kiln's port change:\n%s", df)
			}
			usage := read(t, dir, "s2i/bin/usage")
			if !strings.Contains(usage, "# mine: the usage, my way\n") || !strings.Contains(usage, "9090") {
				t.Errorf("usage lost the edit or the port change:\n%s", usage)
			}
			// Once merged, the next update with nothing new changes nothing.
			plan, err = reRender(t, dir, builtin, s)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range plan.Files {
				if f.Status != scaffold.Identical {
					t.Errorf("second update: %s is %s, want unchanged", f.Path, f.Status)
				}
			}
		})
	}
}

// TestUpdateKeepsARunEditAcrossALabelChangeAndATemplateImprovement: an
// edit in the Dockerfile's RUN survives a new label and a newer kiln whose
// Dockerfile template is better.
func TestUpdateKeepsARunEditAcrossALabelChangeAndATemplateImprovement(t *testing.T) {
	dir, s := newRepo(t, "python")
	edit(t, dir, "Dockerfile", " default-libmysqlclient-dev && \\\n", " default-libmysqlclient-dev postgresql && \\\n")
	s.Labels = append(s.Labels, scaffold.Label{Key: "team", Value: "data"})
	improved := improvedTemplates(t, map[string][2]string{
		"Dockerfile.tmpl": {"# G09, G17: the ports the software listens on, all 1024 or above.",
			"# G09, G17: the ports the software listens on, all 1024 or above: an\n# arbitrary UID cannot bind below 1024."},
	})
	plan, err := reRender(t, dir, improved, s)
	if err != nil {
		t.Fatal(err)
	}
	if st := statuses(plan); st["Dockerfile"] != scaffold.Merged {
		t.Errorf("Dockerfile is %s, want merged", st["Dockerfile"])
	}
	df := read(t, dir, "Dockerfile")
	for _, want := range []string{" default-libmysqlclient-dev postgresql && \\\n", `team="data"`, "# arbitrary UID cannot bind below 1024.\n"} {
		if !strings.Contains(df, want) {
			t.Errorf("the merged Dockerfile lacks %q:\n%s", want, df)
		}
	}
	// The base is now the improved render: going back to the old templates is
	// kiln's change, merged again with the edit.
	if _, err := reRender(t, dir, builtin, s); err != nil {
		t.Fatal(err)
	}
	df = read(t, dir, "Dockerfile")
	if !strings.Contains(df, " default-libmysqlclient-dev postgresql && \\\n") || strings.Contains(df, "# arbitrary UID") {
		t.Errorf("after the second update:\n%s", df)
	}
}

// TestUpdateCollidingEditGetsMarkers: an edit of the very line kiln changes
// is a conflict, written between markers and reported; the other files are
// written, and the base moves on, so resolving it is all that is left.
func TestUpdateCollidingEditGetsMarkers(t *testing.T) {
	dir, s := newRepo(t, "generic")
	edit(t, dir, "Dockerfile", "EXPOSE 8080/tcp\n", "EXPOSE 8080/tcp 8443/tcp\n")
	s.Ports[0].Number = 9090
	plan, err := reRender(t, dir, builtin, s)
	var ce *scaffold.ConflictError
	if !errors.As(err, &ce) || !ce.Marked || !slices.Equal(ce.Paths, []string{"Dockerfile"}) {
		t.Fatalf("update = %v, want a marked conflict in Dockerfile", err)
	}
	if !strings.Contains(err.Error(), "<<<<<<< yours") {
		t.Errorf("the error does not show the markers: %v", err)
	}
	want := "<<<<<<< yours\nEXPOSE 8080/tcp 8443/tcp\n=======\nEXPOSE 9090/tcp\n>>>>>>> kiln\n"
	if df := read(t, dir, "Dockerfile"); !strings.Contains(df, want) {
		t.Errorf("the Dockerfile lacks the conflict\n%s\nit is:\n%s", want, df)
	}
	if st := statuses(plan); st["README.md"] != scaffold.Update {
		t.Errorf("README.md is %s, want updated", st["README.md"])
	}
	if !strings.Contains(read(t, dir, "README.md"), "9090") {
		t.Error("the other files were not written")
	}
	// The author resolves it; the next update leaves it alone.
	edit(t, dir, "Dockerfile", want, "EXPOSE 9090/tcp 8443/tcp\n")
	plan, err = reRender(t, dir, builtin, s)
	if err != nil {
		t.Fatal(err)
	}
	if st := statuses(plan); st["Dockerfile"] != scaffold.Identical {
		t.Errorf("the resolved Dockerfile is %s, want unchanged", st["Dockerfile"])
	}
}

// TestUpdateDeletedStaysDeleted: a file the author deleted is not brought
// back, by this update or the next, even when kiln changes it.
func TestUpdateDeletedStaysDeleted(t *testing.T) {
	dir, s := newRepo(t, "static")
	if err := os.Remove(filepath.Join(dir, "README.md")); err != nil {
		t.Fatal(err)
	}
	for _, desc := range []string{"Second.", "Third."} {
		s.Description = desc
		plan, err := reRender(t, dir, builtin, s)
		if err != nil {
			t.Fatal(err)
		}
		if st := statuses(plan); st["README.md"] != scaffold.DeletedByYou {
			t.Errorf("README.md is %s, want deleted-by-you", st["README.md"])
		}
		if _, err := os.Stat(filepath.Join(dir, "README.md")); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("README.md came back: %v", err)
		}
	}
}

// TestUpdateRemovesOnlyUntouchedFilesKilnNoLongerRenders: turning
// incremental builds off drops save-artifacts: removed when untouched, kept
// and listed (this time and the next) when edited.
func TestUpdateRemovesOnlyUntouchedFilesKilnNoLongerRenders(t *testing.T) {
	for _, edited := range []bool{false, true} {
		dir, s := newRepo(t, "python")
		if !s.Incremental {
			t.Fatal("the python preset is expected to be incremental")
		}
		if edited {
			edit(t, dir, "s2i/bin/save-artifacts", "#!/bin/sh\n", "#!/bin/sh\n# mine\n")
		}
		s.Incremental = false
		for range 2 {
			plan, err := reRender(t, dir, builtin, s)
			if err != nil {
				t.Fatal(err)
			}
			_, statErr := os.Stat(filepath.Join(dir, "s2i/bin/save-artifacts"))
			st := statuses(plan)["s2i/bin/save-artifacts"]
			switch {
			case edited && (st != scaffold.Kept || statErr != nil):
				t.Errorf("edited: save-artifacts is %s (%v), want kept, on disk", st, statErr)
			case !edited && !errors.Is(statErr, fs.ErrNotExist):
				t.Errorf("untouched: save-artifacts is %s and still on disk", st)
			}
			if !edited {
				break
			}
		}
	}
}

// TestApplyStopsWhenAFileChangesWhileMerging: a file saved by an editor
// between Plan and Apply stops Apply before anything is written.
func TestApplyStopsWhenAFileChangesWhileMerging(t *testing.T) {
	dir, s := newRepo(t, "generic")
	edit(t, dir, "Dockerfile", "USER 1001\n", "USER 1001\n# mine\n")
	s.Ports[0].Number = 9090
	files, err := scaffold.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := scaffold.Plan(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	edit(t, dir, "Dockerfile", "# mine\n", "# mine, saved meanwhile\n")
	before := tree(t, dir)
	err = plan.Apply(false)
	var ch *scaffold.ChangedError
	if !errors.As(err, &ch) || ch.Path != "Dockerfile" || !strings.Contains(err.Error(), "changed on disk while kiln was merging") {
		t.Fatalf("Apply = %v, want a ChangedError for Dockerfile", err)
	}
	if !mapsEqual(before, tree(t, dir)) {
		t.Error("Apply wrote something")
	}
	noTempFiles(t, dir)
}

// TestMergeNeedsGit: with no git on PATH, a file that needs a merge is a
// clear error naming the fix; an update needing no merge still works.
func TestMergeNeedsGit(t *testing.T) {
	dir, s := newRepo(t, "generic")
	t.Setenv("PATH", t.TempDir())
	s.Description = "Changed."
	if _, err := reRender(t, dir, builtin, s); err != nil {
		t.Fatalf("an update with no edits needs no git: %v", err)
	}
	edit(t, dir, "Dockerfile", "USER 1001\n", "USER 1001\n# mine\n")
	s.Description = "Changed again."
	files, err := scaffold.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	_, err = scaffold.Plan(dir, files)
	if !errors.Is(err, scaffold.ErrNoMerger) || !strings.Contains(err.Error(), "install git") {
		t.Fatalf("Plan = %v, want ErrNoMerger", err)
	}
}

// TestUpdateRecoversTheBaseFromGitHistory: a repo from a kiln that kept
// only the SHA-256s of its render, committed to git: the base is the
// committed version whose SHA-256 matches, so edits merge.
func TestUpdateRecoversTheBaseFromGitHistory(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git")
	}
	dir, s := newRepo(t, "generic")
	if err := os.RemoveAll(filepath.Join(dir, filepath.FromSlash(scaffold.BaseDir))); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "kiln new"}} {
		if out, err := exec.Command(git, append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	edit(t, dir, "Dockerfile", "USER 1001\n", "USER 1001\n# mine\n")
	s.Ports[0].Number = 9090
	plan, err := reRender(t, dir, builtin, s)
	if err != nil {
		t.Fatal(err)
	}
	if st := statuses(plan); st["Dockerfile"] != scaffold.Merged {
		t.Errorf("Dockerfile is %s, want merged", st["Dockerfile"])
	}
	if df := read(t, dir, "Dockerfile"); !strings.Contains(df, "# mine\n") || !strings.Contains(df, "EXPOSE 9090/tcp") {
		t.Errorf("Dockerfile:\n%s", df)
	}
}

// TestUpdateFileTheAuthorAddedFirst: a file kiln starts rendering (here
// save-artifacts, once incremental builds are on) that the author had
// already written is merged from an empty base, as git merges two
// additions: the author's lines stay, the differences between markers; the
// rest of the update is written.
func TestUpdateFileTheAuthorAddedFirst(t *testing.T) {
	dir := t.TempDir()
	s := presetSpec(t, "python", "golden")
	s.Incremental = false
	if _, err := reRender(t, dir, builtin, s); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "s2i/bin/save-artifacts", "#!/bin/sh\n# mine\ntar cf - deps\n")
	s.Incremental = true
	plan, err := reRender(t, dir, builtin, s)
	var ce *scaffold.ConflictError
	if !errors.As(err, &ce) || !ce.Marked || !slices.Equal(ce.Paths, []string{"s2i/bin/save-artifacts"}) {
		t.Fatalf("update = %v, want a marked conflict in save-artifacts", err)
	}
	got := read(t, dir, "s2i/bin/save-artifacts")
	if !strings.Contains(got, "<<<<<<< yours\n") || !strings.Contains(got, "# mine\ntar cf - deps\n") {
		t.Errorf("save-artifacts:\n%s", got)
	}
	if st := statuses(plan); st["s2i/bin/assemble"] != scaffold.Update || st["README.md"] != scaffold.Update {
		t.Errorf("statuses %v: want assemble and README.md updated", st)
	}
	for _, f := range plan.Files {
		if f.Path == "s2i/bin/assemble" && read(t, dir, f.Path) != string(f.Content) {
			t.Error("assemble was not written")
		}
	}
}
