package builder

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// artifactStream hands the previous image's save-artifacts output to the
// assemble RUN of an incremental podman build through a named pipe bound
// into that RUN (upload/artifacts.tar), so save-artifacts runs while the
// build starts (its FROM, COPY and USER steps) instead of before it, and
// the tar is neither copied into the build container nor left in a layer.
// save-artifacts' `podman run` costs 0.3-0.4 s, as much as a small
// dependency install saves (issue 16).
//
// The output is saved to a file first and written to the pipe only when
// save-artifacts has succeeded with a tar of some entries: otherwise the
// pipe gets an empty archive and assemble finds nothing restored, which is
// the clean build s2i falls back to (G29).
type artifactStream struct {
	fifo, saved string
	cancel      context.CancelFunc
	done        chan error
	finished    sync.Once
	err         error // what finish returns
}

// streamsArtifacts reports whether e's builds can take the artifacts
// through a named pipe: podman on this Linux host (buildah has no `run`; a
// daemon, or podman remote on a machine or through CONTAINER_HOST, gets the
// build context as a copy, where the pipe would have no writer), and not
// under an enforcing SELinux, which keeps a container from reading a file
// of the build context unless it is relabelled (a mount option BuildKit
// does not know).
func streamsArtifacts(e *Engine) bool {
	if !e.CanRun() || e.dialect().daemon || runtime.GOOS != "linux" {
		return false
	}
	for _, kv := range append(os.Environ(), e.Env...) {
		if k, v, _ := strings.Cut(kv, "="); (k == "CONTAINER_HOST" || k == "CONTAINER_CONNECTION") && v != "" {
			return false
		}
	}
	enforce, err := os.ReadFile("/sys/fs/selinux/enforce")
	return err != nil || strings.TrimSpace(string(enforce)) != "1"
}

// newArtifactStream makes the pipe in the context dir, whose upload/ exists.
func newArtifactStream(dir string) (*artifactStream, error) {
	s := &artifactStream{fifo: filepath.Join(dir, "upload", "artifacts.tar"), saved: filepath.Join(dir, "saved-artifacts.tar")}
	if err := syscall.Mkfifo(s.fifo, 0o644); err != nil {
		return nil, &os.PathError{Op: "mkfifo", Path: s.fifo, Err: err}
	}
	return s, nil
}

// start runs save-artifacts of the previous image, first making sure it
// is local (previousImage) when lookFirst, and then writes the pipe;
// finish must follow.
func (s *artifactStream) start(ctx context.Context, e *Engine, r *reporter, step string, o S2IOptions, plan *S2IPlan, lookFirst bool) {
	ctx, s.cancel = context.WithCancel(ctx)
	s.done = make(chan error, 1)
	go func() {
		var err error
		if lookFirst {
			if err = previousImage(ctx, e, r, step, o); err != nil {
				s.done <- s.write(err)
				return
			}
		}
		f, err := os.Create(s.saved)
		if err != nil {
			err = saveFailed(r, step, err.Error())
		} else {
			err = runSaveArtifacts(ctx, e, r, step, o, plan, f)
			if cerr := f.Close(); err == nil && cerr != nil {
				err = saveFailed(r, step, cerr.Error())
			}
		}
		s.done <- s.write(err)
	}()
}

// emptyTar is an archive without entries: two zero blocks, padded to a record.
var emptyTar = make([]byte, 10240)

// write opens the pipe, which waits for the assemble RUN to read it (or for
// finish to let it go), and writes the saved tar or, when saving failed,
// an empty one. It returns saveErr: a write error means the RUN stopped
// reading, which the build itself reports.
func (s *artifactStream) write(saveErr error) error {
	w, err := os.OpenFile(s.fifo, os.O_WRONLY, 0)
	if err != nil {
		return saveErr
	}
	defer w.Close()
	if saveErr != nil {
		_, _ = w.Write(emptyTar)
		return saveErr
	}
	in, err := os.Open(s.saved)
	if err != nil {
		_, _ = w.Write(emptyTar)
		return err
	}
	defer in.Close()
	_, _ = io.Copy(w, in)
	return nil
}

// finish waits for the stream once the build is over (or was never
// reached) and returns what saving the artifacts came to; it may be called
// again and returns the same. A build that failed or was cancelled before
// its RUN never opens the pipe: save-artifacts is stopped and the pipe is
// opened and drained here, so the writer is let go.
func (s *artifactStream) finish() error {
	s.finished.Do(func() { s.err = s.wait() })
	return s.err
}

func (s *artifactStream) wait() error {
	s.cancel()
	var drain sync.WaitGroup
	defer drain.Wait()
	for {
		select {
		case err := <-s.done:
			return err
		case <-time.After(20 * time.Millisecond):
		}
		// Non-blocking: with no writer yet, this reads end of file at once.
		if rd, err := os.OpenFile(s.fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			drain.Add(1)
			go func() {
				defer drain.Done()
				_, _ = io.Copy(io.Discard, rd)
				rd.Close()
			}()
		}
	}
}

// lockedSink serializes events from the build and from save-artifacts
// running beside it: a Sink is used from one goroutine at a time.
type lockedSink struct {
	mu   sync.Mutex
	next Sink
}

func (l *lockedSink) Event(e Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.next != nil {
		l.next.Event(e)
	}
}
