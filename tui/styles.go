// Package tui is kiln's terminal UI: the guided wizard behind `kiln new` and
// the live progress view of builds and tests. Models render and dispatch only;
// every side effect is a tea.Cmd, and results come back as typed messages.
package tui

import (
	"os"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Adaptive colours: the first value is for light terminals, the second for dark.
var (
	colorAccent = lipgloss.AdaptiveColor{Light: "#5A3FC0", Dark: "#B9A5FF"}
	colorOK     = lipgloss.AdaptiveColor{Light: "#1B7F3B", Dark: "#5FD787"}
	colorFail   = lipgloss.AdaptiveColor{Light: "#B3261E", Dark: "#FF6B6B"}
	colorWarn   = lipgloss.AdaptiveColor{Light: "#8A5A00", Dark: "#FFC857"}
	colorMuted  = lipgloss.AdaptiveColor{Light: "#6B6B6B", Dark: "#8A8A8A"}
	colorChange = lipgloss.AdaptiveColor{Light: "#FFF3B0", Dark: "#3D3A12"}
)

var (
	titleStyle    = lipgloss.NewStyle().Bold(true).Foreground(colorAccent)
	okStyle       = lipgloss.NewStyle().Foreground(colorOK)
	failStyle     = lipgloss.NewStyle().Foreground(colorFail)
	warnStyle     = lipgloss.NewStyle().Foreground(colorWarn)
	mutedStyle    = lipgloss.NewStyle().Foreground(colorMuted)
	selectedStyle = lipgloss.NewStyle().Bold(true)
	changedStyle  = lipgloss.NewStyle().Background(colorChange)
	paneStyle     = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(colorMuted).Padding(0, 1)
)

// HonourNoColor drops colours when NO_COLOR is set (https://no-color.org).
// Called by the Run functions, never by models.
func HonourNoColor() {
	if os.Getenv("NO_COLOR") != "" {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
}
