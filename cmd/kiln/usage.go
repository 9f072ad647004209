package main

import (
	"github.com/spf13/cobra"

	"github.com/kiln-s2i/kiln/builder"
)

type usageOptions struct {
	image string
	out   runOutputOptions
}

func newUsageCmd(f *factory) *cobra.Command {
	o := &usageOptions{}
	cmd := &cobra.Command{
		Use:   "usage IMAGE",
		Short: "Run the usage script of the s2i builder image IMAGE",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			o.image = args[0]
			return runUsage(f, o)
		},
	}
	addRunOutputFlags(cmd, &o.out)
	return cmd
}

func runUsage(f *factory, o *usageOptions) error {
	e, err := f.engine(o.out.engine, "")
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	// The usage text goes to stdout as it is; the engine's stderr goes to stderr.
	sink := newPlainSink(f.err)
	return runError(ctx, builder.Usage(ctx, e, sink, o.image, f.out))
}
