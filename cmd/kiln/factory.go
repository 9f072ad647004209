package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/scaffold"
	"github.com/kiln-s2i/kiln/tui"
)

// factory is the command environment, built once by the root command and
// handed to every command (as gh's cmdutil.Factory): the streams, the
// terminal UIs and the engine lookup. Tests replace its parts.
type factory struct {
	streams
	// progress opens the live view of a run: events sent to sink appear in
	// it and Ctrl+C in it calls cancel. done is called with the run's error
	// once the run has ended; it returns when the user has left the view
	// and its summary is printed.
	// A signal (signals done) closes the view at once.
	progress func(title string, signals context.Context, cancel context.CancelFunc) (sink builder.Sink, done func(runErr error))
	// wizard runs kiln new's questions on a terminal.
	wizard func(o *newOptions, spec *scaffold.Spec) error
	// lint checks the wizard's rendered files before they are written.
	lint func(files []scaffold.File) ([]tui.Finding, error)
	// engine finds the container engine: the --engine flag, else
	// KILN_ENGINE, else kiln.yaml's engine, else the first installed.
	engine func(flag, specEngine string) (*builder.Engine, error)
	// engines are the engines found, closed (their per-run TMPDIR
	// removed) when the command ends.
	engines []*builder.Engine
}

func newFactory(s streams) *factory {
	f := &factory{streams: s, lint: tui.LintFiles}
	f.engine = func(flag, specEngine string) (*builder.Engine, error) {
		e, err := detectEngine(flag, specEngine)
		if e != nil {
			f.engines = append(f.engines, e)
		}
		return e, err
	}
	f.progress = f.tuiProgress
	f.wizard = f.tuiWizard
	return f
}

// closeEngines removes the per-run temporary directories of the engines
// the command used (engineRun.finish has already closed those of runs).
func (f *factory) closeEngines() {
	for _, e := range f.engines {
		if err := e.Close(); err != nil {
			fmt.Fprintln(f.err, "kiln: could not remove the engine's", err)
		}
	}
	f.engines = nil
}

// tuiProgress shows a run in the live progress view.
func (f *factory) tuiProgress(title string, signals context.Context, cancel context.CancelFunc) (builder.Sink, func(error)) {
	sink, done := tui.StartProgress(title, tui.ProgressOptions{In: f.in, Out: f.out, Context: signals}, cancel)
	return sink, func(runErr error) {
		if err := done(runErr); err != nil && err != runErr && err != tui.ErrCanceled {
			fmt.Fprintln(f.err, "kiln:", err) // the view itself failed; the run's error is the caller's
		}
	}
}

// accessibleMode reports whether the wizard asks line by line: --accessible,
// TERM=dumb or KILN_ACCESSIBLE=1.
func accessibleMode(flag bool) bool {
	return flag || os.Getenv("TERM") == "dumb" || os.Getenv("KILN_ACCESSIBLE") == "1"
}

// tuiWizard runs kiln new's wizard on a terminal.
func (f *factory) tuiWizard(o *newOptions, spec *scaffold.Spec) error {
	ctx, stop := signalContext() // an interrupt at a prompt says what was written
	defer stop()
	accessible := accessibleMode(o.accessible)
	res, err := tui.RunWizard(ctx, tui.WizardInput{
		Spec:       spec,
		Dir:        o.dir,
		Yes:        o.yes,
		Accessible: accessible,
		Resume:     !o.answered() && o.edit == nil,
		Edit:       o.edit != nil,
		Plan:       o.edit,
		Prune:      o.write.prune,
		Force:      o.write.force,
		Lint:       f.lint,
		In:         f.in,
		Out:        f.out,
		Base:       baseInspector(),
	})
	if stopped := errors.Is(err, tui.ErrCanceled); stopped || errors.Is(err, tui.ErrInputEnded) {
		// say what is on disk: the files are written before "Build and test now?"
		ee := &exitError{code: exitCanceled, err: errors.New("cancelled")}
		if !stopped {
			ee = &exitError{code: exitFailed, err: err}
		}
		if res.Written {
			ee.err = fmt.Errorf("%v: the files are written in %s; nothing was built", ee.err, o.dir)
		} else {
			ee.err = fmt.Errorf("%v: nothing was written", ee.err)
		}
		return ee
	}
	if err != nil {
		return failedErrorf("%v", err)
	}
	if res.Unchanged {
		return nil // RunWizard said there was nothing to change
	}
	if res.BuildNow {
		// kiln test builds the image, then tests it: after line-by-line
		// prompts in plain lines, else in the live progress view
		return runTest(f, &testOptions{dir: o.dir, out: runOutputOptions{plain: accessible}})
	}
	fmt.Fprintf(f.out, "next: cd %s && kiln test\n", o.dir)
	return nil
}

// detectEngine applies --engine, then KILN_ENGINE, then kiln.yaml's engine.
func detectEngine(flag, specEngine string) (*builder.Engine, error) {
	name := flag
	if name == "" && os.Getenv("KILN_ENGINE") == "" {
		name = specEngine
	}
	e, err := builder.DetectEngine(name)
	if err != nil {
		if flag != "" || os.Getenv("KILN_ENGINE") != "" {
			return nil, usageErrorf("%v", err) // the user named an engine kiln cannot use
		}
		return nil, failedErrorf("%v", err)
	}
	return e, nil
}
