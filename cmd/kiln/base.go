package main

import (
	"context"
	"fmt"
	"time"

	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/builder/image"
	"github.com/kiln-s2i/kiln/scaffold"
	"github.com/kiln-s2i/kiln/scaffold/lint"
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

// lookUpBase inspects the base image for kiln new without a terminal, as
// the wizard does, and says what it found in one line on stderr. It is never
// fatal: an image kiln cannot see is only a notice. ok is false when it was
// not looked up (no podman or buildah store to read).
func lookUpBase(s streams, ref string) (info builder.BaseInfo, ok bool) {
	insp := baseInspector()
	if insp.Inspect == nil || ref == "" {
		return info, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*baseTimeout)
	defer cancel()
	info = insp.Inspect(ctx, ref)
	fmt.Fprintf(s.err, "kiln new: base image %s: %s\n", ref, info.Summary())
	return info, true
}

// followBase makes the package manager follow the base image when the
// author did not choose one (G06: the package manager the image has), as
// the wizard's followBase does, and says so.
func followBase(s streams, spec *scaffold.Spec, info builder.BaseInfo, chosen bool) {
	if chosen {
		return
	}
	if was, ok := info.FollowPackageManager(spec); ok {
		fmt.Fprintf(s.err, "kiln new: package manager %s, as the base image has (was %s; --pkg-manager chooses another)\n", spec.PackageManager, was)
	}
}

// recordBase writes what kiln found in the base image to dir's
// .kiln/base-image.json, for kiln lint (lint.BaseImageFile).
func recordBase(s streams, dir string, info builder.BaseInfo) {
	b, ok := info.LintBase()
	if !ok {
		return
	}
	if err := scaffold.WriteBaseImage(dir, b); err != nil {
		fmt.Fprintf(s.err, "kiln: %v\n", err) // lint then guesses, as without it
	}
}

// lintBaseLookup is kiln lint --inspect-base's lookup: each base image is
// inspected once, and one that cannot be found leaves lint to its record
// or its guess.
func lintBaseLookup() func(ref string) (lint.BaseImage, bool) {
	insp := baseInspector()
	seen := map[string]builder.BaseInfo{}
	return func(ref string) (lint.BaseImage, bool) {
		if insp.Inspect == nil {
			return lint.BaseImage{}, false
		}
		info, ok := seen[ref]
		if !ok {
			info = insp.Inspect(context.Background(), ref)
			seen[ref] = info
		}
		return info.LintBase()
	}
}
