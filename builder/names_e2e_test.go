package builder

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/kiln-s2i/kiln/builder/e2etest"
)

// Eight builds from one image tag it with their unique --from names at
// once, then drop them at once. Without the names lock podman 4.3 keeps
// about two of the eight names (each tag writes back the list it read),
// and a build whose name was lost failed at FROM. Every name must be there
// after the tags, none after the untags, and the image's own name stays.
func TestE2EConcurrentUniqueTags(t *testing.T) {
	e2etest.RequireEngine(t)
	base := e2etest.BusyboxBase(t)
	e, err := DetectEngine("podman")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	id, err := e.imageID(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	tags := make([]string, n)
	for i := range tags {
		tags[i] = "localhost/" + newName("kiln-e2e-names-") + ":from"
	}
	t.Cleanup(func() {
		for _, tag := range tags {
			if e2etest.ImageExists(tag) {
				e2etest.Podman(t, "untag", id, tag)
			}
		}
	})

	var mu sync.Mutex
	var events []Event
	r := newReporter(SinkFunc(func(ev Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, ev)
	}))
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, tag := range tags {
		wg.Go(func() { errs[i] = e.tagUnique(ctx, id, tag) })
	}
	wg.Wait()
	for i, tag := range tags {
		if errs[i] != nil {
			t.Errorf("tag %s: %v", tag, errs[i])
		}
	}
	names := e2etest.Podman(t, "image", "inspect", "--format", "{{range .RepoTags}}{{.}} {{end}}", id)
	for _, tag := range tags {
		if !strings.Contains(names, tag) {
			t.Errorf("%s lost: the image's names are %s", tag, names)
		}
	}

	for _, tag := range tags {
		wg.Go(e.untagLater(ctx, r, "build", id, tag))
	}
	wg.Wait()
	names = e2etest.Podman(t, "image", "inspect", "--format", "{{range .RepoTags}}{{.}} {{end}}", id)
	for _, tag := range tags {
		if strings.Contains(names, tag) {
			t.Errorf("%s is still there after its untag: %s", tag, names)
		}
	}
	if !e2etest.ImageExists(base) {
		t.Errorf("the image lost its own name %s: %s", base, names)
	}
	for _, ev := range events {
		if ev.Kind == LeftBehind {
			t.Errorf("left behind: %s", ev.Message)
		}
	}
}
