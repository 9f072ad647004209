package tui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/tui/internal/fakerun"
	"github.com/muesli/termenv"
)

var epoch = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// scriptEvents plays a script into a slice with a fixed clock.
func scriptEvents(t testing.TB, s fakerun.Script) []builder.Event {
	t.Helper()
	s.Clock = fakerun.StepClock(epoch, 250*time.Millisecond)
	var evs []builder.Event
	_ = s.Run(context.Background(), builder.SinkFunc(func(e builder.Event) { evs = append(evs, e) }))
	return evs
}

func sized(m progressModel, w, h int) progressModel {
	next, _ := m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return next.(progressModel)
}

func send(t testing.TB, m progressModel, msgs ...tea.Msg) (progressModel, tea.Cmd) {
	t.Helper()
	var cmd tea.Cmd
	for _, msg := range msgs {
		var next tea.Model
		next, cmd = m.Update(msg)
		m = next.(progressModel)
	}
	return m, cmd
}

func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	case "end":
		return tea.KeyMsg{Type: tea.KeyEnd}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case " ":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

func TestProgressViewGoldens(t *testing.T) {
	ok := scriptEvents(t, fakerun.PodmanBuild(""))
	failed := scriptEvents(t, fakerun.PodmanBuild(builder.StepS2IBuild.String()))
	tests := []struct {
		name   string
		events []builder.Event
		keys   []string
	}{
		{"first-step-running", ok[:5], nil},
		{"succeeded", ok, nil},
		{"failed", failed, nil},
		{"failed-log-hidden", failed, []string{"tab"}},
		{"selected-first-step", ok, []string{"up", "up", "up", "up"}},
		{"full-help", ok, []string{"?"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sized(newProgressModel("kiln test", 0, nil), 100, 30)
			m.animate = false
			m, _ = send(t, m, eventsMsg(tt.events))
			for _, k := range tt.keys {
				m, _ = send(t, m, keyMsg(k))
			}
			golden.RequireEqual(t, []byte(m.View()))
		})
	}
}

func TestProgressSelectionFollowsRunningStepUntilUserMoves(t *testing.T) {
	evs := scriptEvents(t, fakerun.PodmanBuild(""))
	m := sized(newProgressModel("kiln test", 0, nil), 100, 30)
	var started int
	for _, e := range evs {
		m, _ = send(t, m, eventsMsg{e})
		if e.Kind == builder.StepStarted {
			started++
			if got := m.run.steps[m.selected].name; started < 3 && got != e.Step {
				t.Fatalf("after %q started the selection is %q", e.Step, got)
			}
			if started == 2 {
				m, _ = send(t, m, keyMsg("up"))
			}
			if started == 3 {
				break
			}
		}
	}
	if got := m.run.steps[m.selected].name; got != builder.StepLint.String() {
		t.Fatalf("the user's choice was overridden: selection is %q", got)
	}
}

func TestProgressFailureSelectsFailedStep(t *testing.T) {
	evs := scriptEvents(t, fakerun.PodmanBuild(builder.StepIncremental.String()))
	m := sized(newProgressModel("kiln test", 0, nil), 100, 30)
	m, _ = send(t, m, eventsMsg(evs))
	if got := m.run.steps[m.selected].name; got != builder.StepIncremental.String() {
		t.Fatalf("selection = %q, want the failed step", got)
	}
	if !strings.Contains(m.View(), "Error: building at STEP") {
		t.Fatalf("the failed step's log is not shown:\n%s", m.View())
	}
}

func TestProgressLogFollowsTailUnlessScrolledUp(t *testing.T) {
	m := sized(newProgressModel("kiln build", 0, nil), 80, 20)
	m, _ = send(t, m, eventsMsg{{Kind: builder.StepStarted, Step: "build"}})
	for i := 0; i < 100; i++ {
		m, _ = send(t, m, eventsMsg{{Kind: builder.StepLog, Step: "build", Line: fmt.Sprintf("line %d", i)}})
	}
	if !strings.Contains(m.View(), "line 99") {
		t.Fatalf("the tail is not shown:\n%s", m.View())
	}
	m, _ = send(t, m, keyMsg("pgup"))
	m, _ = send(t, m, eventsMsg{{Kind: builder.StepLog, Step: "build", Line: "line 100"}})
	if strings.Contains(m.View(), "line 100") || !strings.Contains(m.View(), "scrolled") {
		t.Fatalf("after scrolling up the view jumped to the tail:\n%s", m.View())
	}
	m, _ = send(t, m, keyMsg("end"))
	m, _ = send(t, m, eventsMsg{{Kind: builder.StepLog, Step: "build", Line: "line 101"}})
	if !strings.Contains(m.View(), "line 101") {
		t.Fatalf("end did not resume following:\n%s", m.View())
	}
}

func TestProgressLogIsBounded(t *testing.T) {
	m := sized(newProgressModel("kiln build", 50, nil), 80, 20)
	m, _ = send(t, m, eventsMsg{{Kind: builder.StepStarted, Step: "build"}})
	for i := 0; i < 1000; i++ {
		m, _ = send(t, m, eventsMsg{{Kind: builder.StepLog, Step: "build", Line: fmt.Sprintf("line %d", i)}})
	}
	st := m.run.steps[0]
	if st.log.len() != 50 || st.log.at(0) != "line 950" || st.log.dropped != 950 {
		t.Fatalf("ring kept %d lines from %q, dropped %d", st.log.len(), st.log.at(0), st.log.dropped)
	}
	if !strings.Contains(m.log.View(), "line 999") {
		t.Fatal("the newest line is not shown")
	}
	for i := 0; i < 20; i++ {
		m, _ = send(t, m, keyMsg("pgup"))
	}
	if !strings.Contains(m.log.View(), "… 950 earlier lines not kept") || !strings.Contains(m.log.View(), "line 950") {
		t.Fatalf("scrolled to the top, the log does not say what it dropped:\n%s", m.log.View())
	}
}

func TestProgressCtrlCCancelsThenQuits(t *testing.T) {
	var cancelled atomic.Bool
	m := sized(newProgressModel("kiln test", 0, func() { cancelled.Store(true) }), 100, 30)
	m, _ = send(t, m, eventsMsg{{Kind: builder.StepStarted, Step: "build", Index: 1, Total: 3}})
	m, cmd := send(t, m, keyMsg("ctrl+c"))
	if cmd == nil {
		t.Fatal("ctrl+c returned no command")
	}
	if _, ok := cmd().(cancelSentMsg); !ok || !cancelled.Load() {
		t.Fatal("ctrl+c did not cancel the run")
	}
	if !strings.Contains(m.View(), "cancelling") {
		t.Fatalf("the view does not say it is cancelling:\n%s", m.View())
	}
	m, cmd = send(t, m, eventsMsg{
		{Kind: builder.StepFinished, Step: "build", Err: "cancelled"},
		{Kind: builder.Cleanup, Message: "container kiln-build-1"},
		{Kind: builder.RunFinished, Err: "context canceled"},
	})
	if isQuit(cmd) {
		t.Fatal("the view left before the user saw the cleanup")
	}
	if !strings.Contains(m.View(), "removed container kiln-build-1") {
		t.Fatalf("the view does not say what the cleanup removed:\n%s", m.View())
	}
	if _, cmd = send(t, m, keyMsg("q")); !isQuit(cmd) {
		t.Fatal("q did not quit a finished run")
	}
}

func TestProgressQuitKeyWaitsForTheRun(t *testing.T) {
	m := sized(newProgressModel("kiln test", 0, nil), 100, 30)
	m, _ = send(t, m, eventsMsg{{Kind: builder.StepStarted, Step: "build"}})
	if _, cmd := send(t, m, keyMsg("q")); isQuit(cmd) {
		t.Fatal("q quit while the run was going; ctrl+c is the way to stop it")
	}
	m, _ = send(t, m, keyMsg("ctrl+c"))
	if _, cmd := send(t, m, keyMsg("ctrl+c")); !isQuit(cmd) {
		t.Fatal("a second ctrl+c did not leave")
	}
}

func TestCleanLine(t *testing.T) {
	tests := map[string]string{
		"plain":                            "plain",
		"\x1b[31mred\x1b[0m":               "red",
		"10%\r50%\r100%":                   "100%",
		"a\tb":                             "a    b",
		"Copying blob 1\rCopying blob 2\r": "Copying blob 2",
	}
	for in, want := range tests {
		if got := cleanLine(in); got != want {
			t.Errorf("cleanLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPlainSummary(t *testing.T) {
	for _, failAt := range []string{"", builder.StepRun.String()} {
		s := newRunState(10)
		for _, e := range scriptEvents(t, fakerun.PodmanBuild(failAt)) {
			s.apply(e)
		}
		name := "ok"
		if failAt != "" {
			name = "failed"
		}
		t.Run(name, func(t *testing.T) { golden.RequireEqual(t, []byte(plainSummary("kiln test", s))) })
	}
}

// TestProgressProgram runs the model in a real tea.Program.
func TestProgressProgram(t *testing.T) {
	m := newProgressModel("kiln test", 0, nil)
	m.animate = false
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	tm.Send(eventsMsg(scriptEvents(t, fakerun.PodmanBuild(builder.StepRun.String()))))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("failed:")) },
		teatest.WithDuration(5*time.Second))
	tm.Send(keyMsg("q"))
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(progressModel)
	teatest.RequireEqualOutput(t, []byte(final.View()))
}

func runProgressForTest(t *testing.T, in io.Reader, opts ProgressOptions, fn func(context.Context, builder.Sink) error) (string, error) {
	t.Helper()
	var out bytes.Buffer
	opts.In, opts.Out = in, &out
	opts.NoAltScreen = true
	opts.programOptions = append(opts.programOptions, tea.WithoutSignals())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := RunProgress(ctx, "kiln test", opts, fn)
	return out.String(), err
}

func TestRunProgressPrintsSummaryAfterExit(t *testing.T) {
	script := fakerun.PodmanBuild(builder.StepRun.String())
	out, err := runProgressForTest(t, strings.NewReader(""), ProgressOptions{ExitWhenDone: true}, script.Run)
	if err == nil || !strings.Contains(err.Error(), `step "`+builder.StepRun.String()+`" failed`) {
		t.Fatalf("err = %v, want the run's failure", err)
	}
	summary := out[strings.LastIndex(out, "kiln test: FAILED"):]
	for _, want := range []string{builder.StepRun.String(), "FAILED", "removed container kiln-test-run-1", "last lines of " + builder.StepRun.String() + ":", "Running on http://0.0.0.0:8080"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
}

// TestRunProgressCtrlCWaitsForCleanup types Ctrl+C into the program while a
// step hangs: the run's context is cancelled, its cleanup runs and is in the
// summary, and RunProgress returns only after the run has.
func TestRunProgressCtrlCWaitsForCleanup(t *testing.T) {
	script := fakerun.PodmanBuild("")
	script.Steps[1].Hang = true
	pr, pw := io.Pipe()
	started := make(chan struct{})
	var returned atomic.Bool
	run := func(ctx context.Context, sink builder.Sink) error {
		close(started)
		err := script.Run(ctx, sink)
		returned.Store(true)
		return err
	}
	go func() {
		<-started
		time.Sleep(50 * time.Millisecond) // let the program start reading; not a correctness wait
		pw.Write([]byte{0x03})            // ctrl+c: cancel
		time.Sleep(50 * time.Millisecond)
		pw.Write([]byte{0x03}) // ctrl+c again: leave
	}()
	out, err := runProgressForTest(t, pr, ProgressOptions{}, run)
	if !returned.Load() {
		t.Fatal("RunProgress returned before the run did")
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if !strings.Contains(out, "removed image localhost/kiln-test/app:latest") {
		t.Fatalf("summary lacks the cleanup:\n%s", out)
	}
}

func TestRunProgressRecoversPanicInRun(t *testing.T) {
	out, err := runProgressForTest(t, strings.NewReader(""), ProgressOptions{ExitWhenDone: true},
		func(context.Context, builder.Sink) error { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "panic in run: boom") {
		t.Fatalf("err = %v, want the panic", err)
	}
	if !strings.Contains(out, "FAILED") {
		t.Fatalf("summary does not say it failed:\n%s", out)
	}
}

// TestProgressViewFitsTheScreen checks the view never grows past the
// terminal, whatever the events added (steps, cleanups, help).
func TestProgressViewFitsTheScreen(t *testing.T) {
	evs := scriptEvents(t, fakerun.PodmanBuild(builder.StepRun.String()))
	for _, size := range [][2]int{{120, 40}, {80, 24}, {60, 15}} {
		m := sized(newProgressModel("kiln test", 0, nil), size[0], size[1])
		for i := range evs {
			m, _ = send(t, m, eventsMsg{evs[i]})
			if h := strings.Count(m.View(), "\n") + 1; h > size[1] {
				t.Fatalf("at %dx%d after %s the view is %d lines:\n%s", size[0], size[1], evs[i].Kind, h, m.View())
			}
		}
		m, _ = send(t, m, keyMsg("?"))
		if h := strings.Count(m.View(), "\n") + 1; h > size[1] {
			t.Fatalf("at %dx%d with full help the view is %d lines", size[0], size[1], h)
		}
	}
}

// TestRunProgressRunErrorWithoutEvents: a run that fails before it reports
// anything still ends the view with its error.
func TestRunProgressRunErrorWithoutEvents(t *testing.T) {
	out, err := runProgressForTest(t, strings.NewReader(""), ProgressOptions{ExitWhenDone: true},
		func(context.Context, builder.Sink) error { return errors.New("podman: not found") })
	if err == nil || err.Error() != "podman: not found" {
		t.Fatalf("err = %v", err)
	}
	// the caller prints the error, once; the summary does not repeat it
	summary := out[max(0, strings.Index(out, "kiln test: FAILED")):]
	if !strings.Contains(out, "kiln test: FAILED") || !strings.Contains(out, "failed: podman: not found") || strings.Contains(summary, "podman: not found") {
		t.Fatalf("summary:\n%s", out)
	}
}

func TestHonourNoColor(t *testing.T) {
	defer lipgloss.SetColorProfile(termenv.Ascii)
	lipgloss.SetColorProfile(termenv.TrueColor)
	t.Setenv("NO_COLOR", "")
	HonourNoColor()
	if lipgloss.ColorProfile() != termenv.TrueColor {
		t.Fatal("colours dropped without NO_COLOR")
	}
	t.Setenv("NO_COLOR", "1")
	HonourNoColor()
	if lipgloss.ColorProfile() != termenv.Ascii {
		t.Fatal("NO_COLOR did not drop colours")
	}
}

// buildEvents is what builder.Engine.Build reports for a podman build of
// three Dockerfile steps whose third fails: sub-steps of "build", no event
// for "build" itself.
func buildEvents() []builder.Event {
	t := epoch
	at := func(d time.Duration) time.Time { t = t.Add(d); return t }
	ev := []builder.Event{
		{Kind: builder.StepStarted, Step: "STEP 1/3: FROM localhost/busybox:1", Parent: "build", Index: 1, Total: 3},
		{Kind: builder.StepFinished, Step: "STEP 1/3: FROM localhost/busybox:1", Parent: "build", Index: 1, Total: 3, Duration: 100 * time.Millisecond},
		{Kind: builder.StepStarted, Step: "STEP 2/3: RUN echo hello", Parent: "build", Index: 2, Total: 3},
		{Kind: builder.StepLog, Step: "STEP 2/3: RUN echo hello", Parent: "build", Line: "hello"},
		{Kind: builder.StepFinished, Step: "STEP 2/3: RUN echo hello", Parent: "build", Index: 2, Total: 3, Duration: 300 * time.Millisecond},
		{Kind: builder.StepStarted, Step: "STEP 3/3: RUN false", Parent: "build", Index: 3, Total: 3},
		{Kind: builder.StepError, Step: "STEP 3/3: RUN false", Parent: "build", Line: "Error: building at STEP \"RUN false\": exit status 1"},
		{Kind: builder.StepFinished, Step: "STEP 3/3: RUN false", Parent: "build", Index: 3, Total: 3, Duration: 200 * time.Millisecond, Err: "exit status 1"},
		{Kind: builder.StepWarning, Step: "build", Message: "could not remove the build container"},
		{Kind: builder.Cleanup, Step: "build", Message: "build container buildah-working-1"},
	}
	for i := range ev {
		ev[i].Time = at(200 * time.Millisecond)
	}
	return ev
}

func TestProgressSubSteps(t *testing.T) {
	m := sized(newProgressModel("kiln build", 0, nil), 100, 30)
	m.animate = false
	m, _ = send(t, m, eventsMsg(buildEvents()))
	if got := m.run.steps[m.selected]; got.name != "build" || got.parent != "" {
		t.Fatalf("selected %q, want the build, not one of its Dockerfile steps", got.name)
	}
	if got := m.run.steps[0]; got.name != "build" || len(m.run.steps) != 4 || m.run.steps[3].parent != "build" {
		t.Fatalf("the sub-steps do not follow their build: %+v", m.run.steps)
	}
	if m.run.totalSteps() != 1 {
		t.Fatalf("a Dockerfile's step count leaked into the run's: %d", m.run.totalSteps())
	}
	for _, want := range []string{"hello", "Error: building", "warning: could not remove"} {
		if !strings.Contains(m.log.View(), want) {
			t.Errorf("the build's log lacks its sub-step line %q:\n%s", want, m.log.View())
		}
	}
	m, _ = send(t, m, runDoneMsg{err: errors.New(`build: building at STEP "RUN false": exit status 1`)})
	if st := m.run.steps[0]; st.status != stepFailed {
		t.Fatalf("the build ended %v after the run failed", st.status)
	}
	golden.RequireEqual(t, []byte(m.View()))
	s := newRunState(10)
	for _, e := range buildEvents() {
		s.apply(e)
	}
	s.finish(errors.New(`build: building at STEP "RUN false": exit status 1`))
	summary := plainSummary("kiln build", s)
	for _, want := range []string{"build  FAILED", "↳ STEP 3/3: RUN false  FAILED", "warning: build: could not remove", "removed build container"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	if strings.Contains(summary, "STEP 2/3") {
		t.Errorf("the summary lists a Dockerfile step that passed:\n%s", summary)
	}
}

// cancelledEvents are what the pipeline reports when Ctrl+C stops its
// second step: that step ends with context canceled, the rest are skipped
// as cancelled.
func cancelledEvents() []builder.Event {
	return []builder.Event{
		{Kind: builder.StepStarted, Step: "lint", Index: 1, Total: 4, Time: epoch},
		{Kind: builder.StepFinished, Step: "lint", Index: 1, Total: 4, Duration: time.Second},
		{Kind: builder.StepStarted, Step: "build", Index: 2, Total: 4},
		{Kind: builder.StepFinished, Step: "build", Index: 2, Total: 4, Duration: time.Second, Err: "context canceled"},
		{Kind: builder.StepSkipped, Step: "s2i build test app", Index: 3, Total: 4, Message: "cancelled"},
		{Kind: builder.StepStarted, Step: "cleanup", Index: 4, Total: 4},
		{Kind: builder.StepFinished, Step: "cleanup", Index: 4, Total: 4, Duration: time.Second},
		{Kind: builder.RunFinished, Err: "context canceled", Duration: 3 * time.Second},
	}
}

// TestProgressCancelledRun: cancelled steps say so, the header does not
// claim every step ran, and the summary agrees.
func TestProgressCancelledRun(t *testing.T) {
	m := sized(newProgressModel("kiln test", 0, nil), 80, 24)
	m.animate = false
	m, _ = send(t, m, eventsMsg(cancelledEvents()), runDoneMsg{err: context.Canceled})
	view := m.View()
	if strings.Contains(view, "4/4") || !strings.Contains(view, "cancelled after 2 of 4 steps") {
		t.Fatalf("the header claims the steps ran:\n%s", view)
	}
	if strings.Contains(view, "context canceled") || strings.Count(view, "⊘") != 2 {
		t.Fatalf("cancelled steps are not shown as cancelled:\n%s", view)
	}
	sum := plainSummary("kiln test", m.run)
	if !strings.Contains(sum, "kiln test: CANCELLED") || strings.Count(sum, "cancelled") != 2 || strings.Contains(sum, "context canceled") {
		t.Fatalf("summary:\n%s", sum)
	}
	golden.RequireEqual(t, []byte(view))
}

// TestProgressJumpKeys: g/home and G/end select the first and last step.
func TestProgressJumpKeys(t *testing.T) {
	m := sized(newProgressModel("kiln test", 0, nil), 100, 30)
	m, _ = send(t, m, eventsMsg(scriptEvents(t, fakerun.PodmanBuild(""))))
	last := len(m.run.steps) - 1
	for _, tc := range []struct {
		key  tea.KeyMsg
		want int
	}{
		{keyMsg("g"), 0}, {keyMsg("G"), last}, {tea.KeyMsg{Type: tea.KeyHome}, 0}, {keyMsg("end"), last},
	} {
		m, _ = send(t, m, tc.key)
		if m.selected != tc.want {
			t.Errorf("%s selected step %d, want %d", tc.key, m.selected, tc.want)
		}
	}
}

// TestProgressLongErrorWraps: the failing cause is shown whole, wrapped,
// not cut at the terminal's edge.
func TestProgressLongErrorWraps(t *testing.T) {
	m := sized(newProgressModel("kiln test", 0, nil), 60, 30)
	cause := "the readiness probe at http://127.0.0.1:8080/healthz answered 503 Service Unavailable for 30s: the app never became ready"
	m, _ = send(t, m, eventsMsg{
		{Kind: builder.StepStarted, Step: "probe", Index: 1, Total: 1},
		{Kind: builder.StepFinished, Step: "probe", Index: 1, Total: 1, Err: cause},
		{Kind: builder.RunFinished, Err: "steps failed: 1 of 1 (probe)"},
	})
	flat := strings.Join(strings.Fields(m.View()), " ")
	if !strings.Contains(flat, "the app never became ready") {
		t.Fatalf("the end of the cause is not shown:\n%s", m.View())
	}
	for _, l := range strings.Split(m.View(), "\n") {
		if lipgloss.Width(l) > 60 {
			t.Fatalf("a line is wider than the screen: %q", l)
		}
	}
}

// TestProgressBarFollowsColorProfile: the bar draws in colour only when
// lipgloss does, so NO_COLOR reaches it.
func TestProgressBarFollowsColorProfile(t *testing.T) {
	defer lipgloss.SetColorProfile(termenv.Ascii)
	for _, tc := range []struct {
		profile termenv.Profile
		colour  bool
	}{{termenv.TrueColor, true}, {termenv.Ascii, false}} {
		lipgloss.SetColorProfile(tc.profile)
		m := newProgressModel("kiln test", 0, nil)
		if got := strings.Contains(m.bar.ViewAs(0.5), "\x1b["); got != tc.colour {
			t.Errorf("profile %v: bar in colour = %v", tc.profile, got)
		}
	}
}

// TestProgressWheelScrollsLog: the wheel scrolls the log up, and back down
// to following its tail.
func TestProgressWheelScrollsLog(t *testing.T) {
	m := sized(newProgressModel("kiln test", 0, nil), 100, 30)
	var evs []builder.Event
	evs = append(evs, builder.Event{Kind: builder.StepStarted, Step: "build"})
	for i := range 200 {
		evs = append(evs, builder.Event{Kind: builder.StepLog, Step: "build", Line: fmt.Sprintf("line %d", i)})
	}
	m, _ = send(t, m, eventsMsg(evs))
	m, _ = send(t, m, tea.MouseMsg{Button: tea.MouseButtonWheelUp, Action: tea.MouseActionPress})
	if !m.scrolled || strings.Contains(m.View(), "line 199") {
		t.Fatalf("the wheel did not scroll the log up:\n%s", m.View())
	}
	for range 10 {
		m, _ = send(t, m, tea.MouseMsg{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	}
	if m.scrolled || !strings.Contains(m.View(), "line 199") {
		t.Fatalf("the wheel did not return to the tail:\n%s", m.View())
	}
}

// TestProgressStepNamesUseTheWidth: a long Dockerfile step is named whole
// when the terminal has room (at 120 columns the names were cut at about
// 40), and cut with … to fit a narrow one.
func TestProgressStepNamesUseTheWidth(t *testing.T) {
	long := "RUN microdnf -y install --setopt=install_weak_deps=0 python3.12 python3.12-pip"
	evs := eventsMsg{
		{Kind: builder.StepStarted, Step: "build", Index: 1, Total: 1},
		{Kind: builder.StepStarted, Step: long, Parent: "build", Index: 3, Total: 9},
		{Kind: builder.StepFinished, Step: long, Parent: "build", Index: 3, Total: 9, Duration: time.Second},
	}
	for _, tc := range []struct {
		width int
		whole bool
	}{{120, true}, {60, false}} {
		m := sized(newProgressModel("kiln test", 0, nil), tc.width, 30)
		m, _ = send(t, m, evs)
		view := m.View()
		if got := strings.Contains(view, long); got != tc.whole {
			t.Errorf("at %d columns the step is named whole: %v, want %v\n%s", tc.width, got, tc.whole, view)
		}
		for _, l := range strings.Split(view, "\n") {
			if lipgloss.Width(l) > tc.width {
				t.Errorf("at %d columns a line is %d wide: %q", tc.width, lipgloss.Width(l), l)
			}
		}
	}
}
