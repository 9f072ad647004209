package scaffold

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	udiff "github.com/aymanbagabas/go-udiff"
)

// Status says what writing a file would do.
type Status string

const (
	Create    Status = "create"    // the file does not exist yet
	Identical Status = "identical" // the file exists with the same content
	Conflict  Status = "conflict"  // the file exists and differs: written only with force
)

// PlannedFile is one file of a write plan.
type PlannedFile struct {
	File
	Status Status
	Diff   string // unified diff from the file on disk to the rendered one, for conflicts
}

// WritePlan is what writing a set of files into a directory would do.
type WritePlan struct {
	Dir   string
	Files []PlannedFile
}

// Plan compares rendered files with what is in dir. It reads, never writes.
func Plan(dir string, files []File) (*WritePlan, error) {
	p := &WritePlan{Dir: dir}
	for _, f := range files {
		target := filepath.Join(dir, filepath.FromSlash(f.Path))
		pf := PlannedFile{File: f, Status: Create}
		info, err := os.Lstat(target)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, err
		case info.IsDir():
			return nil, fmt.Errorf("%s is a directory, where kiln writes a file: move it away", target)
		case !info.Mode().IsRegular():
			return nil, fmt.Errorf("%s is not a regular file (a link or device), where kiln writes a file: move it away", target)
		default:
			old, err := os.ReadFile(target)
			if err != nil {
				return nil, err
			}
			if bytes.Equal(old, f.Content) {
				pf.Status = Identical
			} else {
				pf.Status = Conflict
				pf.Diff = udiff.Unified("a/"+f.Path, "b/"+f.Path, string(old), string(f.Content))
			}
		}
		p.Files = append(p.Files, pf)
	}
	return p, nil
}

// Conflicts lists the paths that exist and differ.
func (p *WritePlan) Conflicts() []string {
	var out []string
	for _, f := range p.Files {
		if f.Status == Conflict {
			out = append(out, f.Path)
		}
	}
	return out
}

// Count returns how many files have status s.
func (p *WritePlan) Count(s Status) int {
	n := 0
	for _, f := range p.Files {
		if f.Status == s {
			n++
		}
	}
	return n
}

// ConflictError lists files that exist and differ.
type ConflictError struct{ Paths []string }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%d file(s) exist and differ, so nothing was written: %v; see the changes with --dry-run, or overwrite them with --force", len(e.Paths), e.Paths)
}

// Apply writes the plan. Without force any conflict stops it before anything
// is written. Each file is written to a temporary file first and renamed
// into place only when every file was written, so a failure leaves no partial file.
func (p *WritePlan) Apply(force bool) error {
	if c := p.Conflicts(); len(c) > 0 && !force {
		return &ConflictError{Paths: c}
	}
	type pending struct{ tmp, target string }
	var done []pending
	cleanup := func() {
		for _, d := range done {
			os.Remove(d.tmp)
		}
	}
	for _, f := range p.Files {
		target := filepath.Join(p.Dir, filepath.FromSlash(f.Path))
		if f.Status == Identical {
			if info, err := os.Stat(target); err == nil && info.Mode().Perm() != f.Mode.Perm() {
				if err := os.Chmod(target, f.Mode.Perm()); err != nil {
					cleanup()
					return err
				}
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			cleanup()
			return err
		}
		tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".kiln-*")
		if err != nil {
			cleanup()
			return err
		}
		done = append(done, pending{tmp: tmp.Name(), target: target})
		_, werr := tmp.Write(f.Content)
		cerr := tmp.Close()
		if err := errors.Join(werr, cerr, os.Chmod(tmp.Name(), f.Mode.Perm())); err != nil {
			cleanup()
			return fmt.Errorf("writing %s: %w", target, err)
		}
	}
	for i, d := range done {
		if err := os.Rename(d.tmp, d.target); err != nil {
			for _, rest := range done[i:] {
				os.Remove(rest.tmp)
			}
			return fmt.Errorf("writing %s: %w", d.target, err)
		}
	}
	return nil
}
