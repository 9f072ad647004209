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
	// WritableDirs are the directories kiln verify's KV002 checks in the
	// built image (G15); empty: WORKDIR, HOME and the s2i destination.
	WritableDirs []string
}

// Restored artifacts marker the generated assemble scripts log.
const restoredMarker = "---> Restored artifacts"

// TestRun is one `kiln test`: its steps share the state below, and its
// tracker removes everything they created.
type TestRun struct {
	cfg    TestConfig
	e      *Engine
	track  *Tracker
	appTag string

	container string
	hostPort  int
}

// NewTestRun prepares a kiln test run.
func NewTestRun(e *Engine, cfg TestConfig) *TestRun {
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
	return &TestRun{cfg: cfg, e: e, track: NewTracker(e),
		appTag: "localhost/" + tag + "-app:latest"}
}

// TestStep is one step of kiln test. Its String is the step's only name:
// events, the summary and fakerun all take it from here.
type TestStep int

// The steps of kiln test, in the order they run.
const (
	StepLint TestStep = iota
	StepBuildBuilder
	StepVerify
	StepUsage
	StepS2IBuild
	StepIncremental
	StepRun
	StepReadiness
	StepStop
	StepLogs
	StepCleanup
)

var testStepNames = [...]string{
	StepLint:         "lint",
	StepBuildBuilder: "build builder",
	StepVerify:       "verify image",
	StepUsage:        "usage",
	StepS2IBuild:     "s2i build",
	StepIncremental:  "incremental build",
	StepRun:          "run as arbitrary UID",
	StepReadiness:    "readiness",
	StepStop:         "stop on SIGTERM",
	StepLogs:         "logs on stdout",
	StepCleanup:      "cleanup",
}

func (s TestStep) String() string { return testStepNames[s] }

// TestSteps lists every step of kiln test in order, cleanup last.
func TestSteps() []TestStep {
	steps := make([]TestStep, len(testStepNames))
	for i := range steps {
		steps[i] = TestStep(i)
	}
	return steps
}

// testStep is a step of TestRun; skip, when set, is asked just before it runs.
type testStep struct {
	id   TestStep
	run  func(ctx context.Context, log *Logger) error
	skip func() string
}

func (s testStep) String() string                             { return s.id.String() }
func (s testStep) Run(ctx context.Context, log *Logger) error { return s.run(ctx, log) }
func (s testStep) Skip() string {
	if s.skip == nil {
		return ""
	}
	return s.skip()
}

// Steps are the test's steps in order, without lint (see KilnTest) and
// cleanup, which is separate because it always runs.
func (t *TestRun) Steps() []Step {
	appRunning := func() string {
		if t.container == "" {
			return "the app is not running"
		}
		return ""
	}
	return []Step{
		testStep{id: StepBuildBuilder, run: t.buildBuilder},
		testStep{id: StepVerify, run: t.verifyImage},
		testStep{id: StepUsage, run: t.usage},
		testStep{id: StepS2IBuild, run: t.s2iBuild},
		testStep{id: StepIncremental, run: t.incrementalBuild, skip: func() string {
			if !t.cfg.Incremental {
				return "kiln.yaml does not enable incremental builds"
			}
			return ""
		}},
		testStep{id: StepRun, run: t.run},
		testStep{id: StepReadiness, run: t.ready, skip: appRunning},
		testStep{id: StepStop, run: t.stop, skip: appRunning},
		testStep{id: StepLogs, run: t.logs, skip: appRunning},
	}
}

// Cleanup is the step that removes every container and image the run made.
func (t *TestRun) Cleanup() Step {
	return testStep{id: StepCleanup, run: func(ctx context.Context, log *Logger) error { return t.track.Cleanup(ctx, log) }}
}

func (t *TestRun) buildBuilder(ctx context.Context, log *Logger) error {
	return t.e.Build(ctx, log.Sink(), log.Step(), BuildOptions{ContextDir: t.cfg.Dir, Tags: []string{t.cfg.Image}, NoCache: t.cfg.NoCache})
}

func (t *TestRun) needRun() error {
	if !t.e.CanRun() {
		return fmt.Errorf("%s cannot run containers: use podman or docker (--engine) for kiln test", t.e.Kind)
	}
	return nil
}

// runLogged runs the engine and reports its output as log lines of the step.
func (t *TestRun) runLogged(ctx context.Context, log *Logger, args ...string) (stdout string, err error) {
	var out strings.Builder
	err = t.e.Stream(ctx, func(stream, line string) {
		if stream == "stdout" {
			out.WriteString(line + "\n")
		}
		log.Log(stream, line)
	}, nil, args...)
	return out.String(), err
}

func (t *TestRun) usage(ctx context.Context, log *Logger) error {
	if err := t.needRun(); err != nil {
		return err
	}
	name := t.track.Container(newName("kiln-test-usage-"))
	out, err := t.runLogged(ctx, log, t.e.runArgs("--rm", "--name", name, t.cfg.Image)...)
	if err != nil {
		return fmt.Errorf("running %s (its usage script, the default CMD) failed: %w", t.cfg.Image, err)
	}
	if strings.TrimSpace(out) == "" {
		return fmt.Errorf("running %s printed nothing: its default CMD should run the usage script, which prints how to use the image (G28)", t.cfg.Image)
	}
	return nil
}

// s2iOptions: the incremental build keeps the previous app image, as s2i
// does without --rm; it is tracked by ID (trackAppID) and removed with
// everything else at the end, so neither build step pays for a removal.
func (t *TestRun) s2iOptions(incremental bool) S2IOptions {
	return S2IOptions{Source: t.cfg.TestApp, Builder: t.cfg.Image, Output: t.appTag,
		AllowedUIDs: t.cfg.AllowedUIDs, Incremental: incremental, NoCache: t.cfg.NoCache,
		Copy: true} // the test app as it is on disk, edits included
}

func (t *TestRun) s2iBuild(ctx context.Context, log *Logger) error {
	t.track.Image(t.appTag)
	_, err := S2IBuild(ctx, t.e, log.Sink(), log.Step(), t.s2iOptions(false))
	t.trackAppID(ctx)
	return err
}

// trackAppID records the app image's ID besides its tag: the incremental
// build moves the tag to a new image, and if it is interrupted before it
// removes the previous one, only the ID still names that image.
func (t *TestRun) trackAppID(ctx context.Context) {
	cctx, cancel := cleanupContext(ctx)
	defer cancel()
	if id, err := t.e.imageID(cctx, t.appTag); err == nil && id != "" {
		t.track.Image(id)
	}
}

// incrementalBuild rebuilds the app with --incremental and checks that
// assemble really restored the saved artifacts (its log says so).
func (t *TestRun) incrementalBuild(ctx context.Context, log *Logger) error {
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
		log.Emit(e)
	})
	o := t.s2iOptions(true)
	o.NoCache = true // the restore must really run, not come from the layer cache
	res, err := S2IBuild(ctx, t.e, sink, log.Step(), o)
	t.trackAppID(ctx)
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

func (t *TestRun) run(ctx context.Context, log *Logger) error {
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
	args := []string{"-d", "--name", t.container, "--user", t.cfg.RunUser,
		"-p", fmt.Sprintf("127.0.0.1:%d:%d", port, t.cfg.Readiness.Port)}
	for _, kv := range t.cfg.RunEnv {
		args = append(args, "-e", kv)
	}
	_, err = t.runLogged(ctx, log, t.e.runArgs(append(args, t.appTag)...)...)
	if err != nil {
		return fmt.Errorf("starting %s as user %s: %w", t.appTag, t.cfg.RunUser, err)
	}
	log.Printf("container %s as %s, port %d on 127.0.0.1:%d", t.container, t.cfg.RunUser, t.cfg.Readiness.Port, port)
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

func (t *TestRun) ready(ctx context.Context, log *Logger) error {
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
				log.Printf("tcp %s accepts connections", addr)
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
					log.Printf("GET %s: %s after %d attempts", p.Path, resp.Status, attempt)
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
func (t *TestRun) stop(ctx context.Context, log *Logger) error {
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
	log.Printf("exited with code %s after %s", strings.TrimSpace(string(out)), time.Since(t0).Round(time.Millisecond))
	return nil
}

func (t *TestRun) logs(ctx context.Context, log *Logger) error {
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
		log.Log(stream, line)
	}, nil, "logs", t.container)
	if err != nil {
		return err
	}
	if stdout+stderr == 0 {
		return errors.New("the app wrote no log lines: log to standard output so OKD collects them (G25)")
	}
	log.Printf("%d lines on stdout, %d on stderr", stdout, stderr)
	return nil
}

// Tracker remembers the containers and images a run created and removes
// them all at the end, whatever happened.
type Tracker struct {
	e          *Engine
	mu         sync.Mutex
	containers []string
	images     []string
}

// NewTracker returns an empty tracker.
func NewTracker(e *Engine) *Tracker { return &Tracker{e: e} }

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

// Cleanup removes the recorded containers, then images, reporting each;
// what it cannot remove it reports as LeftBehind, by name. It runs on a
// fresh context with its own deadline (CleanupTimeout): the run's context
// is cancelled when a signal stopped it.
func (t *Tracker) Cleanup(ctx context.Context, log *Logger) error {
	ctx, cancel := cleanupContext(ctx)
	defer cancel()
	t.mu.Lock()
	defer t.mu.Unlock()
	var errs []error
	failed := func(what string, err error) {
		errs = append(errs, fmt.Errorf("%s: %w", what, err))
		log.r.left(log.Step(), what, err)
	}
	for _, c := range t.containers {
		removed, err := t.e.remove(ctx, containerObject, c, t.e.forceRemoveArgs(c))
		if err != nil {
			failed("container "+c, err)
		} else if removed {
			log.Emit(Event{Kind: Cleanup, Message: "container " + c})
		}
	}
	for _, img := range t.images {
		removed, err := t.e.remove(ctx, imageObject, img, []string{"rmi", "-f", img})
		if err != nil {
			failed("image "+img, err)
		} else if removed {
			log.Emit(Event{Kind: Cleanup, Message: "image " + img})
		}
	}
	t.containers, t.images = nil, nil
	return errors.Join(errs...)
}
