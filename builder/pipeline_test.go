package builder

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestPipelineOrderSkipFailureAndCleanup(t *testing.T) {
	var ran []string
	step := func(name string, err error) Step {
		return NewStep(StepName(name), func(context.Context, *Logger) error { ran = append(ran, name); return err })
	}
	var events []string
	sink := SinkFunc(func(e Event) {
		events = append(events, fmt.Sprintf("%s %s %d/%d %s%s", e.Kind, e.Step, e.Index, e.Total, e.Message, e.Err))
	})
	p := &Pipeline{
		Steps: []Step{
			step("lint", nil),
			step("incremental", Skip("not enabled")),
			step("build", errors.New("boom")),
			step("run", nil),
		},
		Cleanup: step("cleanup", nil),
		Sink:    sink,
	}
	results, err := p.Run(context.Background())
	if !errors.Is(err, ErrStepsFailed) || !strings.Contains(err.Error(), "1 of 5 (build)") {
		t.Fatalf("err = %v", err)
	}
	if strings.Join(ran, ",") != "lint,incremental,build,cleanup" {
		t.Errorf("ran %v: the step after a failure must not run, cleanup must", ran)
	}
	want := []StepStatus{StatusPassed, StatusSkipped, StatusFailed, StatusSkipped, StatusPassed}
	for i, r := range results {
		if r.Status != want[i] {
			t.Errorf("%s: %s, want %s", r.Name, r.Status, want[i])
		}
	}
	if results[1].Reason != "not enabled" || results[3].Reason != "an earlier step failed: build" {
		t.Errorf("reasons: %q, %q", results[1].Reason, results[3].Reason)
	}
	wantEvents := []string{
		"step-started lint 1/5 ", "step-finished lint 1/5 ",
		"step-started incremental 2/5 ", "step-skipped incremental 2/5 not enabled",
		"step-started build 3/5 ", "step-finished build 3/5 boom",
		"step-skipped run 4/5 an earlier step failed: build",
		"step-started cleanup 5/5 ", "step-finished cleanup 5/5 ",
		"run-finished  0/0 steps failed: 1 of 5 (build)",
	}
	if strings.Join(events, "\n") != strings.Join(wantEvents, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(events, "\n"), strings.Join(wantEvents, "\n"))
	}
}

func TestPipelineCancelledStillCleansUp(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cleanupCtxErr := errors.New("not run")
	p := &Pipeline{
		Steps: []Step{
			NewStep(StepName("build"), func(ctx context.Context, _ *Logger) error { cancel(); <-ctx.Done(); return ctx.Err() }),
			NewStep(StepName("run"), func(context.Context, *Logger) error { t.Error("run ran after cancellation"); return nil }),
		},
		Cleanup: NewStep(StepName("cleanup"), func(ctx context.Context, _ *Logger) error { cleanupCtxErr = ctx.Err(); return nil }),
	}
	results, err := p.Run(ctx)
	if !IsCanceled(err) {
		t.Fatalf("err = %v, want cancelled", err)
	}
	if cleanupCtxErr != nil {
		t.Errorf("cleanup ran with a cancelled context (%v) or not at all", cleanupCtxErr)
	}
	if results[1].Status != StatusSkipped || results[1].Reason != "cancelled" {
		t.Errorf("run: %+v", results[1])
	}
}

// skipIf is a step that says before it runs whether it applies.
type skipIf struct {
	name, reason string
	ran          *bool
}

func (s skipIf) String() string { return s.name }
func (s skipIf) Skip() string   { return s.reason }
func (s skipIf) Run(_ context.Context, log *Logger) error {
	*s.ran = true
	log.Printf("ran %s", s.name)
	return nil
}

// The pipeline asks a Skipper before its turn and binds each step's logger
// to the step's own name.
func TestPipelineSkipperAndLogger(t *testing.T) {
	var skippedRan, keptRan bool
	var events []string
	p := &Pipeline{
		Steps: []Step{
			skipIf{name: "skipped", reason: "does not apply", ran: &skippedRan},
			skipIf{name: "kept", ran: &keptRan},
		},
		Sink: SinkFunc(func(e Event) { events = append(events, fmt.Sprintf("%s %s %s%s", e.Kind, e.Step, e.Message, e.Line)) }),
	}
	results, err := p.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if skippedRan || !keptRan {
		t.Errorf("skipped step ran: %v, kept step ran: %v", skippedRan, keptRan)
	}
	if results[0].Status != StatusSkipped || results[0].Reason != "does not apply" || results[0].Duration != 0 {
		t.Errorf("skipped: %+v", results[0])
	}
	want := "step-skipped skipped does not apply\nstep-started kept \nlog kept ran kept\nstep-finished kept \nrun-finished  "
	if got := strings.Join(events, "\n"); got != want {
		t.Errorf("events:\n%s\nwant:\n%s", got, want)
	}
}

// Every kiln test step has its own name, lint first and cleanup last.
func TestKilnTestStepList(t *testing.T) {
	steps := TestSteps()
	seen := map[string]bool{}
	for _, s := range steps {
		if s.String() == "" || seen[s.String()] {
			t.Errorf("step %d: name %q empty or repeated", int(s), s.String())
		}
		seen[s.String()] = true
	}
	if steps[0] != StepLint || steps[len(steps)-1] != StepCleanup {
		t.Errorf("order: %v", steps)
	}
	run := NewTestRun(&Engine{Kind: Podman}, TestConfig{})
	var got []string
	for _, s := range append(run.Steps(), run.Cleanup()) {
		got = append(got, s.String())
	}
	var want []string
	for _, s := range steps[1:] {
		want = append(want, s.String())
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("TestRun steps %v, want %v", got, want)
	}
}
