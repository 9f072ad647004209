package builder

import (
	"context"
	"errors"
	"time"
)

// reporter stamps events and hands them to a Sink.
type reporter struct {
	sink Sink
}

func newReporter(s Sink) *reporter {
	if s == nil {
		s = SinkFunc(func(Event) {})
	}
	return &reporter{sink: s}
}

func (r *reporter) emit(e Event) {
	if e.Parent == e.Step {
		// Output between a build's instructions belongs to the build step itself.
		e.Parent = ""
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	r.sink.Event(e)
}

func (r *reporter) start(step string, index, total int) {
	r.emit(Event{Kind: StepStarted, Step: step, Index: index, Total: total})
}

func (r *reporter) log(step, stream, line string) {
	r.emit(Event{Kind: StepLog, Step: step, Stream: stream, Line: line})
}

func (r *reporter) warn(step, msg string) {
	r.emit(Event{Kind: StepWarning, Step: step, Message: msg})
}

func (r *reporter) finish(step string, index, total int, d time.Duration, err error) {
	e := Event{Kind: StepFinished, Step: step, Index: index, Total: total, Duration: d}
	if err != nil {
		e.Err = err.Error()
	}
	r.emit(e)
}

// step runs fn as one reported step.
func (r *reporter) step(name string, fn func() error) error {
	t0 := time.Now()
	r.start(name, 0, 0)
	err := fn()
	r.finish(name, 0, 0, time.Since(t0), err)
	return err
}

// IsCanceled reports whether err comes from a cancelled run (Ctrl+C).
func IsCanceled(err error) bool {
	return errors.Is(err, context.Canceled)
}
