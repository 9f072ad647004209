package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/kiln-s2i/kiln/scaffold"
	"github.com/kiln-s2i/kiln/tui"
)

func init() { runWizard = runTUIWizard }

// accessibleMode reports whether the wizard asks line by line: --accessible,
// TERM=dumb or KILN_ACCESSIBLE=1.
func accessibleMode(flag bool) bool {
	return flag || os.Getenv("TERM") == "dumb" || os.Getenv("KILN_ACCESSIBLE") == "1"
}

// runTUIWizard runs kiln new's wizard on a terminal.
func runTUIWizard(s streams, o *newOptions, spec *scaffold.Spec) error {
	res, err := tui.RunWizard(context.Background(), tui.WizardInput{
		Spec:       spec,
		Dir:        o.dir,
		Yes:        o.yes,
		Accessible: accessibleMode(o.accessible),
		Force:      o.write.force,
		In:         s.in,
		Out:        s.out,
	})
	if errors.Is(err, tui.ErrCanceled) {
		return &exitError{code: exitCanceled, err: errors.New("cancelled: nothing was written")}
	}
	if err != nil {
		return failedErrorf("%v", err)
	}
	if res.BuildNow {
		if buildAndTest != nil {
			return buildAndTest(s, o.dir)
		}
		fmt.Fprintf(s.out, "next: cd %s && kiln test\n", o.dir)
	}
	return nil
}

// buildAndTest runs kiln test in dir with the live progress view; it is set
// once the build and test commands exist.
var buildAndTest func(s streams, dir string) error
