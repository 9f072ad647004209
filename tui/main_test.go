package tui

import (
	"os"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

func TestMain(m *testing.M) {
	// goldens are compared without colour, whatever the test terminal supports
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}
