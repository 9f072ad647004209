package builder

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitRepo makes a repository with two commits (tag v1 on the first) and
// returns its path and the commit IDs.
func gitRepo(t *testing.T) (dir, first, second string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("these tests need git (apt-get install git)")
	}
	dir = filepath.Join(t.TempDir(), "repo")
	git := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com",
			"GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	write := func(p, content string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	git("init", "-q", "-b", "main")
	write("app/main.txt", "v1\n")
	git("add", "-A")
	git("commit", "-q", "-m", "first")
	git("tag", "v1")
	first = git("rev-parse", "HEAD")
	write("app/main.txt", "v2\n")
	git("commit", "-q", "-am", "second")
	second = git("rev-parse", "HEAD")
	// a dirty work tree: s2i builds HEAD, not these
	write("app/main.txt", "modified\n")
	write(".env", "SECRET=1\n")
	return dir, first, second
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return strings.TrimSpace(string(b))
}

func TestFetchSource(t *testing.T) {
	repo, first, second := gitRepo(t)
	tests := []struct {
		name            string
		o               S2IOptions
		file, want      string // a file of the fetched source and its content
		envFile         bool   // .env (untracked) is there
		commit, context string
		err             string
	}{
		{name: "local repository: its HEAD", o: S2IOptions{Source: repo}, file: "app/main.txt", want: "v2", commit: second},
		{name: "--copy: the work tree, no labels", o: S2IOptions{Source: repo, Copy: true}, file: "app/main.txt", want: "modified", envFile: true},
		{name: "a subdirectory: as it is", o: S2IOptions{Source: filepath.Join(repo, "app")}, file: "main.txt", want: "modified"},
		{name: "file URL at a tag, context dir", o: S2IOptions{Source: "file://" + repo, Ref: "v1", ContextDir: "app"}, file: "main.txt", want: "v1", commit: first, context: "app"},
		{name: "bad ref", o: S2IOptions{Source: "file://" + repo, Ref: "nope"}, err: "--ref nope: git checkout: error: pathspec 'nope' did not match"},
		{name: "ref without git", o: S2IOptions{Source: filepath.Join(repo, "app"), Ref: "v1"}, err: "is not a git repository"},
		{name: "context dir out", o: S2IOptions{Source: repo, ContextDir: "../x"}, err: "must be a relative path inside the source"},
		{name: "missing repository", o: S2IOptions{Source: "file:///nonexistent/repo"}, err: "git clone: fatal:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.o
			info, cleanup, err := fetchSource(context.Background(), newReporter(nil), "s2i", &o)
			defer cleanup()
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := read(t, filepath.Join(o.Source, tt.file)); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.file, got, tt.want)
			}
			root := o.Source
			if tt.context != "" {
				root = filepath.Dir(root)
			}
			if _, err := os.Stat(filepath.Join(root, ".env")); (err == nil) != tt.envFile {
				t.Errorf(".env present: %v, want %v", err == nil, tt.envFile)
			}
			if info.CommitID != tt.commit || info.Git != (tt.commit != "") {
				t.Errorf("commit %q (git %v), want %q", info.CommitID, info.Git, tt.commit)
			}
			if info.ContextDir != tt.context {
				t.Errorf("context dir %q, want %q", info.ContextDir, tt.context)
			}
		})
	}
	t.Run("no git binary", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		o := S2IOptions{Source: "https://example.com/app.git"}
		_, cleanup, err := fetchSource(context.Background(), newReporter(nil), "s2i", &o)
		defer cleanup()
		if err == nil || !strings.Contains(err.Error(), "git is not installed") {
			t.Errorf("err = %v", err)
		}
	})
}
