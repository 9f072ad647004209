package builder

import (
	"encoding/json"
	"fmt"
	"strings"
)

// dialect is how one engine CLI says what kiln needs. Every difference
// between the engines lives in the dialects table: adding an engine is one
// entry there.
type dialect struct {
	// build is the build command and the flags kiln always passes.
	build []string
	// inspectImage prints an image's config (ref appended); parseInspect reads it.
	inspectImage []string
	parseInspect func(out []byte) (ociConfig, string, error)
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
	// listContainers prints "ID CREATED NAME" lines of every container,
	// build containers included, or "ID NAME" when untimed.
	listContainers []string
	untimed        bool
	// danglingImages prints the dangling images as a JSON array of {id, created}.
	danglingImages []string
}

var dialects = map[EngineKind]*dialect{
	Podman: {
		build:          []string{"build"},
		inspectImage:   []string{"image", "inspect"},
		parseInspect:   parseArrayInspect,
		imageExists:    []string{"image", "exists"},
		forceRemove:    []string{"rm", "-f", "-t", "0"}, // else a running one gets 10 s to stop
		info:           []string{"info", "--format", "json"},
		version:        []string{"version", "--format", "{{.Client.Version}}"},
		parseVersion:   strings.TrimSpace,
		canRun:         true,
		listContainers: []string{"ps", "-a", "--no-trunc", "--external", "--format", "{{.ID}} {{.Created.Unix}} {{.Names}}"},
		danglingImages: []string{"images", "--filter", "dangling=true", "--format", "json"},
	},
	Buildah: {
		// buildah neither caches layers nor removes the container of a failed
		// step unless asked; podman and docker do both by default.
		build:        []string{"build", "--layers", "--force-rm"},
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
		listContainers: []string{"containers", "--notruncate", "--format", "{{.ContainerID}} {{.ContainerName}}"},
		untimed:        true,
		danglingImages: []string{"images", "--filter", "dangling=true", "--json"},
	},
	Docker: {
		build:        []string{"build"},
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

// parseBuildahInspect reads buildah inspect --type image.
func parseBuildahInspect(out []byte) (ociConfig, string, error) {
	var v struct {
		FromImageID string `json:"FromImageID"`
		OCIv1       struct {
			Config ociConfig `json:"config"`
		} `json:"OCIv1"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return ociConfig{}, "", fmt.Errorf("reading buildah inspect output: %w", err)
	}
	return v.OCIv1.Config, v.FromImageID, nil
}
