package scaffold

import (
	"crypto/rand"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
)

// createTemp creates a temporary file beside target with mode perm, which
// the kernel filters through the umask as for any new file: kiln's new
// files follow the author's umask (issue 10).
func createTemp(target string, perm fs.FileMode) (*os.File, error) {
	for {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		name := filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+".kiln-"+hex.EncodeToString(b))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if os.IsExist(err) {
			continue
		}
		return f, err
	}
}

// keptMode is the mode an existing file keeps when kiln rewrites it: the
// author's (a README kept 0600 stays 0600), plus the execute bits an s2i
// script needs, for whoever may read it.
func keptMode(existing, want fs.FileMode) fs.FileMode {
	m := existing.Perm()
	if want&0o111 != 0 {
		m |= (m & 0o444) >> 2
	}
	return m
}
