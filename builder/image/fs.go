package image

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"golang.org/x/sync/errgroup"
)

// Entry is one file of an image's final filesystem (or, in a Visit
// callback, of one layer). Path is slash-separated without a leading slash.
type Entry struct {
	Path  string
	Type  byte        // tar.TypeReg, TypeDir, TypeSymlink, TypeLink...
	Mode  fs.FileMode // permission bits plus setuid/setgid/sticky
	UID   int
	GID   int
	Size  int64
	Layer int    // index of the layer that wrote it, 0 the lowest
	Link  string // symlink or hardlink target
	Data  []byte // contents, when WalkOptions.Keep asked for them
}

// IsDir reports whether the entry is a directory.
func (e *Entry) IsDir() bool { return e.Type == tar.TypeDir }

// IsRegular reports whether the entry is a regular file (or a hardlink to one).
func (e *Entry) IsRegular() bool {
	return e.Type == tar.TypeReg || e.Type == tar.TypeLink || e.Type == tar.TypeRegA
}

// LayerStat sums up one layer.
type LayerStat struct {
	Digest string
	Files  int
	Bytes  int64 // regular-file bytes the layer adds
	// Wasted is the bytes this layer adds that a later layer deletes (a
	// whiteout, an opaque directory) or overwrites: they are shipped and
	// never seen (G07).
	Wasted int64
	// WastedPaths names the biggest wasted files, at most 5.
	WastedPaths []string
}

// FS is an image's final filesystem, from its layers applied in order.
type FS struct {
	Entries map[string]*Entry
	Layers  []LayerStat
	// implicit holds directories only known from their contents.
	implicit map[string]bool
}

// WalkOptions tune ReadFS.
type WalkOptions struct {
	// Keep selects regular files whose contents ReadFS keeps (at most
	// MaxKeep bytes each, 1 MiB when 0).
	Keep    func(path string) bool
	MaxKeep int64
	// Visit sees every entry of every layer, whiteouts excepted, in order.
	Visit func(layer int, e *Entry)
}

const whiteoutPrefix = ".wh."
const opaqueMarker = ".wh..wh..opq"

// layerOp is one thing a layer does to the filesystem.
type layerOp struct {
	entry  *Entry
	remove string // a whiteout: remove this path and what is under it
	opaque string // an opaque directory: hide what lower layers put in it
}

// ReadFS reads every layer and applies them in order, honouring whiteouts
// and opaque directories (the OCI layer rules). Layers are read in parallel
// and applied in order.
func (i *Image) ReadFS(ctx context.Context, o WalkOptions) (*FS, error) {
	if o.MaxKeep == 0 {
		o.MaxKeep = 1 << 20
	}
	ops := make([][]layerOp, len(i.Layers))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for n := range i.Layers {
		g.Go(func() error {
			rc, err := i.Layer(gctx, n)
			if err != nil {
				return err
			}
			defer rc.Close()
			ops[n], err = readLayer(rc, n, o)
			if err != nil {
				return fmt.Errorf("%s: layer %d (%s): %w", i.Ref, n+1, ShortDigest(i.Layers[n].Digest.String()), err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	f := &FS{Entries: map[string]*Entry{}, implicit: map[string]bool{}}
	for n, lops := range ops {
		f.Layers = append(f.Layers, LayerStat{Digest: i.Layers[n].Digest.String()})
		for _, op := range lops {
			f.apply(n, op, o)
		}
	}
	f.fillImplicit()
	return f, nil
}

// readLayer reads one layer's tar into operations.
func readLayer(r io.Reader, n int, o WalkOptions) ([]layerOp, error) {
	tr := tar.NewReader(r)
	var ops []layerOp
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return ops, nil
		}
		if err != nil {
			return nil, err
		}
		p := CleanPath(h.Name)
		if p == "" {
			continue // the root itself
		}
		dir, base := path.Split(p)
		dir = strings.TrimSuffix(dir, "/")
		switch {
		case base == opaqueMarker:
			ops = append(ops, layerOp{opaque: dir})
			continue
		case strings.HasPrefix(base, whiteoutPrefix):
			ops = append(ops, layerOp{remove: path.Join(dir, strings.TrimPrefix(base, whiteoutPrefix))})
			continue
		}
		e := &Entry{Path: p, Type: h.Typeflag, Mode: fs.FileMode(h.Mode)&(fs.ModePerm) | modeBits(h.Mode),
			UID: h.Uid, GID: h.Gid, Layer: n, Link: h.Linkname}
		if e.Type == tar.TypeRegA {
			e.Type = tar.TypeReg
		}
		if e.Type == tar.TypeReg {
			e.Size = h.Size
			if o.Keep != nil && h.Size <= o.MaxKeep && o.Keep(p) {
				e.Data, err = io.ReadAll(tr)
				if err != nil {
					return nil, err
				}
			}
		}
		if e.Type == tar.TypeLink {
			e.Link = CleanPath(h.Linkname)
		}
		ops = append(ops, layerOp{entry: e})
	}
}

// modeBits keeps setuid, setgid and sticky from a tar mode.
func modeBits(m int64) fs.FileMode {
	var out fs.FileMode
	if m&0o4000 != 0 {
		out |= fs.ModeSetuid
	}
	if m&0o2000 != 0 {
		out |= fs.ModeSetgid
	}
	if m&0o1000 != 0 {
		out |= fs.ModeSticky
	}
	return out
}

// CleanPath turns a tar name or an absolute path into the form FS uses:
// no leading "/" or "./", no trailing slash; "" is the root.
func CleanPath(p string) string {
	p = path.Clean("/" + p)
	return strings.TrimPrefix(p, "/")
}

func (f *FS) apply(n int, op layerOp, o WalkOptions) {
	switch {
	case op.entry != nil:
		e := op.entry
		if o.Visit != nil {
			o.Visit(n, e)
		}
		st := &f.Layers[n]
		st.Files++
		st.Bytes += e.Size
		if old, ok := f.Entries[e.Path]; ok {
			if old.IsDir() && !e.IsDir() {
				f.removeTree(e.Path, n)
			} else if old.Layer < n {
				f.waste(old)
			}
		}
		f.Entries[e.Path] = e
	case op.remove != "":
		f.removeTree(op.remove, n)
	default:
		// An opaque directory hides what lower layers put in it; what this
		// layer put there (before or after the marker) stays.
		prefix := op.opaque + "/"
		if op.opaque == "" {
			prefix = ""
		}
		for p, e := range f.Entries {
			if strings.HasPrefix(p, prefix) && e.Layer < n {
				f.waste(e)
				delete(f.Entries, p)
			}
		}
	}
}

// removeTree deletes p and everything below it that lower layers wrote.
func (f *FS) removeTree(p string, n int) {
	if e, ok := f.Entries[p]; ok && e.Layer < n {
		f.waste(e)
		delete(f.Entries, p)
		if !e.IsDir() {
			return // nothing can be below a file
		}
	}
	prefix := p + "/"
	for q, e := range f.Entries {
		if strings.HasPrefix(q, prefix) && e.Layer < n {
			f.waste(e)
			delete(f.Entries, q)
		}
	}
}

func (f *FS) waste(e *Entry) {
	if e.Type != tar.TypeReg || e.Size == 0 {
		return
	}
	st := &f.Layers[e.Layer]
	st.Wasted += e.Size
	if len(st.WastedPaths) < 5 {
		st.WastedPaths = append(st.WastedPaths, "/"+e.Path)
	}
}

// fillImplicit records the directories that exist only as parents.
func (f *FS) fillImplicit() {
	for p := range f.Entries {
		for d := path.Dir(p); d != "." && d != "/" && d != ""; d = path.Dir(d) {
			if _, ok := f.Entries[d]; ok {
				break
			}
			if f.implicit[d] {
				break
			}
			f.implicit[d] = true
		}
	}
}

// Lookup finds p (absolute or relative to the root), following symlinks in
// its directories and, if follow, in its last element. A directory known
// only from its contents is returned as root:root 0755.
func (f *FS) Lookup(p string, follow bool) (*Entry, bool) {
	p = CleanPath(p)
	for hops := 0; hops < 40; hops++ {
		resolved, again := f.resolveDirs(p)
		if again {
			p = resolved
			continue
		}
		p = resolved
		e, ok := f.Entries[p]
		if !ok {
			if f.implicit[p] || p == "" {
				return &Entry{Path: p, Type: tar.TypeDir, Mode: 0o755}, true
			}
			return nil, false
		}
		if follow && e.Type == tar.TypeSymlink {
			p = f.target(p, e.Link)
			continue
		}
		return e, true
	}
	return nil, false
}

// resolveDirs replaces the first symlinked directory in p by its target.
func (f *FS) resolveDirs(p string) (string, bool) {
	parts := strings.Split(p, "/")
	for k := 1; k < len(parts); k++ {
		dir := strings.Join(parts[:k], "/")
		if e, ok := f.Entries[dir]; ok && e.Type == tar.TypeSymlink {
			return path.Join(f.target(dir, e.Link), strings.Join(parts[k:], "/")), true
		}
	}
	return p, false
}

func (f *FS) target(p, link string) string {
	if strings.HasPrefix(link, "/") {
		return CleanPath(link)
	}
	return CleanPath(path.Join(path.Dir(p), link))
}

// List returns the entries directly or indirectly under dir.
func (f *FS) List(dir string) []*Entry {
	prefix := CleanPath(dir) + "/"
	if prefix == "/" {
		prefix = ""
	}
	var out []*Entry
	for p, e := range f.Entries {
		if strings.HasPrefix(p, prefix) {
			out = append(out, e)
		}
	}
	return out
}
