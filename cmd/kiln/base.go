package main

import (
	"context"
	"time"

	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/builder/image"
	"github.com/kiln-s2i/kiln/tui"
)

// baseTimeout bounds the wizard's registry lookup of a base image.
const baseTimeout = 3 * time.Second

// baseInspector looks base images up for the wizard: local storage, then
// the registry for at most baseTimeout (G01: the author sees at once whether
// the image is there, and what it is).
func baseInspector() tui.BaseInspector {
	// The lookup reads podman's and buildah's store; without one of them
	// there is no store to read, and opening it would create one.
	if e, err := builder.DetectEngine(""); err != nil || e.Kind == builder.Docker {
		return tui.BaseInspector{}
	}
	return tui.BaseInspector{
		Inspect: func(ctx context.Context, ref string) builder.BaseInfo {
			return builder.InspectBase(ctx, ref, baseTimeout)
		},
		Local: func() []string {
			names, _ := image.LocalNames()
			return names
		},
	}
}
