package scaffold_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-s2i/kiln/scaffold"
)

func goldenFiles(t *testing.T) []scaffold.File {
	t.Helper()
	files, err := scaffold.Render(presetSpec(t, "python", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// tree lists every path under dir with its mode and content, to compare a
// directory before and after.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		v := info.Mode().String()
		if info.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			v += " " + string(b)
		}
		m[filepath.ToSlash(rel)] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// noTempFiles fails if a kiln temporary file is left anywhere under dir.
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	for p := range tree(t, dir) {
		if strings.Contains(filepath.Base(p), ".kiln-") {
			t.Errorf("temporary file %s was left behind", p)
		}
	}
}

func statuses(p *scaffold.WritePlan) map[string]scaffold.Status {
	m := map[string]scaffold.Status{}
	for _, f := range p.Files {
		m[f.Path] = f.Status
	}
	return m
}

func TestPlanApplyCreatesEveryFileWithItsMode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "repo")
	files := goldenFiles(t)
	plan, err := scaffold.Plan(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Plan created %s: %v", dir, err)
	}
	for _, f := range plan.Files {
		if f.Status != scaffold.Create || f.Diff != "" {
			t.Errorf("%s: status %s with diff %q, want create without diff", f.Path, f.Status, f.Diff)
		}
	}
	if plan.Count(scaffold.Create) != len(files) {
		t.Errorf("Count(create) = %d, want %d", plan.Count(scaffold.Create), len(files))
	}
	if err := plan.Apply(false); err != nil {
		t.Fatal(err)
	}
	sawScript, sawPlain := false, false
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(p)
		if string(b) != string(f.Content) {
			t.Errorf("%s was not written as rendered", f.Path)
		}
		want := fs.FileMode(0o644)
		if strings.HasPrefix(f.Path, "s2i/bin/") || f.Path == "test/run" {
			want = 0o755
			sawScript = true
		} else {
			sawPlain = true
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", f.Path, info.Mode().Perm(), want)
		}
	}
	if !sawScript || !sawPlain {
		t.Fatal("the golden repo should have scripts and plain files")
	}
	noTempFiles(t, dir)

	// Planned again, everything is identical and applying changes nothing.
	before := tree(t, dir)
	plan, err = scaffold.Plan(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Count(scaffold.Identical) != len(files) || len(plan.Conflicts()) != 0 {
		t.Errorf("re-plan statuses %v, want every file identical", statuses(plan))
	}
	if err := plan.Apply(false); err != nil {
		t.Fatal(err)
	}
	if after := tree(t, dir); !mapsEqual(before, after) {
		t.Errorf("applying an identical plan changed the directory")
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestApplyRestoresTheModeOfAnIdenticalFile(t *testing.T) {
	dir := t.TempDir()
	files := goldenFiles(t)
	writeAll(t, dir, files)
	run := filepath.Join(dir, "s2i", "bin", "run")
	if err := os.Chmod(run, 0o644); err != nil {
		t.Fatal(err)
	}
	plan, err := scaffold.Plan(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	if statuses(plan)["s2i/bin/run"] != scaffold.Identical {
		t.Fatalf("a file with the same content but another mode is %s, want identical", statuses(plan)["s2i/bin/run"])
	}
	if err := plan.Apply(false); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(run); info.Mode().Perm() != 0o755 {
		t.Errorf("s2i/bin/run has mode %v after apply, want 0755", info.Mode().Perm())
	}
}

func writeAll(t *testing.T, dir string, files []scaffold.File) {
	t.Helper()
	plan, err := scaffold.Plan(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.Apply(false); err != nil {
		t.Fatal(err)
	}
}

// TestConflictWritesNothingWithoutForce: in a directory kiln has no record
// of (no .kiln), an existing file that differs has no base to merge from:
// it is a conflict, and stops the whole apply unless forced.
func TestConflictWritesNothingWithoutForce(t *testing.T) {
	dir := t.TempDir()
	files := goldenFiles(t)
	writeAll(t, dir, files)
	if err := os.RemoveAll(filepath.Join(dir, ".kiln")); err != nil {
		t.Fatal(err)
	}
	// The author edited the Dockerfile and deleted the README and the scripts' directory.
	dockerfile := filepath.Join(dir, "Dockerfile")
	edited := strings.Replace(string(files[slices.IndexFunc(files, func(f scaffold.File) bool { return f.Path == "Dockerfile" })].Content),
		"USER 1001", "USER 1001\nHEALTHCHECK NONE", 1)
	if err := os.WriteFile(dockerfile, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"README.md", "s2i"} {
		if err := os.RemoveAll(filepath.Join(dir, p)); err != nil {
			t.Fatal(err)
		}
	}
	before := tree(t, dir)

	plan, err := scaffold.Plan(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	st := statuses(plan)
	if st["Dockerfile"] != scaffold.Conflict || st["README.md"] != scaffold.Create || st["s2i/bin/run"] != scaffold.Create || st["Makefile"] != scaffold.Identical {
		t.Errorf("statuses %v: want Dockerfile conflict, README.md and s2i/bin/run create, Makefile unchanged", st)
	}
	if got := plan.Conflicts(); !slices.Equal(got, []string{"Dockerfile"}) {
		t.Errorf("Conflicts() = %q, want [Dockerfile]", got)
	}
	diff := plan.Files[slices.IndexFunc(plan.Files, func(f scaffold.PlannedFile) bool { return f.Path == "Dockerfile" })].Diff
	for _, want := range []string{"--- a/Dockerfile\n", "+++ b/Dockerfile\n", "\n@@ -", "\n-HEALTHCHECK NONE\n", "\n # G18: a numeric non-root user"} {
		if !strings.Contains(diff, want) {
			t.Errorf("the conflict's diff lacks %q:\n%s", want, diff)
		}
	}
	if strings.Contains(diff, "+HEALTHCHECK") || strings.Contains(diff, "FROM ") {
		t.Errorf("the diff shows more than the change:\n%s", diff)
	}

	err = plan.Apply(false)
	var ce *scaffold.ConflictError
	if !errors.As(err, &ce) || !slices.Equal(ce.Paths, []string{"Dockerfile"}) {
		t.Fatalf("Apply(false) = %v, want a ConflictError for Dockerfile", err)
	}
	if !strings.Contains(err.Error(), "Dockerfile") || !strings.Contains(err.Error(), "--force") {
		t.Errorf("the conflict error %q should name the file and the fix", err)
	}
	if after := tree(t, dir); !mapsEqual(before, after) {
		t.Errorf("a refused apply changed the directory: not even the new files may be written")
	}

	if err := plan.Apply(true); err != nil {
		t.Fatalf("Apply(true): %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil || string(b) != string(f.Content) {
			t.Errorf("after a forced apply %s is not the rendered file (%v)", f.Path, err)
		}
	}
	noTempFiles(t, dir)
}

func TestPlanRefusesADirectoryOrLinkWhereAFileGoes(t *testing.T) {
	files := goldenFiles(t)
	for name, block := range map[string]func(string) error{
		"directory": func(p string) error { return os.MkdirAll(filepath.Join(p, "inside"), 0o755) },
		"symlink":   func(p string) error { return os.Symlink("/etc/passwd", p) },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "test"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := block(filepath.Join(dir, "test", "run")); err != nil {
				t.Fatal(err)
			}
			before := tree(t, dir)
			_, err := scaffold.Plan(dir, files)
			if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "test", "run")) {
				t.Errorf("Plan = %v, want an error naming test/run", err)
			}
			if !mapsEqual(before, tree(t, dir)) {
				t.Error("Plan changed the directory")
			}
		})
	}
}

// TestApplyFailureLeavesNoTempFiles makes Apply fail after Plan, when a file
// or a directory appears in the way: no temporary file is left, and a
// failure while writing leaves no file of the plan at all.
func TestApplyFailureLeavesNoTempFiles(t *testing.T) {
	files := goldenFiles(t)
	t.Run("while writing", func(t *testing.T) {
		dir := t.TempDir()
		plan, err := scaffold.Plan(dir, files)
		if err != nil {
			t.Fatal(err)
		}
		// A file where the directory test/ must go: the temporary files of
		// the files before it are written, then test/run cannot be.
		if err := os.WriteFile(filepath.Join(dir, "test"), []byte("in the way"), 0o644); err != nil {
			t.Fatal(err)
		}
		before := tree(t, dir)
		if err := plan.Apply(false); err == nil {
			t.Fatal("Apply succeeded with a file where a directory must go")
		}
		noTempFiles(t, dir)
		after := tree(t, dir)
		for p := range after {
			if _, ok := before[p]; !ok {
				t.Errorf("a failed apply left %s behind", p)
			}
		}
	})
	t.Run("while renaming", func(t *testing.T) {
		dir := t.TempDir()
		plan, err := scaffold.Plan(dir, files)
		if err != nil {
			t.Fatal(err)
		}
		// A non-empty directory where the last file goes: every temporary
		// file is written, then that rename fails.
		last := files[len(files)-1].Path
		if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(last), "x"), 0o755); err != nil {
			t.Fatal(err)
		}
		err = plan.Apply(false)
		if err == nil || !strings.Contains(err.Error(), last) {
			t.Fatalf("Apply = %v, want an error naming %s", err, last)
		}
		noTempFiles(t, dir)
	})
}

// TestReRenderUpdatesUneditedFilesOnly: after the spec changes, files still
// as kiln wrote them are updates, applied without force. In a repo whose
// kiln kept only the SHA-256s of its render (no base copies), a file the
// author edited and kiln changes has no base: a conflict, which stops the
// whole apply; an edited file kiln does not change keeps the edits, its base
// recovered from the new render's matching SHA-256.
func TestReRenderUpdatesUneditedFilesOnly(t *testing.T) {
	dir := t.TempDir()
	s := presetSpec(t, "python", "golden")
	first, err := scaffold.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	writeAll(t, dir, first)
	manifest, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(scaffold.ManifestFile)))
	if err != nil {
		t.Fatalf("Apply wrote no %s: %v", scaffold.ManifestFile, err)
	}
	if n := strings.Count(string(manifest), "\n"); n != len(first) {
		t.Errorf("%s lists %d files, want %d", scaffold.ManifestFile, n, len(first))
	}

	s.Description = "A new description."
	second, err := scaffold.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := scaffold.Plan(dir, second)
	if err != nil {
		t.Fatal(err)
	}
	st := statuses(plan)
	for _, name := range []string{"Dockerfile", "README.md", "kiln.yaml", "s2i/bin/usage", "openshift/imagestream.yaml"} {
		if st[name] != scaffold.Update {
			t.Errorf("%s (unedited, its content changed) is %s, want update", name, st[name])
		}
	}
	if st["s2i/bin/run"] != scaffold.Identical {
		t.Errorf("s2i/bin/run is %s, want identical", st["s2i/bin/run"])
	}
	if err := plan.Apply(false); err != nil {
		t.Fatal(err)
	}

	// A repo from a kiln that kept only the SHA-256s; the author edits the
	// Makefile and the Dockerfile by hand.
	if err := os.RemoveAll(filepath.Join(dir, filepath.FromSlash(scaffold.BaseDir))); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Makefile", "Dockerfile"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("# mine\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s.Description = "Another description."
	third, err := scaffold.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	plan, err = scaffold.Plan(dir, third)
	if err != nil {
		t.Fatal(err)
	}
	if got := plan.Conflicts(); !slices.Equal(got, []string{"Dockerfile"}) {
		t.Errorf("conflicts %q, want [Dockerfile]", got)
	}
	if st := statuses(plan); st["Makefile"] != scaffold.Identical {
		t.Errorf("Makefile (edited, kiln's unchanged) is %s, want unchanged", st["Makefile"])
	}
	before := tree(t, dir)
	if err := plan.Apply(false); err == nil {
		t.Fatal("Apply(false) with an edited Dockerfile and no base succeeded")
	}
	if !mapsEqual(before, tree(t, dir)) {
		t.Error("a refused apply changed the directory")
	}
}

// TestUnifiedBinary: a file that is not UTF-8 text (a test app's wheel)
// gets git's one line, where go-udiff would exit the process (kiln new
// --force from the python preset to another one did).
func TestUnifiedBinary(t *testing.T) {
	wheel := []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00\xb7\x8c\xff\xfe\n")
	for _, c := range []struct {
		old, new []byte
		want     string
	}{
		{wheel, nil, "Binary files a/w.whl and b/w.whl differ\n"},
		{nil, wheel, "Binary files a/w.whl and b/w.whl differ\n"},
		{wheel, wheel, ""},
		{[]byte("a\n"), []byte("b\n"), "--- a/w.whl\n+++ b/w.whl\n@@ -1 +1 @@\n-a\n+b\n"},
	} {
		if got := scaffold.Unified("a/w.whl", "b/w.whl", c.old, c.new); got != c.want {
			t.Errorf("Unified(%q, %q) = %q, want %q", c.old, c.new, got, c.want)
		}
	}
}
