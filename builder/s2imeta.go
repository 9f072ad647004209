package builder

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/kiln-s2i/kiln/scaffold"
	"github.com/kiln-s2i/kiln/scaffold/okd"
)

// The generated RUN prints the metadata file assemble wrote between these
// lines, so kiln reads it from the build's output: no container, no extra
// engine call when there is none (s2i copies it out of the container).
const (
	metadataBegin = "---> kiln: begin " + MetadataFile
	metadataEnd   = "---> kiln: end " + MetadataFile
)

// assembleStepRenamer names the RUN step of assemble by its script: the
// Dockerfile line around it (artifacts restored before it, injections
// emptied and image_metadata.json printed after) is kiln's plumbing, too
// long for a progress line and not what the author wrote.
type assembleStepRenamer struct {
	next   Sink
	script string
}

func (a assembleStepRenamer) rename(step string) string {
	if strings.HasPrefix(step, "RUN ") && strings.Contains(step, a.script) {
		return "RUN " + a.script + " (the assemble script)"
	}
	return step
}

func (a assembleStepRenamer) Event(e Event) {
	if a.next != nil {
		e.Step = a.rename(e.Step)
		a.next.Event(e)
	}
}

// MaxMetadataLabels bounds the labels of the metadata file: s2i's limit on
// the sum of their keys' and values' lengths.
const MaxMetadataLabels = 10240

// metadataSink passes a build's events on, except the lines between the
// metadata markers, which it keeps.
type metadataSink struct {
	next      Sink
	mu        sync.Mutex
	in, found bool
	truncated bool
	data      strings.Builder
}

func (m *metadataSink) Event(e Event) {
	m.mu.Lock()
	if e.Kind == StepLog {
		line := strings.TrimRight(e.Line, "\r")
		switch {
		case !m.in && line == metadataBegin:
			m.in, m.found = true, true
			m.data.Reset()
			m.mu.Unlock()
			return
		case m.in && line == metadataEnd:
			m.in = false
			m.mu.Unlock()
			return
		case m.in:
			if m.data.Len()+len(line) > 4*MaxMetadataLabels {
				m.truncated = true
			} else {
				m.data.WriteString(line + "\n")
			}
			m.mu.Unlock()
			return
		}
	}
	m.mu.Unlock()
	if m.next != nil {
		m.next.Event(e)
	}
}

// ParseImageMetadata reads s2i's image metadata file:
// {"labels": [{"key": "value"}, ...]}, later entries winning. Keys must be
// label keys (okd.LabelKey) and values one line of text without control
// characters, each at most MaxMetadataLabels bytes together: they become a
// LABEL instruction, so nothing in them may end it or start another.
func ParseImageMetadata(data []byte) (map[string]string, error) {
	var doc struct {
		Labels []map[string]any `json:"labels"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s is not {\"labels\": [{\"key\": \"value\"}, ...]}: %v", MetadataFile, err)
	}
	labels := map[string]string{}
	size := 0
	for _, entry := range doc.Labels {
		for k, v := range entry {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("%s: label %q: the value is a %T, not a string", MetadataFile, okd.Cap(k), v)
			}
			if why := okd.LabelKey(k); why != "" {
				return nil, fmt.Errorf("%s: label key %q %s", MetadataFile, okd.Cap(k), why)
			}
			if r := controlChar(s); r >= 0 {
				return nil, fmt.Errorf("%s: label %s=%q holds the control character %q, which a label kiln writes cannot: write it on one line", MetadataFile, k, okd.ShowValue(s), r)
			}
			size += len(k) + len(s)
			if size > MaxMetadataLabels {
				return nil, fmt.Errorf("%s: the labels are larger than %d bytes (keys and values together, s2i's limit)", MetadataFile, MaxMetadataLabels)
			}
			labels[k] = s
		}
	}
	return labels, nil
}

// applyMetadata labels the image out with the labels of the metadata file
// assemble wrote: a second build FROM the image's ID with only a LABEL
// instruction (no layer, no RUN), tagged out; the unlabelled image, which
// this build made, is then removed. A bad file fails the build, and the
// build's image is removed (s2i fails before it commits).
func applyMetadata(ctx context.Context, e *Engine, r *reporter, step, dir, out, data string, truncated bool) error {
	img, err := e.inspectImage(ctx, out, false)
	if err != nil {
		return err
	}
	drop := func(err error) error {
		if _, rerr := e.Output(context.WithoutCancel(ctx), "rmi", img.ID); rerr == nil {
			r.emit(Event{Kind: Cleanup, Step: step, Message: "image " + shortID(img.ID) + " (its metadata was refused)"})
		}
		return err
	}
	if truncated {
		return drop(fmt.Errorf("%s is larger than %d bytes: the labels of an image are small", MetadataFile, 4*MaxMetadataLabels))
	}
	labels, err := ParseImageMetadata([]byte(data))
	if err != nil {
		return drop(err)
	}
	if len(labels) == 0 {
		return nil
	}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "FROM %s\nLABEL", img.ID)
	for _, k := range keys {
		fmt.Fprintf(&b, " \\\n      %s=%s", scaffold.DockerfileQuote(k), scaffold.DockerfileQuote(labels[k]))
	}
	b.WriteString("\n")
	df := filepath.Join(dir, "Dockerfile.metadata")
	if err := os.WriteFile(df, []byte(b.String()), 0o644); err != nil {
		return drop(err)
	}
	r.emit(Event{Kind: StepLog, Step: step, Stream: "stdout", Line: fmt.Sprintf("applying %d labels from %s: %s", len(keys), MetadataFile, strings.Join(keys, ", "))})
	empty := filepath.Join(dir, "metadata-context")
	if err := os.Mkdir(empty, 0o755); err != nil {
		return drop(err)
	}
	if err := e.Build(ctx, r.sink, step, BuildOptions{ContextDir: empty, Dockerfile: df, Tags: []string{out}, NoLayers: true}); err != nil {
		return drop(err)
	}
	if _, err := e.Output(context.WithoutCancel(ctx), "rmi", img.ID); err == nil {
		r.emit(Event{Kind: Cleanup, Step: step, Message: "image " + shortID(img.ID) + " (relabelled as " + out + ")"})
	}
	return nil
}
