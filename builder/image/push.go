package image

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/opencontainers/go-digest"
	"go.podman.io/image/v5/copy"
	"go.podman.io/image/v5/manifest"
	"go.podman.io/image/v5/transports/alltransports"
	"go.podman.io/image/v5/types"
)

// BlobEvent says what happens to one blob (a layer or the config) of a copy.
type BlobEvent string

const (
	BlobStarted BlobEvent = "started"
	BlobRead    BlobEvent = "read"    // Bytes of Size copied so far
	BlobDone    BlobEvent = "done"    // copied
	BlobSkipped BlobEvent = "skipped" // the destination has it already
)

// Progress is one progress report of a copy.
type Progress struct {
	Event  BlobEvent
	Digest digest.Digest
	Bytes  int64 // copied so far
	Size   int64 // the blob's size; -1 when unknown before the end
}

// PushResult is what a copy did.
type PushResult struct {
	ManifestDigest digest.Digest
	Done, Skipped  []digest.Digest
}

// PushOptions tune Push.
type PushOptions struct {
	Options
	// DigestFile receives the manifest digest after a successful copy.
	DigestFile string
	// Progress receives progress reports from one goroutine, in order.
	Progress func(Progress)
	// Interval between read reports of a blob; 500ms when 0.
	Interval time.Duration
}

// DestinationReference reads a push destination: TRANSPORT:NAME, or a bare
// REGISTRY/NAME:TAG meaning docker:// as podman push takes it.
func DestinationReference(s string) (types.ImageReference, error) {
	if s == "" {
		return nil, &Error{Kind: BadInput, Msg: "empty destination: give docker://REGISTRY/NAME:TAG or TRANSPORT:NAME"}
	}
	if name, _, ok := strings.Cut(s, ":"); !ok || !isTransport(name) {
		s = "docker://" + s
	}
	ref, err := alltransports.ParseImageName(s)
	if err != nil {
		return nil, &Error{Kind: BadInput, Ref: s, Msg: fmt.Sprintf("malformed destination: %v", err)}
	}
	return ref, nil
}

// Push copies the image src (as Open reads it) to dest. When it fails part
// way, the error says which blobs were copied.
func Push(ctx context.Context, src, dest string, o PushOptions) (*PushResult, error) {
	destSys, err := o.SystemContext()
	if err != nil {
		return nil, err
	}
	srcOpts := o.Options
	srcOpts.Creds, srcOpts.CredsFile = "", "" // the credentials are the destination's
	srcSys, err := srcOpts.SystemContext()
	if err != nil {
		return nil, err
	}
	destRef, err := DestinationReference(dest)
	if err != nil {
		return nil, err
	}
	if o.DigestFile != "" {
		// fail before copying, not after, when the digest cannot be written
		f, err := os.OpenFile(o.DigestFile, os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			return nil, &Error{Kind: BadInput, Msg: fmt.Sprintf("--digestfile: %v", unwrapPath(err))}
		}
		f.Close()
	}
	// Open finds the source (short names in local storage) and proves it
	// readable; its reference is what copy reads.
	img, err := Open(ctx, src, o.Options)
	if err != nil {
		return nil, err
	}
	srcRef := img.src.Reference()
	defer img.Close() // after the copy: it holds the local store open
	policy, err := PolicyContext()
	if err != nil {
		return nil, err
	}
	defer policy.Destroy()

	interval := o.Interval
	if interval == 0 {
		interval = 500 * time.Millisecond
	}
	ch := make(chan types.ProgressProperties, 16)
	res := &PushResult{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for p := range ch {
			ev := Progress{Digest: p.Artifact.Digest, Bytes: int64(p.Offset), Size: p.Artifact.Size}
			switch p.Event {
			case types.ProgressEventNewArtifact:
				ev.Event = BlobStarted
			case types.ProgressEventRead:
				ev.Event = BlobRead
			case types.ProgressEventDone:
				ev.Event = BlobDone
				res.Done = append(res.Done, p.Artifact.Digest)
			case types.ProgressEventSkipped:
				ev.Event = BlobSkipped
				res.Skipped = append(res.Skipped, p.Artifact.Digest)
			default:
				continue
			}
			if o.Progress != nil {
				o.Progress(ev)
			}
		}
	}()
	manifestBytes, err := copy.Image(ctx, policy, destRef, srcRef, &copy.Options{
		SourceCtx: srcSys, DestinationCtx: destSys,
		ProgressInterval: interval, Progress: ch,
	})
	close(ch)
	wg.Wait()
	if err != nil {
		e := classify(dest, destRef, err, o.Options)
		var ie *Error
		if asError(e, &ie) {
			ie.Msg = fmt.Sprintf("%s (%s before the failure)", ie.Msg, copied(res))
		}
		return res, e
	}
	res.ManifestDigest, err = manifest.Digest(manifestBytes)
	if err != nil {
		return res, err
	}
	if o.DigestFile != "" {
		if err := os.WriteFile(o.DigestFile, []byte(res.ManifestDigest.String()), 0o644); err != nil {
			return res, fmt.Errorf("pushed %s, but writing --digestfile: %w", res.ManifestDigest, unwrapPath(err))
		}
	}
	return res, nil
}

func copied(r *PushResult) string {
	if len(r.Done)+len(r.Skipped) == 0 {
		return "nothing was pushed"
	}
	var names []string
	for _, d := range r.Done {
		names = append(names, ShortDigest(d.String()))
	}
	s := fmt.Sprintf("%d blob(s) pushed", len(r.Done))
	if len(names) > 0 {
		s += ": " + strings.Join(names, ", ")
	}
	if len(r.Skipped) > 0 {
		s += fmt.Sprintf("; %d already there", len(r.Skipped))
	}
	return s
}

func isTransport(name string) bool {
	for _, t := range []string{"docker", "oci", "oci-archive", "docker-archive", "docker-daemon", "containers-storage", "dir"} {
		if name == t {
			return true
		}
	}
	return false
}
