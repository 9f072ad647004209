package tui

import "github.com/charmbracelet/bubbles/key"

// progressKeys are the progress view's bindings; help renders them.
type progressKeys struct {
	Up, Down       key.Binding
	PageUp, PageDn key.Binding
	First, Last    key.Binding
	Tail           key.Binding
	ToggleLog      key.Binding
	Help           key.Binding
	Cancel         key.Binding
	Quit           key.Binding
}

func newProgressKeys() progressKeys {
	return progressKeys{
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous step")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next step")),
		PageUp:    key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "scroll log up")),
		PageDn:    key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "scroll log down")),
		First:     key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first step")),
		Last:      key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last step")),
		Tail:      key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "follow the log")),
		ToggleLog: key.NewBinding(key.WithKeys("tab", "l"), key.WithHelp("tab/l", "toggle log")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "more keys")),
		Cancel:    key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "cancel")),
		Quit:      key.NewBinding(key.WithKeys("q", "esc", "enter"), key.WithHelp("q", "quit")),
	}
}

// progressHelp adapts the bindings to help.KeyMap for the current state.
type progressHelp struct {
	keys     progressKeys
	finished bool
}

func (h progressHelp) ShortHelp() []key.Binding {
	last := h.keys.Cancel
	if h.finished {
		last = h.keys.Quit
	}
	return []key.Binding{h.keys.Up, h.keys.Down, h.keys.ToggleLog, h.keys.Help, last}
}

func (h progressHelp) FullHelp() [][]key.Binding {
	last := h.keys.Cancel
	if h.finished {
		last = h.keys.Quit
	}
	return [][]key.Binding{ // three rows at most: the view fits 60x15
		{h.keys.Up, h.keys.Down, h.keys.First},
		{h.keys.Last, h.keys.PageUp, h.keys.PageDn},
		{h.keys.Tail, h.keys.ToggleLog},
		{h.keys.Help, last},
	}
}
