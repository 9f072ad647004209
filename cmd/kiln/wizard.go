package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/builder/image"

	"github.com/kiln-s2i/kiln/scaffold"
	"github.com/kiln-s2i/kiln/tui"
)

func init() { runWizard = runTUIWizard }

// accessibleMode reports whether the wizard asks line by line: --accessible,
// TERM=dumb or KILN_ACCESSIBLE=1.
func accessibleMode(flag bool) bool {
	return flag || os.Getenv("TERM") == "dumb" || os.Getenv("KILN_ACCESSIBLE") == "1"
}

// baseInspector looks base images up for the wizard: local storage, then
// the registry for at most baseTimeout (G01: the author sees at once whether
// the image is there, and what it is).
func baseInspector() tui.BaseInspector {
	// The lookup reads podman's and buildah's store; without one of them
	// there is no store to read, and opening it would create one.
	if e, err := builder.DetectEngine(""); err != nil || e.Kind == builder.Docker {
		return tui.BaseInspector{}
	}
	return tui.BaseInspector{
		Inspect: func(ctx context.Context, ref string) builder.BaseInfo {
			return builder.InspectBase(ctx, ref, baseTimeout)
		},
		Local: func() []string {
			names, _ := image.LocalNames()
			return names
		},
	}
}

const baseTimeout = 3 * time.Second

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
		Base:       baseInspector(),
	})
	if errors.Is(err, tui.ErrCanceled) {
		return &exitError{code: exitCanceled, err: errors.New("cancelled: nothing was written")}
	}
	if err != nil {
		return failedErrorf("%v", err)
	}
	if res.BuildNow {
		// kiln test builds the image, then tests it, in the live progress view
		return runTest(s, &testOptions{dir: o.dir})
	}
	fmt.Fprintf(s.out, "next: cd %s && kiln test\n", o.dir)
	return nil
}
