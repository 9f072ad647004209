package builder

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestArtifactStream: the pipe hands the assemble RUN the saved tar, or an
// empty archive when saving failed (a clean build), and finish lets the
// writer go when the build ended before its RUN read the pipe, so a failed
// or cancelled build never hangs on it.
func TestArtifactStream(t *testing.T) {
	var saved bytes.Buffer
	tw := tar.NewWriter(&saved)
	if err := tw.WriteHeader(&tar.Header{Name: "deps/", Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	failed := errors.New("save-artifacts failed")
	cases := []struct {
		name    string
		saveErr error
		read    bool // the RUN reads the pipe; else the build ended before it
		want    []byte
	}{
		{name: "saved, read by the RUN", read: true, want: saved.Bytes()},
		{name: "failed, read by the RUN", saveErr: failed, read: true, want: emptyTar},
		{name: "saved, the build failed first"},
		{name: "failed, the build failed first", saveErr: failed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "upload"), 0o755); err != nil {
				t.Fatal(err)
			}
			s, err := newArtifactStream(dir)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(s.saved, saved.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			_, s.cancel = context.WithCancel(context.Background())
			s.done = make(chan error, 1)
			go func() { s.done <- s.write(tc.saveErr) }()
			if tc.read {
				// what the RUN's tar -xf does
				rd, err := os.Open(s.fifo)
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(rd)
				rd.Close()
				if err != nil || !bytes.Equal(got, tc.want) {
					t.Errorf("the RUN read %d bytes (%v), want %d", len(got), err, len(tc.want))
				}
				if n, err := countTar(bytes.NewReader(got)); err != nil || (tc.saveErr == nil) != (n > 0) {
					t.Errorf("the RUN read a tar of %d entries (%v)", n, err)
				}
			}
			finished := make(chan error, 1)
			go func() { finished <- s.finish() }()
			select {
			case err := <-finished:
				if !errors.Is(err, tc.saveErr) {
					t.Errorf("finish: %v, want %v", err, tc.saveErr)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("finish did not let the writer go")
			}
			// S2IBuild's deferred finish, after the one following the build
			if err := s.finish(); !errors.Is(err, tc.saveErr) {
				t.Errorf("finish again: %v, want %v", err, tc.saveErr)
			}
		})
	}
}

// TestStreamsArtifacts: only a local podman reads the pipe where kiln
// writes it; buildah cannot run save-artifacts, docker and podman remote
// (CONTAINER_HOST, CONTAINER_CONNECTION) get a copy of the context.
func TestStreamsArtifacts(t *testing.T) {
	enforcing := false
	if b, err := os.ReadFile("/sys/fs/selinux/enforce"); err == nil && string(bytes.TrimSpace(b)) == "1" {
		enforcing = true
	}
	cases := []struct {
		name string
		e    *Engine
		env  string // CONTAINER_HOST in kiln's environment
		want bool
	}{
		{name: "podman", e: &Engine{Kind: Podman}, want: !enforcing},
		{name: "buildah", e: &Engine{Kind: Buildah}},
		{name: "docker", e: &Engine{Kind: Docker}},
		{name: "podman remote", e: &Engine{Kind: Podman}, env: "unix:///run/podman/podman.sock"},
		{name: "podman remote in the engine's environment", e: &Engine{Kind: Podman, Env: []string{"CONTAINER_CONNECTION=machine"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("CONTAINER_HOST", tc.env)
			t.Setenv("CONTAINER_CONNECTION", "")
			if got := streamsArtifacts(tc.e); got != tc.want {
				t.Errorf("streamsArtifacts = %v, want %v", got, tc.want)
			}
		})
	}
}
