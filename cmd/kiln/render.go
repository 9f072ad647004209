package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kiln-s2i/kiln/scaffold"
)

// newRenderCmd is kiln update under its first name: the same engine.
func newRenderCmd(s streams) *cobra.Command {
	o := &updateOptions{dir: "."}
	cmd := &cobra.Command{
		Use:   "render [DIR]",
		Short: "Re-render a builder repo from its kiln.yaml (the same as kiln update)",
		Long: `Re-render every file of the builder repo in DIR (default .) from DIR/kiln.yaml,
keeping your edits: the same as kiln update.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.dir = args[0]
			}
			return runUpdate(s, o)
		},
	}
	addWriteFlags(cmd.Flags(), &o.write)
	return cmd
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
