package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/scaffold"
	"github.com/kiln-s2i/kiln/tui"
)

// runOutputOptions are the flags every command that runs an engine shares.
type runOutputOptions struct {
	engine string
	plain  bool
	json   bool
}

func addRunOutputFlags(cmd *cobra.Command, o *runOutputOptions) {
	f := cmd.Flags()
	f.StringVar(&o.engine, "engine", "", "container engine: podman, buildah or docker (default: $KILN_ENGINE, else the first found in that order)")
	f.BoolVar(&o.plain, "plain", false, "print one line per event, even on a terminal")
	f.BoolVar(&o.json, "json", false, "print the events as JSON lines, for scripts")
}

// live reports whether eventSink shows the progress view.
func (o runOutputOptions) live(s streams) bool {
	return !o.json && !o.plain && s.isTerminal()
}

// eventSink picks the event consumer: JSON lines with --json, the progress
// view on a terminal, else the plain printer. cancel stops the run (the
// signal context's stop): in the view, Ctrl+C is a key, not a signal; a
// signal (signals done) closes the view at once, the terminal may be gone. With
// summary, the plain printer ends with the run's summary, the one the
// progress view prints when it closes.
func (f *factory) eventSink(o runOutputOptions, title string, signals context.Context, cancel context.CancelFunc, summary bool) (builder.Sink, func(error)) {
	switch {
	case o.json:
		return newJSONSink(f.out), func(error) {}
	case o.live(f.streams):
		return f.progress(title, signals, cancel)
	case summary:
		plain, sum := newPlainSink(f.out), tui.NewSummary(title)
		tee := builder.SinkFunc(func(e builder.Event) { plain.Event(e); sum.Event(e) })
		return tee, func(err error) { fmt.Fprintln(f.out); sum.Print(f.out, err) }
	default:
		return newPlainSink(f.out), func(error) {}
	}
}

// jsonSink writes each event as one JSON line.
type jsonSink struct{ enc *json.Encoder }

func newJSONSink(w io.Writer) *jsonSink { return &jsonSink{enc: json.NewEncoder(w)} }

func (j *jsonSink) Event(e builder.Event) { _ = j.enc.Encode(e) }

// plainSink prints one line per event, prefixed with the step's name; lines
// of a Dockerfile instruction carry the enclosing step's name.
type plainSink struct{ w io.Writer }

func newPlainSink(w io.Writer) *plainSink { return &plainSink{w: w} }

func (p *plainSink) Event(e builder.Event) {
	prefix := e.Step
	if e.Parent != "" {
		prefix = e.Parent
	}
	var text string
	switch e.Kind {
	case builder.StepStarted:
		switch {
		case e.Parent != "" && e.Total > 0:
			text = fmt.Sprintf("STEP %d/%d: %s", e.Index, e.Total, e.Step)
		case e.Parent != "":
			text = e.Step
		case e.Total > 0:
			text = fmt.Sprintf("started (%d/%d)", e.Index, e.Total)
		default:
			text = "started"
		}
	case builder.StepLog:
		text = e.Line
	case builder.StepError:
		text = "error: " + e.Line
	case builder.StepWarning:
		text = "warning: " + e.Message
	case builder.StepFinished:
		if e.Parent != "" && e.Err == "" {
			return // an instruction that went well: its STEP line said enough
		}
		if e.Err != "" {
			text = fmt.Sprintf("FAILED after %s: %s", round(e.Duration), e.Err)
			if e.Parent != "" {
				text = fmt.Sprintf("%s FAILED: %s", e.Step, e.Err)
			}
		} else {
			text = fmt.Sprintf("ok (%s)", round(e.Duration))
		}
	case builder.StepProgress:
		return // the bytes of a transfer: the view's, not a line each
	case builder.StepSkipped:
		text = "skipped: " + e.Message
	case builder.Cleanup:
		text = "removed " + e.Message
	case builder.LeftBehind:
		text = "NOT removed: " + e.Message
	case builder.RunFinished:
		prefix = "kiln"
		if e.Err != "" {
			text = fmt.Sprintf("failed after %s: %s", round(e.Duration), e.Err)
		} else {
			text = fmt.Sprintf("done in %s", round(e.Duration))
		}
	default:
		text = fmt.Sprintf("%s %s", e.Kind, e.Message)
	}
	if prefix == "" {
		fmt.Fprintln(p.w, text)
		return
	}
	fmt.Fprintf(p.w, "[%s] %s\n", prefix, text)
}

func round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

// loadSpec reads DIR/kiln.yaml, turning its problems into usage errors.
func loadSpec(dir string) (*scaffold.Spec, error) {
	spec, err := scaffold.Load(dir)
	if err != nil {
		if ve := validationError(err); ve != err {
			return nil, ve
		}
		return nil, usageErrorf("%v", err)
	}
	return spec, nil
}
