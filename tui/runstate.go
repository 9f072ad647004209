package tui

import (
	"context"
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
	stepCancelled // stopped by a cancel, or never run because of one
)

// stepState is what the view and the summary know about one step.
type stepState struct {
	name     string
	parent   string // the enclosing step of a sub-step (a Dockerfile STEP inside a build), or ""
	status   stepStatus
	started  time.Time
	last     time.Time // the latest event of the step, for a duration nobody reported
	duration time.Duration
	err      string   // why it failed
	message  string   // why it was skipped
	warnings []string // what went wrong without stopping it
	log      *ring
	stderr   int   // stderr lines seen, kept or not
	errors   int   // engine errors seen
	bytes    int64 // a transfer's bytes so far (StepProgress)
	size     int64 // a transfer's bytes in all; -1 unknown, 0 no transfer
}

func (st *stepState) ended() bool {
	return st.status == stepDone || st.status == stepFailed || st.status == stepSkipped
}

// isCancel reports whether a step's error or skip reason is the run's cancellation.
func isCancel(reason string) bool {
	return reason == "cancelled" || strings.Contains(reason, context.Canceled.Error())
}

// runState folds the builder's event stream into steps. It is pure: the
// progress model and the exit summary each keep their own copy. Sub-steps
// follow their parent in steps, so the list reads as a tree.
type runState struct {
	steps    []*stepState
	index    map[string]int // by stepKey
	total    int            // top-level steps, from the events, when the builder knows it
	cleanups []string
	// leftovers are what the cleanup could not remove (LeftBehind events).
	leftovers []string
	finished  bool
	runErr    string
	duration  time.Duration
	started   time.Time
	lastTime  time.Time
	logCap    int
}

func newRunState(logCap int) *runState {
	return &runState{index: map[string]int{}, logCap: logCap}
}

func stepKey(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "\x00" + name
}

// step returns the step, adding it when it is new: a sub-step goes after
// its parent's last descendant.
func (s *runState) step(parent, name string) *stepState {
	key := stepKey(parent, name)
	if i, ok := s.index[key]; ok {
		return s.steps[i]
	}
	st := &stepState{name: name, parent: parent, log: newRing(s.logCap)}
	if parent == "" {
		s.index[key] = len(s.steps)
		s.steps = append(s.steps, st)
		return st
	}
	p := s.step("", parent)
	at := s.index[parent] + 1
	for at < len(s.steps) && s.steps[at].parent == parent {
		at++
	}
	s.steps = append(s.steps, nil)
	copy(s.steps[at+1:], s.steps[at:])
	s.steps[at] = st
	for i := at; i < len(s.steps); i++ {
		s.index[stepKey(s.steps[i].parent, s.steps[i].name)] = i
	}
	if p.status == stepPending {
		p.status = stepRunning
	}
	return st
}

// parentOf returns a sub-step's parent, or nil.
func (s *runState) parentOf(st *stepState) *stepState {
	if st.parent == "" {
		return nil
	}
	return s.steps[s.index[st.parent]]
}

// log adds a line to a step and, for a sub-step, to its parent, whose log
// is then the whole output in order.
func (s *runState) log(st *stepState, line string) {
	st.log.push(line)
	if p := s.parentOf(st); p != nil {
		p.log.push(line)
	}
}

// apply folds one event in and returns the index of the step it touched, or -1.
func (s *runState) apply(e builder.Event) int {
	if !e.Time.IsZero() {
		if s.started.IsZero() {
			s.started = e.Time
		}
		s.lastTime = e.Time
	}
	if e.Parent == "" && e.Total > s.total {
		s.total = e.Total
	}
	var st *stepState
	switch e.Kind {
	case builder.Cleanup:
		s.cleanups = append(s.cleanups, e.Message)
		return -1
	case builder.LeftBehind:
		s.leftovers = append(s.leftovers, e.Message)
		return -1
	case builder.RunFinished:
		s.finished, s.runErr, s.duration = true, e.Err, e.Duration
		return -1
	case builder.StepStarted, builder.StepLog, builder.StepError, builder.StepWarning, builder.StepFinished, builder.StepSkipped, builder.StepProgress:
		if e.Step == "" {
			return -1
		}
		st = s.step(e.Parent, e.Step)
	default:
		return -1
	}
	if !e.Time.IsZero() {
		for t := st; t != nil; t = s.parentOf(t) { // a sub-step's time is its build's too
			t.last = e.Time
			if t.started.IsZero() && e.Kind != builder.StepSkipped {
				t.started = e.Time
			}
		}
	}
	switch e.Kind {
	case builder.StepStarted:
		st.status, st.started = stepRunning, e.Time
	case builder.StepLog:
		if st.status == stepPending {
			st.status = stepRunning
		}
		if e.Stream == "stderr" {
			st.stderr++
		}
		s.log(st, cleanLine(e.Line))
	case builder.StepError:
		st.errors++
		line := cleanLine(e.Line)
		if !strings.HasPrefix(strings.ToLower(line), "error") {
			line = "ERROR: " + line
		}
		s.log(st, line)
	case builder.StepWarning:
		st.warnings = append(st.warnings, e.Message)
		s.log(st, "warning: "+e.Message)
	case builder.StepFinished:
		st.duration, st.err = e.Duration, e.Err
		if st.duration == 0 && !st.started.IsZero() && !e.Time.IsZero() {
			st.duration = e.Time.Sub(st.started)
		}
		st.status = stepDone
		switch {
		case e.Failed() && isCancel(e.Err):
			st.status, st.err = stepCancelled, ""
		case e.Failed():
			st.status = stepFailed
		}
	case builder.StepSkipped:
		st.status, st.message = stepSkipped, e.Message
		if isCancel(e.Message) {
			st.status = stepCancelled
		}
	case builder.StepProgress:
		if st.status == stepPending {
			st.status = stepRunning
		}
		st.bytes, st.size = e.Bytes, e.Size
		if st.size == 0 {
			st.size = -1
		}
	}
	return s.index[stepKey(e.Parent, e.Step)]
}

// finish records the run's return. Steps nobody finished (a build reports
// its Dockerfile steps, not itself) end with the run: failed if it failed.
func (s *runState) finish(err error) {
	if !s.finished {
		s.finished = true
		if err != nil {
			s.runErr = err.Error()
		}
	} else if s.runErr == "" && err != nil {
		s.runErr = err.Error()
	}
	if s.duration == 0 && !s.started.IsZero() && s.lastTime.After(s.started) {
		s.duration = s.lastTime.Sub(s.started)
	}
	for _, st := range s.steps {
		if st.status != stepRunning {
			continue
		}
		st.status = stepDone
		switch {
		case s.cancelled():
			st.status = stepCancelled
		case s.runErr != "":
			st.status, st.err = stepFailed, firstLine(s.runErr)
		}
		if st.duration == 0 && !st.started.IsZero() && st.last.After(st.started) {
			st.duration = st.last.Sub(st.started)
		}
	}
}

// cancelled reports whether the run ended because its context was cancelled.
func (s *runState) cancelled() bool {
	return strings.Contains(s.runErr, context.Canceled.Error())
}

// topLevel returns the steps that are not sub-steps.
func (s *runState) topLevel() []*stepState {
	var out []*stepState
	for _, st := range s.steps {
		if st.parent == "" {
			out = append(out, st)
		}
	}
	return out
}

func (s *runState) completed() int {
	n := 0
	for _, st := range s.topLevel() {
		if st.ended() {
			n++
		}
	}
	return n
}

func (s *runState) totalSteps() int {
	return max(s.total, len(s.topLevel()))
}

// failedStep returns the first failed top-level step (its log holds its
// sub-steps' lines too), else the first failed step, or nil.
func (s *runState) failedStep() *stepState {
	var sub *stepState
	for _, st := range s.steps {
		if st.status == stepFailed {
			if st.parent == "" {
				return st
			}
			if sub == nil {
				sub = st
			}
		}
	}
	return sub
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
