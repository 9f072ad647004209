package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kiln-s2i/kiln/scaffold"
)

type renderOptions struct {
	dir   string
	write writeOptions
}

func newRenderCmd(s streams) *cobra.Command {
	o := &renderOptions{dir: "."}
	cmd := &cobra.Command{
		Use:   "render [DIR]",
		Short: "Re-render a builder repo from its kiln.yaml",
		Long: `Re-render every file of the builder repo in DIR (default .) from DIR/kiln.yaml.
A file you edited is never overwritten without --force; --dry-run shows the diff.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.dir = args[0]
			}
			return runRender(s, o)
		},
	}
	addWriteFlags(cmd.Flags(), &o.write)
	return cmd
}

func runRender(s streams, o *renderOptions) error {
	spec, err := scaffold.Load(o.dir)
	if err != nil {
		if ve := validationError(err); ve != err {
			return ve
		}
		return usageErrorf("%v", err)
	}
	return writeFiles(s, o.dir, spec, o.write, func(f scaffold.File) bool {
		return f.Path != scaffold.SpecFile // the author's kiln.yaml is the source, never rewritten
	})
}

func newPresetsCmd(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "presets",
		Short: "List the presets kiln new starts from",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "PRESET\tBASE IMAGE\tPACKAGE MANAGER\tDESCRIPTION")
			for _, p := range scaffold.Presets() {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Name, p.From, p.PackageManager, p.Description)
			}
			return tw.Flush()
		},
	}
}
