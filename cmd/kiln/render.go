package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kiln-s2i/kiln/scaffold"
)

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
