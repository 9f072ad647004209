package builder

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Probe is how the test checks that the app is ready.
type Probe struct {
	Type string // "http" or "tcp"
	Path string // http only
	Port int    // container port
}

// TestConfig is what `kiln test` needs from kiln.yaml.
type TestConfig struct {
	Dir         string // the builder repository (Dockerfile, test/test-app)
	Image       string // the builder image reference (name:tag)
	TestApp     string // default Dir/test/test-app
	Readiness   Probe
	Incremental bool
	RunUser     string        // default 1000870000:0, an arbitrary OKD-style UID
	AllowedUIDs string        // default "1-": OKD does not build as root
	StopBound   time.Duration // default 10s
	ReadyBound  time.Duration // default 60s
	NoCache     bool
	// RunEnv is set in the app's container, e.g. a test value for each
	// required secret, without which the run script refuses to start (G11).
	RunEnv []string
}

// Restored artifacts marker the generated assemble scripts log.
const restoredMarker = "---> Restored artifacts"

// TestRun is one `kiln test`: its steps share the state below, and its
// tracker removes everything they created.
type TestRun struct {
	cfg    TestConfig
	e      *Engine
	r      *reporter
	track  *Tracker
	appTag string

	container string
	hostPort  int
}

// NewTestRun prepares a kiln test run.
func NewTestRun(e *Engine, sink Sink, cfg TestConfig) *TestRun {
	if cfg.TestApp == "" {
		cfg.TestApp = filepath.Join(cfg.Dir, "test", "test-app")
	}
	if cfg.RunUser == "" {
		cfg.RunUser = "1000870000:0"
	}
	if cfg.AllowedUIDs == "" {
		cfg.AllowedUIDs = "1-"
	}
	if cfg.StopBound == 0 {
		cfg.StopBound = 10 * time.Second
	}
	if cfg.ReadyBound == 0 {
		cfg.ReadyBound = 60 * time.Second
	}
	if cfg.Readiness.Type == "" {
		cfg.Readiness.Type = "http"
	}
	if cfg.Readiness.Path == "" && cfg.Readiness.Type == "http" {
		cfg.Readiness.Path = "/"
	}
	tag := newName("kiln-test-")
	return &TestRun{cfg: cfg, e: e, r: newReporter(sink), track: NewTracker(e, sink),
		appTag: "localhost/" + tag + "-app:latest"}
}

// Steps are the test's steps in order. The integrator may insert more (a
// lint step first); Cleanup is separate because it always runs.
func (t *TestRun) Steps() []Step {
	return []Step{
		NewStep("build builder", t.buildBuilder),
		NewStep("usage", t.usage),
		NewStep("s2i build", t.s2iBuild),
		NewStep("incremental build", t.incrementalBuild),
		NewStep("run as arbitrary UID", t.run),
		NewStep("readiness", t.ready),
		NewStep("stop on SIGTERM", t.stop),
		NewStep("logs on stdout", t.logs),
	}
}

// Cleanup is the step that removes every container and image the run made.
func (t *TestRun) Cleanup() Step {
	return NewStep("cleanup", func(ctx context.Context) error { return t.track.Cleanup(ctx, "cleanup") })
}

// Pipeline is the standard kiln test pipeline.
func (t *TestRun) Pipeline(sink Sink) *Pipeline {
	return &Pipeline{Steps: t.Steps(), Cleanup: t.Cleanup(), Sink: sink}
}

func (t *TestRun) buildBuilder(ctx context.Context) error {
	return t.e.Build(ctx, t.r.sink, "build builder", BuildOptions{ContextDir: t.cfg.Dir, Tags: []string{t.cfg.Image}, NoCache: t.cfg.NoCache})
}

func (t *TestRun) needRun() error {
	if !t.e.CanRun() {
		return fmt.Errorf("%s cannot run containers: use podman or docker (--engine) for kiln test", t.e.Kind)
	}
	return nil
}

// runLogged runs the engine and reports its output as log lines of step.
func (t *TestRun) runLogged(ctx context.Context, step string, args ...string) (stdout string, err error) {
	var out strings.Builder
	err = t.e.Stream(ctx, func(stream, line string) {
		if stream == "stdout" {
			out.WriteString(line + "\n")
		}
		t.r.log(step, stream, line)
	}, nil, args...)
	return out.String(), err
}

func (t *TestRun) usage(ctx context.Context) error {
	if err := t.needRun(); err != nil {
		return err
	}
	name := t.track.Container(newName("kiln-test-usage-"))
	out, err := t.runLogged(ctx, "usage", "run", "--rm", "--name", name, t.cfg.Image)
	if err != nil {
		return fmt.Errorf("running %s (its usage script, the default CMD) failed: %w", t.cfg.Image, err)
	}
	if strings.TrimSpace(out) == "" {
		return fmt.Errorf("running %s printed nothing: its default CMD should run the usage script, which prints how to use the image (G28)", t.cfg.Image)
	}
	return nil
}

func (t *TestRun) s2iOptions(incremental bool) S2IOptions {
	return S2IOptions{Source: t.cfg.TestApp, Builder: t.cfg.Image, Output: t.appTag,
		AllowedUIDs: t.cfg.AllowedUIDs, Incremental: incremental, NoCache: t.cfg.NoCache}
}

func (t *TestRun) s2iBuild(ctx context.Context) error {
	t.track.Image(t.appTag)
	_, err := S2IBuild(ctx, t.e, t.r.sink, "s2i build", t.s2iOptions(false))
	return err
}

// incrementalBuild rebuilds the app with --incremental and checks that
// assemble really restored the saved artifacts (its log says so).
func (t *TestRun) incrementalBuild(ctx context.Context) error {
	if !t.cfg.Incremental {
		return Skip("kiln.yaml does not enable incremental builds")
	}
	const step = "incremental build"
	restoredLogged := false
	var warnings []string
	var mu sync.Mutex
	sink := SinkFunc(func(e Event) {
		mu.Lock()
		if strings.Contains(e.Line, restoredMarker) {
			restoredLogged = true
		}
		if e.Kind == StepWarning {
			warnings = append(warnings, e.Message)
		}
		mu.Unlock()
		t.r.emit(e)
	})
	o := t.s2iOptions(true)
	o.NoCache = true // the restore must really run, not come from the layer cache
	res, err := S2IBuild(ctx, t.e, sink, step, o)
	if err != nil {
		return err
	}
	if errors.Is(res.SaveErr, ErrNoArtifacts) {
		return Skip("save-artifacts of the test app saved nothing (an empty tar), so there was nothing to restore: give test/test-app dependencies to save to check incremental builds")
	}
	if !res.Restored {
		return fmt.Errorf("save-artifacts of the first build gave nothing to restore (%s): incremental builds need save-artifacts to stream a tar of the dependencies on stdout (G29)", strings.Join(warnings, "; "))
	}
	if !restoredLogged {
		return fmt.Errorf("assemble did not log %q: it must restore %s before building (G29)", restoredMarker, res.Plan.ArtifactsDir())
	}
	return nil
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (t *TestRun) run(ctx context.Context) error {
	if err := t.needRun(); err != nil {
		return err
	}
	if t.cfg.Readiness.Port == 0 {
		return errors.New("kiln.yaml names no port for the readiness probe, so the app cannot be reached")
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	t.hostPort = port
	t.container = t.track.Container(newName("kiln-test-app-"))
	args := []string{"run", "-d", "--name", t.container, "--user", t.cfg.RunUser,
		"-p", fmt.Sprintf("127.0.0.1:%d:%d", port, t.cfg.Readiness.Port)}
	for _, kv := range t.cfg.RunEnv {
		args = append(args, "-e", kv)
	}
	_, err = t.runLogged(ctx, "run as arbitrary UID", append(args, t.appTag)...)
	if err != nil {
		return fmt.Errorf("starting %s as user %s: %w", t.appTag, t.cfg.RunUser, err)
	}
	t.r.log("run as arbitrary UID", "stdout", fmt.Sprintf("container %s as %s, port %d on 127.0.0.1:%d", t.container, t.cfg.RunUser, t.cfg.Readiness.Port, port))
	return nil
}

func (t *TestRun) containerRunning(ctx context.Context) (bool, string) {
	out, err := t.e.Output(ctx, "inspect", "--format", "{{.State.Running}} {{.State.ExitCode}}", t.container)
	if err != nil {
		return false, err.Error()
	}
	f := strings.Fields(string(out))
	if len(f) == 2 && f[0] == "true" {
		return true, ""
	}
	if len(f) == 2 {
		return false, "exit code " + f[1]
	}
	return false, strings.TrimSpace(string(out))
}

func (t *TestRun) tailLogs(ctx context.Context) string {
	out, _ := t.e.Output(ctx, "logs", "--tail", "20", t.container)
	return strings.TrimSpace(string(out))
}

func (t *TestRun) ready(ctx context.Context) error {
	if t.container == "" {
		return Skip("the app is not running")
	}
	p := t.cfg.Readiness
	deadline := time.Now().Add(t.cfg.ReadyBound)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(t.hostPort))
	client := &http.Client{Timeout: 2 * time.Second}
	var last string
	for attempt := 1; ; attempt++ {
		switch p.Type {
		case "tcp":
			c, err := (&net.Dialer{Timeout: 2 * time.Second}).DialContext(ctx, "tcp", addr)
			if err == nil {
				c.Close()
				t.r.log("readiness", "stdout", "tcp "+addr+" accepts connections")
				return nil
			}
			last = err.Error()
		default:
			url := "http://" + addr + p.Path
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			resp, err := client.Do(req)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode >= 200 && resp.StatusCode < 300 {
					t.r.log("readiness", "stdout", fmt.Sprintf("GET %s: %s after %d attempts", p.Path, resp.Status, attempt))
					return nil
				}
				last = "GET " + p.Path + ": " + resp.Status
			} else {
				last = err.Error()
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if running, why := t.containerRunning(ctx); !running {
			return fmt.Errorf("the app container stopped (%s) before it was ready; last log lines:\n%s", why, t.tailLogs(ctx))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready within %s (%s); last log lines:\n%s", t.cfg.ReadyBound, last, t.tailLogs(ctx))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM and requires the container to exit within StopBound. A
// run script without exec leaves the shell as PID 1, which ignores SIGTERM.
func (t *TestRun) stop(ctx context.Context) error {
	if t.container == "" {
		return Skip("the app is not running")
	}
	if _, err := t.e.Output(ctx, "kill", "--signal", "TERM", t.container); err != nil {
		return fmt.Errorf("sending SIGTERM: %w", err)
	}
	t0 := time.Now()
	wctx, cancel := context.WithTimeout(ctx, t.cfg.StopBound)
	defer cancel()
	out, err := t.e.Output(wctx, "wait", t.container)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if wctx.Err() != nil {
		return fmt.Errorf("the container did not exit within %s of SIGTERM: the run script probably starts the app without exec, so a shell is PID 1 and ignores the signal; use `exec` in s2i/bin/run (G05)", t.cfg.StopBound)
	}
	if err != nil {
		return err
	}
	t.r.log("stop on SIGTERM", "stdout", fmt.Sprintf("exited with code %s after %s", strings.TrimSpace(string(out)), time.Since(t0).Round(time.Millisecond)))
	return nil
}

func (t *TestRun) logs(ctx context.Context) error {
	if t.container == "" {
		return Skip("the app did not run")
	}
	var stdout, stderr int
	err := t.e.Stream(ctx, func(stream, line string) {
		if strings.TrimSpace(line) == "" {
			return
		}
		if stream == "stdout" {
			stdout++
		} else {
			stderr++
		}
		t.r.log("logs on stdout", stream, line)
	}, nil, "logs", t.container)
	if err != nil {
		return err
	}
	if stdout+stderr == 0 {
		return errors.New("the app wrote no log lines: log to standard output so OKD collects them (G25)")
	}
	t.r.log("logs on stdout", "stdout", fmt.Sprintf("%d lines on stdout, %d on stderr", stdout, stderr))
	return nil
}

// Tracker remembers the containers and images a run created and removes
// them all at the end, whatever happened.
type Tracker struct {
	e          *Engine
	r          *reporter
	mu         sync.Mutex
	containers []string
	images     []string
}

// NewTracker returns an empty tracker.
func NewTracker(e *Engine, sink Sink) *Tracker { return &Tracker{e: e, r: newReporter(sink)} }

// Container records a container name (before it is created) and returns it.
func (t *Tracker) Container(name string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.containers = append(t.containers, name)
	return name
}

// Image records an image reference (before it is built).
func (t *Tracker) Image(ref string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.images = append(t.images, ref)
}

// Cleanup removes the recorded containers, then images, reporting each.
func (t *Tracker) Cleanup(ctx context.Context, step string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	t.mu.Lock()
	defer t.mu.Unlock()
	var errs []error
	for _, c := range t.containers {
		if _, err := t.e.Output(ctx, "container", "inspect", c); err != nil {
			continue // never created, or already removed by --rm
		}
		if _, err := t.e.Output(ctx, t.e.forceRemoveArgs(c)...); err != nil {
			errs = append(errs, err)
			continue
		}
		t.r.emit(Event{Kind: Cleanup, Step: step, Message: "container " + c})
	}
	for _, img := range t.images {
		if !t.e.ImageExists(ctx, img) {
			continue
		}
		if _, err := t.e.Output(ctx, "rmi", "-f", img); err != nil {
			errs = append(errs, err)
			continue
		}
		t.r.emit(Event{Kind: Cleanup, Step: step, Message: "image " + img})
	}
	t.containers, t.images = nil, nil
	return errors.Join(errs...)
}
