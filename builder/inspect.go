package builder

import (
	"context"
	"encoding/json"
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
}

// InspectImage reads an image's config through the engine's own inspect
// command rather than containers/image: the engine knows its storage (the
// graph root and driver from CONTAINERS_CONF/storage.conf, rootless paths,
// docker's daemon), so kiln sees exactly the image the engine will build
// FROM, and kiln needs neither cgo nor the storage drivers compiled in.
func (e *Engine) InspectImage(ctx context.Context, ref string) (*ImageConfig, error) {
	var out []byte
	var err error
	switch e.Kind {
	case Buildah:
		out, err = e.Output(ctx, "inspect", "--type", "image", ref)
	default:
		out, err = e.Output(ctx, "image", "inspect", ref)
	}
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", ref, err)
	}
	return parseInspect(e.Kind, out)
}

type ociConfig struct {
	User       string            `json:"User"`
	Labels     map[string]string `json:"Labels"`
	Env        []string          `json:"Env"`
	Cmd        []string          `json:"Cmd"`
	Entrypoint []string          `json:"Entrypoint"`
	WorkingDir string            `json:"WorkingDir"`
}

func parseInspect(kind EngineKind, out []byte) (*ImageConfig, error) {
	var c ociConfig
	var id string
	switch kind {
	case Buildah:
		var v struct {
			FromImageID string `json:"FromImageID"`
			OCIv1       struct {
				Config ociConfig `json:"config"`
			} `json:"OCIv1"`
		}
		if err := json.Unmarshal(out, &v); err != nil {
			return nil, fmt.Errorf("reading buildah inspect output: %w", err)
		}
		c, id = v.OCIv1.Config, v.FromImageID
	default:
		// podman and docker both print an array of {Id, Config{...}}.
		var v []struct {
			ID     string    `json:"Id"`
			Config ociConfig `json:"Config"`
		}
		if err := json.Unmarshal(out, &v); err != nil {
			return nil, fmt.Errorf("reading %s inspect output: %w", kind, err)
		}
		if len(v) == 0 {
			return nil, fmt.Errorf("%s inspect printed no image", kind)
		}
		c, id = v[0].Config, v[0].ID
	}
	if c.Labels == nil {
		c.Labels = map[string]string{}
	}
	return &ImageConfig{ID: strings.TrimPrefix(id, "sha256:"), User: c.User, Labels: c.Labels, Env: c.Env,
		Cmd: c.Cmd, Entrypoint: c.Entrypoint, WorkingDir: c.WorkingDir}, nil
}

// ImageExists reports whether ref names a local image.
func (e *Engine) ImageExists(ctx context.Context, ref string) bool {
	var err error
	switch e.Kind {
	case Buildah:
		_, err = e.Output(ctx, "inspect", "--type", "image", ref)
	case Podman:
		_, err = e.Output(ctx, "image", "exists", ref)
	default:
		_, err = e.Output(ctx, "image", "inspect", ref)
	}
	return err == nil
}
