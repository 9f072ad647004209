package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/kiln-s2i/kiln/scaffold"
)

// Exit codes shared by every command.
const (
	exitOK       = 0
	exitFailed   = 1 // conflicts, failed checks or steps
	exitUsage    = 2 // usage or validation errors
	exitCanceled = 130
)

// exitError carries an exit code up to run; its message is printed unless empty.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func usageErrorf(format string, a ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, a...)}
}
func failedErrorf(format string, a ...any) error {
	return &exitError{code: exitFailed, err: fmt.Errorf(format, a...)}
}

// streams are the command's standard streams, injected so commands are testable.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

// isTerminal reports whether both stdin and stdout are terminals: kiln is
// interactive only then.
func (s streams) isTerminal() bool {
	return isTTY(s.in) && isTTY(s.out)
}

func isTTY(v any) bool {
	f, ok := v.(*os.File)
	// a character device is not enough: /dev/null is one
	return ok && term.IsTerminal(f.Fd())
}

func newRootCmd(f *factory) *cobra.Command {
	s := f.streams
	root := &cobra.Command{
		Use:           "kiln",
		Short:         "Scaffold, build, test and check OKD source-to-image builder images",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(s.in)
	root.SetOut(s.out)
	root.SetErr(s.err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{code: exitUsage, err: err}
	})
	root.AddCommand(
		newNewCmd(f),
		newEditCmd(f),
		newUpdateCmd(s),
		newPresetsCmd(s),
		newVersionCmd(s),
		newLintCmd(s),
		newBuildCmd(f),
		newS2ICmd(f),
		newUsageCmd(f),
		newTestCmd(f),
		newDoctorCmd(f),
		newVerifyCmd(f),
		newPushCmd(f),
	)
	return root
}

func run(args []string, in io.Reader, out, errw io.Writer) int {
	scaffold.KilnVersion = kilnVersion() // kiln.yaml records the kiln that rendered the repo
	f := newFactory(streams{in: in, out: out, err: errw})
	root := newRootCmd(f)
	root.SetArgs(args)
	err := root.Execute()
	f.closeEngines()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if msg := ee.Error(); msg != "" {
			fmt.Fprintln(errw, "kiln:", msg)
		}
		return ee.code
	}
	fmt.Fprintln(errw, "kiln:", err)
	// cobra's own errors (unknown command, bad args) are usage errors.
	return exitUsage
}
