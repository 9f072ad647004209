package builder

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// BuildOptions are the inputs of one image build.
type BuildOptions struct {
	ContextDir string
	Dockerfile string // path; empty means ContextDir/Dockerfile
	Tags       []string
	NoCache    bool
	BuildArgs  []string // KEY=VALUE
	// NoLayers builds each stage in one working container committed once:
	// no intermediate images (s2i builds: nothing cached, as s2i, and no
	// source or artifacts layer left in the image).
	NoLayers bool
	// From replaces the first FROM's image (podman/buildah --from): a tag
	// unique to the build names its working container, so a failed build's
	// container is told from any other build's.
	From string
	// Network and AddHosts go to the engine's --network and --add-host.
	Network  string
	AddHosts []string
	// Volumes are HOST:DEST[:ro] bind mounts of the RUN steps (podman and
	// buildah --volume).
	Volumes []string
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
	if o.NoLayers {
		args = append(args, e.dialect().noLayers...)
	}
	if o.From != "" {
		args = append(args, "--from", o.From)
	}
	if o.Network != "" {
		args = append(args, "--network", o.Network)
	}
	for _, h := range o.AddHosts {
		args = append(args, "--add-host", h)
	}
	for _, v := range o.Volumes {
		args = append(args, "--volume", v)
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
	for _, l := range e.Labels {
		args = append(args, "--label", l)
	}
	return append(args, o.ContextDir)
}

// Build builds an image, reporting each Dockerfile instruction as a sub-step
// of step. On failure or cancellation it removes what the failed build left
// behind, and only that: podman and buildah keep the working containers of
// a build they were interrupted in, and the layers it committed as dangling
// images. The build's own are told by what its output says: the images it
// committed (not the cached ones), the step containers made from the layers
// it committed or took from the cache, and the first stage's container when
// o.From names it by a unique tag (Build sets one for a local base). Nothing is chosen by
// time, so a concurrent build loses nothing.
func (e *Engine) Build(ctx context.Context, sink Sink, step string, o BuildOptions) error {
	r := newReporter(sink)
	if untag := e.dialect().untag; o.From == "" && untag != nil {
		// A tag of the first stage's base unique to this build names the
		// stage's working container (`--from`), so a cancelled build finds
		// its own; it costs two short engine calls. The cache is keyed by
		// image ID, not name: nothing is rebuilt. A base that is not local
		// cannot be tagged: the engine pulls it and names the container
		// after it.
		if base := firstBase(o); base != "" {
			from := "localhost/" + newName("kiln-build-") + ":from"
			err := e.tagUnique(ctx, base, from)
			if err == nil || ctx.Err() != nil {
				// a signal during `podman tag` may come after the tag was made
				defer e.untagLater(ctx, r, step, base, from)()
			}
			if err == nil {
				o.From = from
			}
		}
	}
	p := newBuildParser(r, step)
	var out buildLayers
	err := e.Stream(ctx, func(stream, line string) {
		out.line(line)
		p.Line(stream, line)
	}, nil, e.buildArgs(o)...)
	reason := ""
	if err != nil && !IsCanceled(err) {
		reason = fromFailure(e.Kind, p.lastStep(), p.errs)
	}
	if reason != "" {
		// the FROM step's event says it too, in one line: the progress
		// view and the plain lines show it instead of the engine's text
		p.Finish(errors.New(reason))
	} else {
		p.Finish(err)
	}
	if err == nil {
		return nil
	}
	committed, layers := out.committed, out.layers
	if o.NoLayers {
		// One working container, committed once at the end: a failed
		// build committed nothing, and its container is o.From's. A
		// "--> <id>" line can only be the RUN's own output (an assemble
		// script naming another image), so none is taken for ours.
		committed, layers = nil, nil
	}
	e.removeLeftovers(ctx, r, step, o, committed, layers)
	if IsCanceled(err) && o.From == "" && !e.dialect().daemon {
		r.left(step, "the working container of the first stage, if podman made one (named after the base image, see podman ps --external)",
			errors.New("the build was interrupted before its base image was local, and kiln cannot tell that container from another build's"))
	}
	if IsCanceled(err) {
		return err
	}
	return &BuildError{Step: p.lastStep(), Err: err, Reason: reason}
}

// buildLayers reads from a build's output the layers it committed and
// those it took from the cache. podman prints `--> <short id>` after every
// step, also after `--> Using cache <id>`: that line names the cached
// layer again, which the build did not make and must not remove (the last
// one may be the image a previous build tagged).
type buildLayers struct {
	committed, layers []string
	lastCached        string
}

func (b *buildLayers) line(line string) {
	if m := buildRE().cached.FindStringSubmatch(line); m != nil {
		b.layers = append(b.layers, m[1])
		b.lastCached = m[1]
		return
	}
	if m := buildRE().committed.FindStringSubmatch(line); m != nil {
		if b.lastCached != "" && strings.HasPrefix(b.lastCached, m[1]) {
			b.lastCached = ""
			return
		}
		b.committed = append(b.committed, m[1])
		b.layers = append(b.layers, m[1])
		b.lastCached = ""
	}
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

// workingContainer is the name buildah gives the working container of a
// stage FROM ref: its last path component without tag, then -working-container.
func workingContainer(ref string) string {
	name := ref[strings.LastIndex(ref, "/")+1:]
	if i := strings.IndexAny(name, ":@"); i >= 0 {
		name = name[:i]
	}
	return name + "-working-container"
}

// removeLeftovers removes the working containers and the committed layers
// of a failed build (see Build).
func (e *Engine) removeLeftovers(ctx context.Context, r *reporter, step string, o BuildOptions, committed, layers []string) {
	if e.dialect().daemon {
		return // the daemon cleans up after an interrupted build
	}
	ctx, cancel := cleanupContext(ctx)
	defer cancel()
	ours := func(name, image string) bool {
		if o.From != "" && name == workingContainer(o.From) {
			return true
		}
		// a step's container is named after the layer it starts from
		for _, id := range layers {
			if strings.HasPrefix(strings.TrimPrefix(image, "sha256:"), id) && strings.HasPrefix(name, shortID(image)+"-working-container") {
				return true
			}
		}
		return false
	}
	// Containers first: they hold the images they were made from. The
	// first stage's has a name of kiln's: removed by name, whatever a
	// listing says.
	if o.From != "" {
		name := workingContainer(o.From)
		if removed, err := e.remove(ctx, containerObject, name, e.forceRemoveArgs(name)); err != nil {
			r.left(step, "build container "+name, err)
		} else if removed {
			r.emit(Event{Kind: Cleanup, Step: step, Message: "build container " + name})
		}
	}
	containers, err := e.buildContainers(ctx)
	if err != nil && len(layers) > 0 {
		r.left(step, "the working containers of the build's steps, if any (named <layer ID>-working-container, see podman ps --external)", err)
	}
	for id, c := range containers {
		if !ours(c.name, c.image) || (o.From != "" && c.name == workingContainer(o.From)) {
			continue
		}
		if removed, err := e.remove(ctx, containerObject, id, e.forceRemoveArgs(id)); err != nil {
			r.left(step, "build container "+c.name, err)
		} else if removed {
			r.emit(Event{Kind: Cleanup, Step: step, Message: "build container " + c.name})
		}
	}
	// An image the interrupted commit left without a manifest, made on
	// the base or on one of the build's layers.
	parents := slices.Clone(layers)
	if o.From != "" {
		parents = append(parents, o.From)
	}
	e.removeBrokenCommits(ctx, r, step, parents)
	// Newest first: a layer is removed before the one it was made from.
	for i := len(committed) - 1; i >= 0; i-- {
		removed, err := e.remove(ctx, imageObject, committed[i], []string{"rmi", committed[i]})
		if err != nil {
			r.left(step, "image "+committed[i], err)
		} else if removed {
			r.emit(Event{Kind: Cleanup, Step: step, Message: "image " + committed[i]})
		}
	}
}

type buildContainer struct{ name, image string }

// buildContainers lists the containers with their names and images, build
// containers included. A listing that fails (another podman user's removal
// races with it) is tried again.
func (e *Engine) buildContainers(ctx context.Context) (map[string]buildContainer, error) {
	var out []byte
	var err error
	for try := 1; try <= removeTries; try++ {
		if out, err = e.Output(ctx, e.dialect().listContainers...); err == nil || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(try) * 500 * time.Millisecond):
		}
	}
	if err != nil {
		return nil, err
	}
	found := map[string]buildContainer{}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) == 3 {
			found[f[0]] = buildContainer{name: f[1], image: f[2]}
		}
	}
	return found, nil
}

func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// firstBase is the image of the Dockerfile's first FROM, with the ARGs
// before it expanded (their defaults, then --build-arg); "" when it cannot
// be told (no Dockerfile, a stage name, an unset ARG).
func firstBase(o BuildOptions) string {
	path := o.Dockerfile
	if path == "" {
		path = filepath.Join(o.ContextDir, "Dockerfile")
	}
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	res, err := parser.Parse(f)
	if err != nil {
		return ""
	}
	var env []string
	for _, n := range res.AST.Children {
		switch strings.ToLower(n.Value) {
		case "arg":
			for a := n.Next; a != nil; a = a.Next {
				if strings.Contains(a.Value, "=") {
					env = append(env, a.Value)
				}
			}
		case "from":
			if n.Next == nil {
				return ""
			}
			env = append(env, o.BuildArgs...) // later entries win
			word, _, err := shell.NewLex('\\').ProcessWord(n.Next.Value, shell.EnvsFromSlice(env))
			if err != nil || word == "" || strings.Contains(word, "$") {
				return ""
			}
			return word
		}
	}
	return ""
}
