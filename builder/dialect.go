package builder

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// dialect is how one engine CLI says what kiln needs. Every difference
// between the engines lives in the dialects table: adding an engine is one
// entry there.
type dialect struct {
	// build is the build command and the flags kiln always passes;
	// noLayers turns the layer cache off.
	build    []string
	noLayers []string
	// inspectImage prints an image's config (ref appended); parseInspect reads it.
	inspectImage []string
	parseInspect func(out []byte) (ociConfig, string, error)
	// onBuild reads the ONBUILD instructions when inspect does not show them
	// (podman 4.3 drops them from its output).
	onBuild func(ctx context.Context, e *Engine, ref string, inspect []byte) []string
	// untag removes a name (IMAGE NAME appended) without the image.
	untag []string
	// imageExists succeeds when the image (appended) is local.
	imageExists []string
	// forceRemove removes a container (appended) at once.
	forceRemove []string
	// info prints the engine's storage and runtime as JSON.
	info []string
	// version prints the version; parseVersion picks it out.
	version      []string
	parseVersion func(out string) string
	// canRun: the engine runs containers (buildah only builds).
	canRun bool
	// env is added to every invocation.
	env []string
	// daemon: the engine is a daemon's client; the daemon reads its own configuration, must be running, and cleans up after an interrupted build.
	daemon bool
	// listContainers prints "ID NAME IMAGE-ID" lines of every container,
	// build containers included.
	listContainers []string
}

var dialects = map[EngineKind]*dialect{
	Podman: {
		build:          []string{"build"},
		noLayers:       []string{"--layers=false"},
		inspectImage:   []string{"image", "inspect"},
		parseInspect:   parseArrayInspect,
		onBuild:        podmanOnBuild,
		imageExists:    []string{"image", "exists"},
		untag:          []string{"untag"},
		forceRemove:    []string{"rm", "-f", "-t", "0"}, // else a running one gets 10 s to stop
		info:           []string{"info", "--format", "json"},
		version:        []string{"version", "--format", "{{.Client.Version}}"},
		parseVersion:   strings.TrimSpace,
		canRun:         true,
		listContainers: []string{"ps", "-a", "--no-trunc", "--external", "--format", "{{.ID}} {{.Names}} {{.ImageID}}"},
	},
	Buildah: {
		// buildah neither caches layers nor removes the container of a failed
		// step unless asked; podman and docker do both by default.
		build:        []string{"build", "--layers", "--force-rm"},
		noLayers:     []string{"--layers=false"},
		inspectImage: []string{"inspect", "--type", "image"},
		parseInspect: parseBuildahInspect,
		imageExists:  []string{"inspect", "--type", "image"},
		forceRemove:  []string{"rm"},
		info:         []string{"info"}, // JSON already; it has no --format json
		version:      []string{"version"},
		parseVersion: func(out string) string {
			for _, l := range strings.Split(out, "\n") {
				if v, ok := strings.CutPrefix(strings.TrimSpace(l), "Version:"); ok {
					return strings.TrimSpace(v)
				}
			}
			return strings.TrimSpace(out)
		},
		listContainers: []string{"containers", "--notruncate", "--format", "{{.ContainerID}} {{.ContainerName}} {{.ImageID}}"},
	},
	Docker: {
		build:        []string{"build"},
		noLayers:     []string{"--no-cache"}, // BuildKit keeps no intermediate images anyway
		inspectImage: []string{"image", "inspect"},
		parseInspect: parseArrayInspect,
		imageExists:  []string{"image", "inspect"},
		forceRemove:  []string{"rm", "-f"},
		info:         []string{"info", "--format", "{{json .}}"},
		version:      []string{"version", "--format", "{{.Client.Version}}"},
		parseVersion: strings.TrimSpace,
		canRun:       true,
		// BuildKit (buildx) prints plain, line-oriented progress with this;
		// the legacy builder ignores it.
		env:    []string{"BUILDKIT_PROGRESS=plain"},
		daemon: true,
	},
}

func (e *Engine) dialect() *dialect { return dialects[e.Kind] }

// parseArrayInspect reads podman's and docker's image inspect: an array of {Id, Config}.
func parseArrayInspect(out []byte) (ociConfig, string, error) {
	var v []struct {
		ID     string    `json:"Id"`
		Config ociConfig `json:"Config"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return ociConfig{}, "", fmt.Errorf("reading inspect output: %w", err)
	}
	if len(v) == 0 {
		return ociConfig{}, "", fmt.Errorf("inspect printed no image")
	}
	return v[0].Config, v[0].ID, nil
}

// podmanOnBuild reads the ONBUILD instructions through buildah, which
// shares podman's storage and shows the image's Docker config; without
// buildah, from the image's history ("#(nop) ONBUILD ..."), which also
// lists an ancestor's triggers: stricter, never laxer.
func podmanOnBuild(ctx context.Context, e *Engine, ref string, inspect []byte) []string {
	if bp, err := lookPath("buildah"); err == nil {
		// as the engine runs: its TMPDIR, its process group, stopped
		// with SIGTERM first (a SIGKILLed buildah leaves temp directories)
		cmd := e.commandOf(nil, bp, "inspect", "--type", "image", ref)
		var out bytes.Buffer
		cmd.Stdout = &out
		if err := runCmd(ctx, cmd); err == nil {
			if c, _, err := parseBuildahInspect(out.Bytes()); err == nil {
				return c.OnBuild
			}
		}
	}
	var v []struct {
		History []struct {
			CreatedBy string `json:"created_by"`
		} `json:"History"`
	}
	_ = json.Unmarshal(inspect, &v)
	var ins []string
	for _, img := range v {
		for _, h := range img.History {
			if _, after, ok := strings.Cut(h.CreatedBy, "#(nop) ONBUILD "); ok {
				ins = append(ins, strings.TrimSpace(after))
			}
		}
	}
	return ins
}

// parseBuildahInspect reads buildah inspect --type image.
func parseBuildahInspect(out []byte) (ociConfig, string, error) {
	var v struct {
		FromImageID string `json:"FromImageID"`
		OCIv1       struct {
			Config ociConfig `json:"config"`
		} `json:"OCIv1"`
		Docker struct {
			Config struct {
				OnBuild []string `json:"OnBuild"`
			} `json:"config"`
		} `json:"Docker"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return ociConfig{}, "", fmt.Errorf("reading buildah inspect output: %w", err)
	}
	c := v.OCIv1.Config
	c.OnBuild = v.Docker.Config.OnBuild // OCI configs have no ONBUILD
	return c, v.FromImageID, nil
}
