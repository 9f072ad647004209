// Package bounded reads the files kiln takes as input (kiln.yaml, answers
// files, Dockerfiles, s2i scripts) with two promises: only regular files
// (a FIFO would block forever, /dev/zero never ends) and at most MaxSize
// bytes, so a hostile repo cannot hang kiln or exhaust its memory.
package bounded

import (
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxSize is the most kiln reads of one input file. The largest real
// Dockerfile or s2i script is tens of kilobytes; 4 MiB leaves ample room.
const MaxSize = 4 << 20

// Error says why a file was refused. Its text does not repeat the name:
// callers put it in front, as they do for other read errors.
type Error struct {
	Name string
	Why  string
}

func (e *Error) Error() string { return e.Why }

// ReadFile reads a regular file of at most MaxSize bytes.
func ReadFile(name string) ([]byte, error) {
	data, _, err := read(name, os.Stat, func(n string) (fs.File, error) { return os.Open(n) })
	return data, err
}

// ReadFS is ReadFile for a file of fsys.
func ReadFS(fsys fs.FS, name string) ([]byte, error) {
	data, _, err := ReadFSInfo(fsys, name)
	return data, err
}

// ReadFSInfo is ReadFS that also returns the file's FileInfo (its mode),
// so a caller needs no second Stat.
func ReadFSInfo(fsys fs.FS, name string) ([]byte, fs.FileInfo, error) {
	return read(name, func(n string) (fs.FileInfo, error) { return fs.Stat(fsys, n) }, fsys.Open)
}

func read(name string, stat func(string) (fs.FileInfo, error), open func(string) (fs.File, error)) ([]byte, fs.FileInfo, error) {
	// Stat before opening: opening a FIFO for reading blocks until a writer comes.
	fi, err := stat(name)
	if err != nil {
		return nil, nil, err
	}
	if err := check(name, fi); err != nil {
		return nil, nil, err
	}
	f, err := open(name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, nil, err
	}
	if err := check(name, fi); err != nil { // replaced between stat and open
		return nil, nil, err
	}
	data, err := readAll(io.LimitReader(f, MaxSize+1), fi.Size())
	if err != nil {
		return nil, nil, err
	}
	if len(data) > MaxSize {
		return nil, nil, tooBig(name)
	}
	return data, fi, nil
}

// readAll is io.ReadAll with a buffer sized from the file's size (which
// check caps at MaxSize): one allocation instead of a doubling series. The
// extra byte leaves room for the read that reports EOF; a file that grew
// since its Stat still reads in full.
func readAll(r io.Reader, size int64) ([]byte, error) {
	b := make([]byte, 0, max(size, 0)+1)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow
		}
	}
}

func check(name string, fi fs.FileInfo) error {
	m := fi.Mode()
	switch {
	case m.IsRegular():
	case m.IsDir():
		return &Error{Name: name, Why: "a directory, not a file"}
	default:
		return &Error{Name: name, Why: "not a regular file but " + kind(m) + ": kiln reads only regular files"}
	}
	if fi.Size() > MaxSize {
		return tooBig(name)
	}
	return nil
}

func tooBig(name string) error {
	return &Error{Name: name, Why: fmt.Sprintf("larger than %d MiB, more than any kiln input needs: check that it is the file you meant", MaxSize>>20)}
}

func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "not a regular file"
}
