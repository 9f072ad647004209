package tui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
)

// wizardKeys are the wizard's bindings. Letters are left to the text fields,
// so navigation uses named keys.
type wizardKeys struct {
	Next, PrevField, NextField key.Binding
	Change                     key.Binding
	NextScreen, PrevScreen     key.Binding
	PreviewFile, PreviewToggle key.Binding
	Help, HelpAlt, Quit        key.Binding
	// the full-screen preview's keys
	ScrollUp, ScrollDown, PageUp, PageDown, Top, Bottom, Wrap, Back key.Binding
	Confirm                                                         key.Binding
	Overwrite, Skip, Prune                                          key.Binding
	Undo                                                            key.Binding
}

func newWizardKeys() wizardKeys {
	return wizardKeys{
		Next:          key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "accept")),
		NextField:     key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		PrevField:     key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous field")),
		Change:        key.NewBinding(key.WithKeys("left", "right", " "), key.WithHelp("←/→/space", "change choice")),
		NextScreen:    key.NewBinding(key.WithKeys("pgdown", "ctrl+n"), key.WithHelp("pgdn", "next screen")),
		PrevScreen:    key.NewBinding(key.WithKeys("pgup", "ctrl+b", "esc"), key.WithHelp("esc", "back")),
		PreviewFile:   key.NewBinding(key.WithKeys("ctrl+p"), key.WithHelp("ctrl+p", "preview next file")),
		PreviewToggle: key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "preview")),
		Help:          key.NewBinding(key.WithKeys("f1"), key.WithHelp("f1", "keys")),
		HelpAlt:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?/f1", "keys")), // not in text fields
		ScrollUp:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "scroll")),
		ScrollDown:    key.NewBinding(key.WithKeys("down", "j")),
		PageUp:        key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup/pgdn", "page")),
		PageDown:      key.NewBinding(key.WithKeys("pgdown", " ", "f")),
		Top:           key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/G", "top/end")),
		Bottom:        key.NewBinding(key.WithKeys("end", "G")),
		Wrap:          key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "wrap lines")),
		Back:          key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the form")),
		Quit:          key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Confirm:       key.NewBinding(key.WithKeys("y", "n", "left", "right", " "), key.WithHelp("y/n", "choose")),
		Overwrite:     key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "overwrite conflicts")),
		Skip:          key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "keep conflicting files, write the rest")),
		Prune:         key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "remove stale files too")),
		Undo:          key.NewBinding(key.WithKeys("ctrl+z"), key.WithHelp("ctrl+z", "undo a choice's replacements")),
	}
}

// wizardHelp adapts the bindings to help.KeyMap for the current screen.
type wizardHelp struct {
	keys        wizardKeys
	review      bool
	preview     bool // the full-screen preview has the keys
	helpAlt     bool // ? opens the help (not in a text field)
	choiceField bool
	width       int
}

func (h wizardHelp) helpKey() key.Binding {
	if h.helpAlt {
		return h.keys.HelpAlt
	}
	return h.keys.Help
}

// ShortHelp lists the keys by priority; the help key and quit come last and
// compactHelp always keeps them.
func (h wizardHelp) ShortHelp() []key.Binding {
	var b []key.Binding
	switch {
	case h.preview:
		b = []key.Binding{h.keys.Back, h.keys.ScrollUp, h.keys.Wrap, h.keys.PageUp, h.keys.Top, h.keys.PreviewFile}
	case h.review:
		b = []key.Binding{h.keys.Next, h.keys.Confirm, h.keys.PrevScreen}
	default:
		// ctrl+o: the only way to see the files below 120 columns, and
		// their long lines above
		b = []key.Binding{h.keys.Next, h.keys.NextField, h.keys.PreviewToggle, h.keys.PrevScreen}
		if h.choiceField {
			b = append(b, h.keys.Change)
		}
	}
	return append(b, h.helpKey(), h.keys.Quit)
}

// FullHelp spreads every key over as many columns as the width holds.
func (h wizardHelp) FullHelp() [][]key.Binding {
	all := []key.Binding{
		h.keys.Next, h.keys.NextField, h.keys.PrevField, h.keys.Change,
		h.keys.NextScreen, h.keys.PrevScreen, h.keys.Overwrite, h.keys.Skip, h.keys.Prune, h.keys.Undo,
		h.keys.PreviewFile, h.keys.PreviewToggle, h.helpKey(), h.keys.Quit,
	}
	if h.preview {
		all = []key.Binding{h.keys.ScrollUp, h.keys.PageUp, h.keys.Top, h.keys.Wrap,
			h.keys.PreviewFile, h.keys.Back, h.helpKey(), h.keys.Quit}
	}
	cols := max(1, min(3, h.width/32))
	if h.width == 0 {
		cols = 3
	}
	per := (len(all) + cols - 1) / cols
	var out [][]key.Binding
	for i := 0; i < len(all); i += per {
		out = append(out, all[i:min(len(all), i+per)])
	}
	return out
}

// compactHelp renders the short help within width: it drops keys from the
// end of the list, before the help key and quit, until the bar fits.
func compactHelp(m help.Model, keys []key.Binding, width int) string {
	m.Width = 0 // measure without help's own cut
	tail := keys[len(keys)-2:]
	for n := len(keys) - 2; n >= 0; n-- {
		v := m.ShortHelpView(append(append([]key.Binding(nil), keys[:n]...), tail...))
		if width <= 0 || lipgloss.Width(v) <= width {
			return v
		}
	}
	return truncate(m.ShortHelpView(tail), width)
}
