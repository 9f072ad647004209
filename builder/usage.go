package builder

import (
	"context"
	"fmt"
	"io"
	"path"
)

// Usage runs the image's usage script (found like s2i finds the other
// scripts: the scripts-url label, else /usr/libexec/s2i) with its stdout
// going to out and its stderr reported as log lines of step "usage".
func Usage(ctx context.Context, e *Engine, sink Sink, image string, out io.Writer) error {
	if !e.CanRun() {
		return fmt.Errorf("%s cannot run containers: use podman or docker (--engine)", e.Kind)
	}
	img, err := e.InspectImage(ctx, image)
	if err != nil {
		return err
	}
	dir := DefaultScriptsDir
	for _, l := range []string{LabelScriptsURL, LabelLegacyScriptsURL} {
		if u := img.Labels[l]; u != "" {
			if dir, err = imageScriptsDir(u, "label "+l); err != nil {
				return fmt.Errorf("image %s: %w", image, err)
			}
			break
		}
	}
	r := newReporter(sink)
	name := newName("kiln-usage-")
	err = e.Stream(ctx, func(stream, line string) { r.log("usage", stream, line) }, out,
		e.runArgs("--rm", "--name", name, "--entrypoint", path.Join(dir, "usage"), image)...)
	_, _ = e.Output(context.WithoutCancel(ctx), e.forceRemoveArgs(name)...)
	if err != nil {
		return fmt.Errorf("running the usage script of %s: %w", image, err)
	}
	return nil
}
