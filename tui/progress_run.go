package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/kiln-s2i/kiln/builder"
)

// ProgressOptions tunes RunProgress.
type ProgressOptions struct {
	In  io.Reader // keys; os.Stdin when nil
	Out io.Writer // the UI, then the summary; os.Stdout when nil
	// LogLines is how many lines of each step's log are kept (DefaultLogLines when 0).
	LogLines int
	// ExitWhenDone leaves the view as soon as the run ends instead of waiting for q.
	ExitWhenDone bool
	// NoAltScreen draws inline instead of on the alternate screen.
	NoAltScreen bool
	// programOptions are extra tea options, for tests.
	programOptions []tea.ProgramOption
	// Context ends the view at once when it is done (a signal: SIGHUP
	// means the terminal is gone); the run's cleanup goes on without it.
	Context context.Context
}

// eventBatchWindow bounds how long an event waits before reaching the UI.
const eventBatchWindow = 16 * time.Millisecond

// ErrCanceled is returned when the user cancelled the run.
var ErrCanceled = errors.New("cancelled")

// RunProgress runs fn with a Sink that feeds the live progress view, and
// prints a plain summary on the normal screen when the view exits. Ctrl+C
// cancels fn's context; RunProgress always waits for fn to return, so the
// builder's cleanup finishes before kiln exits. It returns fn's error.
func RunProgress(ctx context.Context, title string, opts ProgressOptions, fn func(ctx context.Context, sink builder.Sink) error) error {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts.Context = ctx
	sink, done := StartProgress(title, opts, cancel)
	return done(callRun(runCtx, sink, fn))
}

// callRun runs fn, turning a panic into an error so the view can close
// properly and report it.
func callRun(ctx context.Context, sink builder.Sink, fn func(context.Context, builder.Sink) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in run: %v\n%s", r, debug.Stack())
		}
	}()
	return fn(ctx, sink)
}

// StartProgress opens the live progress view for a run the caller drives:
// events sent to the returned Sink appear in it, and Ctrl+C calls cancel.
// Once the run has returned, the caller calls done with its error (and sends
// no more events); done waits for the user to leave the view (at once with
// ExitWhenDone), prints the plain summary and returns the run's error.
func StartProgress(title string, opts ProgressOptions, cancel func()) (sink builder.Sink, done func(runErr error) error) {
	HonourNoColor()
	out := opts.Out
	if out == nil {
		out = os.Stdout
	}
	in := opts.In
	if in == nil {
		in = os.Stdin
	}
	if cancel == nil {
		cancel = func() {}
	}
	model := newProgressModel(title, opts.LogLines, cancel)
	model.exitOnDone = opts.ExitWhenDone
	popts := []tea.ProgramOption{tea.WithInput(in), tea.WithOutput(out)}
	if opts.Context != nil {
		popts = append(popts, tea.WithContext(opts.Context))
	}
	if !opts.NoAltScreen {
		popts = append(popts, tea.WithAltScreen(), tea.WithMouseCellMotion()) // the wheel scrolls the log
	}
	popts = append(popts, opts.programOptions...)
	p := tea.NewProgram(model, popts...)

	summary := NewSummary(title) // the forwarder's own record
	events := make(chan builder.Event, 1024)
	programDone := make(chan struct{})
	forwarded := make(chan struct{})
	var runErr, forwardErr, progErr error
	var runReturned atomic.Bool

	go func() { // the view
		_, progErr = p.Run()
		close(programDone)
		if !runReturned.Load() {
			cancel() // the view is gone: a still running build has no watcher
		}
	}()
	go func() { // the forwarder: batches events into the program, records the summary
		defer close(forwarded)
		defer func() {
			if r := recover(); r != nil {
				p.Kill() // restores the terminal
				forwardErr = fmt.Errorf("panic in progress forwarder: %v\n%s", r, debug.Stack())
				for range events { // keep the run unblocked
				}
			}
		}()
		// runErr is final once events is closed: done sets it first
		forward(events, summary, p, programDone, func() error { return runErr })
	}()

	sink = builder.SinkFunc(func(e builder.Event) { events <- e })
	done = func(err error) error {
		runReturned.Store(true)
		runErr = err
		close(events)
		<-forwarded
		<-programDone
		summary.Print(out, runErr)
		if forwardErr != nil {
			runErr = errors.Join(runErr, forwardErr)
		}
		switch {
		case progErr != nil && !errors.Is(progErr, tea.ErrProgramKilled) && !errors.Is(progErr, tea.ErrInterrupted):
			return errors.Join(fmt.Errorf("progress view: %w", progErr), runErr)
		case errors.Is(progErr, tea.ErrProgramPanic):
			return errors.Join(fmt.Errorf("progress view: %w", progErr), runErr)
		}
		if runErr == nil && (errors.Is(progErr, tea.ErrInterrupted) || (opts.Context != nil && opts.Context.Err() != nil)) {
			return ErrCanceled
		}
		return runErr
	}
	return sink, done
}

// forward moves events from the run to the program in batches and keeps the
// summary's record. After the program is gone it only records.
func forward(events <-chan builder.Event, summary *Summary, p *tea.Program, programDone <-chan struct{}, result func() error) {
	var batch eventsMsg
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	flush := func() {
		if len(batch) == 0 {
			return
		}
		select {
		case <-programDone:
		default:
			p.Send(batch)
		}
		batch = nil
	}
	for {
		select {
		case e, ok := <-events:
			if !ok {
				flush()
				select {
				case <-programDone:
				default:
					p.Send(runDoneMsg{err: result()})
				}
				return
			}
			if e.Time.IsZero() {
				e.Time = time.Now()
			}
			summary.Event(e)
			if len(batch) == 0 {
				timer.Reset(eventBatchWindow)
			}
			batch = append(batch, e)
			if len(batch) >= 512 {
				timer.Stop()
				flush()
			}
		case <-timer.C:
			flush()
		}
	}
}
