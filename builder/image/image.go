// Package image reads and copies container images with containers/image
// (go.podman.io/image/v5): podman's and buildah's local storage, OCI layouts
// and archives, docker archives, the docker daemon and registries. kiln
// verify reads images through it, kiln push copies them, and the wizard's
// base-image inspection looks them up.
//
// Local storage is read in-process through go.podman.io/storage's overlay
// driver, which builds without cgo: layer contents come from the overlay
// upper directories and the stored tar-split, with no mount, under the
// store's read locks, so podman and buildah are never blocked for long.
package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/sirupsen/logrus"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/image"
	"go.podman.io/image/v5/manifest"
	"go.podman.io/image/v5/pkg/blobinfocache/none"
	"go.podman.io/image/v5/pkg/compression"
	"go.podman.io/image/v5/signature"
	istorage "go.podman.io/image/v5/storage"
	"go.podman.io/image/v5/transports"
	"go.podman.io/image/v5/transports/alltransports"
	"go.podman.io/image/v5/types"
	"go.podman.io/storage"
	storagetypes "go.podman.io/storage/types"
)

func init() {
	// containers/image and storage log through logrus ("[graphdriver] using
	// prior storage driver"); kiln reports through its own output.
	logrus.SetOutput(io.Discard)
	logrus.SetLevel(logrus.PanicLevel)
}

// Local names the local image store a bare image name refers to.
type Local string

const (
	// Containers is podman's and buildah's store (containers-storage:).
	Containers Local = "containers-storage"
	// DockerDaemon is docker's daemon (docker-daemon:).
	DockerDaemon Local = "docker-daemon"
)

// Options are the registry options shared by verify, push and inspection.
type Options struct {
	// TLSVerify false allows registries with no or self-signed TLS
	// certificates, and plain HTTP (--tls-verify=false).
	TLSVerify bool
	// Creds is user:password for the registry (--creds).
	Creds string
	// CredsFile is a file holding user:password on its first line
	// (--creds-file), so the password stays out of the process list.
	CredsFile string
	// Local is the store bare names refer to; Containers when empty.
	Local Local
	// Timeout bounds each registry request's connection; 0 means the
	// library's defaults.
	Timeout time.Duration
}

// DefaultOptions verify TLS and use podman's store.
func DefaultOptions() Options { return Options{TLSVerify: true, Local: Containers} }

// SystemContext builds the containers/image context: credentials from
// Creds or CredsFile, else the usual files (REGISTRY_AUTH_FILE, the
// containers auth.json, docker's config.json), which the library reads.
func (o Options) SystemContext() (*types.SystemContext, error) {
	sys := &types.SystemContext{}
	if !o.TLSVerify {
		sys.DockerInsecureSkipTLSVerify = types.OptionalBoolTrue
		sys.OCIInsecureSkipTLSVerify = true
		sys.DockerDaemonInsecureSkipTLSVerify = true
	}
	creds := o.Creds
	if o.CredsFile != "" {
		if creds != "" {
			return nil, &Error{Kind: BadInput, Msg: "--creds and --creds-file: give one of them"}
		}
		data, err := os.ReadFile(o.CredsFile)
		if err != nil {
			return nil, &Error{Kind: BadInput, Msg: fmt.Sprintf("--creds-file: %v", unwrapPath(err))}
		}
		creds = strings.TrimRight(strings.SplitN(string(data), "\n", 2)[0], "\r")
	}
	if creds != "" {
		user, pass, ok := strings.Cut(creds, ":")
		if !ok || user == "" {
			// Never echo the value: it holds a password.
			return nil, &Error{Kind: BadInput, Msg: "credentials are not USER:PASSWORD (fix --creds or the --creds-file's first line)"}
		}
		sys.DockerAuthConfig = &types.DockerAuthConfig{Username: user, Password: pass}
	}
	return sys, nil
}

// ErrorKind classifies why an image could not be read or copied.
type ErrorKind int

const (
	Other        ErrorKind = iota
	BadInput               // a malformed reference or option
	NotFound               // no such image in that place
	Unreachable            // the registry did not answer
	Unauthorized           // the registry refused the credentials
)

// Error is a failure to reach an image, in one line without secrets.
type Error struct {
	Kind ErrorKind
	Ref  string
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	switch {
	case e.Ref != "" && e.Msg != "":
		return e.Ref + ": " + e.Msg
	case e.Msg != "":
		return e.Msg
	case e.Ref != "":
		return fmt.Sprintf("%s: %v", e.Ref, e.Err)
	}
	return fmt.Sprint(e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// IsKind reports whether err is an *Error of kind k.
func IsKind(err error, k ErrorKind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

// ParseReference reads s as a containers/image reference: TRANSPORT:NAME
// for a known transport, else a bare name (name:tag, or an image ID) in the
// local store. It returns the candidates to try in order, as TRANSPORT:NAME:
// a bare short name is looked for as localhost/NAME first, as podman tags
// the images it builds. Local-storage names are checked when opened, so
// parsing never opens the store.
func ParseReference(s string, local Local) ([]string, error) {
	if s == "" {
		return nil, &Error{Kind: BadInput, Msg: "empty image reference: give NAME:TAG or TRANSPORT:NAME (e.g. oci-archive:image.tar)"}
	}
	if name, rest, ok := strings.Cut(s, ":"); ok && transports.Get(name) != nil {
		if name == istorage.Transport.Name() {
			if rest == "" {
				return nil, &Error{Kind: BadInput, Ref: s, Msg: "malformed reference: no image name after containers-storage:"}
			}
			return []string{s}, nil
		}
		if _, err := alltransports.ParseImageName(s); err != nil {
			return nil, &Error{Kind: BadInput, Ref: s, Msg: fmt.Sprintf("malformed reference: %v", err)}
		}
		return []string{s}, nil
	}
	if local == "" {
		local = Containers
	}
	if isImageID(s) {
		return []string{string(local) + ":" + s}, nil
	}
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return nil, &Error{Kind: BadInput, Ref: s, Msg: fmt.Sprintf("malformed image name: %v (use NAME:TAG or TRANSPORT:NAME)", err)}
	}
	named = reference.TagNameOnly(named)
	var refs []string
	if isShortName(s) {
		refs = append(refs, string(local)+":localhost/"+reference.FamiliarString(named))
	}
	return append(refs, string(local)+":"+named.String()), nil
}

// isShortName reports whether s names no registry: its first path element
// is not a domain (with a dot or a port) nor localhost.
func isShortName(s string) bool {
	first, _, hasSlash := strings.Cut(s, "/")
	return !hasSlash || (!strings.ContainsAny(first, ".:") && first != "localhost")
}

func isImageID(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// The local store is opened once for all the images open at a time and
// shut down when the last is closed, so podman finds it as it left it.
var (
	storeMu    sync.Mutex
	store      storage.Store
	storeUsers int
)

// acquireStore opens podman's store (storage.conf and
// CONTAINERS_STORAGE_CONF as podman reads them) or shares the open one.
func acquireStore() (storage.Store, error) {
	storeMu.Lock()
	defer storeMu.Unlock()
	if store == nil {
		opts, err := storagetypes.DefaultStoreOptions()
		if err != nil {
			return nil, err
		}
		if store, err = storage.GetStore(opts); err != nil {
			return nil, err
		}
	}
	storeUsers++
	return store, nil
}

func releaseStore() {
	storeMu.Lock()
	defer storeMu.Unlock()
	if storeUsers--; storeUsers == 0 && store != nil {
		_, _ = store.Shutdown(false)
		store = nil
	}
}

// Image is an opened image: its config and layers, ready to be read.
type Image struct {
	// Ref is the reference as the user gave it; Name the one opened.
	Ref, Name string
	// Tag is the reference's tag, "" when it has none (a digest, an archive).
	Tag            string
	Config         *v1.Image
	ConfigDigest   digest.Digest
	ManifestDigest digest.Digest
	Layers         []types.BlobInfo
	// Local is true when the image came from local storage.
	Local bool

	src   types.ImageSource
	store storage.Store
}

// Open opens ref for reading. The error is an *Error: BadInput, NotFound,
// Unreachable or Unauthorized, in one line.
func Open(ctx context.Context, ref string, o Options) (*Image, error) {
	sys, err := o.SystemContext()
	if err != nil {
		return nil, err
	}
	refs, err := ParseReference(ref, o.Local)
	if err != nil {
		return nil, err
	}
	var firstErr error
	for _, r := range refs {
		img, err := open(ctx, ref, r, sys, o)
		if err == nil {
			return img, nil
		}
		if firstErr == nil || (IsKind(firstErr, NotFound) && !IsKind(err, NotFound)) {
			firstErr = err
		}
		if !IsKind(err, NotFound) {
			break
		}
	}
	return nil, firstErr
}

func open(ctx context.Context, given, refStr string, sys *types.SystemContext, o Options) (_ *Image, err error) {
	var r types.ImageReference
	var store storage.Store
	if name, ok := strings.CutPrefix(refStr, istorage.Transport.Name()+":"); ok {
		store, err = acquireStore()
		if err != nil {
			return nil, &Error{Kind: Other, Ref: given, Msg: fmt.Sprintf("opening local storage: %v", err), Err: err}
		}
		defer func() {
			if err != nil {
				releaseStore()
			}
		}()
		if r, err = istorage.Transport.ParseStoreReference(store, name); err != nil {
			return nil, &Error{Kind: BadInput, Ref: given, Msg: fmt.Sprintf("malformed reference: %v", err)}
		}
	} else if r, err = alltransports.ParseImageName(refStr); err != nil {
		return nil, &Error{Kind: BadInput, Ref: given, Msg: fmt.Sprintf("malformed reference: %v", err)}
	}
	if o.Timeout > 0 && r.Transport().Name() == "docker" {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	src, err := r.NewImageSource(ctx, sys)
	if err != nil {
		return nil, classify(given, r, err, o)
	}
	// A registry image is often a list of per-platform images: take this
	// machine's, as podman pull does.
	var instance *digest.Digest
	if raw, mt, err := src.GetManifest(ctx, nil); err != nil {
		src.Close()
		return nil, classify(given, r, err, o)
	} else if manifest.MIMETypeIsMultiImage(mt) {
		list, err := manifest.ListFromBlob(raw, mt)
		if err != nil {
			src.Close()
			return nil, classify(given, r, err, o)
		}
		d, err := list.ChooseInstance(sys)
		if err != nil {
			src.Close()
			return nil, classify(given, r, err, o)
		}
		instance = &d
	}
	img, err := image.FromUnparsedImage(ctx, sys, image.UnparsedInstance(src, instance))
	if err != nil {
		src.Close()
		return nil, classify(given, r, err, o)
	}
	cfg, err := img.OCIConfig(ctx)
	if err != nil {
		src.Close()
		return nil, classify(given, r, err, o)
	}
	raw, _, err := img.Manifest(ctx)
	if err != nil {
		src.Close()
		return nil, classify(given, r, err, o)
	}
	md, err := manifest.Digest(raw)
	if err != nil {
		src.Close()
		return nil, classify(given, r, err, o)
	}
	out := &Image{Ref: given, Name: transports.ImageName(r), Config: cfg, ConfigDigest: img.ConfigInfo().Digest,
		ManifestDigest: md, Layers: img.LayerInfos(), Local: isLocal(r), src: src, store: store}
	out.Tag = tagOf(r)
	return out, nil
}

// tagOf is the reference's tag: the docker reference's, or for OCI layouts
// and archives the image name after the path (oci:DIR:TAG).
func tagOf(r types.ImageReference) string {
	if named := r.DockerReference(); named != nil {
		if t, ok := named.(reference.Tagged); ok {
			return t.Tag()
		}
		return ""
	}
	switch r.Transport().Name() {
	case "oci", "oci-archive":
		within := r.StringWithinTransport()
		if i := strings.LastIndex(within, ":"); i >= 0 {
			return within[i+1:]
		}
	}
	return ""
}

func isLocal(r types.ImageReference) bool {
	switch r.Transport().Name() {
	case "docker":
		return false
	}
	return true
}

// Close releases the image source and the local store.
func (i *Image) Close() error {
	err := i.src.Close()
	if i.store != nil {
		i.store = nil
		releaseStore()
	}
	return err
}

// Layer returns the uncompressed tar stream of layer n (0 is the lowest),
// decompressing by content: docker archives may say gzip and hold a plain tar.
func (i *Image) Layer(ctx context.Context, n int) (io.ReadCloser, error) {
	rc, _, err := i.src.GetBlob(ctx, i.Layers[n], none.NoCache)
	if err != nil {
		return nil, classify(i.Ref, i.src.Reference(), err, Options{})
	}
	r, _, err := compression.AutoDecompress(rc)
	if err != nil {
		rc.Close()
		return nil, fmt.Errorf("layer %d (%s): %w", n+1, i.Layers[n].Digest.Encoded()[:12], err)
	}
	return &both{Reader: r, closers: []io.Closer{r, rc}}, nil
}

type both struct {
	io.Reader
	closers []io.Closer
}

func (b *both) Close() error {
	var first error
	for _, c := range b.closers {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// PolicyContext accepts any image: kiln copies images the user built or
// names, and does not verify signatures (the policy is built in code, so no
// /etc/containers/policy.json is needed).
func PolicyContext() (*signature.PolicyContext, error) {
	return signature.NewPolicyContext(&signature.Policy{Default: []signature.PolicyRequirement{signature.NewPRInsecureAcceptAnything()}})
}

// LocalNames lists the names of the images in podman's local store, sorted,
// for a user to pick a base image from.
func LocalNames() ([]string, error) {
	s, err := acquireStore()
	if err != nil {
		return nil, err
	}
	defer releaseStore()
	imgs, err := s.Images()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, img := range imgs {
		names = append(names, img.Names...)
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}
