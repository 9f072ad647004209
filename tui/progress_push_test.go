package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/kiln-s2i/kiln/builder"
)

// A push shows each blob as a sub-step with its bytes (kiln push).
func TestProgressShowsBytesPerLayer(t *testing.T) {
	m := sized(newProgressModel("kiln push", 5, nil), 100, 20)
	ev := func(e builder.Event) builder.Event { e.Time = epoch; return e }
	m, _ = send(t, m, eventsMsg{
		ev(builder.Event{Kind: builder.StepStarted, Step: "push", Index: 1, Total: 1}),
		ev(builder.Event{Kind: builder.StepStarted, Step: "blob 1 0123456789ab", Parent: "push"}),
		ev(builder.Event{Kind: builder.StepProgress, Step: "blob 1 0123456789ab", Parent: "push", Bytes: 1 << 20, Size: 3 << 20}),
		ev(builder.Event{Kind: builder.StepStarted, Step: "blob 2 ba9876543210", Parent: "push"}),
		ev(builder.Event{Kind: builder.StepProgress, Step: "blob 2 ba9876543210", Parent: "push", Bytes: 512 << 10, Size: -1}),
	})
	view := ansi.Strip(m.View())
	for _, want := range []string{"blob 1", "1.0/3.0 MiB", "512.0 KiB"} {
		if !strings.Contains(view, want) {
			t.Errorf("the view lacks %q:\n%s", want, view)
		}
	}
	m, _ = send(t, m, eventsMsg{
		ev(builder.Event{Kind: builder.StepProgress, Step: "blob 1 0123456789ab", Parent: "push", Bytes: 3 << 20, Size: 3 << 20}),
		ev(builder.Event{Kind: builder.StepFinished, Step: "blob 1 0123456789ab", Parent: "push"}),
	})
	if view := ansi.Strip(m.View()); !strings.Contains(view, "3.0/3.0 MiB") {
		t.Errorf("a finished blob does not show its size:\n%s", view)
	}
}
