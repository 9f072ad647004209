package tui

import (
	"path/filepath"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

func testSpec(t testing.TB) *Spec {
	t.Helper()
	s, err := startingSpec("/tmp/mybuilder")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newTestWizard(t testing.TB, w, h int) wizardModel {
	t.Helper()
	m := newWizardModel(testSpec(t), filepath.Join(t.TempDir(), "mybuilder"), false, false)
	next, _ := m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return next.(wizardModel)
}

func wsend(t testing.TB, m wizardModel, keys ...string) (wizardModel, tea.Cmd) {
	t.Helper()
	var cmd tea.Cmd
	for _, k := range keys {
		var next tea.Model
		next, cmd = m.Update(keyMsg(k))
		m = next.(wizardModel)
	}
	return m, cmd
}

func TestWizardPeek(t *testing.T) {
	m := newTestWizard(t, 120, 40)
	t.Log("\n" + m.View())
	m, _ = wsend(t, m, "enter", "enter", "enter", "enter", "enter", "enter", "enter")
	t.Log("\n" + m.View())
	m, _ = wsend(t, m, "right")
	t.Log("\n" + m.View())
}
