package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync"
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
	// SummaryLogLines is how many of the failing step's last lines the summary prints (10 when 0).
	SummaryLogLines int
	// programOptions are extra tea options, for tests.
	programOptions []tea.ProgramOption
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
	HonourNoColor()
	out := opts.Out
	if out == nil {
		out = os.Stdout
	}
	in := opts.In
	if in == nil {
		in = os.Stdin
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	model := newProgressModel(title, opts.LogLines, cancel)
	model.exitOnDone = opts.ExitWhenDone
	popts := []tea.ProgramOption{tea.WithInput(in), tea.WithOutput(out), tea.WithContext(ctx)}
	if !opts.NoAltScreen {
		popts = append(popts, tea.WithAltScreen())
	}
	popts = append(popts, opts.programOptions...)
	p := tea.NewProgram(model, popts...)

	summaryLines := opts.SummaryLogLines
	if summaryLines <= 0 {
		summaryLines = 10
	}
	summary := newRunState(summaryLines) // the forwarder's own record, for the summary
	events := make(chan builder.Event, 1024)
	programDone := make(chan struct{})

	var runErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // the run
		defer wg.Done()
		defer close(events)
		defer func() {
			if r := recover(); r != nil {
				runErr = fmt.Errorf("panic in run: %v\n%s", r, debug.Stack())
			}
		}()
		runErr = fn(runCtx, builder.SinkFunc(func(e builder.Event) { events <- e }))
	}()
	go func() { // the forwarder: batches events into the program, records the summary
		defer wg.Done()
		defer func() {
			if r := recover(); r != nil {
				p.Kill() // restores the terminal
				runErr = errors.Join(runErr, fmt.Errorf("panic in progress forwarder: %v\n%s", r, debug.Stack()))
				for range events { // keep the run unblocked
				}
			}
		}()
		// runErr is final once events is closed: the run goroutine sets it first
		forward(events, summary, p, programDone, func() error { return runErr })
	}()

	_, progErr := p.Run()
	close(programDone)
	cancel() // the view is gone: a still running build has no watcher
	wg.Wait()
	summary.finish(runErr)
	fmt.Fprint(out, plainSummary(title, summary))
	switch {
	case progErr != nil && !errors.Is(progErr, tea.ErrProgramKilled) && !errors.Is(progErr, tea.ErrInterrupted):
		return errors.Join(fmt.Errorf("progress view: %w", progErr), runErr)
	case errors.Is(progErr, tea.ErrProgramKilled) && errors.Is(progErr, tea.ErrProgramPanic):
		return errors.Join(fmt.Errorf("progress view: %w", progErr), runErr)
	}
	if runErr == nil && (ctx.Err() != nil || errors.Is(progErr, tea.ErrInterrupted)) {
		return ErrCanceled
	}
	return runErr
}

// forward moves events from the run to the program in batches and keeps the
// summary's record. After the program is gone it only records.
func forward(events <-chan builder.Event, summary *runState, p *tea.Program, programDone <-chan struct{}, result func() error) {
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
			summary.apply(e)
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
