package tui

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/tui/internal/fakerun"
)

// batchSize matches what RunProgress's forwarder sends at most per message.
const batchSize = 512

func logBatch(step string, n, from int) eventsMsg {
	b := make(eventsMsg, n)
	for i := range b {
		b[i] = builder.Event{Kind: builder.StepLog, Step: step, Stream: "stdout",
			Line: fmt.Sprintf("STEP %d/9: RUN microdnf -y install python3.11 && microdnf clean all # line %d", i%9+1, from+i)}
	}
	return b
}

func benchProgressModel(b *testing.B) progressModel {
	m := sized(newProgressModel("kiln test", 0, nil), 200, 60)
	m, _ = send(b, m, eventsMsg{{Kind: builder.StepStarted, Step: "build", Index: 1, Total: 5}})
	return m
}

// BenchmarkProgressIngest: log lines per second through Update, with the
// log pane visible and following the tail. Goal: at least 200,000 lines/s.
func BenchmarkProgressIngest(b *testing.B) {
	m := benchProgressModel(b)
	batches := make([]eventsMsg, 16)
	for i := range batches {
		batches[i] = logBatch("build", batchSize, i*batchSize)
	}
	b.ResetTimer()
	lines := 0
	for lines < b.N {
		next, _ := m.Update(batches[(lines/batchSize)%len(batches)])
		m = next.(progressModel)
		lines += batchSize
	}
	b.ReportMetric(float64(lines)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkProgressMemory1M: the heap after 1,000,000 log lines. Goal: at most 64 MB.
func BenchmarkProgressMemory1M(b *testing.B) {
	for i := 0; i < b.N; i++ {
		m := benchProgressModel(b)
		for n := 0; n < 1_000_000; n += batchSize {
			next, _ := m.Update(logBatch("build", batchSize, n))
			m = next.(progressModel)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "MB-heap")
		runtime.KeepAlive(m)
	}
}

// BenchmarkProgressView200x60: one frame of a run with full logs. Goal: at most 2 ms.
func BenchmarkProgressView200x60(b *testing.B) {
	m := sized(newProgressModel("kiln test", 0, nil), 200, 60)
	script := fakerun.PodmanBuild(builder.StepRun.String())
	m, _ = send(b, m, eventsMsg(scriptEvents(b, script)))
	for n := 0; n < 20_000; n += batchSize {
		m, _ = send(b, m, logBatch(builder.StepRun.String(), batchSize, n))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = m.View()
	}
}

// BenchmarkWizardKeystroke: a key typed into a field to the next frame:
// validation, re-rendering every file, the preview diff and the view, at
// 120x40. Goal: at most 10 ms.
func BenchmarkWizardKeystroke(b *testing.B) {
	m := newTestWizard(b, 120, 40)
	m = focusOn(b, m, "description")
	keys := []tea.KeyMsg{{Type: tea.KeyRunes, Runes: []rune("x")}, {Type: tea.KeyBackspace}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		next, _ := m.Update(keys[i%2])
		m = next.(wizardModel)
		_ = m.View()
	}
}

// BenchmarkWizardKeystroke200x60 is the same at 200x60, with the preview
// beside the form. Goal: at most 10 ms (issue 14).
func BenchmarkWizardKeystroke200x60(b *testing.B) {
	m := newTestWizard(b, 200, 60)
	m = focusOn(b, m, "description")
	keys := []tea.KeyMsg{{Type: tea.KeyRunes, Runes: []rune("x")}, {Type: tea.KeyBackspace}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		next, _ := m.Update(keys[i%2])
		m = next.(wizardModel)
		_ = m.View()
	}
}

// BenchmarkRunProgressPipeline: log lines per second from a run's Sink
// through the forwarder, the tea.Program, Update and rendering (to
// io.Discard), end to end.
func BenchmarkRunProgressPipeline(b *testing.B) {
	lines := make([]string, 1024)
	for i := range lines {
		lines[i] = fmt.Sprintf("Copying blob sha256:%064d done | line %d", i, i)
	}
	run := func(ctx context.Context, sink builder.Sink) error {
		sink.Event(builder.Event{Kind: builder.StepStarted, Step: "build", Index: 1, Total: 1})
		for i := 0; i < b.N; i++ {
			sink.Event(builder.Event{Kind: builder.StepLog, Step: "build", Line: lines[i%len(lines)]})
		}
		sink.Event(builder.Event{Kind: builder.StepFinished, Step: "build"})
		return nil
	}
	b.ResetTimer()
	err := RunProgress(context.Background(), "bench", ProgressOptions{In: strings.NewReader(""), Out: io.Discard,
		ExitWhenDone: true, NoAltScreen: true, programOptions: []tea.ProgramOption{tea.WithoutSignals()}}, run)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
