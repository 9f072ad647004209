package tui

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kiln-s2i/kiln/builder"
)

// summaryLogLines is how many of the failing step's last lines the summary prints.
const summaryLogLines = 10

// Summary is the plain report of a run, fed by its events: the live view
// prints it when it closes, and kiln's plain output at the end of kiln test,
// so both read the same.
type Summary struct {
	title string
	s     *runState
}

// NewSummary starts the report of the run named title.
func NewSummary(title string) *Summary {
	return &Summary{title: title, s: newRunState(summaryLogLines)}
}

// Event folds one event of the run in.
func (s *Summary) Event(e builder.Event) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	s.s.apply(e)
}

// Print records how the run returned and writes the report to w.
func (s *Summary) Print(w io.Writer, runErr error) {
	s.s.finish(runErr)
	fmt.Fprint(w, plainSummary(s.title, s.s))
}

// plainSummary is what stays on the normal screen after the alt screen is
// gone: each step with its duration, the verdict, cleanups, and the failing
// step's last log lines. No colour, so it reads the same in a log file.
func plainSummary(title string, s *runState) string {
	var b strings.Builder
	verdict := "ok"
	switch {
	case s.cancelled():
		verdict = "CANCELLED"
	case s.runErr != "":
		verdict = "FAILED"
	case !s.finished:
		verdict = "incomplete"
	}
	fmt.Fprintf(&b, "%s: %s", title, verdict)
	if s.duration > 0 {
		fmt.Fprintf(&b, " in %s", formatDuration(s.duration))
	}
	b.WriteByte('\n')
	width := 4
	for _, st := range s.topLevel() {
		width = max(width, len(st.name))
	}
	for _, st := range s.steps {
		if st.parent != "" && st.status != stepFailed {
			continue // the summary names a build's Dockerfile steps only when one failed
		}
		var status, detail string
		switch st.status {
		case stepPending:
			status = "not run"
		case stepRunning:
			status = "stopped"
		case stepDone:
			status, detail = "ok", formatDuration(st.duration)
		case stepFailed:
			status, detail = "FAILED", strings.TrimSpace(formatDuration(st.duration)+"  "+firstLine(st.err))
		case stepSkipped:
			status, detail = "skipped", st.message
		case stepCancelled:
			status = "cancelled"
		}
		name := st.name
		if st.parent != "" {
			name = "  ↳ " + name
		}
		line := fmt.Sprintf("  %-*s  %-7s  %s", width, name, status, detail)
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	for _, st := range s.steps {
		for _, w := range st.warnings {
			fmt.Fprintf(&b, "warning: %s: %s\n", st.name, w)
		}
	}
	for _, c := range s.cleanups {
		fmt.Fprintf(&b, "removed %s\n", c)
	}
	for _, c := range s.leftovers {
		fmt.Fprintf(&b, "NOT removed: %s\n", c)
	}
	if f := s.failedStep(); f != nil && f.log.len() > 0 {
		fmt.Fprintf(&b, "last lines of %s:\n", f.name)
		for _, l := range f.log.last(f.log.len()) {
			fmt.Fprintf(&b, "  | %s\n", l)
		}
	}
	// The run's error is not repeated here: the caller prints it, once.
	return b.String()
}
