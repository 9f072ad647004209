package builder

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
)

// MaxSourceEntries bounds what copying a source may create: following
// links that point at directories inside the source can multiply a small
// tree (two links to a directory holding two links to the next ...).
const MaxSourceEntries = 200_000

// sourceCopier copies a source directory into the build context, as s2i's
// file downloader does:
//   - entries matching Exclude, an .s2iignore rule or Skip are left out
//     (matched against their path in the source, link names as written);
//   - with KeepLinks, a symbolic link is copied as a link;
//   - without, a link is followed and its target's content copied, but only
//     when the target lies inside the source root: a link leading out of
//     the source, a broken link and a link into a directory it is already
//     inside of (a loop) are copied as links and reported through Warn,
//     never followed, so no host file reaches the image;
//   - sockets, devices and FIFOs are left out.
type sourceCopier struct {
	Root      string // the source, with its links resolved
	KeepLinks bool
	Exclude   *regexp.Regexp
	Ignore    []ignoreRule
	Skip      map[string]bool // paths relative to Root (the moved .s2i/bin scripts)
	Warn      func(string)
	Max       int // MaxSourceEntries when 0
	entries   int
}

// Copy copies c.Root's contents into dst (which must not exist yet or be empty).
func (c *sourceCopier) Copy(dst string) error {
	root, err := filepath.EvalSymlinks(c.Root)
	if err != nil {
		return err
	}
	c.Root = root
	if c.Max == 0 {
		c.Max = MaxSourceEntries
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	return c.copyDir(root, "", dst, []string{root})
}

// copyDir copies the real directory dir, which appears at rel in the
// source, into dst; stack holds the real directories being copied, from
// the root down, to tell a loop.
func (c *sourceCopier) copyDir(dir, rel, dst string, stack []string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, de := range entries {
		name := de.Name()
		relPath := filepath.Join(rel, name)
		if c.left(relPath) {
			continue
		}
		if c.entries++; c.entries > c.Max {
			return fmt.Errorf("the source has more than %d files and directories (counting those reached through symbolic links): leave some out with .s2iignore or --exclude, or keep links as links with --keep-symlinks", c.Max)
		}
		from, to := filepath.Join(dir, name), filepath.Join(dst, name)
		fi, err := os.Lstat(from)
		if err != nil {
			return err
		}
		if fi.Mode()&os.ModeSymlink != 0 && !c.KeepLinks {
			target, why := c.follow(from, stack)
			if why != "" {
				if c.Warn != nil {
					c.Warn(fmt.Sprintf("%s is a symbolic link %s: copied as a link, not followed", filepath.ToSlash(relPath), why))
				}
			} else if fi, err = os.Stat(target); err != nil {
				return err
			} else {
				from = target
			}
		}
		switch {
		case fi.IsDir():
			if err := os.Mkdir(to, fi.Mode().Perm()|0o700); err != nil {
				return err
			}
			// from is a real path: dir is one, and a followed link's target is resolved
			if err := c.copyDir(from, relPath, to, append(stack, from)); err != nil {
				return err
			}
		case fi.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(from)
			if err != nil {
				return err
			}
			if err := os.Symlink(target, to); err != nil {
				return err
			}
		case fi.Mode().IsRegular():
			if err := copyFile(from, to, fi.Mode().Perm()); err != nil {
				return err
			}
		}
	}
	return nil
}

// left reports whether the source path rel is left out of the build.
func (c *sourceCopier) left(rel string) bool {
	slash := filepath.ToSlash(rel)
	return (c.Exclude != nil && c.Exclude.String() != "" && c.Exclude.MatchString(slash)) || c.Skip[rel] || ignored(rel, c.Ignore)
}

// follow resolves the link at p and says why it must not be followed ("" if
// it may): broken, leading out of the source, or into a directory being
// copied (a loop).
func (c *sourceCopier) follow(p string, stack []string) (target, why string) {
	t, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", "that leads nowhere"
	}
	if !within(filepath.ToSlash(t), filepath.ToSlash(c.Root)) {
		return "", "that leads out of the source"
	}
	if slices.Contains(stack, t) {
		return "", "into a directory it is inside of (a loop)"
	}
	return t, ""
}

func copyFile(from, to string, perm os.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
