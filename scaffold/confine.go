package scaffold

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// checkConfined refuses a write plan whose files would land outside dir
// because a directory on their way is a symbolic link leading out of it
// (issue 10: with d/s2i -> ../other the four scripts landed in other/bin).
// A link to somewhere inside dir is fine. dir itself is resolved once: the
// repo may live behind a link.
func checkConfined(dir string, paths []string) error {
	root, err := filepath.EvalSymlinks(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // a new repo: nothing in it can be a link yet
	}
	if err != nil {
		return err
	}
	checked := map[string]bool{}
	for _, p := range paths {
		parts := strings.Split(filepath.Dir(filepath.FromSlash(p)), string(filepath.Separator))
		cur := dir
		for _, part := range parts {
			if part == "." || part == "" {
				continue
			}
			cur = filepath.Join(cur, part)
			if checked[cur] {
				continue
			}
			checked[cur] = true
			info, err := os.Lstat(cur)
			if errors.Is(err, fs.ErrNotExist) {
				break // created by kiln, below a checked directory
			}
			if err != nil {
				return err
			}
			if info.Mode()&fs.ModeSymlink == 0 {
				continue
			}
			real, err := filepath.EvalSymlinks(cur)
			if err != nil {
				return fmt.Errorf("%s is a symbolic link kiln cannot follow (%v): replace it by a directory", cur, errors.Unwrap(err))
			}
			if rel, err := filepath.Rel(root, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return fmt.Errorf("%s is a symbolic link to %s, outside the repository %s: kiln writes only inside it; replace the link by a directory", cur, real, dir)
			}
		}
	}
	return nil
}
