package tui

import "github.com/charmbracelet/x/ansi"

func ansiTruncate(s string, width int) string { return ansi.Truncate(s, width, "") }
