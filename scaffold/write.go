package scaffold

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
)

// Status says what writing a file would do.
type Status string

const (
	Create    Status = "create"    // the file does not exist yet
	Identical Status = "identical" // the file exists with the same content
	Update    Status = "update"    // the file is kiln's last output, unedited: safe to replace
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

// ManifestFile records the SHA-256 of every file kiln wrote, in sha256sum
// format, so a later render can tell its own unedited output (safe to
// replace) from an author's edits (never replaced without force).
const ManifestFile = ".kiln/rendered.sha256"

func readManifest(dir string) map[string]string {
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(ManifestFile)))
	if err != nil {
		return nil
	}
	m := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		sum, path, ok := strings.Cut(line, "  ")
		if ok {
			m[path] = sum
		}
	}
	return m
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Plan compares rendered files with what is in dir. It reads, never writes.
func Plan(dir string, files []File) (*WritePlan, error) {
	p := &WritePlan{Dir: dir}
	manifest := readManifest(dir)
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
			switch {
			case bytes.Equal(old, f.Content):
				pf.Status = Identical
			case manifest[f.Path] == sha256Hex(old):
				pf.Status = Update
				pf.Diff = udiff.Unified("a/"+f.Path, "b/"+f.Path, string(old), string(f.Content))
			default:
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

// manifest renders ManifestFile for the planned files.
func (p *WritePlan) manifest() File {
	var b strings.Builder
	for _, f := range p.Files {
		fmt.Fprintf(&b, "%s  %s\n", sha256Hex(f.Content), f.Path)
	}
	return File{Path: ManifestFile, Content: []byte(b.String()), Mode: 0o644}
}

// WithoutConflicts is the plan less its conflicting files: the author's
// edited files stay as they are, and kiln's manifest does not claim them.
func (p *WritePlan) WithoutConflicts() *WritePlan {
	out := &WritePlan{Dir: p.Dir}
	for _, f := range p.Files {
		if f.Status != Conflict {
			out.Files = append(out.Files, f)
		}
	}
	return out
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
	var madeDirs []string // directories this Apply created, parents first
	cleanup := func() {
		for _, d := range done {
			os.Remove(d.tmp)
		}
		for i := len(madeDirs) - 1; i >= 0; i-- {
			os.Remove(madeDirs[i]) // only when empty: another file may be in it
		}
	}
	manifest := PlannedFile{File: p.manifest(), Status: Update}
	for _, f := range append(p.Files, manifest) {
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
		missing := missingDirs(filepath.Dir(target))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			madeDirs = append(madeDirs, missing...)
			cleanup()
			return err
		}
		madeDirs = append(madeDirs, missing...)
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

// missingDirs lists dir and its ancestors that do not exist yet, parents first.
func missingDirs(dir string) []string {
	var out []string
	for {
		if _, err := os.Lstat(dir); err == nil {
			break
		}
		out = append([]string{dir}, out...)
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return out
}
