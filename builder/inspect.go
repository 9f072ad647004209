package builder

import (
	"context"
	"fmt"
	"strings"
)

// ImageConfig is the part of an image's config an s2i build needs.
type ImageConfig struct {
	ID         string
	User       string
	Labels     map[string]string
	Env        []string
	Cmd        []string
	Entrypoint []string
	WorkingDir string
	// OnBuild are the image's ONBUILD instructions, which run right after
	// the FROM of a build on it.
	OnBuild []string
}

// InspectImage reads an image's config through the engine's own inspect
// command rather than containers/image: the engine knows its storage (the
// graph root and driver from CONTAINERS_CONF/storage.conf, rootless paths,
// docker's daemon), so kiln sees exactly the image the engine will build
// FROM, and kiln needs neither cgo nor the storage drivers compiled in.
func (e *Engine) InspectImage(ctx context.Context, ref string) (*ImageConfig, error) {
	return e.inspectImage(ctx, ref, true)
}

// inspectImage is InspectImage; without onBuild, OnBuild may be left empty
// where the engine's inspect drops it (podman), which saves the second
// engine call that reads it.
func (e *Engine) inspectImage(ctx context.Context, ref string, onBuild bool) (*ImageConfig, error) {
	out, err := e.Output(ctx, append(e.dialect().inspectImage, ref)...)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", ref, err)
	}
	img, err := parseInspect(e.dialect(), out)
	if err == nil && onBuild && len(img.OnBuild) == 0 && e.dialect().onBuild != nil {
		img.OnBuild = e.dialect().onBuild(ctx, e, ref, out)
	}
	return img, err
}

// imageID is the ID of the local image ref.
func (e *Engine) imageID(ctx context.Context, ref string) (string, error) {
	out, err := e.Output(ctx, append(e.dialect().inspectImage, ref)...)
	if err != nil {
		return "", err
	}
	_, id, err := e.dialect().parseInspect(out)
	return id, err
}

type ociConfig struct {
	User       string            `json:"User"`
	Labels     map[string]string `json:"Labels"`
	Env        []string          `json:"Env"`
	Cmd        []string          `json:"Cmd"`
	Entrypoint []string          `json:"Entrypoint"`
	WorkingDir string            `json:"WorkingDir"`
	OnBuild    []string          `json:"OnBuild"`
}

func parseInspect(d *dialect, out []byte) (*ImageConfig, error) {
	c, id, err := d.parseInspect(out)
	if err != nil {
		return nil, err
	}
	if c.Labels == nil {
		c.Labels = map[string]string{}
	}
	return &ImageConfig{ID: strings.TrimPrefix(id, "sha256:"), User: c.User, Labels: c.Labels, Env: c.Env,
		Cmd: c.Cmd, Entrypoint: c.Entrypoint, WorkingDir: c.WorkingDir, OnBuild: c.OnBuild}, nil
}

// ImageExists reports whether ref names a local image.
func (e *Engine) ImageExists(ctx context.Context, ref string) bool {
	_, err := e.Output(ctx, append(e.dialect().imageExists, ref)...)
	return err == nil
}
