package builder

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Step is one named step of a pipeline (goreleaser style): String is the
// step's only name; the pipeline reports its start, its duration and how it
// ended, and hands Run a Logger bound to that name.
type Step interface {
	String() string
	Run(ctx context.Context, log *Logger) error
}

// Skipper is a step that can tell before it runs that it does not apply:
// the pipeline asks just before the step's turn and reports the reason.
type Skipper interface {
	Skip() (reason string)
}

// Logger reports a step's output as events of that step, so a step never
// names itself.
type Logger struct {
	r    *reporter
	step string
}

// Step is the name the logger's events carry.
func (l *Logger) Step() string { return l.step }

// Sink is where the logger's events go, for calls that report sub-steps
// (Build, S2IBuild) under Step.
func (l *Logger) Sink() Sink { return l.r.sink }

// Log reports one output line of the step.
func (l *Logger) Log(stream, line string) { l.r.log(l.step, stream, line) }

// Printf reports one line of the step on stdout.
func (l *Logger) Printf(format string, a ...any) { l.Log("stdout", fmt.Sprintf(format, a...)) }

// Warn reports something that went wrong without stopping the step.
func (l *Logger) Warn(msg string) { l.r.warn(l.step, msg) }

// Emit reports an event of the step (Step is set when empty).
func (l *Logger) Emit(e Event) {
	if e.Step == "" {
		e.Step = l.step
	}
	l.r.emit(e)
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
		if sk, ok := s.(Skipper); ok && res.Status == "" {
			if why := sk.Skip(); why != "" {
				res.Status, res.Reason = StatusSkipped, why
			}
		}
		if res.Status == StatusSkipped {
			r.emit(Event{Kind: StepSkipped, Step: name, Index: i + 1, Total: total, Message: res.Reason})
			results = append(results, res)
			continue
		}
		st := time.Now()
		r.start(name, i+1, total)
		err := s.Run(runCtx, &Logger{r: r, step: name})
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

func joinNames(n []string) string { return strings.Join(n, ", ") }

// stepFunc is a Step from a name and a function.
type stepFunc struct {
	name fmt.Stringer
	run  func(ctx context.Context, log *Logger) error
}

func (s stepFunc) String() string                             { return s.name.String() }
func (s stepFunc) Run(ctx context.Context, log *Logger) error { return s.run(ctx, log) }

// NewStep makes a Step from its name and a function.
func NewStep(name fmt.Stringer, run func(ctx context.Context, log *Logger) error) Step {
	return stepFunc{name, run}
}

// StepName is a Step's name as a fmt.Stringer, for steps made with NewStep
// outside a fixed list.
type StepName string

func (n StepName) String() string { return string(n) }
