package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/kiln-s2i/kiln/builder"
)

// runSignals stop a run and start its cleanup, all three alike: Ctrl+C
// (SIGINT), a closed terminal or a dropped ssh session (SIGHUP), and kill,
// systemd or a CI runner (SIGTERM). Signals that come during the cleanup
// are ignored: it is bounded by builder.CleanupTimeout instead, and only
// SIGKILL skips it.
var runSignals = []os.Signal{os.Interrupt, syscall.SIGHUP, syscall.SIGTERM}

// signalError is the cause of a context cancelled by a signal.
type signalError struct{ sig os.Signal }

func (e *signalError) Error() string {
	if s, ok := e.sig.(syscall.Signal); ok {
		if name := unix.SignalName(s); name != "" {
			return name
		}
	}
	return e.sig.String()
}

// signalContext is cancelled by one of runSignals (context.Cause is then a
// *signalError naming it) or by stop. Until stop, SIGPIPE is caught too: a
// reader of kiln's output that went away (ssh dropped under `| tee`) would
// otherwise kill kiln at its next write, in the middle of its cleanup;
// caught, the write fails with EPIPE and the cleanup goes on.
func signalContext() (ctx context.Context, stop context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, runSignals...)
	pipe := make(chan os.Signal, 1)
	signal.Notify(pipe, syscall.SIGPIPE)
	go func() {
		select {
		case s := <-sigs:
			cancel(&signalError{s})
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		signal.Stop(pipe)
		cancel(context.Canceled)
	}
}

// signalName names the signal that cancelled ctx, "" when none did.
func signalName(ctx context.Context) string {
	var se *signalError
	if errors.As(context.Cause(ctx), &se) {
		return se.Error()
	}
	return ""
}

// engineRun is one command run of the engine: the signal context, the run's
// own context (also cancelled by Ctrl+C in the progress view), the event
// sink, and the record of what its cleanup could not remove.
type engineRun struct {
	sig  context.Context // cancelled by a signal
	ctx  context.Context // the run's: a signal or Ctrl+C in the view
	stop func()
	sink builder.Sink
	done func(error)
	e    *builder.Engine

	mu   sync.Mutex
	left []string
}

// startRun sets up a run of e. The caller defers stop and ends with finish.
func (f *factory) startRun(o runOutputOptions, title string, summary bool, e *builder.Engine) *engineRun {
	sig, stopSignals := signalContext()
	ctx, cancel := context.WithCancel(sig)
	r := &engineRun{sig: sig, ctx: ctx, e: e}
	r.stop = func() { cancel(); stopSignals() }
	sink, done := f.eventSink(o, title, sig, cancel, summary)
	r.sink = builder.SinkFunc(func(ev builder.Event) {
		if ev.Kind == builder.LeftBehind {
			r.mu.Lock()
			r.left = append(r.left, ev.Message)
			r.mu.Unlock()
		}
		sink.Event(ev)
	})
	r.done = done
	return r
}

// finish removes the engine's per-run temporary directory, closes the
// view or prints the summary, and maps err to kiln's exit codes, naming
// what was left behind.
func (r *engineRun) finish(err error) error {
	if r.e != nil {
		if cerr := r.e.Close(); cerr != nil {
			r.sink.Event(builder.Event{Kind: builder.LeftBehind, Message: cerr.Error()})
		}
	}
	r.done(err)
	r.mu.Lock()
	left := append([]string(nil), r.left...)
	r.mu.Unlock()
	return runErrorLeft(r.ctx, err, left)
}

// runError maps a builder error to kiln's exit codes.
func runError(ctx context.Context, err error) error { return runErrorLeft(ctx, err, nil) }

// runErrorLeft maps a builder error to kiln's exit codes; left names what
// the cleanup could not remove. A cancelled run says it removed everything
// only when nothing is left.
func runErrorLeft(ctx context.Context, err error, left []string) error {
	var notRemoved string
	if len(left) > 0 {
		notRemoved = fmt.Sprintf("%d thing(s) this run created could not be removed; remove them by hand:\n  %s", len(left), strings.Join(left, "\n  "))
	}
	if err == nil {
		if notRemoved != "" {
			return &exitError{code: exitFailed, err: errors.New(notRemoved)}
		}
		return nil
	}
	if ctx.Err() != nil || builder.IsCanceled(err) {
		why := "cancelled"
		if name := signalName(ctx); name != "" {
			why = "cancelled by " + name
		}
		code := exitCanceled
		var se *signalError
		if errors.As(context.Cause(ctx), &se) {
			if s, ok := se.sig.(syscall.Signal); ok {
				code = 128 + int(s) // the shell's convention: 129 SIGHUP, 130 SIGINT, 143 SIGTERM
			}
		}
		if notRemoved != "" {
			return &exitError{code: code, err: fmt.Errorf("%s; %s", why, notRemoved)}
		}
		return &exitError{code: code, err: errors.New(why + "; everything this run created was removed")}
	}
	if notRemoved != "" {
		err = fmt.Errorf("%w; %s", err, notRemoved)
	}
	return &exitError{code: exitFailed, err: err}
}
