package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/builder/image"
)

type pushOptions struct {
	src, dest  string
	digestFile string
	reg        registryOptions
	plain      bool
	json       bool
}

func newPushCmd(fac *factory) *cobra.Command {
	o := &pushOptions{}
	cmd := &cobra.Command{
		Use:   "push IMAGE DEST",
		Short: "Copy an image to a registry (or any containers/image destination)",
		Long: `Copy IMAGE (NAME:TAG in the engine's local storage, or TRANSPORT:NAME) to DEST,
e.g. docker://image-registry.openshift-image-registry.svc:5000/NS/NAME:TAG; a
DEST without a transport is a registry reference (docker://). On a terminal a
progress view shows the bytes of each layer; elsewhere one line per event, or
JSON lines with --json.

Credentials come from --creds USER:PASSWORD, --creds-file, else the auth files
podman login and docker login write (REGISTRY_AUTH_FILE, the containers
auth.json, docker's config.json). They are never printed.

Exit status: 0 pushed, 1 the copy failed (the message says what was pushed),
2 bad input, a missing image or an unreachable or refusing registry.`,
		Example: `  kiln push mybuilder:1.0 docker://quay.io/me/mybuilder:1.0
  kiln push --tls-verify=false --digestfile digest mybuilder:1.0 127.0.0.1:5000/me/mybuilder:1.0
  kiln push mybuilder:1.0 oci-archive:mybuilder.tar`,
		Args: cobra.ExactArgs(2),
		RunE: func(_ *cobra.Command, args []string) error {
			o.src, o.dest = args[0], args[1]
			return runPush(fac, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.digestFile, "digestfile", "", "write the pushed manifest's digest to this file")
	f.BoolVar(&o.plain, "plain", false, "print one line per event, even on a terminal")
	f.BoolVar(&o.json, "json", false, "print the events as JSON lines, for scripts")
	addRegistryFlags(cmd, &o.reg)
	return cmd
}

func runPush(f *factory, o *pushOptions) error {
	if _, err := image.DestinationReference(o.dest); err != nil {
		return imageError(err)
	}
	out := runOutputOptions{engine: o.reg.engine, plain: o.plain, json: o.json}
	r := f.startRun(out, "kiln push "+o.src, false, nil)
	defer r.stop()
	digest, err := builder.Push(r.ctx, r.sink, o.src, o.dest, image.PushOptions{Options: o.reg.imageOptions(), DigestFile: o.digestFile})
	if ferr := r.finish(err); err != nil {
		if r.ctx.Err() != nil {
			return ferr
		}
		return pushError(err)
	}
	if !o.json {
		fmt.Fprintf(f.out, "pushed %s to %s (%s)\n", o.src, o.dest, digest)
	}
	return nil
}

// pushError: bad input and a missing source exit 2; a copy that fails
// (refused credentials, a registry gone part-way) exits 1.
func pushError(err error) error {
	if image.IsKind(err, image.BadInput) || image.IsKind(err, image.NotFound) {
		return &exitError{code: exitUsage, err: err}
	}
	return &exitError{code: exitFailed, err: err}
}
