package scaffold

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	udiff "github.com/aymanbagabas/go-udiff"
)

// Status says what writing a file does.
type Status string

const (
	Create       Status = "create"         // the file does not exist yet
	Identical    Status = "unchanged"      // nothing to write: the file already holds the result
	Update       Status = "updated"        // the file is kiln's last render, unedited: replaced
	Merged       Status = "merged"         // the author's edits and kiln's changes merged cleanly
	Conflict     Status = "conflict"       // edits collide (written with markers), or an edited file kiln has no base for (written only with force)
	DeletedByYou Status = "deleted-by-you" // kiln rendered it, the author deleted it: stays deleted
	Removed      Status = "removed"        // kiln no longer renders it and it is unedited: deleted
	Kept         Status = "kept"           // kiln no longer renders it, but it is edited: left alone
	Stale        Status = "stale"          // kiln no longer renders it, unedited, and the author has not confirmed its removal: left alone (KeepStale)
)

// PlannedFile is one file of a write plan.
type PlannedFile struct {
	File          // the new render (kiln's side)
	Status Status // what Apply does with it
	// Diff is a unified diff from the file on disk to what Apply writes (for
	// a conflict without markers: to the new render, written only with force).
	Diff string
	// Result is what Apply writes: the render, or the merge of the
	// author's edits and kiln's changes; nil when nothing is written.
	Result []byte
	// Marked is set for a conflict whose Result holds conflict markers;
	// unset, the conflict is an edited file with no base to merge from.
	Marked bool

	ours       []byte // the file on disk when planned; nil when it did not exist
	base       []byte // what kiln rendered last time, when known
	baseOnDisk bool   // base is BaseDir's copy (not recovered)
	source     bool   // the author's kiln.yaml, re-stamped: written as given, never merged
}

// WritePlan is what writing a set of files into a directory does.
type WritePlan struct {
	Dir   string
	Files []PlannedFile
}

// ManifestFile records the SHA-256 of every file kiln rendered last time, in
// sha256sum format, and BaseDir keeps those renders byte for byte: the base
// of the three-way merge that carries the author's edits into the next render.
// A base whose SHA-256 differs from the manifest's is not trusted.
const (
	ManifestFile = ".kiln/rendered.sha256"
	BaseDir      = ".kiln/base"
)

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

// readBase returns kiln's last render of path in dir, when it is recorded
// and matches the manifest. A repo written by a kiln that kept only the
// manifest has no base files: then the base is recovered only when some
// candidate has exactly the recorded SHA-256 — the new render itself (the
// answers and templates did not change for this file) or a version of the
// file in the repo's git history.
func readBase(dir, path, sum string, theirs []byte) (base []byte, onDisk bool) {
	if b, ok := baseCopy(dir, path, sum); ok {
		return b, true
	}
	if sha256Hex(theirs) == sum {
		return theirs, false
	}
	return fromGitHistory(dir, path, sum), false
}

// baseCopy reads BaseDir's copy of path, if its SHA-256 is sum.
func baseCopy(dir, path, sum string) ([]byte, bool) {
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(BaseDir), filepath.FromSlash(path)))
	if err != nil || sha256Hex(b) != sum {
		return nil, false
	}
	return b, true
}

// fromGitHistory looks for a committed version of path whose SHA-256 is sum.
func fromGitHistory(dir, path, sum string) []byte {
	git, err := exec.LookPath("git")
	if err != nil {
		return nil
	}
	out, err := exec.Command(git, "-C", dir, "log", "--format=%H", "-n", "50", "--", path).Output()
	if err != nil {
		return nil
	}
	for _, commit := range strings.Fields(string(out)) {
		b, err := exec.Command(git, "-C", dir, "show", commit+":./"+path).Output()
		if err == nil && sha256Hex(b) == sum {
			return b
		}
	}
	return nil
}

// readTarget reads the file at target: nil, nil when there is none.
func readTarget(target string) ([]byte, error) {
	info, err := os.Lstat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, err
	case info.IsDir():
		return nil, fmt.Errorf("%s is a directory, where kiln writes a file: move it away", target)
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file (a link or device), where kiln writes a file: move it away", target)
	}
	b, err := os.ReadFile(target)
	if b == nil && err == nil {
		b = []byte{} // exists, empty
	}
	return b, err
}

// Plan plans writing a fresh render into dir (kiln new: every file,
// kiln.yaml included). It reads, never writes.
func Plan(dir string, files []File) (*WritePlan, error) { return plan(dir, files, nil) }

// PlanRender plans re-rendering dir (kiln update, kiln render): files are
// the new render without kiln.yaml, and spec is the author's kiln.yaml
// re-stamped (Restamp), written as it is because it is the author's source.
func PlanRender(dir string, files []File, spec File) (*WritePlan, error) {
	files = slices.DeleteFunc(slices.Clone(files), func(f File) bool { return f.Path == SpecFile })
	return plan(dir, files, &spec)
}

// plan compares each new render (theirs) with the file on disk (ours) and
// kiln's last render (base): an untouched file is replaced, an edited one
// merged three-way, a deleted one stays deleted, and a file kiln no longer
// renders is removed only when untouched.
func plan(dir string, files []File, spec *File) (*WritePlan, error) {
	p := &WritePlan{Dir: dir}
	paths := []string{ManifestFile}
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	if err := checkConfined(dir, paths); err != nil {
		return nil, err
	}
	if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(JournalFile))); err == nil && !holding(dir) {
		// Only a kiln holding the lock may finish it (Lock does).
		return nil, fmt.Errorf("%s has a write a killed kiln left unfinished (%s): run kiln update %s to finish it", dir, JournalFile, dir)
	}
	// kiln's record must be writable, or nothing is (issue 10).
	if _, err := readTarget(filepath.Join(dir, filepath.FromSlash(ManifestFile))); err != nil {
		return nil, err
	}
	manifest := readManifest(dir)
	rendered := map[string]bool{}
	var toMerge []int // indexes in p.Files of the edited files kiln changed
	if spec != nil {
		files = append(files, *spec)
	}
	for _, f := range files {
		rendered[f.Path] = true
		ours, err := readTarget(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			return nil, err
		}
		pf := PlannedFile{File: f, ours: ours, source: spec != nil && f.Path == SpecFile}
		sum, tracked := manifest[f.Path]
		switch {
		case pf.source && tracked:
			pf.base, pf.baseOnDisk = baseCopy(dir, f.Path, sum)
		case tracked:
			pf.base, pf.baseOnDisk = readBase(dir, f.Path, sum, f.Content)
		case manifest != nil && ours != nil:
			// kiln keeps a record of this repo and never rendered this
			// file: the author added it, and the base is empty (git's add/add).
			pf.base = []byte{}
		}
		switch {
		case ours == nil && tracked && !pf.source:
			pf.Status = DeletedByYou
		case ours == nil:
			pf.Status, pf.Result = Create, f.Content
		case bytes.Equal(ours, f.Content):
			pf.Status = Identical
		case pf.source || tracked && sha256Hex(ours) == sum:
			pf.Status, pf.Result = Update, f.Content
		case pf.base != nil && bytes.Equal(pf.base, f.Content) && !pf.source:
			pf.Status = Identical // kiln changed nothing here: the edits stay as they are
		case pf.base != nil:
			toMerge = append(toMerge, len(p.Files)) // below, in parallel
		default:
			pf.Status = Conflict // edited, and no base to merge from
		}
		p.Files = append(p.Files, pf)
	}
	if err := mergeAll(p.Files, toMerge); err != nil {
		return nil, err
	}
	for i := range p.Files {
		pf := &p.Files[i]
		switch {
		case pf.Result != nil && pf.Status != Create:
			pf.Diff = Unified("a/"+pf.Path, "b/"+pf.Path, pf.ours, pf.Result)
		case pf.Status == Conflict:
			pf.Diff = Unified("a/"+pf.Path, "b/"+pf.Path, pf.ours, pf.Content)
		}
	}
	// Files kiln rendered last time and renders no more.
	var gone []string
	for path := range manifest {
		if !rendered[path] && path != SpecFile && localPath(path) {
			gone = append(gone, path)
		}
	}
	slices.Sort(gone)
	for _, path := range gone {
		ours, err := readTarget(filepath.Join(dir, filepath.FromSlash(path)))
		if err != nil {
			return nil, err
		}
		if ours == nil {
			continue // gone on both sides: forgotten
		}
		pf := PlannedFile{File: File{Path: path}, ours: ours}
		if sha256Hex(ours) == manifest[path] {
			pf.Status = Removed
			pf.Diff = Unified("a/"+path, "/dev/null", ours, nil)
		} else {
			pf.Status = Kept
		}
		p.Files = append(p.Files, pf)
	}
	slices.SortFunc(p.Files, func(a, b PlannedFile) int { return strings.Compare(a.Path, b.Path) })
	return p, nil
}

// mergeAll merges the files at the indexes idx three-way, each in its own
// git process, as many at once as there are CPUs, and sets their status.
func mergeAll(files []PlannedFile, idx []int) error {
	errs := make([]error, len(idx))
	sem := make(chan struct{}, runtime.NumCPU())
	var wg sync.WaitGroup
	for n, i := range idx {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			pf := &files[i]
			merged, conflicts, err := merge3(pf.base, pf.ours, pf.Content)
			switch {
			case err != nil:
				errs[n] = fmt.Errorf("merging %s: %w", pf.Path, err)
			case conflicts > 0:
				pf.Status, pf.Result, pf.Marked = Conflict, merged, true
			case bytes.Equal(merged, pf.ours):
				pf.Status = Identical
			default:
				pf.Status, pf.Result = Merged, merged
			}
		}()
	}
	wg.Wait()
	var needGit []string
	for n, err := range errs {
		if errors.Is(err, ErrNoMerger) {
			needGit, errs[n] = append(needGit, files[idx[n]].Path), nil
		}
	}
	if len(needGit) > 0 {
		return fmt.Errorf("merging %s: %w", strings.Join(needGit, ", "), ErrNoMerger)
	}
	return errors.Join(errs...)
}

// Unified is the unified diff from old to new, or, when either is not
// UTF-8 text (a test app's wheel or jar), git's one line for binary files:
// go-udiff works on text, and exits the process on a binary file.
func Unified(oldLabel, newLabel string, old, new []byte) string {
	if !utf8.Valid(old) || !utf8.Valid(new) {
		if bytes.Equal(old, new) {
			return ""
		}
		return fmt.Sprintf("Binary files %s and %s differ\n", oldLabel, newLabel)
	}
	return udiff.Unified(oldLabel, newLabel, string(old), string(new))
}

// localPath keeps a manifest entry from naming a file outside the repo.
func localPath(p string) bool {
	return filepath.IsLocal(filepath.FromSlash(p)) && !strings.HasPrefix(p, ".kiln/")
}

// Overwrites reports whether, with force, Apply writes kiln's render over
// edits of the author's that it would otherwise keep or merge.
func (f PlannedFile) Overwrites() bool {
	switch f.Status {
	case Identical, Merged, Conflict:
		return f.ours != nil && !bytes.Equal(f.ours, f.Content)
	}
	return false
}

// Conflicts lists the paths whose edits collide or have no base.
func (p *WritePlan) Conflicts() []string {
	var out []string
	for _, f := range p.Files {
		if f.Status == Conflict {
			out = append(out, f.Path)
		}
	}
	return out
}

// unmerged lists the conflicts with no base: edited files kiln cannot merge.
func (p *WritePlan) unmerged() []string {
	var out []string
	for _, f := range p.Files {
		if f.Status == Conflict && !f.Marked {
			out = append(out, f.Path)
		}
	}
	return out
}

// Changes reports whether Apply changes a file of the repo (kiln's record
// aside): something to create, replace, merge or remove.
func (p *WritePlan) Changes() bool {
	for _, f := range p.Files {
		switch f.Status {
		case Create, Update, Merged, Conflict, Removed:
			return true
		}
	}
	return false
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

// ConflictError lists files that exist and differ. With Marked, Apply wrote
// them with conflict markers; without, it wrote nothing.
type ConflictError struct {
	Paths  []string
	Marked bool
}

func (e *ConflictError) Error() string {
	if e.Marked {
		return fmt.Sprintf("%d file(s) have edits of yours that collide with kiln's changes: %v; they are written with conflict markers (<<<<<<< %s, =======, >>>>>>> %s): keep what you want and remove the markers", len(e.Paths), e.Paths, OursLabel, TheirsLabel)
	}
	return fmt.Sprintf("%d file(s) exist and differ, so nothing was written: %v; see the changes with --dry-run, or overwrite them with --force", len(e.Paths), e.Paths)
}

// ChangedError says a file changed on disk between planning and writing.
type ChangedError struct {
	Path string
}

// KeepStale marks the files kiln would remove (it renders them no more and
// they are untouched, e.g. the old preset's test app) Stale: Apply leaves
// them, and the next plan lists them again, until the author confirms with
// Prune. kiln new and kiln edit ask first; kiln update removes them.
func (p *WritePlan) KeepStale() {
	for i := range p.Files {
		if p.Files[i].Status == Removed {
			p.Files[i].Status = Stale
		}
	}
}

// Prune marks the Stale files Removed: Apply deletes them.
func (p *WritePlan) Prune() {
	for i := range p.Files {
		if p.Files[i].Status == Stale {
			p.Files[i].Status = Removed
		}
	}
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

func (e *ChangedError) Error() string {
	return fmt.Sprintf("%s changed on disk while kiln was merging, so kiln stopped and wrote nothing: run it again", e.Path)
}

// Apply writes the plan. A conflict with no base stops it before anything
// is written, unless force, which writes kiln's render instead. Conflicts
// with markers are written, then reported in a *ConflictError. It holds
// the repository's lock (LockFile) unless the caller does, and writes as one
// transaction (JournalFile): every file to a temporary file first, then
// each renamed into place, the files first and the record of kiln's render
// (BaseDir, ManifestFile) last; a kiln killed meanwhile leaves a journal
// the next one finishes. A file that changed on disk since Plan stops it
// with a *ChangedError, with nothing written.
func (p *WritePlan) Apply(force bool) error {
	if c := p.unmerged(); len(c) > 0 && !force {
		return &ConflictError{Paths: c}
	}
	release, err := lockFor(p.Dir)
	if err != nil {
		return err
	}
	defer release()
	t := &txn{dir: p.Dir}
	manifest := readManifest(p.Dir)
	newManifest := map[string]string{}
	var records []PlannedFile
	for _, f := range p.Files {
		target := filepath.Join(p.Dir, filepath.FromSlash(f.Path))
		content := f.Result
		if force && f.Overwrites() {
			content = f.Content // force: kiln's render wins over the author's edits
		}
		switch f.Status {
		case Removed:
			t.remove(f.Path, true, f.ours)
			continue
		case Kept, Stale:
			newManifest[f.Path] = manifest[f.Path] // listed again next time, until the author deletes it
			continue
		case Identical:
			if info, err := os.Stat(target); err == nil && f.Mode != 0 && info.Mode().Perm() != keptMode(info.Mode(), f.Mode) {
				if err := os.Chmod(target, keptMode(info.Mode(), f.Mode)); err != nil {
					return err
				}
			}
		}
		newManifest[f.Path] = sha256Hex(f.Content)
		if !f.baseOnDisk || !bytes.Equal(f.base, f.Content) {
			records = append(records, f)
		}
		if content != nil {
			t.put(f.Path, content, f.Mode, true, f.ours)
		}
	}
	for _, f := range records {
		t.put(BaseDir+"/"+f.Path, f.Content, 0o644, false, nil)
	}
	var m strings.Builder
	for _, path := range slices.Sorted(maps.Keys(newManifest)) {
		fmt.Fprintf(&m, "%s  %s\n", newManifest[path], path)
	}
	t.put(ManifestFile, []byte(m.String()), 0o644, false, nil)
	// Base copies of files kiln no longer records go after the manifest
	// that stops naming them.
	for _, path := range slices.Sorted(maps.Keys(manifest)) {
		if _, ok := newManifest[path]; !ok && localPath(path) {
			if _, err := os.Lstat(filepath.Join(p.Dir, filepath.FromSlash(BaseDir), filepath.FromSlash(path))); err == nil {
				t.remove(BaseDir+"/"+path, false, nil)
			}
		}
	}
	if err := t.commit(); err != nil {
		return err
	}
	if !force {
		var marked []string
		for _, f := range p.Files {
			if f.Status == Conflict && f.Marked {
				marked = append(marked, f.Path)
			}
		}
		if len(marked) > 0 {
			return &ConflictError{Paths: marked, Marked: true}
		}
	}
	return nil
}

// isStaleTemp reports whether name is a temporary file of writer.temp:
// ".NAME.kiln-" and hex digits (createTemp). A plain function, not a
// package-level regexp, keeps kiln's start-up free of its compilation.
func isStaleTemp(name string) bool {
	i := strings.LastIndex(name, ".kiln-")
	if !strings.HasPrefix(name, ".") || i < 2 || i+len(".kiln-") == len(name) {
		return false
	}
	for _, c := range name[i+len(".kiln-"):] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// removeStaleTemps removes, from the directories of the files just written,
// the temporary files a killed run left behind.
func removeStaleTemps(dirs map[string]bool) {
	for dir := range dirs {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.Type().IsRegular() && isStaleTemp(e.Name()) {
				os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
}

// writer writes temporary files next to their targets and removes them,
// and the directories it made, when something fails.
type writer struct {
	tmps     []string
	madeDirs []string        // parents first
	dirs     map[string]bool // directories known to exist
}

func (w *writer) temp(target string, content []byte, mode fs.FileMode) (string, error) {
	if dir := filepath.Dir(target); !w.dirs[dir] {
		missing := missingDirs(dir)
		err := os.MkdirAll(dir, 0o755)
		w.madeDirs = append(w.madeDirs, missing...)
		if err != nil {
			w.cleanup()
			return "", err
		}
		if w.dirs == nil {
			w.dirs = map[string]bool{}
		}
		w.dirs[dir] = true
	}
	if mode == 0 {
		mode = 0o644
	}
	// A new file's mode goes through the umask; an existing file keeps the
	// author's mode (plus the execute bits a script needs).
	tmp, err := createTemp(target, mode.Perm())
	if err != nil {
		w.cleanup()
		return "", err
	}
	w.tmps = append(w.tmps, tmp.Name())
	_, werr := tmp.Write(content)
	cerr := tmp.Close()
	var merr error
	if info, err := os.Stat(target); err == nil && info.Mode().IsRegular() {
		merr = os.Chmod(tmp.Name(), keptMode(info.Mode(), mode))
	}
	if err := errors.Join(werr, cerr, merr); err != nil {
		w.cleanup()
		return "", fmt.Errorf("writing %s: %w", target, err)
	}
	return tmp.Name(), nil
}

// removeTemps removes the temporary files not renamed into place.
func (w *writer) removeTemps() {
	for _, t := range w.tmps {
		os.Remove(t) // a renamed one is gone already
	}
}

func (w *writer) cleanup() {
	w.removeTemps()
	for i := len(w.madeDirs) - 1; i >= 0; i-- {
		os.Remove(w.madeDirs[i]) // only when empty: another file may be in it
	}
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
