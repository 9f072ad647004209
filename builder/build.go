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
// of step. On failure or cancellation it removes what the failed build left
// behind: podman and buildah keep the working containers of a build they were
// interrupted in, and the last good layer as a dangling <none> image.
func (e *Engine) Build(ctx context.Context, sink Sink, step string, o BuildOptions) error {
	r := newReporter(sink)
	quiet := context.WithoutCancel(ctx)
	beforeImages, _ := e.danglingImages(quiet)
	beforeContainers, _ := e.workingContainers(quiet)
	p := newBuildParser(r, step)
	err := e.Stream(ctx, p.Line, nil, e.buildArgs(o)...)
	p.Finish(err)
	if err == nil {
		return nil
	}
	e.removeNewContainers(quiet, r, step, beforeContainers)
	e.removeNewDangling(quiet, r, step, beforeImages)
	if IsCanceled(err) {
		return err
	}
	return &BuildError{Step: p.lastStep(), Err: err}
}

// workingContainers lists the containers podman or buildah has (buildah's
// working containers included), ID to name.
func (e *Engine) workingContainers(ctx context.Context) (map[string]string, error) {
	var out []byte
	var err error
	switch e.Kind {
	case Podman:
		out, err = e.Output(ctx, "ps", "-a", "--no-trunc", "--external", "--format", "{{.ID}} {{.Names}}")
	case Buildah:
		out, err = e.Output(ctx, "containers", "--notruncate", "--format", "{{.ContainerID}} {{.ContainerName}}")
	default:
		return nil, nil // docker's daemon cleans up after an interrupted build
	}
	if err != nil {
		return nil, err
	}
	set := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if id, name, ok := strings.Cut(strings.TrimSpace(line), " "); ok {
			set[id] = name
		}
	}
	return set, nil
}

// removeNewContainers removes the working containers that appeared during a
// build which did not finish (only those named like buildah's, so a
// container someone started meanwhile is left alone).
func (e *Engine) removeNewContainers(ctx context.Context, r *reporter, step string, before map[string]string) {
	if before == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	after, err := e.workingContainers(ctx)
	if err != nil {
		return
	}
	for id, name := range after {
		if _, ok := before[id]; ok || !strings.Contains(name, "working-container") {
			continue
		}
		rm := []string{"rm", "-f", id}
		if e.Kind == Buildah {
			rm = []string{"rm", id}
		}
		if _, err := e.Output(ctx, rm...); err == nil {
			r.emit(Event{Kind: Cleanup, Step: step, Message: "build container " + name})
		}
	}
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
