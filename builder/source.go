package builder

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// scpLikeGit matches git's scp-like remote syntax, user@host:path.
var scpLikeGit = regexp.MustCompile(`^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:`)

// isGitURL reports whether src names a git remote rather than a directory.
func isGitURL(src string) bool {
	return strings.Contains(src, "://") || scpLikeGit.MatchString(src)
}

// fetchSource makes o.Source a local directory holding exactly what s2i
// builds, and says what to record about it:
//   - a git URL (https://, file://, git@host:path) is cloned with the git
//     binary and checked out at --ref;
//   - a local directory that is a git repository's root is cloned too,
//     unless --copy: s2i builds the committed HEAD (or --ref), never
//     untracked or modified files;
//   - any other directory, and any with --copy, is used as it is, and no
//     commit labels are set.
//
// --context-dir then picks a directory inside it. cleanup removes a clone.
func fetchSource(ctx context.Context, r *reporter, step string, o *S2IOptions) (info SourceInfo, cleanup func(), err error) {
	cleanup = func() {}
	root := o.Source
	clone := isGitURL(o.Source)
	if !clone {
		fi, err := os.Stat(o.Source)
		if err != nil || !fi.IsDir() {
			return info, cleanup, fmt.Errorf("source %q is not a directory or a git URL", o.Source)
		}
		// A source given as a symbolic link is its target (the copy does
		// not follow a link at its root).
		if root, err = filepath.EvalSymlinks(o.Source); err != nil {
			return info, cleanup, fmt.Errorf("source %s: %w", o.Source, err)
		}
		if _, err := os.Stat(filepath.Join(root, ".git")); err == nil && !o.Copy {
			clone = true
		}
	}
	if !clone && o.Ref != "" {
		return info, cleanup, fmt.Errorf("--ref %s: the source %s is not a git repository (or --copy was given)", o.Ref, o.Source)
	}
	info = SourceInfo{Location: root}
	if clone {
		dir, err := os.MkdirTemp("", "kiln-s2i-src-")
		if err != nil {
			return info, cleanup, err
		}
		cleanup = func() { os.RemoveAll(dir) }
		from := o.Source
		if !isGitURL(from) {
			from = root
		}
		r.emit(Event{Kind: StepLog, Step: step, Stream: "stdout", Line: "cloning " + o.Source})
		if _, err := runGit(ctx, "", "clone", "--quiet", "--", from, dir); err != nil {
			cleanup()
			return info, func() {}, err
		}
		if o.Ref != "" {
			if _, err := runGit(ctx, dir, "checkout", "--quiet", o.Ref); err != nil {
				cleanup()
				return info, func() {}, fmt.Errorf("--ref %s: %w", o.Ref, err)
			}
		}
		info = gitInfo(ctx, dir)
		info.Location = o.Source
		if !isGitURL(o.Source) {
			// a local repository: its origin, as s2i records it, else the path
			if u, err := runGit(ctx, root, "config", "--get", "remote.origin.url"); err == nil && u != "" {
				info.Location = u
			} else {
				info.Location = root
			}
		}
		info.Cloned = true
		root = dir
	}
	if o.ContextDir != "" {
		rel := filepath.Clean(o.ContextDir)
		if filepath.IsAbs(rel) || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			cleanup()
			return info, func() {}, fmt.Errorf("--context-dir %s must be a relative path inside the source", o.ContextDir)
		}
		sub := filepath.Join(root, rel)
		if real, err := filepath.EvalSymlinks(sub); err != nil {
			cleanup()
			return info, func() {}, fmt.Errorf("--context-dir %s: %w", o.ContextDir, err)
		} else if r, _ := filepath.EvalSymlinks(root); !strings.HasPrefix(real+string(filepath.Separator), r+string(filepath.Separator)) {
			cleanup()
			return info, func() {}, fmt.Errorf("--context-dir %s leads out of the source through a symbolic link", o.ContextDir)
		}
		if fi, err := os.Stat(sub); err != nil || !fi.IsDir() {
			cleanup()
			return info, func() {}, fmt.Errorf("--context-dir %s is not a directory of the source", o.ContextDir)
		}
		info.ContextDir = rel
		root = sub
	}
	o.Source = root
	return info, cleanup, nil
}

// runGit runs the git binary and returns its trimmed stdout; a failure
// carries git's own last error line.
func runGit(ctx context.Context, dir string, args ...string) (string, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return "", errors.New("git is not installed: kiln clones git sources with it (apt-get install git), or pass a directory with --copy")
	}
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0") // never wait for a password
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		// git's own first fatal or error line, else its last line
		msg := ""
		for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				if msg == "" || strings.HasPrefix(l, "fatal:") || strings.HasPrefix(l, "error:") {
					msg = l
				}
				if strings.HasPrefix(l, "fatal:") || strings.HasPrefix(l, "error:") {
					break
				}
			}
		}
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("git %s: %s", args[0], msg)
	}
	return strings.TrimSpace(stdout.String()), nil
}
