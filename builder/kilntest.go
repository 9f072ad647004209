package builder

import (
	"context"
	"fmt"
	"strings"

	"github.com/kiln-s2i/kiln/builder/image"
	"github.com/kiln-s2i/kiln/builder/verify"

	"github.com/kiln-s2i/kiln/scaffold"
	"github.com/kiln-s2i/kiln/scaffold/lint"
)

// KilnTestOptions are kiln test's inputs besides the engine.
type KilnTestOptions struct {
	Dir     string         // the builder repository
	Spec    *scaffold.Spec // its kiln.yaml
	NoCache bool
	NoLint  bool
}

// KilnTest is the whole kiln test pipeline: lint first (unless NoLint),
// then the TestRun's steps, then cleanup.
func KilnTest(e *Engine, sink Sink, o KilnTestOptions) *Pipeline {
	run := NewTestRun(e, SpecTestConfig(o.Dir, o.Spec, o.NoCache))
	var steps []Step
	if !o.NoLint {
		steps = append(steps, lintStep(o.Dir))
	}
	steps = append(steps, run.Steps()...)
	return &Pipeline{Steps: steps, Cleanup: run.Cleanup(), Sink: sink}
}

// SpecTestConfig is what kiln test takes from kiln.yaml.
func SpecTestConfig(dir string, spec *scaffold.Spec, noCache bool) TestConfig {
	env := make([]string, len(spec.Secrets))
	for i, n := range spec.Secrets {
		env[i] = n + "=kiln-test-value" // a test value for each required secret, as test/run does (G11)
	}
	return TestConfig{
		Dir:         dir,
		Image:       spec.ImageRef(),
		Readiness:   Probe{Type: spec.Readiness.Type, Path: spec.Readiness.Path, Port: spec.ProbePort(spec.Readiness)},
		Incremental: spec.Incremental,
		NoCache:     noCache,
		RunEnv:      env,
		// the directories kiln renders group 0 and g=u (G15)
		WritableDirs: verify.SpecDirs(spec),
	}
}

// verifyImage runs kiln verify's checks on the image just built: the
// guidelines the Dockerfile meant to keep, proven on the final filesystem.
// A failed check fails the step; warnings are reported and the test goes on.
func (t *TestRun) verifyImage(ctx context.Context, log *Logger) error {
	opts := image.DefaultOptions()
	if t.e.Kind == Docker {
		opts.Local = image.DockerDaemon
	}
	img, err := image.Open(ctx, t.cfg.Image, opts)
	if err != nil {
		return err
	}
	defer img.Close()
	rep, err := verify.Run(ctx, img, verify.Options{WritableDirs: t.cfg.WritableDirs})
	if err != nil {
		return err
	}
	var failed []string
	for _, c := range rep.Checks {
		switch c.Status {
		case verify.Fail:
			failed = append(failed, c.ID)
			log.Printf("FAIL %s [%s] %s: %s", c.ID, c.Guideline, c.Title, c.Message)
			log.Printf("     fix: %s", c.Fix)
		case verify.Warn:
			log.Warn(fmt.Sprintf("%s [%s] %s", c.ID, c.Guideline, c.Message))
		default:
			log.Printf("ok   %s [%s] %s", c.ID, c.Guideline, c.Message)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("the image fails %s: kiln verify %s shows each fix", strings.Join(failed, ", "), t.cfg.Image)
	}
	return nil
}

// lintStep runs kiln lint's checks on the repo first (G30): an error-level
// finding fails the test before anything is built.
func lintStep(dir string) Step {
	return NewStep(StepLint, func(_ context.Context, log *Logger) error {
		findings, err := lint.Repo(dir, lint.Options{})
		if err != nil {
			return err
		}
		for _, f := range findings {
			log.Printf("%s:%d:%d %s %s %s", f.File, f.Line, f.Column, f.Severity, f.Rule, f.Message)
		}
		if n := lint.Count(findings, lint.Error); n > 0 {
			return fmt.Errorf("kiln lint found %d error(s): fix them, or see kiln lint --explain RULE", n)
		}
		return nil
	})
}
