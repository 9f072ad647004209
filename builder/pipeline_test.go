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
		return NewStep(name, func(context.Context) error { ran = append(ran, name); return err })
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
			NewStep("build", func(ctx context.Context) error { cancel(); <-ctx.Done(); return ctx.Err() }),
			NewStep("run", func(context.Context) error { t.Error("run ran after cancellation"); return nil }),
		},
		Cleanup: NewStep("cleanup", func(ctx context.Context) error { cleanupCtxErr = ctx.Err(); return nil }),
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
