// Package imagetest writes small OCI images for tests: each layer from a
// list of files, as an oci: layout directory or an oci-archive: tarball.
package imagetest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// TB is the part of testing.TB imagetest uses, so testscript commands can
// use it too.
type TB interface {
	Helper()
	Fatal(args ...any)
	TempDir() string
}

// File is one tar entry of a layer.
type File struct {
	Name     string
	Mode     int64 // permission bits; 0 means 0644 for files, 0755 for directories
	UID, GID int
	Type     byte // tar.TypeReg when 0
	Body     string
	Size     int // a body of Size zero bytes, when Body is empty
	Link     string
}

// Dir is a directory entry.
func Dir(name string, mode int64, uid, gid int) File {
	return File{Name: name, Type: tar.TypeDir, Mode: mode, UID: uid, GID: gid}
}

// Whiteout deletes name (and what is below it) from lower layers.
func Whiteout(name string) File {
	dir, base := filepath.Split(name)
	return File{Name: dir + ".wh." + base}
}

// Opaque hides what lower layers put in dir.
func Opaque(dir string) File { return File{Name: dir + "/.wh..wh..opq"} }

// Image is a test image.
type Image struct {
	Config v1.ImageConfig
	Layers [][]File
	// Gzip compresses the layers.
	Gzip bool
}

// LayerTar returns one layer as an uncompressed tar.
func LayerTar(t TB, files []File) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.Name, Mode: f.Mode, Uid: f.UID, Gid: f.GID, Typeflag: f.Type, Linkname: f.Link,
			ModTime: time.Unix(1700000000, 0), Format: tar.FormatPAX}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		body := []byte(f.Body)
		if len(body) == 0 && f.Size > 0 {
			body = make([]byte, f.Size)
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(body))
		}
		if h.Mode == 0 {
			h.Mode = 0o644
			if h.Typeflag == tar.TypeDir {
				h.Mode = 0o755
			}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeBlob(t TB, dir string, data []byte) digest.Digest {
	t.Helper()
	d := digest.FromBytes(data)
	p := filepath.Join(dir, "blobs", "sha256", d.Encoded())
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return d
}

// WriteLayout writes img as an OCI layout in dir, tagged tag, and returns
// the reference "oci:DIR:TAG".
func (img Image) WriteLayout(t TB, dir, tag string) string {
	t.Helper()
	var layers []v1.Descriptor
	var diffIDs []digest.Digest
	for _, files := range img.Layers {
		raw := LayerTar(t, files)
		diffIDs = append(diffIDs, digest.FromBytes(raw))
		data, mt := raw, v1.MediaTypeImageLayer
		if img.Gzip {
			var gz bytes.Buffer
			zw := gzip.NewWriter(&gz)
			zw.Write(raw)
			zw.Close()
			data, mt = gz.Bytes(), v1.MediaTypeImageLayerGzip
		}
		layers = append(layers, v1.Descriptor{MediaType: mt, Digest: writeBlob(t, dir, data), Size: int64(len(data))})
	}
	created := time.Unix(1700000000, 0).UTC()
	cfg := v1.Image{Created: &created, Platform: v1.Platform{OS: "linux", Architecture: "amd64"}, Config: img.Config,
		RootFS: v1.RootFS{Type: "layers", DiffIDs: diffIDs}}
	cfgData := mustJSON(t, cfg)
	m := v1.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: v1.MediaTypeImageManifest,
		Config: v1.Descriptor{MediaType: v1.MediaTypeImageConfig, Digest: writeBlob(t, dir, cfgData), Size: int64(len(cfgData))},
		Layers: layers}
	mData := mustJSON(t, m)
	idx := v1.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: v1.MediaTypeImageIndex,
		Manifests: []v1.Descriptor{{MediaType: v1.MediaTypeImageManifest, Digest: writeBlob(t, dir, mData), Size: int64(len(mData)),
			Annotations: map[string]string{v1.AnnotationRefName: tag}}}}
	if err := os.WriteFile(filepath.Join(dir, "index.json"), mustJSON(t, idx), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return "oci:" + dir + ":" + tag
}

// WriteArchive writes img as an oci-archive tarball at file and returns
// "oci-archive:FILE".
func (img Image) WriteArchive(t TB, file, tag string) string {
	t.Helper()
	dir := t.TempDir()
	img.WriteLayout(t, dir, tag)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		h, err := tar.FileInfoHeader(fi, "")
		if err != nil {
			return err
		}
		h.Name = filepath.ToSlash(rel)
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			_, err = tw.Write(data)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return "oci-archive:" + file
}

func mustJSON(t TB, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
