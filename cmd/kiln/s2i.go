package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/scaffold/okd"
)

type s2iBuildOptions struct {
	opts builder.S2IOptions
	out  runOutputOptions
	// accepted for scripts written for s2i build, without effect in kiln
	logLevel int
	quiet    bool
	exclude  string
	inject   []string
	volumes  []string
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
		Short: "Build image OUT from the source SRC (a directory or git URL) with the s2i builder image BUILDER",
		Long: `Build image OUT from the source directory SRC with the s2i builder image BUILDER,
as OKD does: a Dockerfile FROM the builder copies the source to <destination>/src,
runs the assemble script as the assemble user, and makes the run script the CMD.

Each script comes from the first of --scripts-url, the source's .s2i/bin, the
builder's io.openshift.s2i.scripts-url label and /usr/libexec/s2i that has it;
URLs are image:///path, file:///path or http(s)://host/path.`,
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
	fl.StringVar(&o.opts.ScriptsURL, "scripts-url", "", "where the s2i scripts are (image:///path, file:///path, http(s)://...), before the source's and the image's")
	fl.StringArrayVarP(&o.opts.Env, "env", "e", nil, "an environment variable KEY=VALUE for assemble and run (repeatable)")
	fl.BoolVar(&o.opts.Incremental, "incremental", false, "restore the previous OUT's save-artifacts output before assemble")
	fl.StringVar(&o.opts.AsDockerfile, "as-dockerfile", "", "write the Dockerfile to PATH (PATH/ means PATH/Dockerfile; the directory is created, and must not be inside SRC) and its context (upload/) beside it, without building")
	fl.BoolVar(&o.opts.RemovePrevious, "rm", false, "with --incremental, remove the previous image once the new one has its tag (kept otherwise, as s2i does)")
	fl.BoolVar(&o.opts.NoCache, "no-cache", false, "do not reuse cached layers")
	fl.StringVarP(&o.opts.Ref, "ref", "r", "", "the git branch, tag or commit to build (SRC a git URL or repository)")
	fl.StringVar(&o.opts.ContextDir, "context-dir", "", "the directory of the source to build, relative to its root (monorepos)")
	fl.BoolVar(&o.opts.Copy, "copy", false, "build a local git repository's files as they are on disk (untracked and modified ones too), without commit labels, instead of its HEAD")
	fl.StringVarP(&o.opts.EnvFile, "environment-file", "E", "", "a file of KEY=VALUE lines for assemble and run, after .s2i/environment and before --env")
	fl.StringVar(&o.exclude, "exclude", builder.DefaultExclude().String(), "a regular expression of source paths (relative, slash-separated) left out of the build; \"\" leaves nothing out")
	fl.StringArrayVarP(&o.inject, "inject", "i", nil, "SOURCE:DESTINATION: a file or directory present while assemble runs and emptied afterwards, e.g. build-time credentials (repeatable)")
	fl.StringVarP(&o.opts.DisplayName, "application-name", "n", "", "the application's display name, label io.k8s.display-name (default: OUT)")
	fl.StringVar(&o.opts.Description, "description", "", "the application's description, label io.k8s.description")
	fl.StringVar(&o.opts.Network, "network", "", "the network mode of the build's RUN steps (the engine's --network: host, none, ...)")
	fl.StringArrayVar(&o.opts.AddHosts, "add-host", nil, "an extra host:IP line in the build's /etc/hosts (repeatable)")
	fl.StringVar(&o.opts.PullPolicy, "pull-policy", "if-not-present", "when to pull BUILDER: always, never or if-not-present")
	fl.StringVar(&o.opts.IncrementalPullPolicy, "incremental-pull-policy", "if-not-present", "with --incremental, when to pull the previous OUT: always, never or if-not-present (a failed pull means a clean build)")
	fl.StringArrayVarP(&o.volumes, "volume", "v", nil, "HOST:DEST[:ro]: bind-mount a host directory or file into the assemble run only, e.g. a dependency cache (repeatable; not with --as-dockerfile)")
	fl.BoolVar(&o.opts.KeepSymlinks, "keep-symlinks", false, "copy a directory source's symbolic links as links; by default, as s2i, a link is followed and its target copied, unless it leads out of the source (then it stays a link)")
	fl.IntVar(&o.logLevel, "loglevel", 0, "accepted for s2i compatibility; kiln's output is its events (see --plain, --json)")
	fl.BoolVarP(&o.quiet, "quiet", "q", false, "accepted for s2i compatibility; kiln's output is its events (see --plain, --json)")
	addRunOutputFlags(cmd, &o.out)
	return cmd
}

func runS2IBuild(f *factory, o *s2iBuildOptions) error {
	if _, err := builder.ParseAllowedUIDs(o.opts.AllowedUIDs); err != nil {
		return usageErrorf("%v", err)
	}
	re, err := regexp.Compile(o.exclude)
	if err != nil {
		return usageErrorf("--exclude %q is not a regular expression: %v", o.exclude, err)
	}
	o.opts.Exclude = re
	for _, v := range o.inject {
		in, err := builder.ParseInjection(v)
		if err != nil {
			return usageErrorf("%v", err)
		}
		o.opts.Injections = append(o.opts.Injections, in)
	}
	for _, v := range o.volumes {
		vol, err := builder.ParseVolume(v)
		if err != nil {
			return usageErrorf("%v", err)
		}
		o.opts.Volumes = append(o.opts.Volumes, vol)
	}
	for _, h := range o.opts.AddHosts {
		if name, ip, ok := strings.Cut(h, ":"); !ok || name == "" || ip == "" {
			return usageErrorf("--add-host %q is not host:IP", okd.ShowValue(h))
		}
	}
	if err := o.opts.Validate(); err != nil {
		return usageErrorf("%v", err)
	}
	e, err := f.engine(o.out.engine, "")
	if err != nil {
		return err
	}
	r := f.startRun(o.out, "kiln s2i build "+o.opts.Output, false, e)
	defer r.stop()
	res, err := builder.S2IBuild(r.ctx, e, r.sink, "s2i build", o.opts)
	if err := r.finish(err); err != nil {
		return err
	}
	if !o.out.json {
		if o.opts.AsDockerfile != "" {
			fmt.Fprintf(f.out, "wrote %s and %s\n", res.Dockerfile, filepath.Join(filepath.Dir(res.Dockerfile), "upload"))
		} else {
			fmt.Fprintf(f.out, "built %s\n", o.opts.Output)
		}
	}
	return nil
}
