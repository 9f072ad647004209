package scaffold

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// JournalFile records a write in progress (issue 10: a kill -9 during a
// render left a mix of old and new files with a stale manifest in 7% of
// kills, and temp files in 23%). A write is a transaction:
//
//  1. the journal is written "prepared", naming every file the write replaces;
//  2. every new file is written to a temporary file beside its target;
//  3. the journal is written "committed", naming each temporary file;
//  4. the temporaries are renamed into place, in the journal's order (the
//     files, then kiln's record of the render, the manifest last);
//  5. the journal is removed.
//
// The next kiln to take the repository's lock reads a journal left behind:
// a prepared one is rolled back (nothing was replaced yet: its temporary
// files are removed), a committed one is finished (every temporary file
// was whole before the first rename). The journal itself is replaced by
// rename, so it is read whole or not at all.
const JournalFile = ".kiln/journal"

type journal struct {
	State string        `json:"state"` // "prepared" or "committed"
	Steps []journalStep `json:"steps"`
}

type journalStep struct {
	Path   string `json:"path"`             // the target, slash-separated, relative to the repo
	Temp   string `json:"temp,omitempty"`   // committed: the temporary file's name, beside Path
	Remove bool   `json:"remove,omitempty"` // the step removes Path
	Sum    string `json:"sum,omitempty"`    // SHA-256 of the new content; of the old one for a removal
}

// testHookStep is called after each step of a transaction (see txn.commit)
// with its name; an error fails the write at that point. Tests kill the
// process there, or fail the write.
var testHookStep func(step string) error

func hook(step string) error {
	if testHookStep == nil {
		return nil
	}
	return testHookStep(step)
}

// txn is one transactional write into a repository. Its steps run in the
// order they were added.
type txn struct {
	dir   string
	steps []*txnStep
	w     writer
}

type txnStep struct {
	path    string // slash-separated, relative to dir
	content []byte // nil: remove the file
	mode    fs.FileMode
	// Guarded steps replace a file only if it still holds old (nil: absent):
	// an editor may have saved it since kiln read it.
	guarded bool
	old     []byte
	tmp     string

	prev     []byte // what the target held before this write, for a rollback
	prevMode fs.FileMode
	existed  bool
}

func (t *txn) target(p string) string { return filepath.Join(t.dir, filepath.FromSlash(p)) }

// put replaces path with content (mode for a new file; an existing one
// keeps its mode, see keptMode). guarded with old: only if it holds old.
func (t *txn) put(p string, content []byte, mode fs.FileMode, guarded bool, old []byte) {
	if content == nil {
		content = []byte{}
	}
	t.steps = append(t.steps, &txnStep{path: p, content: content, mode: mode, guarded: guarded, old: old})
}

// remove removes path; guarded with old: only if it holds old.
func (t *txn) remove(p string, guarded bool, old []byte) {
	t.steps = append(t.steps, &txnStep{path: p, guarded: guarded, old: old})
}

// commit runs the transaction (see JournalFile). A failure before the
// first rename leaves the repository as it was; a failure after it rolls
// back what was renamed, from what kiln read before. A guarded file that
// changed gives a *ChangedError, and nothing written.
func (t *txn) commit() error {
	// Every target must be a file kiln can replace, before anything is
	// replaced (issue 10: with .kiln/rendered.sha256 a directory, every
	// other file was replaced before kiln failed).
	for _, s := range t.steps {
		info, err := os.Lstat(t.target(s.path))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return err
		case info.IsDir():
			return fmt.Errorf("%s is a directory, where kiln writes a file: move it away (nothing was written)", t.target(s.path))
		case !info.Mode().IsRegular():
			return fmt.Errorf("%s is not a regular file (a link or device), where kiln writes a file: move it away (nothing was written)", t.target(s.path))
		}
		s.existed, s.prevMode = true, info.Mode().Perm()
		if s.prev, err = os.ReadFile(t.target(s.path)); err != nil {
			return err
		}
	}
	j := journal{State: "prepared"}
	for _, s := range t.steps {
		js := journalStep{Path: s.path, Remove: s.content == nil}
		if js.Remove && s.existed {
			js.Sum = sha256Hex(s.prev) // a removal finishes only on that file
		}
		j.Steps = append(j.Steps, js)
	}
	if err := t.writeJournal(j); err != nil {
		t.w.cleanup()
		return err
	}
	if err := hook("journal prepared"); err != nil {
		return t.abort(err)
	}
	for _, s := range t.steps {
		if s.content == nil {
			continue
		}
		tmp, err := t.w.temp(t.target(s.path), s.content, s.mode)
		if err != nil {
			return t.abort(err)
		}
		s.tmp = tmp
		if err := hook("temp " + s.path); err != nil {
			return t.abort(err)
		}
	}
	for _, s := range t.steps {
		if err := t.unchanged(s); err != nil {
			return t.abort(err)
		}
	}
	j.State = "committed"
	for i, s := range t.steps {
		if s.tmp != "" {
			j.Steps[i].Temp = filepath.Base(s.tmp)
			j.Steps[i].Sum = sha256Hex(s.content)
		}
	}
	if err := t.writeJournal(j); err != nil {
		return t.abort(err)
	}
	if err := hook("journal committed"); err != nil {
		return t.rollback(nil, err)
	}
	for i, s := range t.steps {
		// The last look before the file is replaced: an editor may have saved it meanwhile.
		err := t.unchanged(s)
		if err == nil && s.content == nil {
			if err = os.Remove(t.target(s.path)); errors.Is(err, fs.ErrNotExist) {
				err = nil
			}
		} else if err == nil {
			if err = os.Rename(s.tmp, t.target(s.path)); err != nil {
				err = fmt.Errorf("writing %s: %w", t.target(s.path), err)
			}
		}
		if err == nil {
			err = hook(map[bool]string{true: "remove ", false: "rename "}[s.content == nil] + s.path)
			i++ // this step is done: roll it back too
		}
		if err != nil {
			return t.rollback(t.steps[:i], err)
		}
	}
	if err := os.Remove(t.target(JournalFile)); err != nil {
		return err
	}
	if err := hook("done"); err != nil {
		return err
	}
	t.removeStaleTemps()
	return nil
}

// unchanged checks a guarded step's target still holds what kiln read.
func (t *txn) unchanged(s *txnStep) error {
	if !s.guarded {
		return nil
	}
	now, err := readTarget(t.target(s.path))
	if err != nil {
		return err
	}
	if (now == nil) != (s.old == nil) || !bytes.Equal(now, s.old) {
		return &ChangedError{Path: s.path}
	}
	return nil
}

// abort undoes a transaction that replaced nothing yet.
func (t *txn) abort(err error) error {
	os.Remove(t.target(JournalFile))
	t.w.cleanup()
	return err
}

// rollback puts back what the done steps replaced, then drops the rest.
// If that fails the journal stays, committed, and the next kiln finishes
// the write instead: each file is then old or new, never a mix of both.
func (t *txn) rollback(done []*txnStep, cause error) error {
	var errs []error
	for i := len(done) - 1; i >= 0; i-- {
		s := done[i]
		target := t.target(s.path)
		if !s.existed {
			if err := os.Remove(target); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
			continue
		}
		tmp, err := createTemp(target, s.prevMode)
		if err == nil {
			_, werr := tmp.Write(s.prev)
			err = errors.Join(werr, tmp.Close(), os.Chmod(tmp.Name(), s.prevMode))
			if err == nil {
				err = os.Rename(tmp.Name(), target)
			}
			if err != nil {
				os.Remove(tmp.Name())
			}
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w; putting the old files back failed too (%v): the next kiln run in %s finishes this write", cause, errors.Join(errs...), t.dir)
	}
	t.abort(nil)
	return cause
}

func (t *txn) writeJournal(j journal) error {
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	target := t.target(JournalFile)
	tmp, err := t.w.temp(target, append(data, '\n'), 0o644)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, target); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", target, err)
	}
	return nil
}

// removeStaleTemps removes, beside every file of the write, the temporary
// files a killed kiln left (older kilns kept no journal).
func (t *txn) removeStaleTemps() {
	dirs := map[string]bool{t.target(".kiln"): true}
	for _, s := range t.steps {
		dirs[filepath.Dir(t.target(s.path))] = true
	}
	removeStaleTemps(dirs)
}

// recoverJournal finishes or rolls back the write a killed kiln left in
// dir (see JournalFile); it runs under dir's lock. It says what it did.
func recoverJournal(dir string) (string, error) {
	target := filepath.Join(dir, filepath.FromSlash(JournalFile))
	info, err := os.Lstat(target)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if !info.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file: move it away", target)
	}
	data, err := os.ReadFile(target)
	if err != nil {
		return "", err
	}
	var j journal
	if err := json.Unmarshal(data, &j); err != nil || j.State != "prepared" && j.State != "committed" {
		return "", fmt.Errorf("%s is not a journal kiln can read: a kiln was killed while writing %s and left it; check the files, then remove it", target, dir)
	}
	t := &txn{dir: dir}
	var paths []string
	for _, s := range j.Steps {
		if !filepath.IsLocal(filepath.FromSlash(s.Path)) {
			return "", fmt.Errorf("%s names %q, outside the repository: check the files, then remove it", target, s.Path)
		}
		t.steps = append(t.steps, &txnStep{path: s.Path})
		paths = append(paths, s.Path)
	}
	if err := checkConfined(dir, paths); err != nil {
		return "", err
	}
	var msg string
	if j.State == "prepared" {
		msg = fmt.Sprintf("a kiln was killed while preparing a write of %d file(s) in %s, before replacing any: its temporary files are removed", len(j.Steps), dir)
	} else {
		var missing []string
		for _, s := range j.Steps {
			p := filepath.Join(dir, filepath.FromSlash(s.Path))
			switch {
			case s.Remove:
				if b, err := os.ReadFile(p); err != nil || sha256Hex(b) != s.Sum {
					continue // gone already, or not the file the write removes
				}
				if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return "", err
				}
			case s.Temp != "" && path.Base(s.Temp) == s.Temp && isStaleTemp(s.Temp) && strings.HasPrefix(s.Temp, "."+path.Base(s.Path)+".kiln-"):
				tmp := filepath.Join(filepath.Dir(p), s.Temp)
				err := os.Rename(tmp, p)
				if err == nil || !errors.Is(err, fs.ErrNotExist) {
					if err != nil {
						return "", err
					}
					continue
				}
				// renamed already, unless the file differs from the write's
				if b, err := os.ReadFile(p); err != nil || sha256Hex(b) != s.Sum {
					missing = append(missing, s.Path)
				}
			}
		}
		msg = fmt.Sprintf("a kiln was killed while writing %d file(s) in %s: the write is finished", len(j.Steps), dir)
		if len(missing) > 0 {
			msg += fmt.Sprintf(", except %v, whose temporary files are gone and which hold neither", missing)
		}
	}
	t.removeStaleTemps()
	if err := os.Remove(target); err != nil {
		return "", err
	}
	return msg + " (" + JournalFile + ")", nil
}

// Change is one file of WriteFiles: its content when kiln read it (nil:
// there was none) and what to write.
type Change struct {
	Path     string // slash-separated, relative to the repository
	Old, New []byte
	Mode     fs.FileMode // for a new file; an existing one keeps its own
}

// WriteFiles writes changes into dir as one transaction (JournalFile),
// under dir's lock unless the caller holds it: if any file changed since
// kiln read it, nothing is written (*ChangedError).
func WriteFiles(dir string, changes []Change) error {
	var paths []string
	for _, c := range changes {
		paths = append(paths, c.Path)
	}
	if err := checkConfined(dir, paths); err != nil {
		return err
	}
	release, err := lockFor(dir)
	if err != nil {
		return err
	}
	defer release()
	t := &txn{dir: dir}
	for _, c := range changes {
		t.put(c.Path, c.New, c.Mode, true, c.Old)
	}
	return t.commit()
}
