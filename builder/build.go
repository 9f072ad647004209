package builder

import (
	"context"
	"encoding/json"
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
}

// BuildError is a failed build; Step names the Dockerfile instruction that
// failed when the engine said which.
type BuildError struct {
	Step string
	Err  error
	// Reason replaces the engine's text when kiln knows better: a FROM
	// whose image is neither local nor reachable, in one line.
	Reason string
}

func (e *BuildError) Error() string {
	if e.Reason != "" {
		return e.Reason
	}
	if e.Step != "" {
		return fmt.Sprintf("build failed at %s: %v", e.Step, e.Err)
	}
	return fmt.Sprintf("build failed: %v", e.Err)
}
func (e *BuildError) Unwrap() error { return e.Err }

// buildArgs is the engine's command line for opts.
func (e *Engine) buildArgs(o BuildOptions) []string {
	args := append([]string(nil), e.dialect().build...)
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
	for _, l := range e.Labels {
		args = append(args, "--label", l)
	}
	return append(args, o.ContextDir)
}

// Build builds an image, reporting each Dockerfile instruction as a sub-step
// of step. On failure or cancellation it removes what the failed build left
// behind: podman and buildah keep the working containers of a build they were
// interrupted in, and the last good layer as a dangling <none> image. Podman
// reports creation times, so nothing is listed before the build (a
// successful build pays nothing); buildah is listed before.
func (e *Engine) Build(ctx context.Context, sink Sink, step string, o BuildOptions) error {
	r := newReporter(sink)
	quiet := context.WithoutCancel(ctx)
	since := time.Now().Unix()
	var before map[string]string
	if e.dialect().untimed {
		// no creation times to tell the build's containers by: list before
		before, _ = e.containers(quiet)
	}
	p := newBuildParser(r, step)
	err := e.Stream(ctx, p.Line, nil, e.buildArgs(o)...)
	p.Finish(err)
	if err == nil {
		return nil
	}
	e.removeLeftovers(quiet, r, step, since, before)
	if IsCanceled(err) {
		return err
	}
	failed := p.lastStep()
	return &BuildError{Step: failed, Err: err, Reason: fromFailure(e.Kind, failed, p.errs)}
}

// fromFailure explains, in one line, a build that failed at FROM because
// the base image is not local and could not be pulled; "" for other failures.
func fromFailure(kind EngineKind, step string, errs []string) string {
	name, ok := fromImage(step)
	if !ok || len(errs) == 0 {
		return ""
	}
	text := strings.ToLower(strings.Join(errs, "\n"))
	registry := "its registry"
	if first, _, ok := strings.Cut(name, "/"); ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		registry = "registry " + first
	}
	local := fmt.Sprintf("choose a local image with --from (%s images lists them)", kind)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(text, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("short-name", "unqualified-search"):
		return fmt.Sprintf("base image %s is not in local storage and names no registry: use its full name (registry/name:tag), or %s", name, local)
	case has("pinging container registry", "dial tcp", "no such host", "connection refused", "i/o timeout", "network is unreachable", "tls handshake timeout"):
		return fmt.Sprintf("base image %s is not in local storage and %s cannot be reached: pull it (%s pull %s) where the registry is reachable, or %s", name, registry, kind, name, local)
	case has("unauthorized", "authentication required", "denied"):
		return fmt.Sprintf("base image %s is not in local storage and %s refused access: log in (%s login), or %s", name, registry, kind, local)
	case has("manifest unknown", "name unknown", "not found", "does not exist"):
		return fmt.Sprintf("base image %s is neither in local storage nor in %s: check its name and tag, or %s", name, registry, local)
	}
	return ""
}

// fromImage returns the image of a FROM step ("[1/2] FROM x AS y" too).
func fromImage(step string) (string, bool) {
	f := strings.Fields(step)
	if len(f) > 0 && strings.HasPrefix(f[0], "[") {
		f = f[1:]
	}
	if len(f) < 2 || !strings.EqualFold(f[0], "FROM") {
		return "", false
	}
	for _, w := range f[1:] {
		if !strings.HasPrefix(w, "--") { // --platform=...
			return w, true
		}
	}
	return "", false
}

// containers lists every container with its name, build containers
// included; with a creation time in the listing, only those created since.
func (e *Engine) containers(ctx context.Context) (map[string]string, error) {
	return e.containersSince(ctx, 0)
}

func (e *Engine) containersSince(ctx context.Context, since int64) (map[string]string, error) {
	out, err := e.Output(ctx, e.dialect().listContainers...)
	if err != nil {
		return nil, err
	}
	set := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		switch f := strings.Fields(line); len(f) {
		case 2:
			set[f[0]] = f[1]
		case 3:
			if atoi(f[1]) >= int(since) {
				set[f[0]] = f[2]
			}
		}
	}
	return set, nil
}

// newWorkingContainers lists the build containers created since the build
// started (when the listing has no times: not in before), ID to name. Only
// containers named like buildah's working containers count, so a container
// someone started meanwhile is left alone.
func (e *Engine) newWorkingContainers(ctx context.Context, since int64, before map[string]string) map[string]string {
	found, err := e.containersSince(ctx, since)
	if err != nil {
		return nil
	}
	for id, name := range found {
		if _, old := before[id]; old || !strings.Contains(name, "working-container") {
			delete(found, id)
		}
	}
	return found
}

// newDanglingImages lists the dangling images created since the build started.
func (e *Engine) newDanglingImages(ctx context.Context, since int64) []string {
	out, err := e.Output(ctx, e.dialect().danglingImages...)
	if err != nil {
		return nil
	}
	// podman prints Id/Created, buildah id/created (unix seconds); JSON field
	// names match case-insensitively.
	var imgs []struct {
		ID      string `json:"id"`
		Created int64  `json:"created"`
	}
	if json.Unmarshal(out, &imgs) != nil {
		return nil
	}
	var ids []string
	for _, img := range imgs {
		if img.Created >= since {
			ids = append(ids, img.ID)
		}
	}
	return ids
}

func (e *Engine) removeLeftovers(ctx context.Context, r *reporter, step string, since int64, before map[string]string) {
	if e.dialect().daemon {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	// Containers first: they hold the images they were made from.
	for id, name := range e.newWorkingContainers(ctx, since, before) {
		if _, err := e.Output(ctx, e.forceRemoveArgs(id)...); err == nil {
			r.emit(Event{Kind: Cleanup, Step: step, Message: "build container " + name})
		}
	}
	for _, id := range e.newDanglingImages(ctx, since) {
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
