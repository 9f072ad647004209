package lint

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rogpeppe/go-internal/txtar"
)

// A fixture is a txtar archive of a repository. Its comment says which rules
// it is about ("rules: KL001 KL002"); its "want" file lists the exact
// findings of those rules, one "file:line RULE" a line. ".modes" may set
// file modes ("s2i/bin/run 0644"); scripts default to 0755.
type fixture struct {
	name  string
	rules []string
	want  []string
	fsys  fstest.MapFS
}

func loadFixture(t testing.TB, file string) fixture {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	fx := fixture{name: filepath.Base(file), fsys: fstest.MapFS{}}
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "rules:"); ok {
			fx.rules = append(fx.rules, strings.Fields(v)...)
		}
	}
	modes := map[string]fs.FileMode{}
	for _, f := range ar.Files {
		switch f.Name {
		case "want":
			for _, l := range strings.Split(string(f.Data), "\n") {
				if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
					fx.want = append(fx.want, l)
				}
			}
		case ".modes":
			for _, l := range strings.Split(string(f.Data), "\n") {
				fields := strings.Fields(l)
				if len(fields) == 2 {
					m, err := strconv.ParseUint(fields[1], 8, 32)
					if err != nil {
						t.Fatalf("%s: .modes: %v", file, err)
					}
					modes[fields[0]] = fs.FileMode(m)
				}
			}
		}
	}
	for _, f := range ar.Files {
		if f.Name == "want" || f.Name == ".modes" {
			continue
		}
		mode := fs.FileMode(0o644)
		if strings.Contains(f.Name, "s2i/bin/") || strings.HasSuffix(f.Name, "test/run") || strings.HasSuffix(f.Name, ".sh") {
			mode = 0o755
		}
		if m, ok := modes[f.Name]; ok {
			mode = m
		}
		fx.fsys[f.Name] = &fstest.MapFile{Data: f.Data, Mode: mode}
	}
	return fx
}

func (fx fixture) got(t testing.TB) []string {
	t.Helper()
	fs, err := FS(fx.fsys, Options{})
	if err != nil {
		t.Fatalf("%s: %v", fx.name, err)
	}
	var got []string
	for _, f := range fs {
		if slices.Contains(fx.rules, f.Rule) {
			got = append(got, fmt.Sprintf("%s:%d %s", f.File, f.Line, f.Rule))
		}
	}
	return got
}

func fixtures(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in testdata/%s", dir)
	}
	return files
}

// TestRuleFixtures runs the failing and passing fixture of every rule.
func TestRuleFixtures(t *testing.T) {
	have := map[string]bool{}
	for _, file := range fixtures(t, "rules") {
		have[strings.TrimSuffix(filepath.Base(file), ".txtar")] = true
		t.Run(filepath.Base(file), func(t *testing.T) {
			fx := loadFixture(t, file)
			if len(fx.rules) == 0 {
				t.Fatal("fixture names no rules")
			}
			if strings.Contains(file, "-fail") && len(fx.want) == 0 {
				t.Fatal("a failing fixture must want a finding")
			}
			if strings.Contains(file, "-pass") && len(fx.want) != 0 {
				t.Fatal("a passing fixture must want no finding")
			}
			got := fx.got(t)
			if !slices.Equal(got, fx.want) {
				t.Errorf("findings of %v:\n got: %q\nwant: %q", fx.rules, got, fx.want)
			}
		})
	}
	for _, r := range Rules() {
		for _, kind := range []string{"fail", "pass"} {
			if !have[r.ID+"-"+kind] {
				t.Errorf("rule %s has no testdata/rules/%s-%s.txtar", r.ID, r.ID, kind)
			}
		}
	}
}

// TestGuideExamples lints each example of the OKD guide.
func TestGuideExamples(t *testing.T) {
	for _, file := range fixtures(t, "guide") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			fx := loadFixture(t, file)
			got := fx.got(t)
			if !slices.Equal(got, fx.want) {
				t.Errorf("findings of %v:\n got: %q\nwant: %q", fx.rules, got, fx.want)
			}
		})
	}
}

// TestRealWorld: builder repos in the style of well-known images raise no
// error; kiln's own scaffold raises nothing at warning level.
func TestRealWorld(t *testing.T) {
	for _, file := range fixtures(t, "realworld") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			fx := loadFixture(t, file)
			fs, err := FS(fx.fsys, Options{})
			if err != nil {
				t.Fatal(err)
			}
			threshold := Error
			if strings.HasPrefix(filepath.Base(file), "kiln-") {
				threshold = Warning
			}
			for _, f := range fs {
				if f.Severity >= threshold {
					t.Errorf("%s:%d %s %s %s", f.File, f.Line, f.Severity, f.Rule, f.Message)
				}
			}
			if len(fx.rules) > 0 {
				if got := fx.got(t); !slices.Equal(got, fx.want) {
					t.Errorf("findings of %v:\n got: %q\nwant: %q", fx.rules, got, fx.want)
				}
			}
			if testing.Verbose() {
				for _, f := range fs {
					fmt.Fprintf(os.Stderr, "  %s:%d %s %s %s\n", f.File, f.Line, f.Severity, f.Rule, f.Message)
				}
			}
		})
	}
}

// TestFilesAPI lints an in-memory repository the way the wizard does before
// writing it, and a real directory through Repo.
func TestFilesAPI(t *testing.T) {
	fx := loadFixture(t, filepath.Join("testdata", "guide", "s2i-scripts.txtar"))
	fsys := fstest.MapFS{} // modes unknown, as in a plain map of contents
	for name, f := range fx.fsys {
		fsys[name] = &fstest.MapFile{Data: f.Data}
	}
	got, err := FS(fsys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"s2i/bin/run:4 KL120": false, "s2i/bin/save-artifacts:3 KL121": false}
	for _, f := range got {
		key := fmt.Sprintf("%s:%d %s", f.File, f.Line, f.Rule)
		if _, ok := want[key]; ok {
			want[key] = true
		}
		if f.Rule == "KL124" {
			t.Errorf("Files knows no modes, yet reported %v", f)
		}
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("Files: missing %s in %v", k, got)
		}
	}

	dir := t.TempDir()
	for name, f := range fx.fsys {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, f.Mode); err != nil {
			t.Fatal(err)
		}
	}
	onDisk, err := Repo(dir, Options{Ignore: []string{"KL121"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range onDisk {
		if f.Rule == "KL121" {
			t.Errorf("Options.Ignore did not drop %v", f)
		}
	}
	if Count(onDisk, Warning) == 0 {
		t.Errorf("Repo found nothing in the guide's scripts: %v", onDisk)
	}
	if _, err := Repo(filepath.Join(dir, "missing"), Options{}); err == nil {
		t.Error("Repo of a missing directory gave no error")
	}
}
