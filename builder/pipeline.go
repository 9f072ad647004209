package builder

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Step is one named step of a pipeline (goreleaser style): the pipeline
// reports its start, its duration and how it ended.
type Step interface {
	String() string
	Run(ctx context.Context) error
}

// SkipError is returned by a step that did not apply; Reason says why.
type SkipError struct{ Reason string }

func (e *SkipError) Error() string { return "skipped: " + e.Reason }

// Skip returns the error a step returns when it does not apply.
func Skip(reason string) error { return &SkipError{Reason: reason} }

// StepStatus is how a step ended.
type StepStatus string

const (
	StatusPassed  StepStatus = "passed"
	StatusFailed  StepStatus = "failed"
	StatusSkipped StepStatus = "skipped"
)

// StepResult is the outcome of one step.
type StepResult struct {
	Name     string
	Status   StepStatus
	Duration time.Duration
	Err      error  // StatusFailed
	Reason   string // StatusSkipped
}

// Pipeline runs its Steps in order; after a failure or cancellation the
// remaining steps are skipped, but Cleanup always runs (without the run's
// cancellation, so Ctrl+C still removes what was created).
type Pipeline struct {
	Steps   []Step
	Cleanup Step
	Sink    Sink
}

// ErrStepsFailed is returned when at least one step failed.
var ErrStepsFailed = errors.New("steps failed")

// Run runs the pipeline and returns each step's result. The error is
// context.Canceled when the run was cancelled, else ErrStepsFailed (wrapped)
// when a step failed.
func (p *Pipeline) Run(ctx context.Context) ([]StepResult, error) {
	r := newReporter(p.Sink)
	t0 := time.Now()
	steps := p.Steps
	if p.Cleanup != nil {
		steps = append(append([]Step(nil), steps...), p.Cleanup)
	}
	total := len(steps)
	var results []StepResult
	var failed []string
	for i, s := range steps {
		name := s.String()
		isCleanup := p.Cleanup != nil && i == total-1
		res := StepResult{Name: name}
		runCtx := ctx
		if isCleanup {
			runCtx = context.WithoutCancel(ctx)
		}
		switch {
		case !isCleanup && ctx.Err() != nil:
			res.Status, res.Reason = StatusSkipped, "cancelled"
		case !isCleanup && len(failed) > 0:
			res.Status, res.Reason = StatusSkipped, "an earlier step failed: "+failed[0]
		}
		if res.Status == StatusSkipped {
			r.emit(Event{Kind: StepSkipped, Step: name, Index: i + 1, Total: total, Message: res.Reason})
			results = append(results, res)
			continue
		}
		st := time.Now()
		r.start(name, i+1, total)
		err := s.Run(runCtx)
		res.Duration = time.Since(st)
		var skip *SkipError
		switch {
		case errors.As(err, &skip):
			res.Status, res.Reason = StatusSkipped, skip.Reason
			r.emit(Event{Kind: StepSkipped, Step: name, Index: i + 1, Total: total, Message: skip.Reason, Duration: res.Duration})
		case err != nil:
			res.Status, res.Err = StatusFailed, err
			if ctx.Err() != nil && !isCleanup {
				res.Err = context.Canceled
			}
			failed = append(failed, name)
			r.finish(name, i+1, total, res.Duration, res.Err)
		default:
			res.Status = StatusPassed
			r.finish(name, i+1, total, res.Duration, nil)
		}
		results = append(results, res)
	}
	var err error
	switch {
	case ctx.Err() != nil:
		err = context.Canceled
	case len(failed) > 0:
		err = fmt.Errorf("%w: %d of %d (%s)", ErrStepsFailed, len(failed), total, joinNames(failed))
	}
	fin := Event{Kind: RunFinished, Duration: time.Since(t0)}
	if err != nil {
		fin.Err = err.Error()
	}
	r.emit(fin)
	return results, err
}

func joinNames(n []string) string {
	s := ""
	for i, x := range n {
		if i > 0 {
			s += ", "
		}
		s += x
	}
	return s
}

// stepFunc is a Step from a name and a function.
type stepFunc struct {
	name string
	run  func(ctx context.Context) error
}

func (s stepFunc) String() string                { return s.name }
func (s stepFunc) Run(ctx context.Context) error { return s.run(ctx) }

// NewStep makes a Step from a name and a function (the integrator's lint
// step is one of these).
func NewStep(name string, run func(ctx context.Context) error) Step { return stepFunc{name, run} }
