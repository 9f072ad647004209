package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/scaffold/okd"
)

type buildOptions struct {
	dir       string
	tags      []string
	noCache   bool
	buildArgs []string
	out       runOutputOptions
}

func newBuildCmd(f *factory) *cobra.Command {
	o := &buildOptions{dir: "."}
	cmd := &cobra.Command{
		Use:   "build [DIR]",
		Short: "Build the builder image of the repo in DIR, tagged name:tag from kiln.yaml",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.dir = args[0]
			}
			return runBuild(f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&o.tags, "tag", "t", nil, "an extra tag for the image (repeatable)")
	fl.BoolVar(&o.noCache, "no-cache", false, "do not reuse cached layers")
	fl.StringArrayVar(&o.buildArgs, "build-arg", nil, "a build argument KEY=VALUE (repeatable)")
	addRunOutputFlags(cmd, &o.out)
	return cmd
}

func runBuild(f *factory, o *buildOptions) error {
	spec, err := loadSpec(o.dir)
	if err != nil {
		return err
	}
	for _, a := range o.buildArgs {
		if !validKeyValue(a) {
			return usageErrorf("--build-arg %q is not KEY=VALUE", okd.ShowValue(a))
		}
	}
	e, err := f.engine(o.out.engine, spec.Engine)
	if err != nil {
		return err
	}
	r := f.startRun(o.out, "kiln build "+spec.ImageRef(), false, e)
	defer r.stop()
	tags := append([]string{spec.ImageRef()}, o.tags...)
	err = e.Build(r.ctx, r.sink, "build", builder.BuildOptions{ContextDir: o.dir, Tags: tags, NoCache: o.noCache, BuildArgs: o.buildArgs})
	if err := r.finish(err); err != nil {
		return err
	}
	if !o.out.json {
		fmt.Fprintf(f.out, "built %s\n", spec.ImageRef())
	}
	return nil
}

func validKeyValue(s string) bool {
	for i, c := range s {
		if c == '=' {
			return i > 0
		}
	}
	return false
}
