package bounded

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
)

// TestRefuses: FIFOs, devices, directories and oversized files are refused
// promptly with a clear error; a regular file (also through a symlink) reads.
func TestRefuses(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "Dockerfile")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, MaxSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	ok := filepath.Join(dir, "ok")
	if err := os.WriteFile(ok, []byte("FROM x:1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("ok", link); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		fifo:        "named pipe",
		"/dev/zero": "character device",
		dir:         "directory",
		big:         "larger than 4 MiB",
	} {
		for _, read := range []func() ([]byte, error){
			func() ([]byte, error) { return ReadFile(name) },
			func() ([]byte, error) { return ReadFS(os.DirFS(filepath.Dir(name)), filepath.Base(name)) },
		} {
			_, err := read()
			var be *Error
			if !errors.As(err, &be) || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: err = %v, want an *Error saying %q", name, err, want)
			}
		}
	}
	for _, name := range []string{ok, link} {
		if b, err := ReadFile(name); err != nil || string(b) != "FROM x:1\n" {
			t.Errorf("ReadFile(%s) = %q, %v", name, b, err)
		}
	}
}

// sizedFS reports every file's size as size, whatever it holds: files in
// /proc say 0, and a file may grow between Stat and the read.
type sizedFS struct {
	fstest.MapFS
	size int64
}

func (s sizedFS) Open(name string) (fs.File, error) {
	f, err := s.MapFS.Open(name)
	if err != nil {
		return nil, err
	}
	return sizedFile{f, s.size}, nil
}

func (s sizedFS) Stat(name string) (fs.FileInfo, error) {
	f, err := s.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Stat()
}

type sizedFile struct {
	fs.File
	size int64
}

func (f sizedFile) Stat() (fs.FileInfo, error) {
	fi, err := f.File.Stat()
	return sizedInfo{fi, f.size}, err
}

type sizedInfo struct {
	fs.FileInfo
	size int64
}

func (i sizedInfo) Size() int64 { return i.size }

// TestReadsWhatIsThere: the buffer sized from Stat is only a first guess;
// a file larger or smaller than its Stat says reads in full, and the
// mode comes back with the data.
func TestReadsWhatIsThere(t *testing.T) {
	data := strings.Repeat("RUN echo hello\n", 1000)
	for _, size := range []int64{0, 1, 100, int64(len(data)), int64(len(data)) * 2} {
		fsys := sizedFS{fstest.MapFS{"run": {Data: []byte(data), Mode: 0o755}}, size}
		got, fi, err := ReadFSInfo(fsys, "run")
		if err != nil {
			t.Errorf("Stat size %d: %v", size, err)
			continue
		}
		if string(got) != data || fi.Mode().Perm() != 0o755 {
			t.Errorf("Stat size %d: read %d bytes (want %d), mode %v", size, len(got), len(data), fi.Mode())
		}
	}
}
