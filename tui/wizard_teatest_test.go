package tui

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
)

const waitLimit = 10 * time.Second

func waitOutput(t *testing.T, tm *teatest.TestModel, want string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(want)) },
		teatest.WithDuration(waitLimit), teatest.WithCheckInterval(5*time.Millisecond))
}

// TestWizardScreens is a golden of every screen at 120x40, reached by
// keys in a running program. The target "mybuilder" does not exist here, so
// every file is to be created.
func TestWizardScreens(t *testing.T) {
	for _, def := range wizardScreens() {
		t.Run(fmt.Sprintf("%d-%s", def.id+1, strings.ToLower(def.short)), func(t *testing.T) {
			m := newWizardModel(testSpec(t), "mybuilder", false, false)
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
			for i := screenProject; i < def.id; i++ {
				tm.Send(tea.KeyMsg{Type: tea.KeyPgDown})
			}
			want := fmt.Sprintf("[%d %s]", def.id+1, def.short)
			if def.id == screenReview {
				want = "create" // the plan has arrived
			}
			waitOutput(t, tm, want)
			if err := tm.Quit(); err != nil {
				t.Fatal(err)
			}
			final := tm.FinalModel(t, teatest.WithFinalTimeout(waitLimit)).(wizardModel)
			teatest.RequireEqualOutput(t, []byte(final.View()))
		})
	}
}

// TestWizardNarrow is a golden of the folded layout at 80x24: the form, then
// the preview behind ctrl+o.
func TestWizardNarrow(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys []tea.KeyMsg
	}{
		{"form", nil},
		{"preview", []tea.KeyMsg{{Type: tea.KeyCtrlO}}},
		{"error", []tea.KeyMsg{{Type: tea.KeyCtrlU}, {Type: tea.KeyRunes, Runes: []rune("Bad Name")}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newWizardModel(testSpec(t), "mybuilder", false, false)
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
			for _, k := range tc.keys {
				tm.Send(k)
			}
			waitOutput(t, tm, "kiln new")
			if err := tm.Quit(); err != nil {
				t.Fatal(err)
			}
			final := tm.FinalModel(t, teatest.WithFinalTimeout(waitLimit)).(wizardModel)
			teatest.RequireEqualOutput(t, []byte(final.View()))
		})
	}
}
