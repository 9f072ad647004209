package tui

import (
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/kiln-s2i/kiln/builder"
)

type stepStatus int

const (
	stepPending stepStatus = iota
	stepRunning
	stepDone
	stepFailed
	stepSkipped
)

// stepState is what the view and the summary know about one step.
type stepState struct {
	name     string
	status   stepStatus
	started  time.Time
	duration time.Duration
	err      string // why it failed
	message  string // why it was skipped
	log      *ring
	stderr   int // stderr lines seen, kept or not
}

// runState folds the builder's event stream into steps. It is pure: the
// progress model and the exit summary each keep their own copy.
type runState struct {
	steps    []*stepState
	index    map[string]int
	total    int // from the events, when the builder knows it
	cleanups []string
	finished bool
	runErr   string
	duration time.Duration
	started  time.Time
	logCap   int
}

func newRunState(logCap int) *runState {
	return &runState{index: map[string]int{}, logCap: logCap}
}

// step returns the named step, adding it when it is new.
func (s *runState) step(name string) *stepState {
	if i, ok := s.index[name]; ok {
		return s.steps[i]
	}
	st := &stepState{name: name, log: newRing(s.logCap)}
	s.index[name] = len(s.steps)
	s.steps = append(s.steps, st)
	return st
}

// apply folds one event in and returns the index of the step it touched, or -1.
func (s *runState) apply(e builder.Event) int {
	if s.started.IsZero() && !e.Time.IsZero() {
		s.started = e.Time
	}
	if e.Total > s.total {
		s.total = e.Total
	}
	switch e.Kind {
	case builder.StepStarted:
		st := s.step(e.Step)
		st.status, st.started = stepRunning, e.Time
	case builder.StepLog:
		st := s.step(e.Step)
		if st.status == stepPending {
			st.status = stepRunning
		}
		if e.Stream == "stderr" {
			st.stderr++
		}
		st.log.push(cleanLine(e.Line))
	case builder.StepFinished:
		st := s.step(e.Step)
		st.duration, st.err = e.Duration, e.Err
		if st.duration == 0 && !st.started.IsZero() && !e.Time.IsZero() {
			st.duration = e.Time.Sub(st.started)
		}
		st.status = stepDone
		if e.Failed() {
			st.status = stepFailed
		}
	case builder.StepSkipped:
		st := s.step(e.Step)
		st.status, st.message = stepSkipped, e.Message
	case builder.Cleanup:
		s.cleanups = append(s.cleanups, e.Message)
		return -1
	case builder.RunFinished:
		s.finished, s.runErr, s.duration = true, e.Err, e.Duration
		return -1
	default:
		return -1
	}
	return s.index[e.Step]
}

// finish records the run's return when no RunFinished event said it.
func (s *runState) finish(err error) {
	if s.finished {
		if s.runErr == "" && err != nil {
			s.runErr = err.Error()
		}
		return
	}
	s.finished = true
	if err != nil {
		s.runErr = err.Error()
	}
}

func (s *runState) completed() int {
	n := 0
	for _, st := range s.steps {
		if st.status == stepDone || st.status == stepFailed || st.status == stepSkipped {
			n++
		}
	}
	return n
}

func (s *runState) totalSteps() int {
	if s.total > len(s.steps) {
		return s.total
	}
	return len(s.steps)
}

// failedStep returns the first failed step, or nil.
func (s *runState) failedStep() *stepState {
	for _, st := range s.steps {
		if st.status == stepFailed {
			return st
		}
	}
	return nil
}

// cleanLine makes an engine's output line safe to draw: colours and cursor
// movement are dropped, a carriage-return redraw keeps its last state, tabs
// become spaces.
func cleanLine(line string) string {
	if i := strings.LastIndexByte(strings.TrimRight(line, "\r"), '\r'); i >= 0 {
		line = line[i+1:]
	}
	line = strings.TrimRight(line, "\r")
	if strings.ContainsRune(line, '\x1b') {
		line = ansi.Strip(line)
	}
	if strings.ContainsRune(line, '\t') {
		line = strings.ReplaceAll(line, "\t", "    ")
	}
	return line
}
