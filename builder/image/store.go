package image

import (
	"fmt"
	"strings"

	"go.podman.io/storage"
)

// BrokenImage is an image record in podman's local storage without a
// manifest. A commit killed between creating the image and writing its
// manifest (a podman build or podman commit interrupted at the wrong
// moment) leaves one; podman images then fails for the whole store until
// the record is removed (podman rmi ID).
type BrokenImage struct {
	ID    string
	Names []string
	// ParentLayer is the layer the image's top layer was made on: the top
	// layer of the image the interrupted commit's container ran from.
	ParentLayer string
}

// String names the image for a message: its short ID, and names if any.
func (b BrokenImage) String() string {
	s := b.ID
	if len(s) > 12 {
		s = s[:12]
	}
	if len(b.Names) > 0 {
		s += " (" + strings.Join(b.Names, ", ") + ")"
	}
	return s
}

// hasManifest reports whether the image's big-data items include a
// manifest: "manifest" or, as containers/image writes them, "manifest-<digest>".
func hasManifest(keys []string) bool {
	for _, k := range keys {
		if k == storage.ImageDigestBigDataKey || strings.HasPrefix(k, storage.ImageDigestBigDataKey+"-") {
			return true
		}
	}
	return false
}

// BrokenImages lists the images without a manifest in podman's local
// storage (storage.conf and CONTAINERS_STORAGE_CONF as podman reads them).
// A commit in progress has none for a moment: callers that act on the
// list look twice.
func BrokenImages() ([]BrokenImage, error) {
	s, err := acquireStore()
	if err != nil {
		return nil, fmt.Errorf("opening local storage: %w", err)
	}
	defer releaseStore()
	return brokenImages(s)
}

func brokenImages(s storage.Store) ([]BrokenImage, error) {
	images, err := s.Images()
	if err != nil {
		return nil, fmt.Errorf("listing local images: %w", err)
	}
	var broken []BrokenImage
	for _, img := range images {
		keys, err := s.ListImageBigData(img.ID)
		if err != nil {
			continue // removed meanwhile
		}
		if hasManifest(keys) {
			continue
		}
		b := BrokenImage{ID: img.ID, Names: img.Names}
		if img.TopLayer != "" {
			if l, err := s.Layer(img.TopLayer); err == nil {
				b.ParentLayer = l.Parent
			}
		}
		broken = append(broken, b)
	}
	return broken, nil
}

// BrokenChildren lists the images without a manifest whose top layer was
// made on the top layer of one of parents (image IDs, short IDs or names):
// what an interrupted commit of a container run from one of them left. A
// parent that is not found is ignored.
func BrokenChildren(parents []string) ([]BrokenImage, error) {
	s, err := acquireStore()
	if err != nil {
		return nil, fmt.Errorf("opening local storage: %w", err)
	}
	defer releaseStore()
	return BrokenChildrenIn(s, parents)
}

// BrokenChildrenIn is BrokenChildren in the store s.
func BrokenChildrenIn(s storage.Store, parents []string) ([]BrokenImage, error) {
	tops := map[string]bool{}
	for _, p := range parents {
		if img, err := s.Image(strings.TrimPrefix(p, "sha256:")); err == nil && img.TopLayer != "" {
			tops[img.TopLayer] = true
		}
	}
	if len(tops) == 0 {
		return nil, nil
	}
	broken, err := brokenImages(s)
	if err != nil {
		return nil, err
	}
	var mine []BrokenImage
	for _, b := range broken {
		if tops[b.ParentLayer] {
			mine = append(mine, b)
		}
	}
	return mine, nil
}
