package main

import (
	"context"
	"fmt"

	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/tui"
)

func init() { newProgressSink = tuiProgressSink }

// tuiProgressSink shows a run in the live progress view.
func tuiProgressSink(s streams, title string, cancel context.CancelFunc) (builder.Sink, func(error)) {
	sink, done := tui.StartProgress(title, tui.ProgressOptions{In: s.in, Out: s.out}, cancel)
	return sink, func(runErr error) {
		if err := done(runErr); err != nil && err != runErr && err != tui.ErrCanceled {
			fmt.Fprintln(s.err, "kiln:", err) // the view itself failed; the run's error is the caller's
		}
	}
}
