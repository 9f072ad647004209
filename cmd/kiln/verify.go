package main

import (
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/builder/image"
	"github.com/kiln-s2i/kiln/builder/verify"
	"github.com/kiln-s2i/kiln/scaffold"
)

// registryOptions are the flags verify and push share.
type registryOptions struct {
	tlsVerify bool
	creds     string
	credsFile string
	engine    string
}

func addRegistryFlags(cmd *cobra.Command, o *registryOptions) {
	f := cmd.Flags()
	f.BoolVar(&o.tlsVerify, "tls-verify", true, "require HTTPS and valid certificates of registries (false also allows plain HTTP)")
	f.StringVar(&o.creds, "creds", "", "registry credentials USER:PASSWORD (default: the auth files podman login and docker login write)")
	f.StringVar(&o.credsFile, "creds-file", "", "a file holding USER:PASSWORD on its first line")
	f.StringVar(&o.engine, "engine", "", "whose local storage a bare image name means: podman/buildah (containers-storage) or docker (docker-daemon)")
}

// imageOptions turns the flags into containers/image options. A bare name
// means the local storage of the detected engine.
func (o registryOptions) imageOptions() image.Options {
	opts := image.DefaultOptions()
	opts.TLSVerify, opts.Creds, opts.CredsFile = o.tlsVerify, o.creds, o.credsFile
	name := o.engine
	if name == "" {
		name = os.Getenv("KILN_ENGINE")
	}
	if e, err := builder.DetectEngine(name); err == nil && e.Kind == builder.Docker {
		opts.Local = image.DockerDaemon
	}
	return opts
}

// imageError maps containers/image errors to exit codes: bad input, a
// missing image or an unreachable registry exit 2 with one line.
func imageError(err error) error {
	if err == nil {
		return nil
	}
	for _, k := range []image.ErrorKind{image.BadInput, image.NotFound, image.Unreachable, image.Unauthorized} {
		if image.IsKind(err, k) {
			return &exitError{code: exitUsage, err: err}
		}
	}
	return &exitError{code: exitFailed, err: err}
}

type verifyOptions struct {
	ref           string
	format        string
	list          bool
	spec          string
	certification bool
	reg           registryOptions
}

func newVerifyCmd(fac *factory) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify IMAGE",
		Short: "Check a built image against the OKD image guidelines",
		Long: `Read IMAGE with containers/image and check its final filesystem, config and
layers against the OKD image guidelines: a numeric non-root USER, writable
directories of group 0, /etc/passwd, no sshd, ports, the OKD labels, the s2i
scripts (run is linted as kiln lint does), package caches and wasted bytes in
layers, the tag, and secrets in ENV. kiln verify --list shows every check with
its guideline; docs/verify.md explains them.

IMAGE is NAME:TAG in the local storage of the engine (podman's by default), or
TRANSPORT:NAME: containers-storage:, oci:DIR[:TAG], oci-archive:FILE,
docker-archive:FILE (e.g. from podman save), docker-daemon:, docker://REGISTRY/NAME:TAG.

Exit status: 0 every check passed (warnings allowed), 1 a check failed, 2 bad
input, a missing image or an unreachable registry.`,
		Example: `  kiln verify mybuilder:1.0
  kiln verify --spec kiln.yaml --format json mybuilder:1.0
  kiln verify docker-archive:mybuilder.tar
  kiln verify --tls-verify=false docker://127.0.0.1:5000/mybuilder:1.0
  kiln verify --list`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.ref = args[0]
			}
			return runVerify(fac.streams, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "text", "output format: text or json")
	f.BoolVar(&o.list, "list", false, "list every check with its guideline ID and exit")
	f.StringVar(&o.spec, "spec", "", "kiln.yaml (or its directory) whose HOME, writableDirs and volumes KV002 checks")
	f.BoolVar(&o.certification, "certification", false, "also check the certification labels and /licenses")
	addRegistryFlags(cmd, &o.reg)
	return cmd
}

func runVerify(s streams, o *verifyOptions) error {
	if o.format != "text" && o.format != "json" {
		return usageErrorf("--format %q: use text or json", o.format)
	}
	if o.list {
		return verify.WriteList(s.out, o.format == "json")
	}
	if o.ref == "" {
		return usageErrorf("give the image to verify, e.g. kiln verify mybuilder:1.0 (kiln verify --list shows the checks)")
	}
	vo := verify.Options{Certification: o.certification}
	if o.spec != "" {
		dir := o.spec
		if filepath.Base(dir) == scaffold.SpecFile {
			dir = filepath.Dir(dir)
		}
		spec, err := loadSpec(dir)
		if err != nil {
			return err
		}
		vo.WritableDirs = verify.SpecDirs(spec)
	}
	ctx, stop := signalContext()
	defer stop()
	img, err := image.Open(ctx, o.ref, o.reg.imageOptions())
	if err != nil {
		return imageError(err)
	}
	defer img.Close()
	rep, err := verify.Run(ctx, img, vo)
	if err != nil {
		if ctx.Err() != nil {
			return runError(ctx, err)
		}
		return imageError(err)
	}
	if o.format == "json" {
		err = verify.WriteJSON(s.out, rep)
	} else {
		err = verify.WriteText(s.out, rep)
	}
	if err != nil {
		return err
	}
	if !rep.Passed {
		return &exitError{code: exitFailed}
	}
	return nil
}
