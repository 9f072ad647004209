package image_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"testing"

	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/kiln-s2i/kiln/builder/image"
	it "github.com/kiln-s2i/kiln/builder/image/imagetest"
)

func readFS(t *testing.T, ref string) (*image.Image, *image.FS) {
	t.Helper()
	img, err := image.Open(context.Background(), ref, image.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { img.Close() })
	fsys, err := img.ReadFS(context.Background(), image.WalkOptions{Keep: func(p string) bool { return p == "etc/motd" }})
	if err != nil {
		t.Fatal(err)
	}
	return img, fsys
}

func paths(f *image.FS) []string {
	var out []string
	for p := range f.Entries {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// TestLayersApplied covers the OCI layer rules: later files replace earlier
// ones, a whiteout deletes a file or a whole directory, an opaque directory
// hides what lower layers put in it but keeps what its own layer adds, and
// the bytes deleted or replaced count as the lower layer's waste.
func TestLayersApplied(t *testing.T) {
	img := it.Image{Layers: [][]it.File{
		{
			it.Dir("etc", 0o755, 0, 0), {Name: "etc/motd", Body: "old"},
			it.Dir("opt", 0o755, 0, 0), it.Dir("opt/big", 0o755, 0, 0), {Name: "opt/big/blob", Size: 4096},
			it.Dir("srv", 0o755, 0, 0), {Name: "srv/a", Size: 10}, {Name: "srv/b", Size: 20},
			{Name: "tmp/implicit/file", Body: "x"},
		},
		{
			{Name: "etc/motd", Body: "new!"},
			it.Whiteout("opt/big"),
			{Name: "srv/c", Size: 5}, // before the marker, same layer: stays
			it.Opaque("srv"),
		},
	}}
	for _, tc := range []struct {
		name string
		ref  func(t *testing.T) string
	}{
		{"oci layout", func(t *testing.T) string { return img.WriteLayout(t, t.TempDir(), "1.0") }},
		{"oci archive gzip", func(t *testing.T) string {
			g := img
			g.Gzip = true
			return g.WriteArchive(t, filepath.Join(t.TempDir(), "img.tar"), "1.0")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opened, fsys := readFS(t, tc.ref(t))
			if opened.Tag != "" && opened.Tag != "1.0" {
				t.Errorf("tag %q", opened.Tag)
			}
			want := []string{"etc", "etc/motd", "opt", "srv", "srv/c", "tmp/implicit/file"}
			if got := paths(fsys); !slices.Equal(got, want) {
				t.Errorf("final filesystem\n got %v\nwant %v", got, want)
			}
			if got := string(fsys.Entries["etc/motd"].Data); got != "new!" {
				t.Errorf("etc/motd = %q, want the upper layer's", got)
			}
			if got := fsys.Layers[0].Wasted; got != 4096+10+20+3 {
				t.Errorf("layer 1 wasted %d bytes, want %d", got, 4096+10+20+3)
			}
			if fsys.Layers[1].Wasted != 0 {
				t.Errorf("layer 2 wasted %d", fsys.Layers[1].Wasted)
			}
			if e, ok := fsys.Lookup("/tmp/implicit", true); !ok || !e.IsDir() {
				t.Errorf("implicit directory /tmp/implicit not found")
			}
		})
	}
}

func TestLookupFollowsSymlinks(t *testing.T) {
	img := it.Image{Layers: [][]it.File{{
		it.Dir("usr", 0o755, 0, 0), it.Dir("usr/sbin", 0o755, 0, 0), {Name: "usr/sbin/tool", Mode: 0o755},
		{Name: "sbin", Type: '2', Link: "usr/sbin"},
		{Name: "usr/sbin/alias", Type: '2', Link: "/usr/sbin/tool"},
	}}}
	_, fsys := readFS(t, img.WriteLayout(t, t.TempDir(), "1"))
	for _, tc := range []struct {
		path   string
		follow bool
		want   string
	}{
		{"/sbin/tool", false, "usr/sbin/tool"},
		{"sbin/alias", true, "usr/sbin/tool"},
		{"sbin/alias", false, "usr/sbin/alias"},
	} {
		e, ok := fsys.Lookup(tc.path, tc.follow)
		if !ok || e.Path != tc.want {
			t.Errorf("Lookup(%q, %v) = %v, %v; want %s", tc.path, tc.follow, e, ok, tc.want)
		}
	}
	if _, ok := fsys.Lookup("sbin/missing", true); ok {
		t.Error("Lookup found a missing file")
	}
}

// A reference to an image index (a multi-platform image, as registries
// serve) opens this machine's platform's image.
func TestOpenChoosesPlatformFromIndex(t *testing.T) {
	dir := t.TempDir()
	img := it.Image{Config: v1.ImageConfig{User: "1001"}, Layers: [][]it.File{{{Name: "etc/motd", Body: "amd64"}}}}
	img.WriteLayout(t, dir, "1.0")
	idxData, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var top v1.Index
	if err := json.Unmarshal(idxData, &top); err != nil {
		t.Fatal(err)
	}
	m := top.Manifests[0]
	m.Annotations = nil
	amd, arm := m, m
	amd.Platform = &v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	arm.Platform = &v1.Platform{OS: "linux", Architecture: "s390x"}
	arm.Digest = digest.FromString("no such manifest") // never read
	list, _ := json.Marshal(v1.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: v1.MediaTypeImageIndex, Manifests: []v1.Descriptor{arm, amd}})
	ld := digest.FromBytes(list)
	if err := os.WriteFile(filepath.Join(dir, "blobs", "sha256", ld.Encoded()), list, 0o644); err != nil {
		t.Fatal(err)
	}
	top.Manifests = []v1.Descriptor{{MediaType: v1.MediaTypeImageIndex, Digest: ld, Size: int64(len(list)),
		Annotations: map[string]string{v1.AnnotationRefName: "multi"}}}
	idxData, _ = json.Marshal(top)
	if err := os.WriteFile(filepath.Join(dir, "index.json"), idxData, 0o644); err != nil {
		t.Fatal(err)
	}
	opened, fsys := readFS(t, "oci:"+dir+":multi")
	if opened.Config.Config.User != "1001" || string(fsys.Entries["etc/motd"].Data) != "amd64" {
		t.Errorf("opened user %q, motd %q", opened.Config.Config.User, fsys.Entries["etc/motd"].Data)
	}
}
