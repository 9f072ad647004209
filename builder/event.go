// Package builder runs container engines, s2i builds and the kiln test flow.
// Everything it does is reported as a stream of typed Events to a Sink, so a
// plain printer, JSON lines and the live TUI view consume the same stream.
package builder

import "time"

// EventKind says what an Event reports.
type EventKind string

const (
	StepStarted  EventKind = "step-started"  // a named step began
	StepLog      EventKind = "log"           // one line of output of the current step
	StepFinished EventKind = "step-finished" // a step ended; Err is set when it failed
	StepSkipped  EventKind = "step-skipped"  // a step did not run; Message says why
	Cleanup      EventKind = "cleanup"       // something the run created was removed; Message names it
	LeftBehind   EventKind = "left-behind"   // something the run created could not be removed; Message names it and says why
	RunFinished  EventKind = "run-finished"  // the whole run ended; Err is set when it failed
	StepError    EventKind = "error"         // an engine reported an error; Line has its text
	StepWarning  EventKind = "warning"       // something went wrong but the run goes on; Message says what
	StepProgress EventKind = "progress"      // a transfer of the step moved on: Bytes of Size (Size -1: unknown)
)

// Event is one thing that happened during a run.
type Event struct {
	Kind     EventKind     `json:"kind"`
	Time     time.Time     `json:"time"`
	Step     string        `json:"step,omitempty"`     // the step's name
	Parent   string        `json:"parent,omitempty"`   // the enclosing step of a sub-step (a Dockerfile STEP inside a build)
	Index    int           `json:"index,omitempty"`    // 1-based position of the step, when known
	Total    int           `json:"total,omitempty"`    // number of steps, when known
	Line     string        `json:"line,omitempty"`     // StepLog: the output line without its newline
	Stream   string        `json:"stream,omitempty"`   // StepLog: "stdout" or "stderr"
	Message  string        `json:"message,omitempty"`  // StepSkipped reason, Cleanup subject
	Duration time.Duration `json:"duration,omitempty"` // StepFinished, RunFinished
	Err      string        `json:"error,omitempty"`    // StepFinished, RunFinished: why it failed
	Bytes    int64         `json:"bytes,omitempty"`    // StepProgress: bytes transferred so far
	Size     int64         `json:"size,omitempty"`     // StepProgress: bytes in all, -1 when unknown
}

// Failed reports whether the event ends a step or run in failure.
func (e Event) Failed() bool { return e.Err != "" }

// Sink consumes events. Implementations must be safe for use from one
// goroutine at a time; the runner never calls Event concurrently.
type Sink interface {
	Event(Event)
}

// SinkFunc adapts a function to a Sink.
type SinkFunc func(Event)

func (f SinkFunc) Event(e Event) { f(e) }
