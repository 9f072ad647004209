package builder

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// EngineKind names a container engine CLI kiln can drive.
type EngineKind string

const (
	Podman  EngineKind = "podman"
	Buildah EngineKind = "buildah"
	Docker  EngineKind = "docker"
)

// engineOrder is the detection order: podman first because OKD builds with
// Buildah/CRI-O and podman shares their storage; docker last.
var engineOrder = []EngineKind{Podman, Buildah, Docker}

// Engine is one container engine CLI, run as a subprocess.
type Engine struct {
	Kind EngineKind
	Path string   // absolute path of the CLI
	Env  []string // extra environment for every invocation (KEY=VALUE)
	// Labels (KEY=VALUE) go on every image the engine builds and every
	// container it runs for kiln, so that a CI job or a test finds exactly
	// its own objects (KILN_LABEL sets one).
	Labels []string
	// tmp is the engine's per-run TMPDIR (see Close).
	tmp tempDir
}

// lookPath is exec.LookPath, replaceable in tests.
var lookPath = exec.LookPath

// DetectEngine finds the engine to use. override (the --engine flag, else
// KILN_ENGINE) names one engine or the path of its CLI; empty means the first of
// podman, buildah, docker found on PATH. KILN_LABEL (KEY=VALUE), when set,
// is put on everything the engine creates.
func DetectEngine(override string) (*Engine, error) {
	e, err := detectEngine(override)
	if err != nil {
		return nil, err
	}
	if l := os.Getenv("KILN_LABEL"); l != "" {
		if k, _, ok := strings.Cut(l, "="); !ok || k == "" || strings.ContainsAny(l, "\n\r") {
			return nil, fmt.Errorf("KILN_LABEL=%q is not KEY=VALUE on one line", l)
		}
		e.Labels = []string{l}
	}
	return e, nil
}

func detectEngine(override string) (*Engine, error) {
	if override == "" {
		override = os.Getenv("KILN_ENGINE")
	}
	if override != "" {
		kind, path, err := resolveOverride(override)
		if err != nil {
			return nil, err
		}
		return &Engine{Kind: kind, Path: path}, nil
	}
	for _, k := range engineOrder {
		if p, err := lookPath(string(k)); err == nil {
			return &Engine{Kind: k, Path: p}, nil
		}
	}
	return nil, errors.New("no container engine found: install podman (or buildah, or docker) and make sure it is on PATH")
}

func resolveOverride(v string) (EngineKind, string, error) {
	base := v
	if i := strings.LastIndex(v, "/"); i >= 0 {
		base = v[i+1:]
	}
	var kind EngineKind
	for _, k := range engineOrder {
		if base == string(k) {
			kind = k
		}
	}
	if kind == "" {
		return "", "", fmt.Errorf("engine %q (from --engine or KILN_ENGINE) is not one of podman, buildah, docker", v)
	}
	p, err := lookPath(v)
	if err != nil {
		return "", "", fmt.Errorf("engine %q (from --engine or KILN_ENGINE) was not found on PATH: install it or pick another", v)
	}
	return kind, p, nil
}

// CanRun reports whether the engine can run containers (buildah only builds).
func (e *Engine) CanRun() bool { return e.dialect().canRun }

// runArgs is `run` with the engine's labels, then args.
func (e *Engine) runArgs(args ...string) []string {
	out := []string{"run"}
	for _, l := range e.Labels {
		out = append(out, "--label", l)
	}
	return append(out, args...)
}

func (e *Engine) String() string { return string(e.Kind) }

// killGrace is how long a cancelled engine process group gets between SIGTERM
// (which lets podman/buildah remove their build containers) and SIGKILL.
var killGrace = 10 * time.Second

// command prepares the engine CLI in its own process group so that
// cancellation reaches every child (conmon, runc, the build's RUN processes).
func (e *Engine) command(args ...string) *exec.Cmd {
	return e.commandOf(e.dialect().env, e.Path, args...)
}

// commandOf is command for another CLI sharing the engine's storage and
// environment (buildah beside podman), with env added.
func (e *Engine) commandOf(env []string, path string, args ...string) *exec.Cmd {
	cmd := exec.Command(path, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Env = append(append(os.Environ(), env...), e.Env...)
	if dir, err := e.tmp.get(); err == nil {
		// podman and buildah put their buildah* and storage* directories
		// in TMPDIR; an interrupted engine leaves them, Close removes them.
		cmd.Env = append(cmd.Env, "TMPDIR="+dir)
	}
	return cmd
}

// runCmd starts cmd and waits for it; when ctx is cancelled the whole process
// group gets SIGTERM, then SIGKILL after killGrace.
func runCmd(ctx context.Context, cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-done:
		case <-ctx.Done():
			pgid := cmd.Process.Pid
			_ = syscall.Kill(-pgid, syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(killGrace):
				_ = syscall.Kill(-pgid, syscall.SIGKILL)
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	wg.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// Output runs the engine with args and returns its stdout. On failure the
// error carries the engine's stderr.
func (e *Engine) Output(ctx context.Context, args ...string) ([]byte, error) {
	cmd := e.command(args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := runCmd(ctx, cmd); err != nil {
		return stdout.Bytes(), e.cmdError(args, err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// cmdError describes a failed engine invocation with its stderr's last line.
func (e *Engine) cmdError(args []string, err error, stderr string) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	msg := strings.TrimSpace(stderr)
	if i := strings.LastIndex(msg, "\n"); i >= 0 {
		msg = strings.TrimSpace(msg[i+1:])
	}
	msg = strings.TrimPrefix(msg, "Error: ")
	sub := ""
	if len(args) > 0 {
		sub = " " + args[0]
	}
	if msg == "" {
		return fmt.Errorf("%s%s: %w", e.Kind, sub, err)
	}
	return &EngineError{Engine: e.Kind, Command: sub, Msg: msg, Err: err}
}

// EngineError is a failed engine command with its last error line.
type EngineError struct {
	Engine  EngineKind
	Command string
	Msg     string
	Err     error
}

func (e *EngineError) Error() string { return fmt.Sprintf("%s%s: %s", e.Engine, e.Command, e.Msg) }
func (e *EngineError) Unwrap() error { return e.Err }

// LineFunc receives each output line of a streamed command.
type LineFunc func(stream, line string)

// Stream runs the engine with args, handing each stdout and stderr line to
// onLine as it arrives. stdout may be redirected with stdoutTo (then only
// stderr is read as lines). It returns the last stderr lines in the error.
func (e *Engine) Stream(ctx context.Context, onLine LineFunc, stdoutTo io.Writer, args ...string) error {
	cmd := e.command(args...)
	var mu sync.Mutex
	var tail []string
	emit := func(stream, line string) {
		mu.Lock()
		defer mu.Unlock()
		if stream == "stderr" && strings.TrimSpace(line) != "" {
			tail = append(tail, line)
			if len(tail) > 5 {
				tail = tail[1:]
			}
		}
		onLine(stream, line)
	}
	var readers sync.WaitGroup
	pipe := func(stream string) (io.WriteCloser, error) {
		r, w := io.Pipe()
		readers.Add(1)
		go func() {
			defer readers.Done()
			sc := bufio.NewScanner(r)
			sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
			for sc.Scan() {
				emit(stream, strings.TrimRight(sc.Text(), "\r"))
			}
			_, _ = io.Copy(io.Discard, r)
		}()
		return w, nil
	}
	errW, _ := pipe("stderr")
	cmd.Stderr = errW
	var outW io.WriteCloser
	if stdoutTo != nil {
		cmd.Stdout = stdoutTo
	} else {
		outW, _ = pipe("stdout")
		cmd.Stdout = outW
	}
	err := runCmd(ctx, cmd)
	errW.Close()
	if outW != nil {
		outW.Close()
	}
	readers.Wait()
	if err != nil {
		return e.cmdError(args, err, strings.Join(tail, "\n"))
	}
	return nil
}

// Version returns the engine's version string.
func (e *Engine) Version(ctx context.Context) (string, error) {
	out, err := e.Output(ctx, e.dialect().version...)
	if err != nil {
		return "", err
	}
	return e.dialect().parseVersion(string(out)), nil
}

// forceRemoveArgs removes a container at once: podman would otherwise give a
// running one 10 s to stop, and an app that ignores SIGTERM takes them all.
func (e *Engine) forceRemoveArgs(name string) []string {
	return append(append([]string(nil), e.dialect().forceRemove...), name)
}
