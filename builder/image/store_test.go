package image

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/opencontainers/go-digest"
	"go.podman.io/storage"
)

// BrokenStore is a containers-storage store in dir (vfs driver) holding
// what an interrupted commit leaves: a base image with a manifest, a
// manifest-less image made on the base's top layer (the commit of a
// container run from the base), and a manifest-less image on an unrelated
// layer (another process's). It returns the IDs of the three images.
func brokenStore(t *testing.T, dir string) (s storage.Store, base, child, other string) {
	t.Helper()
	s, err := storage.GetStore(storage.StoreOptions{GraphRoot: filepath.Join(dir, "graph"), RunRoot: filepath.Join(dir, "run"), GraphDriverName: "vfs"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = s.Shutdown(true) })
	layer := func(parent string) string {
		l, err := s.CreateLayer("", parent, nil, "", false, nil)
		if err != nil {
			t.Fatal(err)
		}
		return l.ID
	}
	img := func(names []string, top string, manifest bool) string {
		i, err := s.CreateImage("", names, top, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if manifest {
			if err := s.SetImageBigData(i.ID, storage.ImageDigestBigDataKey, []byte(`{"schemaVersion":2}`), func([]byte) (digest.Digest, error) {
				return digest.FromString(`{"schemaVersion":2}`), nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		return i.ID
	}
	baseTop := layer("")
	base = img([]string{"localhost/kiln-broken-base:1"}, baseTop, true)
	child = img(nil, layer(baseTop), false)
	other = img(nil, layer(layer("")), false)
	return s, base, child, other
}

func TestBrokenImagesFindsManifestlessImages(t *testing.T) {
	s, base, child, other := brokenStore(t, t.TempDir())
	broken, err := brokenImages(s)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, b := range broken {
		ids = append(ids, b.ID)
	}
	slices.Sort(ids)
	want := []string{child, other}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("broken images = %v, want %v (the base %s has a manifest)", ids, want, base)
	}

	// Only the one made on a given image's top layer is that image's child,
	// found by ID, short ID or name.
	for _, parent := range []string{base, base[:12], "localhost/kiln-broken-base:1"} {
		mine, err := BrokenChildrenIn(s, []string{parent, "no-such-image"})
		if err != nil {
			t.Fatal(err)
		}
		if len(mine) != 1 || mine[0].ID != child {
			t.Errorf("BrokenChildrenIn(%s) = %v, want only %s", parent, mine, child)
		}
	}
	if mine, err := BrokenChildrenIn(s, []string{child}); err != nil || len(mine) != 0 {
		t.Errorf("brokenChildren of an image with no broken child = %v, %v", mine, err)
	}
}
