package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/scaffold"
	"github.com/kiln-s2i/kiln/scaffold/lint"
)

type testOptions struct {
	dir     string
	noCache bool
	noLint  bool
	out     runOutputOptions
}

func newTestCmd(s streams) *cobra.Command {
	o := &testOptions{dir: "."}
	cmd := &cobra.Command{
		Use:   "test [DIR]",
		Short: "Build the builder image in DIR and test it the way OKD uses it",
		Long: `Build the builder image of the repo in DIR and test it, step by step: its usage
script, an s2i build of test/test-app, an incremental rebuild that must restore
the saved artifacts, a run as an arbitrary UID (1000870000:0) with the port
published on 127.0.0.1, the readiness probe answering 2xx, a stop on SIGTERM
within 10s (a run script without exec fails here), and logs on stdout.

Everything the test creates except the builder image is removed at the end,
also when a step fails or the run is cancelled. Exits 1 when a step failed.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.dir = args[0]
			}
			return runTest(s, o)
		},
	}
	cmd.Flags().BoolVar(&o.noCache, "no-cache", false, "build without reusing cached layers")
	cmd.Flags().BoolVar(&o.noLint, "no-lint", false, "skip the lint step (its errors otherwise stop the test before the build)")
	addRunOutputFlags(cmd, &o.out)
	return cmd
}

// testConfig is what kiln test takes from kiln.yaml.
func testConfig(dir string, spec *scaffold.Spec, noCache bool) builder.TestConfig {
	return builder.TestConfig{
		Dir:         dir,
		Image:       spec.ImageRef(),
		Readiness:   builder.Probe{Type: spec.Readiness.Type, Path: spec.Readiness.Path, Port: spec.ProbePort(spec.Readiness)},
		Incremental: spec.Incremental,
		NoCache:     noCache,
		RunEnv:      secretTestValues(spec.Secrets),
	}
}

// secretTestValues gives each required secret a test value, as test/run does.
func secretTestValues(names []string) []string {
	env := make([]string, len(names))
	for i, n := range names {
		env[i] = n + "=kiln-test-value"
	}
	return env
}

// lintStep runs kiln lint's checks on the repo first (G30): an error-level
// finding fails the test before anything is built.
func lintStep(dir string, sink builder.Sink) builder.Step {
	return builder.NewStep("lint", func(context.Context) error {
		findings, err := lint.Repo(dir, lint.Options{})
		if err != nil {
			return err
		}
		for _, f := range findings {
			sink.Event(builder.Event{Kind: builder.StepLog, Time: time.Now(), Step: "lint", Stream: "stdout",
				Line: fmt.Sprintf("%s:%d:%d %s %s %s", f.File, f.Line, f.Column, f.Severity, f.Rule, f.Message)})
		}
		if n := lint.Count(findings, lint.Error); n > 0 {
			return fmt.Errorf("kiln lint found %d error(s): fix them, or see kiln lint --explain RULE", n)
		}
		return nil
	})
}

func runTest(s streams, o *testOptions) error {
	spec, err := loadSpec(o.dir)
	if err != nil {
		return err
	}
	e, err := o.out.detectEngine(spec.Engine)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	sink, done := o.out.eventSink(s, "kiln test "+spec.ImageRef(), stop)
	run := builder.NewTestRun(e, sink, testConfig(o.dir, spec, o.noCache))
	var steps []builder.Step
	if !o.noLint {
		steps = append(steps, lintStep(o.dir, sink))
	}
	steps = append(steps, run.Steps()...)
	p := &builder.Pipeline{Steps: steps, Cleanup: run.Cleanup(), Sink: sink}
	results, err := p.Run(ctx)
	done(err)
	if !o.out.json && !o.out.live(s) { // the progress view printed its own summary
		printSummary(s, results)
	}
	if err != nil {
		if ctx.Err() != nil || builder.IsCanceled(err) {
			return runError(ctx, err)
		}
		return &exitError{code: exitFailed, err: err}
	}
	return nil
}

func printSummary(s streams, results []builder.StepResult) {
	fmt.Fprintln(s.out)
	tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STEP\tRESULT\tTIME\tDETAIL")
	for _, r := range results {
		detail := r.Reason
		if r.Err != nil {
			detail = strings.SplitN(r.Err.Error(), "\n", 2)[0]
		}
		d := ""
		if r.Status != builder.StatusSkipped || r.Duration > 0 {
			d = round(r.Duration).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, r.Status, d, detail)
	}
	tw.Flush()
}
