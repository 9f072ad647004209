package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/kiln-s2i/kiln/builder"
)

type s2iBuildOptions struct {
	opts builder.S2IOptions
	out  runOutputOptions
}

func newS2ICmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "s2i",
		Short: "Source-to-image builds, done natively the way OKD does them",
	}
	cmd.AddCommand(newS2IBuildCmd(f))
	return cmd
}

func newS2IBuildCmd(f *factory) *cobra.Command {
	o := &s2iBuildOptions{}
	cmd := &cobra.Command{
		Use:   "build SRC BUILDER OUT",
		Short: "Build image OUT from the source in SRC with the s2i builder image BUILDER",
		Long: `Build image OUT from the source directory SRC with the s2i builder image BUILDER,
as OKD does: a Dockerfile FROM the builder copies the source to <destination>/src,
runs the assemble script as the assemble user, and makes the run script the CMD.

Scripts come from --scripts-url (image:// only), else the source's .s2i/bin,
else the builder's io.openshift.s2i.scripts-url label, else /usr/libexec/s2i.`,
		Example: `  kiln s2i build ./myapp localhost/mybuilder:1.0 localhost/myapp
  kiln s2i build ./myapp mybuilder:1.0 myapp --incremental --allowed-uids 1-
  kiln s2i build ./myapp mybuilder:1.0 myapp --as-dockerfile /tmp/myapp/Dockerfile`,
		Args: cobra.ExactArgs(3),
		RunE: func(_ *cobra.Command, args []string) error {
			o.opts.Source, o.opts.Builder, o.opts.Output = args[0], args[1], args[2]
			return runS2IBuild(f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.opts.AssembleUser, "assemble-user", "", "the user assemble runs as (default: label io.openshift.s2i.assemble-user, else the image's USER)")
	fl.StringVar(&o.opts.AllowedUIDs, "allowed-uids", "", "UID ranges the assemble user must be in: N, N-M, N- or -M, comma-separated (e.g. 1-)")
	fl.StringVar(&o.opts.ScriptsURL, "scripts-url", "", "image:///path of the s2i scripts, overriding the source's and the image's")
	fl.StringArrayVarP(&o.opts.Env, "env", "e", nil, "an environment variable KEY=VALUE for assemble and run (repeatable)")
	fl.BoolVar(&o.opts.Incremental, "incremental", false, "restore the previous OUT's save-artifacts output before assemble")
	fl.StringVar(&o.opts.AsDockerfile, "as-dockerfile", "", "write the Dockerfile to PATH and its context (upload/) beside it, without building")
	fl.BoolVar(&o.opts.NoCache, "no-cache", false, "do not reuse cached layers")
	addRunOutputFlags(cmd, &o.out)
	return cmd
}

func runS2IBuild(f *factory, o *s2iBuildOptions) error {
	if _, err := builder.ParseAllowedUIDs(o.opts.AllowedUIDs); err != nil {
		return usageErrorf("%v", err)
	}
	if o.opts.AsDockerfile != "" {
		abs, err := filepath.Abs(o.opts.AsDockerfile)
		if err != nil {
			return usageErrorf("--as-dockerfile %s: %v", o.opts.AsDockerfile, err)
		}
		o.opts.AsDockerfile = abs
	}
	e, err := f.engine(o.out.engine, "")
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	sink, done := f.eventSink(o.out, "kiln s2i build "+o.opts.Output, stop, false)
	_, err = builder.S2IBuild(ctx, e, sink, "s2i build", o.opts)
	done(err)
	if err != nil {
		return runError(ctx, err)
	}
	if !o.out.json {
		if o.opts.AsDockerfile != "" {
			fmt.Fprintf(f.out, "wrote %s and %s\n", o.opts.AsDockerfile, filepath.Join(filepath.Dir(o.opts.AsDockerfile), "upload"))
		} else {
			fmt.Fprintf(f.out, "built %s\n", o.opts.Output)
		}
	}
	return nil
}
