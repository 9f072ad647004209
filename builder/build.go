package builder

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// BuildOptions are the inputs of one image build.
type BuildOptions struct {
	ContextDir string
	Dockerfile string // path; empty means ContextDir/Dockerfile
	Tags       []string
	NoCache    bool
	BuildArgs  []string // KEY=VALUE
	Labels     []string // KEY=VALUE
}

// BuildError is a failed build; Step names the Dockerfile instruction that
// failed when the engine said which.
type BuildError struct {
	Step string
	Err  error
}

func (e *BuildError) Error() string {
	if e.Step != "" {
		return fmt.Sprintf("build failed at %s: %v", e.Step, e.Err)
	}
	return fmt.Sprintf("build failed: %v", e.Err)
}
func (e *BuildError) Unwrap() error { return e.Err }

// buildArgs is the engine's command line for opts.
func (e *Engine) buildArgs(o BuildOptions) []string {
	var args []string
	switch e.Kind {
	case Buildah:
		// buildah neither caches layers nor removes the container of a failed
		// step unless asked; podman and docker do both by default.
		args = []string{"build", "--layers", "--force-rm"}
	default:
		args = []string{"build"}
	}
	if o.Dockerfile != "" {
		args = append(args, "-f", o.Dockerfile)
	}
	for _, t := range o.Tags {
		args = append(args, "-t", t)
	}
	if o.NoCache {
		args = append(args, "--no-cache")
	}
	for _, a := range o.BuildArgs {
		args = append(args, "--build-arg", a)
	}
	for _, l := range o.Labels {
		args = append(args, "--label", l)
	}
	return append(args, o.ContextDir)
}

// Build builds an image, reporting each Dockerfile instruction as a sub-step
// of step. On failure or cancellation it removes the dangling images the
// failed build left behind (podman keeps the last good layer as <none>).
func (e *Engine) Build(ctx context.Context, sink Sink, step string, o BuildOptions) error {
	r := newReporter(sink)
	before, _ := e.danglingImages(context.WithoutCancel(ctx))
	p := newBuildParser(r, step)
	err := e.Stream(ctx, p.Line, nil, e.buildArgs(o)...)
	p.Finish(err)
	if err == nil {
		return nil
	}
	e.removeNewDangling(context.WithoutCancel(ctx), r, step, before)
	if IsCanceled(err) {
		return err
	}
	return &BuildError{Step: p.lastStep(), Err: err}
}

func (e *Engine) danglingImages(ctx context.Context) (map[string]bool, error) {
	if e.Kind == Buildah {
		return nil, nil
	}
	out, err := e.Output(ctx, "images", "-q", "--no-trunc", "--filter", "dangling=true")
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for _, id := range strings.Fields(string(out)) {
		set[id] = true
	}
	return set, nil
}

func (e *Engine) removeNewDangling(ctx context.Context, r *reporter, step string, before map[string]bool) {
	if before == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	after, err := e.danglingImages(ctx)
	if err != nil {
		return
	}
	for id := range after {
		if before[id] {
			continue
		}
		if _, err := e.Output(ctx, "rmi", id); err == nil {
			r.emit(Event{Kind: Cleanup, Step: step, Message: "image " + shortID(id)})
		}
	}
}

func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
