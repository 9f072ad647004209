package scaffold

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
)

// Labels of the conflict markers kiln writes: the author's side first, as
// git does for the branch one is on.
const (
	OursLabel   = "yours"
	TheirsLabel = "kiln"
)

// ErrNoMerger says a three-way merge was needed and no merger is available.
var ErrNoMerger = errors.New("an edited file needs a three-way merge, which kiln does with `git merge-file`, and git is not installed: install git (e.g. apt-get install git, dnf install git), or re-render with --force to replace your edits")

// merge3 merges the author's file (ours) and the new render (theirs) from
// what kiln rendered last time (base), with git's own diff3 (git merge-file),
// the merger every git user's conflicts come from. It returns the merged
// text and the number of conflicts, each between standard markers:
// <<<<<<< yours, =======, >>>>>>> kiln.
func merge3(base, ours, theirs []byte) ([]byte, int, error) {
	git, err := exec.LookPath("git")
	if err != nil {
		return nil, 0, ErrNoMerger
	}
	var names [3]string // yours, base, kiln
	defer func() {
		for _, n := range names {
			if n != "" {
				os.Remove(n)
			}
		}
	}()
	for i, b := range [3][]byte{ours, base, theirs} {
		f, err := os.CreateTemp("", "kiln-merge-*")
		if err != nil {
			return nil, 0, err
		}
		names[i] = f.Name()
		_, werr := f.Write(b)
		if err := errors.Join(werr, f.Close()); err != nil {
			return nil, 0, err
		}
	}
	// merge.conflictStyle is set so a user's diff3 or zdiff3 style does not
	// change kiln's markers; running in the temporary directory keeps any
	// repository's config out, and the labels name the sides.
	cmd := exec.Command(git, "-c", "merge.conflictStyle=merge", "merge-file", "-p",
		"-L", OursLabel, "-L", "base", "-L", TheirsLabel, names[0], names[1], names[2])
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "LC_ALL=C")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.Bytes(), 0, nil
	case errors.As(err, &exit) && exit.ExitCode() > 0 && exit.ExitCode() < 128:
		// git merge-file exits with the number of conflicts (at most 127).
		return out.Bytes(), exit.ExitCode(), nil
	default:
		return nil, 0, fmt.Errorf("git merge-file: %v: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
}
