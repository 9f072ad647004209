package scaffold

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// A draft keeps the answers of a kiln new that was left before writing, so
// the next kiln new of the same directory can resume them. Drafts live in
// the user's cache directory, never in the target directory, which stays
// untouched until the author writes.

// DraftPath is where the draft for dir is kept.
func DraftPath(dir string) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(cache, "kiln", "drafts", hex.EncodeToString(sum[:8])+".yaml"), nil
}

// SaveDraft keeps s as the draft for dir.
func SaveDraft(dir string, s *Spec) error {
	path, err := DraftPath(dir)
	if err != nil {
		return err
	}
	data, err := s.Marshal()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

// LoadDraft returns the draft for dir and when it was kept, or nil when
// there is none.
func LoadDraft(dir string) (*Spec, time.Time, error) {
	path, err := DraftPath(dir)
	if err != nil {
		return nil, time.Time{}, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, time.Time{}, nil
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, time.Time{}, err
	}
	s, err := Parse(data)
	if err != nil {
		return nil, time.Time{}, err
	}
	return s, info.ModTime(), nil
}

// RemoveDraft drops the draft for dir, once its answers are written.
func RemoveDraft(dir string) error {
	path, err := DraftPath(dir)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
