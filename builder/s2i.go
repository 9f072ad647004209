package builder

import (
	"archive/tar"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kiln-s2i/kiln/scaffold/bounded"
	"github.com/kiln-s2i/kiln/scaffold/okd"
)

// S2IResult is what an s2i build did.
type S2IResult struct {
	Plan       *S2IPlan
	Dockerfile string // --as-dockerfile: where the Dockerfile went
	Restored   bool   // artifacts of the previous image were handed to assemble
	// SaveErr says why an incremental build fell back to a clean one;
	// ErrNoArtifacts when save-artifacts worked but saved nothing.
	SaveErr error
}

// ErrNoArtifacts is an incremental build whose save-artifacts wrote an empty tar.
var ErrNoArtifacts = errors.New("save-artifacts wrote no files")

// S2IBuild runs `kiln s2i build`: it resolves the plan, lays out the context
// (upload/src without .git and .s2iignore matches, upload/scripts, and for
// incremental builds upload/artifacts.tar from the previous image's
// save-artifacts) and builds it, or with AsDockerfile writes it out.
func S2IBuild(ctx context.Context, e *Engine, sink Sink, step string, o S2IOptions) (*S2IResult, error) {
	r := newReporter(sink)
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if len(o.Volumes) > 0 && e.dialect().daemon {
		return nil, fmt.Errorf("--volume: %s build cannot mount host directories into its RUN steps; use podman or buildah (--engine)", e.Kind)
	}
	if o.AsDockerfile != "" {
		if err := checkAsDockerfile(&o); err != nil {
			return nil, err
		}
	}
	info, cleanup, err := fetchSource(ctx, r, step, &o)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	// ONBUILD is only checked against --allowed-uids; podman's inspect
	// drops it and reading it costs another engine call.
	img, err := pullAndInspect(ctx, e, r, step, o.Builder, o.PullPolicy, "--pull-policy", o.AllowedUIDs != "")
	if err != nil {
		return nil, fmt.Errorf("builder image %s: %w (build it first with kiln build)", o.Builder, err)
	}
	plan, err := ResolveS2I(o, img, info)
	if err != nil {
		return nil, err
	}
	plan.ReadMetadata = o.AsDockerfile == ""

	var dir string
	if o.AsDockerfile != "" {
		if err := os.MkdirAll(filepath.Dir(o.AsDockerfile), 0o755); err != nil {
			return nil, fmt.Errorf("--as-dockerfile %s: %w", o.AsDockerfile, err)
		}
		dir, err = os.MkdirTemp(filepath.Dir(o.AsDockerfile), ".kiln-s2i-")
	} else {
		dir, err = os.MkdirTemp("", "kiln-s2i-")
	}
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := os.RemoveAll(dir); err != nil {
			r.left(step, "temporary directory "+dir, err)
		}
	}()
	warn := func(msg string) { r.warn(step, msg) }
	if err := writeContext(o.Source, dir, plan, o.Exclude, o.KeepSymlinks || info.Cloned, warn); err != nil {
		return nil, err
	}
	res := &S2IResult{Plan: plan}
	if o.Incremental {
		res.SaveErr = saveArtifacts(ctx, e, r, step, o, plan, filepath.Join(dir, "upload", "artifacts.tar"))
		res.Restored = res.SaveErr == nil
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		plan.Incremental = res.Restored
	}
	dockerfile := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(dockerfile, []byte(plan.Dockerfile()), 0o644); err != nil {
		return nil, err
	}
	if o.AsDockerfile != "" {
		res.Dockerfile = o.AsDockerfile
		return res, publishDockerfile(dir, o.AsDockerfile)
	}

	prevID := ""
	if o.Incremental && o.RemovePrevious {
		if prev, err := e.inspectImage(ctx, o.Output, false); err == nil {
			prevID = prev.ID
		}
	}
	bo := BuildOptions{ContextDir: dir, Dockerfile: dockerfile, Tags: []string{o.Output}, NoCache: o.NoCache, NoLayers: true,
		Network: o.Network, AddHosts: o.AddHosts}
	for _, v := range plan.Volumes {
		bo.Volumes = append(bo.Volumes, v.String())
	}
	if untag := e.dialect().untag; untag != nil {
		// A tag of the builder unique to this build names its working
		// container, so a failed build removes exactly its own.
		from := "localhost/" + newName("kiln-s2i-") + ":from"
		err := e.tagUnique(ctx, img.ID, from)
		if err == nil || ctx.Err() != nil {
			// a signal during `podman tag` may come after the tag was made
			defer e.untagLater(ctx, r, step, img.ID, from)()
		}
		if err != nil {
			return nil, err
		}
		bo.From = from
	}
	// The assemble RUN also restores the artifacts and prints
	// image_metadata.json: its events and its error name only the script.
	assembleRun := assembleStepRenamer{next: sink, script: plan.Scripts["assemble"]}
	meta := &metadataSink{next: assembleRun}
	err = e.Build(ctx, meta, step, bo)
	if err != nil {
		var be *BuildError
		if errors.As(err, &be) {
			be.Step = assembleRun.rename(be.Step)
		}
		return nil, err
	}
	if meta.found {
		if err := applyMetadata(ctx, e, r, step, dir, o.Output, meta.data.String(), meta.truncated); err != nil {
			return nil, err
		}
	}
	// --rm: the previous image of an incremental build lost its tag to the
	// new one; s2i keeps it otherwise. The build is done: this runs to the
	// end on a cleanup context even if a signal came meanwhile.
	if prevID != "" {
		cctx, cancel := cleanupContext(ctx)
		defer cancel()
		if cur, err := e.imageID(cctx, o.Output); err == nil && cur != prevID {
			if removed, err := e.remove(cctx, imageObject, prevID, []string{"rmi", prevID}); err != nil {
				r.left(step, "previous image "+shortID(prevID), err)
			} else if removed {
				r.emit(Event{Kind: Cleanup, Step: step, Message: "previous image " + shortID(prevID)})
			}
		}
	}
	return res, nil
}

// pullAndInspect inspects ref, pulling it first as policy says: always, or
// when it is not local unless never.
func pullAndInspect(ctx context.Context, e *Engine, r *reporter, step, ref, policy, flag string, onBuild bool) (*ImageConfig, error) {
	img, err := e.inspectImage(ctx, ref, onBuild)
	if policy == "always" || (err != nil && policy != "never") {
		r.emit(Event{Kind: StepLog, Step: step, Stream: "stdout", Line: "pulling " + ref})
		if _, perr := e.Output(ctx, "pull", ref); perr != nil {
			return nil, fmt.Errorf("not local and pulling it failed (%s %s): %w", flag, pullPolicy(policy), perr)
		}
		img, err = e.inspectImage(ctx, ref, onBuild)
	}
	if err != nil && policy == "never" {
		return nil, fmt.Errorf("not local (%s never): %w", flag, err)
	}
	return img, err
}

func pullPolicy(p string) string {
	if p == "" {
		return "if-not-present"
	}
	return p
}

// checkAsDockerfile applies s2i's --as-dockerfile rules: a path ending in
// a slash is a directory for the Dockerfile, and the Dockerfile and its
// upload/ directory must not land inside the source, which would be copied
// into itself.
func checkAsDockerfile(o *S2IOptions) error {
	p := o.AsDockerfile
	if strings.HasSuffix(p, "/") || strings.HasSuffix(p, string(filepath.Separator)) {
		p = filepath.Join(p, "Dockerfile")
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return fmt.Errorf("--as-dockerfile %s: %w", o.AsDockerfile, err)
	}
	// the deepest existing ancestor, with its links resolved, says where it really is
	dir := filepath.Dir(abs)
	real := dir
	for {
		if r, err := filepath.EvalSymlinks(real); err == nil {
			real = filepath.Join(r, strings.TrimPrefix(dir, real))
			break
		}
		parent := filepath.Dir(real)
		if parent == real {
			break
		}
		real = parent
	}
	if isGitURL(o.Source) {
		o.AsDockerfile = abs
		return nil
	}
	src := o.Source
	if r, err := filepath.EvalSymlinks(src); err == nil {
		src = r
	}
	if rel, err := filepath.Rel(src, real); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("--as-dockerfile %s is inside the source %s, which would be copied into itself: write it outside the source", o.AsDockerfile, o.Source)
	}
	o.AsDockerfile = abs
	return nil
}

// publishDockerfile moves the prepared Dockerfile and upload/ to their place
// next to path, refusing to overwrite an existing upload/ directory.
func publishDockerfile(dir, dst string) error {
	upload := filepath.Join(filepath.Dir(dst), "upload")
	if _, err := os.Lstat(upload); err == nil {
		return fmt.Errorf("--as-dockerfile %s: %s already exists; remove it or write elsewhere", dst, upload)
	}
	if err := os.Rename(filepath.Join(dir, "upload"), upload); err != nil {
		return err
	}
	if err := os.Rename(filepath.Join(dir, "Dockerfile"), dst); err != nil {
		os.RemoveAll(upload)
		return err
	}
	return nil
}

// writeContext copies the source into dir/upload/src (minus .git, the
// .s2iignore matches and the override scripts; links as sourceCopier
// says) and the override scripts into dir/upload/scripts.
func writeContext(src, dir string, plan *S2IPlan, exclude *regexp.Regexp, keepLinks bool, warn func(string)) error {
	if exclude == nil {
		exclude = DefaultExclude()
	}
	ignore, err := readS2IIgnore(src)
	if err != nil {
		return err
	}
	moved := map[string]bool{}
	for _, s := range plan.Overrides {
		moved[filepath.Join(".s2i", "bin", s)] = true
	}
	c := &sourceCopier{Root: src, KeepLinks: keepLinks, Exclude: exclude, Ignore: ignore, Skip: moved, Warn: warn}
	if err := c.Copy(filepath.Join(dir, "upload", "src")); err != nil {
		return fmt.Errorf("copying source %s: %w", src, err)
	}
	for i, in := range plan.Injections {
		dst := filepath.Join(dir, "upload", "injections", strconv.Itoa(i))
		if err := copyTree(in.Source, dst); err != nil {
			return fmt.Errorf("--inject %s: %w", in.Source, err)
		}
	}
	if len(plan.Overrides) > 0 || len(plan.Downloads) > 0 {
		scripts := filepath.Join(dir, "upload", "scripts")
		if err := os.MkdirAll(scripts, 0o755); err != nil {
			return err
		}
		for name, data := range plan.Downloads {
			if err := os.WriteFile(filepath.Join(scripts, name), data, 0o755); err != nil {
				return err
			}
		}
		for _, s := range plan.Overrides {
			from := filepath.Join(src, ".s2i", "bin", s)
			fi, err := os.Stat(from)
			if err != nil {
				return err
			}
			if err := copyEntry(from, filepath.Join(scripts, s), fi); err != nil {
				return err
			}
			// Scripts must run whatever their mode in the source tree.
			if err := os.Chmod(filepath.Join(scripts, s), 0o755); err != nil {
				return err
			}
		}
	}
	return nil
}

// DefaultExclude is s2i's default --exclude: every .git directory.
func DefaultExclude() *regexp.Regexp { return regexp.MustCompile(`(^|/)\.git(/|$)`) }

// ignoreRule is one .s2iignore line: a glob relative to the source root,
// or with a leading ! one that keeps what an earlier line left out.
type ignoreRule struct {
	pattern string
	keep    bool
}

func readS2IIgnore(src string) ([]ignoreRule, error) {
	file := filepath.Join(src, ".s2iignore")
	data, err := bounded.ReadFile(file)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var rules []ignoreRule
	for n, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		r := ignoreRule{}
		if rest, ok := strings.CutPrefix(l, "!"); ok {
			r.keep, l = true, rest
		}
		l = strings.TrimPrefix(filepath.Clean(l), "/")
		if _, err := filepath.Match(l, ""); err != nil {
			return nil, fmt.Errorf("%s:%d: bad pattern %q: %v", file, n+1, okd.Cap(l), err)
		}
		r.pattern = l
		rules = append(rules, r)
	}
	return rules, nil
}

// ignored applies .s2iignore as s2i does: each line is a glob relative to
// the source root (a matching directory is left out whole), read in order,
// and a ! line keeps a path an earlier line matched.
func ignored(rel string, rules []ignoreRule) bool {
	out := false
	for _, r := range rules {
		if ok, _ := filepath.Match(r.pattern, rel); ok {
			out = !r.keep
		}
	}
	return out
}

// copyTree copies a file or a directory (links kept as links) to dst.
func copyTree(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		return copyEntry(p, filepath.Join(dst, rel), fi)
	})
}

func copyEntry(from, to string, fi os.FileInfo) error {
	switch {
	case fi.IsDir():
		return os.MkdirAll(to, fi.Mode().Perm()|0o700)
	case fi.Mode()&os.ModeSymlink != 0:
		target, err := os.Readlink(from)
		if err != nil {
			return err
		}
		return os.Symlink(target, to)
	case fi.Mode().IsRegular():
		in, err := os.Open(from)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, fi.Mode().Perm())
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	default:
		return nil // sockets, devices, fifos have no place in an image's source
	}
}

// gitInfo reads the commit labels when src is (inside) a git work tree.
func gitInfo(ctx context.Context, src string) SourceInfo {
	abs, _ := filepath.Abs(src)
	info := SourceInfo{Location: abs}
	git := func(args ...string) string {
		out, err := exec.CommandContext(ctx, "git", append([]string{"-C", src}, args...)...).Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	if git("rev-parse", "--is-inside-work-tree") != "true" {
		return info
	}
	id := git("rev-parse", "HEAD")
	if id == "" {
		return info // a repository without commits
	}
	info.Git = true
	info.CommitID = id
	info.CommitRef = git("rev-parse", "--abbrev-ref", "HEAD")
	info.CommitAuthor = git("log", "-1", "--format=%an <%ae>")
	info.CommitDate = git("log", "-1", "--format=%ad", "--date=rfc")
	info.CommitMessage = git("log", "-1", "--format=%s")
	if u := git("config", "--get", "remote.origin.url"); u != "" {
		// The location becomes a label and is printed: a token in the
		// remote (https://u:ghp_x@github.com/o/r) must reach neither (G11).
		info.Location = okd.StripUserinfo(u)
	}
	return info
}

// newName returns a unique name for something kiln creates.
func newName(prefix string) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// saveArtifacts runs the previous output image's save-artifacts into tarPath.
// Any failure is a warning (and the returned error) and the build goes on clean.
func saveArtifacts(ctx context.Context, e *Engine, r *reporter, step string, o S2IOptions, plan *S2IPlan, tarPath string) error {
	fail := func(why string) error {
		os.Remove(tarPath)
		r.warn(step, "incremental build: "+why+"; doing a clean build")
		if why == ErrNoArtifacts.Error() {
			return ErrNoArtifacts
		}
		return errors.New(why)
	}
	if !e.CanRun() {
		return fail(string(e.Kind) + " cannot run the previous image's save-artifacts")
	}
	switch policy := o.IncrementalPullPolicy; {
	case policy == "always" || (policy != "never" && !e.ImageExists(ctx, o.Output)):
		// --incremental-pull-policy: the previous image may live in a
		// registry; a failed pull means a clean build, as in s2i.
		r.emit(Event{Kind: StepLog, Step: step, Stream: "stdout", Line: "pulling the previous image " + o.Output})
		if _, err := e.Output(ctx, "pull", o.Output); err != nil {
			if !e.ImageExists(ctx, o.Output) {
				return fail("no previous image " + o.Output + " (pulling it failed, --incremental-pull-policy " + pullPolicy(policy) + ")")
			}
			return fail("pulling the previous image " + o.Output + " failed (--incremental-pull-policy " + pullPolicy(policy) + "): " + firstLine(err.Error()))
		}
	case !e.ImageExists(ctx, o.Output):
		return fail("no previous image " + o.Output + " (--incremental-pull-policy never: not pulled)")
	}
	f, err := os.Create(tarPath)
	if err != nil {
		return fail(err.Error())
	}
	name := newName("kiln-save-artifacts-")
	t0 := time.Now()
	sub := "save-artifacts"
	r.emit(Event{Kind: StepStarted, Step: sub, Parent: step})
	// The tar is checked as it arrives, not read again from disk: a
	// dependency cache can be hundreds of megabytes.
	pr, pw := io.Pipe()
	type counted struct {
		n   int
		err error
	}
	count := make(chan counted, 1)
	go func() {
		n, err := countTar(pr)
		_, _ = io.Copy(io.Discard, pr) // after a bad header, keep draining
		count <- counted{n, err}
	}()
	// --network none: save-artifacts only streams files of the image (G29),
	// and a container without a network starts in half the time (no
	// netavark/iptables setup and teardown).
	err = e.Stream(ctx, func(stream, line string) {
		r.emit(Event{Kind: StepLog, Step: sub, Parent: step, Stream: stream, Line: line})
	}, io.MultiWriter(f, pw), e.runArgs("--rm", "--name", name, "--network", "none", "--user", plan.User, "--entrypoint", plan.Scripts["save-artifacts"], o.Output)...)
	pw.Close()
	c := <-count
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// --rm removes it unless the run was killed; make sure.
		cctx, cancel := cleanupContext(ctx)
		if _, rmErr := e.remove(cctx, containerObject, name, e.forceRemoveArgs(name)); rmErr != nil {
			r.left(step, "container "+name, rmErr)
		}
		cancel()
	}
	fin := Event{Kind: StepFinished, Step: sub, Parent: step, Duration: time.Since(t0)}
	if err != nil {
		fin.Err = err.Error()
	}
	r.emit(fin)
	if err != nil {
		return fail("save-artifacts of " + o.Output + " failed: " + err.Error())
	}
	n, err := c.n, c.err
	if err != nil {
		return fail("save-artifacts did not write a tar on stdout: " + err.Error())
	}
	if n == 0 {
		return fail(ErrNoArtifacts.Error())
	}
	r.emit(Event{Kind: StepLog, Step: step, Stream: "stdout", Line: fmt.Sprintf("saved %d artifact entries from %s", n, o.Output)})
	return nil
}

// firstLine is s up to its first newline.
func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// countTar reads a whole archive and counts its entries.
func countTar(in io.Reader) (int, error) {
	tr := tar.NewReader(in)
	n := 0
	for {
		_, err := tr.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}
