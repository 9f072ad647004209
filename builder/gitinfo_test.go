package builder

import (
	"context"
	"os/exec"
	"strings"
	"testing"
)

// TestGitInfoStripsCredentials: a git remote with a token becomes the
// source-location label and is printed; the token must reach neither
// (issue 10).
func TestGitInfoStripsCredentials(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	for remote, want := range map[string]string{
		"https://u:ghp_SECRET@github.com/o/r.git": "https://github.com/o/r.git",
		"https://ghp_SECRET@github.com/o/r.git":   "https://github.com/o/r.git",
		"git@github.com:o/r.git":                  "git@github.com:o/r.git",
	} {
		dir := t.TempDir()
		for _, args := range [][]string{
			{"init", "-q"},
			{"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "first"},
			{"remote", "add", "origin", remote},
		} {
			if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
				t.Fatalf("git %v: %v\n%s", args, err, out)
			}
		}
		info := gitInfo(context.Background(), dir)
		if !info.Git || info.Location != want {
			t.Errorf("remote %s: Location = %q (git %v), want %q", remote, info.Location, info.Git, want)
		}
		if strings.Contains(info.Location, "SECRET") {
			t.Errorf("the token reached the location: %q", info.Location)
		}
	}
}
