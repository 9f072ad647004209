package main

import (
	"github.com/spf13/cobra"

	"github.com/kiln-s2i/kiln/builder"
)

type testOptions struct {
	dir     string
	noCache bool
	noLint  bool
	out     runOutputOptions
}

func newTestCmd(f *factory) *cobra.Command {
	o := &testOptions{dir: "."}
	cmd := &cobra.Command{
		Use:   "test [DIR]",
		Short: "Build the builder image in DIR and test it the way OKD uses it",
		Long: `Build the builder image of the repo in DIR and test it, step by step: kiln
verify's checks on the built image, its usage script, an s2i build of test/test-app, an incremental rebuild that must restore
the saved artifacts, a run as an arbitrary UID (1000870000:0) with the port
published on 127.0.0.1, the readiness probe answering 2xx, a stop on SIGTERM
within 10s (a run script without exec fails here), and logs on stdout.

Everything the test creates except the builder image is removed at the end,
also when a step fails or the run is cancelled. Exits 1 when a step failed.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.dir = args[0]
			}
			return runTest(f, o)
		},
	}
	cmd.Flags().BoolVar(&o.noCache, "no-cache", false, "build without reusing cached layers")
	cmd.Flags().BoolVar(&o.noLint, "no-lint", false, "skip the lint step (its errors otherwise stop the test before the build)")
	addRunOutputFlags(cmd, &o.out)
	return cmd
}

func runTest(f *factory, o *testOptions) error {
	spec, err := loadSpec(o.dir)
	if err != nil {
		return err
	}
	e, err := f.engine(o.out.engine, spec.Engine)
	if err != nil {
		return err
	}
	r := f.startRun(o.out, "kiln test "+spec.ImageRef(), true, e)
	defer r.stop()
	p := builder.KilnTest(e, r.sink, builder.KilnTestOptions{Dir: o.dir, Spec: spec, NoCache: o.noCache, NoLint: o.noLint})
	_, err = p.Run(r.ctx)
	return r.finish(err)
}
