package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kiln-s2i/kiln/builder"
)

type doctorOptions struct {
	out runOutputOptions
}

func newDoctorCmd(f *factory) *cobra.Command {
	o := &doctorOptions{}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check that container builds work here: engine, storage and a trial container",
		Long: `Check that container builds work on this machine: the engine and its version,
its storage, and a trial container run. Known failures of sandboxed VMs (crun's
"cgroups in hybrid mode not supported", setrlimit "Operation not permitted")
are recognised and their remedy printed. Exits 1 when builds cannot work.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return runDoctor(f, o) },
	}
	addRunOutputFlags(cmd, &o.out)
	return cmd
}

func runDoctor(f *factory, o *doctorOptions) error {
	s := f.streams
	ctx, stop := signalContext()
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	checks, ok := builder.Doctor(ctx, func() (*builder.Engine, error) { return f.engine(o.out.engine, "") })
	if ctx.Err() != nil {
		return runError(ctx, ctx.Err())
	}
	if o.out.json {
		enc := json.NewEncoder(s.out)
		for _, c := range checks {
			_ = enc.Encode(c)
		}
	} else {
		for _, c := range checks {
			mark := "ok  "
			if !c.OK {
				mark = "FAIL"
			}
			fmt.Fprintf(s.out, "%s %-16s %s\n", mark, c.Name, c.Detail)
			if c.Remedy != "" {
				fmt.Fprintf(s.out, "     remedy: %s\n", strings.ReplaceAll(c.Remedy, "\n", "\n     "))
			}
		}
	}
	if !ok {
		return &exitError{code: exitFailed, err: errors.New("container builds cannot work here; see the remedy above")}
	}
	return nil
}
