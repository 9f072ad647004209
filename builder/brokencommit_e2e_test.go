package builder

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.podman.io/storage"

	"github.com/kiln-s2i/kiln/builder/e2etest"
	"github.com/kiln-s2i/kiln/builder/image"
)

// After an interrupted commit, the build's cleanup removes the image the
// commit left without a manifest (made on the build's base) and leaves the
// one another process's commit left. The broken state is made in a store
// of the test's own (podman cannot be made to die between the image record
// and its manifest on purpose); podman itself proves it broken and does the
// removal.
func TestE2EInterruptedCommitsImageIsRemoved(t *testing.T) {
	podman := e2etest.RequireEngine(t)
	conf := e2etest.StorageConf(t)
	base, child, other := e2etest.BrokenCommit(t, conf)
	images := func() error {
		cmd := exec.Command(podman, "images", "-a")
		cmd.Env = append(os.Environ(), "CONTAINERS_STORAGE_CONF="+conf)
		out, err := cmd.CombinedOutput()
		if err != nil && !strings.Contains(string(out), "manifest") {
			t.Fatalf("podman images -a failed, but not for a manifest: %v\n%s", err, out)
		}
		return err
	}
	if images() == nil {
		t.Fatal("podman images -a works on a store with images without a manifest: the test does not make the broken state")
	}

	dir := filepath.Dir(conf)
	var mu sync.Mutex
	brokenChildren = func(parents []string) ([]image.BrokenImage, error) {
		mu.Lock()
		defer mu.Unlock()
		s, err := storage.GetStore(storage.StoreOptions{GraphRoot: filepath.Join(dir, "graph"), RunRoot: filepath.Join(dir, "run"), GraphDriverName: "vfs"})
		if err != nil {
			return nil, err
		}
		defer s.Shutdown(false)
		return image.BrokenChildrenIn(s, parents)
	}
	defer func() { brokenChildren = image.BrokenChildren }()

	e := &Engine{Kind: Podman, Path: podman, Env: []string{"CONTAINERS_STORAGE_CONF=" + conf}}
	defer e.Close()
	var events []Event
	r := newReporter(SinkFunc(func(ev Event) { events = append(events, ev) }))
	e.removeBrokenCommits(context.Background(), r, "build", []string{base})

	removed := false
	for _, ev := range events {
		if ev.Kind == Cleanup && strings.Contains(ev.Message, child[:12]) {
			removed = true
		}
		if strings.Contains(ev.Message, other[:12]) {
			t.Errorf("the other process's broken image was touched: %+v", ev)
		}
		if ev.Kind == LeftBehind {
			t.Errorf("left behind: %s", ev.Message)
		}
	}
	if !removed {
		t.Errorf("no cleanup event for the interrupted commit's image %s: %+v", child, events)
	}
	// child is gone; other is still there, so the store stays broken until
	// its owner removes it.
	cmd := exec.Command(podman, "image", "exists", child)
	cmd.Env = append(os.Environ(), e.Env...)
	if cmd.Run() == nil {
		t.Errorf("the interrupted commit's image %s is still there", child)
	}
	if images() == nil {
		t.Error("podman images -a works with the other broken image still there?")
	}
	rmi := exec.Command(podman, "rmi", "-f", other)
	rmi.Env = append(os.Environ(), e.Env...)
	if out, err := rmi.CombinedOutput(); err != nil {
		t.Fatalf("podman rmi %s: %v\n%s", other, err, out)
	}
	if err := images(); err != nil {
		t.Errorf("podman images -a still fails once both are removed: %v", err)
	}
}
