package builder

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"sync"
	"time"

	"github.com/kiln-s2i/kiln/builder/image"
)

// CleanupTimeout bounds each cleanup kiln runs after a failure or a signal
// (SIGINT, SIGTERM, SIGHUP). Cleanup runs on a fresh context, not the
// run's cancelled one, so the removals themselves are never cancelled; the
// deadline keeps a hung engine from keeping kiln alive for ever. What is
// not removed by then is reported as LeftBehind, by name.
var CleanupTimeout = 2 * time.Minute

// cleanupContext is the context of a cleanup: ctx's values without its
// cancellation or deadline, and a deadline of its own.
func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), CleanupTimeout)
}

// left reports something the run created that its cleanup could not
// remove: what names it (kind and name or ID), err says why.
func (r *reporter) left(step, what string, err error) {
	why := "unknown reason"
	if err != nil {
		why = err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			why = fmt.Sprintf("the cleanup deadline (%s) passed", CleanupTimeout)
		}
	}
	r.emit(Event{Kind: LeftBehind, Step: step, Message: what + " (" + why + ")"})
}

// untagLater is a deferred removal of a tag kiln added for one build (the
// unique --from tags): on a cleanup context, reported when it fails.
func (e *Engine) untagLater(ctx context.Context, r *reporter, step, image, tag string) func() {
	return func() {
		cctx, cancel := cleanupContext(ctx)
		defer cancel()
		unlock := lockNames(cctx) // see names.go: an untag can undo a concurrent tag
		defer unlock()
		if _, err := e.remove(cctx, imageObject, tag, append(e.dialect().untag, image, tag)); err != nil {
			r.left(step, "tag "+tag, err)
		}
	}
}

// tempDir is the per-run temporary directory of the engine: podman and
// buildah get it as TMPDIR, so the buildah* and storage* directories an
// interrupted build leaves behind are inside it, and Close removes them
// with it. It is made on first use.
type tempDir struct {
	once sync.Once
	path string
	err  error
}

// engineTempBase is where the per-run directories go: $TMPDIR when set,
// else /var/tmp, podman's own default for its large temporary files.
func engineTempBase() string {
	if d := os.Getenv("TMPDIR"); d != "" {
		return d
	}
	return "/var/tmp"
}

func (t *tempDir) get() (string, error) {
	t.once.Do(func() {
		t.path, t.err = os.MkdirTemp(engineTempBase(), "kiln-engine-")
	})
	return t.path, t.err
}

// Close removes the engine's per-run temporary directory and everything
// the engine left in it. Call it once the run, cleanup included, is over.
func (e *Engine) Close() error {
	if e.tmp.path == "" {
		return nil
	}
	if err := os.RemoveAll(e.tmp.path); err != nil {
		return fmt.Errorf("temporary directory %s: %w", e.tmp.path, err)
	}
	return nil
}

// TempDir is the engine's per-run TMPDIR ("" before the first command).
func (e *Engine) TempDir() string { return e.tmp.path }

// brokenChildren is image.BrokenChildren, replaced in tests by a lister of
// a store of their own.
var brokenChildren = image.BrokenChildren

// brokenSettle is how long an image without a manifest must stay so before
// it is taken for an interrupted commit's: another build's commit in
// progress has none for a moment too.
var brokenSettle = 2 * time.Second

// removeBrokenCommits removes the images without a manifest an interrupted
// commit of this build left: those made on the top layer of one of parents
// (the build's base, the layers it committed or took from the cache, by
// ID or name). podman killed between creating an image and writing its
// manifest leaves one, and `podman images` then fails for the whole store.
// Another build's commit in progress from the same parent is told apart by
// time to finish: only images still without a manifest after brokenSettle
// are removed, when this build's engine process is long gone.
func (e *Engine) removeBrokenCommits(ctx context.Context, r *reporter, step string, parents []string) {
	if e.dialect().daemon || len(parents) == 0 {
		return
	}
	first, err := brokenChildren(parents)
	if err != nil || len(first) == 0 {
		return
	}
	select {
	case <-ctx.Done():
	case <-time.After(brokenSettle):
	}
	again, err := brokenChildren(parents)
	if err != nil {
		return
	}
	for _, b := range again {
		if !slices.ContainsFunc(first, func(f image.BrokenImage) bool { return f.ID == b.ID }) {
			continue
		}
		// Not e.remove: `podman image exists` says no for an image whose
		// manifest is missing, so only the store itself can tell it is gone.
		if _, err := e.Output(ctx, "rmi", "-f", b.ID); err != nil {
			r.left(step, "image without a manifest "+b.String(), err)
			continue
		}
		after, err := brokenChildren(parents)
		if err == nil && slices.ContainsFunc(after, func(a image.BrokenImage) bool { return a.ID == b.ID }) {
			r.left(step, "image without a manifest "+b.String(), errors.New("podman rmi -f left it in the store"))
			continue
		}
		r.emit(Event{Kind: Cleanup, Step: step, Message: "image without a manifest " + b.String() + " (an interrupted commit's)"})
	}
}

// objectKind is what remove removes.
type objectKind string

const (
	containerObject objectKind = "container"
	imageObject     objectKind = "image"
)

// exists reports whether the engine has the container or image name. With
// podman, exit code 1 of `exists` is a definite no; any other failure is
// an error (a listing races with other podman users removing their own
// images: "image not known" about another image). Other engines: any
// failure of inspect is a no.
func (e *Engine) exists(ctx context.Context, kind objectKind, name string) (bool, error) {
	if e.Kind != Podman {
		args := append(append([]string(nil), e.dialect().imageExists...), name)
		switch {
		case kind == containerObject && e.Kind == Buildah:
			args = []string{"inspect", "--type", "container", name}
		case kind == containerObject:
			args = []string{"container", "inspect", name}
		}
		_, err := e.Output(ctx, args...)
		return err == nil, nil
	}
	args := []string{string(kind), "exists", name}
	if kind == containerObject {
		args = []string{"container", "exists", "--external", name} // build containers too
	}
	_, err := e.Output(ctx, args...)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		return false, nil
	}
	return false, err
}

// removeTries is how often remove tries before it gives up.
const removeTries = 3

// remove removes the container or image name with args (the engine's
// rm/rmi/untag command line, name included) if it is there, and tries again
// on a failure that may pass (see exists). podman's `rm -f` and `rmi -f`
// succeed on what is not there, so existence is asked first, and a "not
// there" is confirmed once a moment later: podman's `exists` can say no
// when another user's removal disturbs its lookup, and kiln must not skip a
// removal for that. removed is false when name was not there; err says why
// it is still there.
func (e *Engine) remove(ctx context.Context, kind objectKind, name string, args []string) (removed bool, err error) {
	for try := 1; ; try++ {
		there, xerr := e.exists(ctx, kind, name)
		if xerr == nil && !there {
			select {
			case <-ctx.Done():
			case <-time.After(200 * time.Millisecond):
			}
			if there, xerr = e.exists(ctx, kind, name); xerr == nil && !there {
				return false, nil
			}
		}
		err = xerr
		if xerr == nil {
			if _, err = e.Output(ctx, args...); err == nil {
				return true, nil
			}
		}
		if try == removeTries || ctx.Err() != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			return false, err
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(try) * 500 * time.Millisecond):
		}
	}
}
