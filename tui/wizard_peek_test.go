package tui

import "testing"

func TestWizardPeek2(t *testing.T) {
	m := newTestWizard(t, 100, 30)
	for i := 0; i < 40 && m.current != screenReview; i++ {
		m, _ = wsend(t, m, "enter")
	}
	next, _ := m.Update(m.planCmd()())
	m = next.(wizardModel)
	t.Log("\n" + m.View())
	m, _ = wsend(t, m, "esc", "esc", "tab", "tab", "tab", "tab", "tab", "tab", "space")
	t.Log("\n" + m.View())
	m, _ = wsend(t, m, "esc", "esc", "esc")
	m, _ = wsend(t, m, "backspace", "backspace", "backspace", "backspace")
	t.Log("\n" + m.View())
}
