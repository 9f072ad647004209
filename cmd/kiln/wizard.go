package main

import (
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
	ctx, stop := signalContext() // an interrupt at a prompt says what was written
	defer stop()
	accessible := accessibleMode(o.accessible)
	res, err := tui.RunWizard(ctx, tui.WizardInput{
		Spec:       spec,
		Dir:        o.dir,
		Yes:        o.yes,
		Accessible: accessible,
		Resume:     !o.answered(),
		Force:      o.write.force,
		In:         s.in,
		Out:        s.out,
	})
	if errors.Is(err, tui.ErrCanceled) {
		if res.Written {
			return &exitError{code: exitCanceled, err: fmt.Errorf("cancelled: the files are written in %s; nothing was built", o.dir)}
		}
		return &exitError{code: exitCanceled, err: errors.New("cancelled: nothing was written")}
	}
	if err != nil {
		return failedErrorf("%v", err)
	}
	if res.BuildNow {
		// kiln test builds the image, then tests it, in the live progress view
		// after line-by-line prompts, the build prints lines too, not the full-screen view
		return runTest(s, &testOptions{dir: o.dir, out: runOutputOptions{plain: accessible}})
	}
	fmt.Fprintf(s.out, "next: cd %s && kiln test\n", o.dir)
	return nil
}
