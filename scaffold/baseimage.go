package scaffold

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kiln-s2i/kiln/scaffold/lint"
)

// WriteBaseImage records what kiln found in the base image (its USER and
// labels) in dir's lint.BaseImageFile, where kiln lint reads it to judge
// what the Dockerfile inherits instead of guessing (G14, G18, G23). Written
// to a temporary file and renamed, like every kiln write.
func WriteBaseImage(dir string, b lint.BaseImage) error {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	target := filepath.Join(dir, filepath.FromSlash(lint.BaseImageFile))
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	f, err := createTemp(target, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(append(data, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), target)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("recording the base image in %s: %w", lint.BaseImageFile, err)
	}
	return nil
}
