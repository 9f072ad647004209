package tui

import "github.com/charmbracelet/bubbles/key"

// wizardKeys are the wizard's bindings. Letters are left to the text fields,
// so navigation uses named keys.
type wizardKeys struct {
	Next, PrevField, NextField key.Binding
	Change                     key.Binding
	NextScreen, PrevScreen     key.Binding
	PreviewFile, PreviewToggle key.Binding
	Help, Quit                 key.Binding
	Confirm                    key.Binding
	Overwrite                  key.Binding
	Undo                       key.Binding
}

func newWizardKeys() wizardKeys {
	return wizardKeys{
		Next:          key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "accept")),
		NextField:     key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		PrevField:     key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous field")),
		Change:        key.NewBinding(key.WithKeys("left", "right", " "), key.WithHelp("←/→/space", "change choice")),
		NextScreen:    key.NewBinding(key.WithKeys("pgdown", "ctrl+n"), key.WithHelp("pgdn", "next screen")),
		PrevScreen:    key.NewBinding(key.WithKeys("pgup", "ctrl+b", "esc"), key.WithHelp("esc/pgup", "back")),
		PreviewFile:   key.NewBinding(key.WithKeys("ctrl+p"), key.WithHelp("ctrl+p", "preview next file")),
		PreviewToggle: key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "show/hide preview")),
		Help:          key.NewBinding(key.WithKeys("f1"), key.WithHelp("f1", "more keys")),
		Quit:          key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit without writing")),
		Confirm:       key.NewBinding(key.WithKeys("y", "n", "left", "right", " "), key.WithHelp("y/n", "choose")),
		Overwrite:     key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "overwrite conflicts")),
		Undo:          key.NewBinding(key.WithKeys("ctrl+z"), key.WithHelp("ctrl+z", "undo a choice's replacements")),
	}
}

// wizardHelp adapts the bindings to help.KeyMap for the current screen.
type wizardHelp struct {
	keys        wizardKeys
	review      bool
	narrow      bool
	choiceField bool
}

func (h wizardHelp) ShortHelp() []key.Binding {
	if h.review {
		return []key.Binding{h.keys.Next, h.keys.Confirm, h.keys.PrevScreen, h.keys.Help, h.keys.Quit}
	}
	b := []key.Binding{h.keys.Next, h.keys.NextField, h.keys.PrevScreen}
	if h.choiceField {
		b = append(b, h.keys.Change)
	}
	if h.narrow {
		b = append(b, h.keys.PreviewToggle)
	}
	return append(b, h.keys.Help, h.keys.Quit)
}

func (h wizardHelp) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{h.keys.Next, h.keys.NextField, h.keys.PrevField, h.keys.Change},
		{h.keys.NextScreen, h.keys.PrevScreen, h.keys.Overwrite, h.keys.Undo},
		{h.keys.PreviewFile, h.keys.PreviewToggle, h.keys.Help, h.keys.Quit},
	}
}
