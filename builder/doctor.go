package builder

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kiln-s2i/kiln/builder/image"
)

// Check is one doctor finding.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
	Remedy string `json:"remedy,omitempty"`
}

// KnownFailure is an engine failure this kind of VM is known for.
type KnownFailure struct {
	Pattern *regexp.Regexp
	Cause   string
	Remedy  string
}

// ContainersConfRemedy is the fix for both known failures: runc instead of
// crun, and default ulimits the sandbox allows, in a file CONTAINERS_CONF
// names (never /etc/containers, which other users share).
const ContainersConfRemedy = `write a containers.conf with
    [containers]
    default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
    [engine]
    runtime = "runc"
  and point podman and buildah at it: export CONTAINERS_CONF=/path/to/containers.conf`

// KnownFailures are matched against the trial run's error output (compiled
// on first use).
var KnownFailures = sync.OnceValue(func() []KnownFailure {
	return []KnownFailure{
		{regexp.MustCompile(`(?i)cgroups in hybrid mode not supported`), "crun cannot run containers on this host's hybrid cgroup hierarchy", ContainersConfRemedy},
		{regexp.MustCompile(`(?i)(setrlimit|setting rlimit)[^\n]*(RLIMIT_NOFILE|RLIMIT_NPROC|type 7|type 6)?[^\n]*operation not permitted`), "the engine's default ulimits are above what this sandbox allows", ContainersConfRemedy},
		{regexp.MustCompile(`(?i)netavark: No such file or directory`), "podman's network stack (netavark) could not start a helper it needs, usually iptables",
			"install iptables (apt-get install iptables) and keep /usr/sbin on PATH: export PATH=/usr/sbin:/sbin:$PATH"},
	}
})

// Diagnose matches engine error output against the known failures.
func Diagnose(output string) (f KnownFailure, ok bool) {
	for _, f := range KnownFailures() {
		if f.Pattern.MatchString(output) {
			return f, true
		}
	}
	return KnownFailure{}, false
}

// Doctor checks that builds can work: the engine, its storage and a trial
// container run. It returns every check; ok is false when builds cannot work.
// find is how the command finds its engine (the --engine flag applied).
func Doctor(ctx context.Context, find func() (*Engine, error)) (checks []Check, ok bool) {
	e, err := find()
	if err != nil {
		return []Check{{Name: "engine", Detail: err.Error(), Remedy: "apt-get install podman (or buildah, or docker)"}}, false
	}
	v, err := e.Version(ctx)
	if err != nil {
		return []Check{{Name: "engine", Detail: fmt.Sprintf("%s at %s does not answer: %v", e.Kind, e.Path, err)}}, false
	}
	checks = append(checks, Check{Name: "engine", OK: true, Detail: fmt.Sprintf("%s %s (%s)", e.Kind, v, e.Path)})
	conf := os.Getenv("CONTAINERS_CONF")
	if !e.dialect().daemon { // a daemon reads its own configuration
		detail := "CONTAINERS_CONF is not set (the engine uses its default configuration)"
		if conf != "" {
			detail = "CONTAINERS_CONF=" + conf
		}
		checks = append(checks, Check{Name: "configuration", OK: true, Detail: detail})
	}
	st := storageCheck(ctx, e)
	checks = append(checks, st)
	if !st.OK {
		return checks, false
	}
	imagesOK := true
	if !e.dialect().daemon {
		c := imagesCheck(ctx)
		checks = append(checks, c)
		imagesOK = c.OK
	}
	trial := trialRun(ctx, e)
	checks = append(checks, trial)
	return checks, trial.OK && imagesOK
}

// brokenImages is image.BrokenImages, replaced in tests.
var brokenImages = image.BrokenImages

// imagesCheck finds images without a manifest in local storage: an
// interrupted commit's, which make `podman images` fail for the whole
// store. An image being committed right now has none for a moment, so only
// those still without one after brokenSettle count.
func imagesCheck(ctx context.Context) Check {
	c := Check{Name: "images"}
	first, err := brokenImages()
	if err != nil {
		c.Detail = err.Error()
		return c
	}
	var broken []image.BrokenImage
	if len(first) > 0 {
		select {
		case <-ctx.Done():
			c.Detail = ctx.Err().Error()
			return c
		case <-time.After(brokenSettle):
		}
		again, err := brokenImages()
		if err != nil {
			c.Detail = err.Error()
			return c
		}
		for _, b := range again {
			if slices.ContainsFunc(first, func(f image.BrokenImage) bool { return f.ID == b.ID }) {
				broken = append(broken, b)
			}
		}
	}
	if len(broken) == 0 {
		c.OK, c.Detail = true, "every local image has a manifest"
		return c
	}
	ids := make([]string, len(broken))
	names := make([]string, len(broken))
	for i, b := range broken {
		ids[i], names[i] = b.ID, b.String()
	}
	c.Detail = fmt.Sprintf("%d image(s) without a manifest: %s. An interrupted commit (podman build or podman commit killed) leaves such an image, and podman images then fails for the whole store",
		len(broken), strings.Join(names, ", "))
	c.Remedy = "once no build is running, remove them: podman rmi -f " + strings.Join(ids, " ")
	return c
}

func storageCheck(ctx context.Context, e *Engine) Check {
	c := Check{Name: "storage"}
	out, err := e.Output(ctx, e.dialect().info...)
	if err != nil {
		c.Detail = err.Error()
		if e.dialect().daemon {
			c.Remedy = "start the docker daemon, or install podman (kiln prefers it)"
		}
		return c
	}
	var info struct {
		Store struct {
			GraphDriverName string `json:"graphDriverName"`
			GraphRoot       string `json:"graphRoot"`
		} `json:"store"`
		Host struct {
			OCIRuntime struct {
				Name string `json:"name"`
			} `json:"ociRuntime"`
		} `json:"host"`
		// docker
		Driver        string `json:"Driver"`
		DockerRootDir string `json:"DockerRootDir"`
	}
	_ = json.Unmarshal(out, &info)
	switch {
	case info.DockerRootDir != "":
		c.Detail = fmt.Sprintf("driver %s, root %s", info.Driver, info.DockerRootDir)
	case info.Store.GraphRoot != "":
		c.Detail = fmt.Sprintf("driver %s, root %s", info.Store.GraphDriverName, info.Store.GraphRoot)
		if info.Host.OCIRuntime.Name != "" {
			c.Detail += ", runtime " + info.Host.OCIRuntime.Name
		}
	default:
		c.Detail = "available"
	}
	c.OK = true
	return c
}

// staticBinary finds a statically linked executable to run in the trial
// container, which has nothing else: kiln itself when built with
// CGO_ENABLED=0, else a static busybox.
func staticBinary() (path string, args []string, ok bool) {
	isStatic := func(p string) bool {
		f, err := elf.Open(p)
		if err != nil {
			return false
		}
		defer f.Close()
		for _, prog := range f.Progs {
			if prog.Type == elf.PT_INTERP {
				return false
			}
		}
		return true
	}
	if self, err := os.Executable(); err == nil && isStatic(self) && !strings.HasSuffix(self, ".test") {
		return self, []string{"version"}, true
	}
	for _, p := range []string{"/bin/busybox", "/usr/bin/busybox"} {
		if isStatic(p) {
			return p, []string{"true"}, true
		}
	}
	return "", nil, false
}

// trialTar is a one-file root filesystem holding the binary as /name.
func trialTar(bin, name string) (*bytes.Buffer, error) {
	f, err := os.Open(bin)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: fi.Size(), Typeflag: tar.TypeReg}); err != nil {
		return nil, err
	}
	if _, err := io.Copy(tw, f); err != nil {
		return nil, err
	}
	return &buf, tw.Close()
}

// trialRun imports a one-binary image, runs it as a container and removes
// both: the same runtime path (OCI runtime, ulimits, cgroups) a build's RUN
// steps take.
func trialRun(ctx context.Context, e *Engine) Check {
	c := Check{Name: "trial container"}
	bin, args, ok := staticBinary()
	if !ok {
		c.Detail = "no statically linked program to run (build kiln with CGO_ENABLED=0, or install busybox-static)"
		return c
	}
	// The binary keeps its name: busybox picks its applet from argv[0].
	inside := "/" + filepath.Base(bin)
	buf, err := trialTar(bin, inside[1:])
	if err != nil {
		c.Detail = err.Error()
		return c
	}
	ref := "localhost/" + newName("kiln-doctor-") + ":trial"
	cleanup := context.WithoutCancel(ctx)
	var out []byte
	switch {
	case !e.CanRun():
		// buildah runs a command in a working container instead
		name := newName("kiln-doctor-")
		if _, err = e.Output(ctx, "from", "--name", name, "scratch"); err == nil {
			defer e.Output(cleanup, "rm", name)
			if _, err = e.Output(ctx, "copy", "--chmod", "0755", name, bin, inside); err == nil {
				out, err = e.Output(ctx, append([]string{"run", name, inside}, args...)...)
			}
		}
	default:
		imp := []string{"import"}
		for _, l := range e.Labels {
			imp = append(imp, "--change", "LABEL "+l)
		}
		cmd := e.command(append(imp, "-", ref)...)
		cmd.Stdin = buf
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err = runCmd(ctx, cmd); err != nil {
			err = e.cmdError([]string{"import"}, err, stderr.String())
			break
		}
		defer e.Output(cleanup, "rmi", "-f", ref)
		name := newName("kiln-doctor-")
		out, err = e.Output(ctx, e.runArgs(append([]string{"--rm", "--name", name, "--entrypoint", inside, ref}, args...)...)...)
		e.Output(cleanup, e.forceRemoveArgs(name)...)
	}
	if err != nil {
		c.Detail = err.Error()
		if f, known := Diagnose(err.Error()); known {
			c.Detail = f.Cause + ": " + err.Error()
			c.Remedy = f.Remedy
		}
		return c
	}
	c.OK = true
	c.Detail = "ran a container with " + string(e.Kind)
	if v := strings.TrimSpace(string(out)); v != "" && len(v) < 200 {
		c.Detail += " (" + v + ")"
	}
	return c
}
