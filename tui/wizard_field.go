package tui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/kiln-s2i/kiln/scaffold"
)

type fieldKind int

const (
	kindText   fieldKind = iota
	kindToggle           // yes/no
	kindChoice           // one of choices
)

// choiceLabel is how a choice field shows its value.
func (d *fieldDef) choiceLabel(v string) string {
	for _, c := range d.choices() {
		if c.Value == v {
			return c.Name()
		}
	}
	return v
}

// fieldDef is one question of scaffold's field table as the wizard shows
// it. Definitions are shared by the full-screen wizard and the accessible
// prompts.
type fieldDef struct {
	field   *scaffold.Field
	id      string // the kiln.yaml path
	label   string
	why     string // one line, naming the guideline it serves
	kind    fieldKind
	hint    string // format of the answer, shown as placeholder
	get     func(*scaffold.Spec) string
	set     func(*scaffold.Spec, string) error
	choices func() []scaffold.Choice
	visible func(*scaffold.Spec) bool
	warn    func(*scaffold.Spec) string // advice that does not block
}

func (d *fieldDef) shown(s *scaffold.Spec) bool { return d.visible == nil || d.visible(s) }

// owns reports whether a problem's kiln.yaml path belongs to the field.
func (d *fieldDef) owns(path string) bool { return d.ownership(path) > 0 }

// ownership is the length of the field's path that matches a problem's path
// (0: none), so the most specific field gets the problem.
func (d *fieldDef) ownership(path string) int { return d.field.Owns(path) }

// fieldModel is a field's live state on a screen.
type fieldModel struct {
	def      *fieldDef
	input    textinput.Model
	parseErr string
	// fresh: the value is a default or an earlier answer, not yet touched in
	// this field; typing replaces it (as gh and huh do), a cursor key edits it.
	fresh bool
	typed string // a choice field: the letters typed to pick a choice
}

// findChoice returns the first choice from index from on (cyclically) whose
// name starts with prefix, in any case, or -1.
func findChoice(cs []scaffold.Choice, prefix string, from int) int {
	for k := range cs {
		i := (from + k) % len(cs)
		if strings.HasPrefix(strings.ToLower(cs[i].Name()), strings.ToLower(prefix)) {
			return i
		}
	}
	return -1
}

func newFieldModel(d *fieldDef, s *scaffold.Spec) *fieldModel {
	in := textinput.New()
	in.Prompt = ""
	in.Placeholder = hintText(d.hint)
	in.Cursor.SetMode(cursor.CursorStatic) // steady cursor: no blink timers, stable frames
	in.CharLimit = 0
	f := &fieldModel{def: d, input: in}
	f.reload(s)
	return f
}

func hintText(h string) string {
	if h == "" {
		return ""
	}
	return "e.g. " + h
}

// fieldLabelWidth is the column where answers start.
const fieldLabelWidth = 18

// setWidth fits the input to the form; the text scrolls within it.
func (f *fieldModel) setWidth(formWidth int) {
	f.input.Width = max(8, formWidth-fieldLabelWidth-4)
	f.input.SetCursor(f.input.Position())
}

// reload shows the spec's current value (after a preset change or pre-fill).
func (f *fieldModel) reload(s *scaffold.Spec) {
	f.input.SetValue(f.def.get(s))
	f.input.CursorEnd()
	f.parseErr = ""
	f.fresh = true
}

// commit writes the input into the spec; a parse error stays on the field.
func (f *fieldModel) commit(s *scaffold.Spec) bool {
	if err := f.def.set(s, f.input.Value()); err != nil {
		f.parseErr = err.Error()
		return false
	}
	f.parseErr = ""
	return true
}

// update handles a key for the focused field and reports whether the value changed.
func (f *fieldModel) update(msg tea.KeyMsg, s *scaffold.Spec) (tea.Cmd, bool) {
	before := f.input.Value()
	switch f.def.kind {
	case kindToggle:
		switch msg.String() {
		case " ", "left", "right", "h", "l":
			if before == "yes" {
				f.input.SetValue("no")
			} else {
				f.input.SetValue("yes")
			}
		case "y", "Y":
			f.input.SetValue("yes")
		case "n", "N":
			f.input.SetValue("no")
		}
	case kindChoice:
		cs := f.def.choices()
		i := choiceIndex(cs, before)
		typed := f.typed
		f.typed = ""
		switch msg.String() {
		case "left", "h":
			i = (i - 1 + len(cs)) % len(cs)
		case "right", "l", " ":
			i = (i + 1) % len(cs)
		default:
			// typing picks the choice that starts with the letters typed so
			// far (mi: microdnf); a letter again goes to the next one (a: apt, apk)
			if msg.Type != tea.KeyRunes {
				return nil, false
			}
			prefix := typed + string(msg.Runes)
			j := findChoice(cs, prefix, i)
			if j < 0 || typed == "" {
				prefix = string(msg.Runes)
				j = findChoice(cs, prefix, i+1)
			}
			if j < 0 {
				return nil, false
			}
			i, f.typed = j, prefix
		}
		f.input.SetValue(cs[i].Value)
	default:
		if f.fresh && (msg.Type == tea.KeyRunes || msg.Type == tea.KeySpace) {
			f.input.SetValue("") // the first letter typed replaces the default
		}
		f.fresh = false
		var cmd tea.Cmd
		f.input.Focus() // only the focused field gets keys; its input must take them
		f.input, cmd = f.input.Update(msg)
		if f.input.Value() == before {
			return cmd, false
		}
		f.commit(s)
		return cmd, true
	}
	if f.input.Value() == before {
		return nil, false
	}
	f.commit(s)
	return nil, true
}

func choiceIndex(cs []scaffold.Choice, v string) int {
	for i, c := range cs {
		if c.Value == v {
			return i
		}
	}
	return 0
}

// view renders the field: label and value on one line, then its error (or
// warning), then, when focused, the reason it is asked.
func (f *fieldModel) view(width int, focused bool, probs []scaffold.Problem, s *scaffold.Spec) string {
	const labelWidth = fieldLabelWidth
	label := f.def.label
	marker := "  "
	if focused {
		marker = "› "
		label = selectedStyle.Render(label)
	}
	label += strings.Repeat(" ", max(1, labelWidth-lipgloss.Width(f.def.label))) // a long label keeps a space before its answer
	var value string
	switch f.def.kind {
	case kindToggle:
		yes, no := "[ ] yes", "[ ] no"
		if f.input.Value() == "yes" {
			yes = "[x] yes"
		} else {
			no = "[x] no"
		}
		value = yes + "  " + no
	case kindChoice:
		value = "‹ " + f.def.choiceLabel(f.input.Value()) + " ›"
	default:
		if focused && lipgloss.ColorProfile() == termenv.Ascii {
			value = plainCursorView(f.input.Value(), f.input.Position(), f.input.Width)
		} else if focused {
			in := f.input // a copy: View does not change the model
			in.Focus()
			value = in.View()
		} else if v := f.input.Value(); v != "" {
			value = truncate(v, f.input.Width+1) // unfocused answers read from their start
		} else {
			value = mutedStyle.Render(hintText(f.def.hint))
		}
	}
	lines := []string{marker + label + value}
	indent := strings.Repeat(" ", labelWidth+2)
	if f.parseErr != "" {
		lines = append(lines, wrapIndent("✗ "+f.parseErr, indent, width, failStyle)...)
		probs = nil // the spec still holds the previous answer; its problems would mislead
	}
	for _, p := range probs {
		msg := "✗ " + f.def.problemText(p)
		if p.Fix != "" {
			msg += ": " + inFieldTerms(p.Fix)
		}
		lines = append(lines, wrapIndent(msg, indent, width, failStyle)...)
	}
	if f.def.warn != nil {
		if w := f.def.warn(s); w != "" && len(probs) == 0 {
			lines = append(lines, wrapIndent("! "+w, indent, width, warnStyle)...)
		}
	}
	if focused {
		if f.def.kind == kindChoice {
			cs := f.def.choices()
			nameWidth := 0
			for _, c := range cs {
				nameWidth = max(nameWidth, lipgloss.Width(c.Name()))
			}
			for _, c := range cs {
				mark := "  "
				if c.Value == f.input.Value() {
					mark = "● "
				}
				name := mark + c.Name() + strings.Repeat(" ", nameWidth-lipgloss.Width(c.Name())+2)
				// the description wraps under itself, beside the name
				desc := wrapIndent(c.Description, strings.Repeat(" ", len(indent)+lipgloss.Width(name)), width, mutedStyle)
				desc[0] = indent + name + strings.TrimLeft(desc[0], " ")
				lines = append(lines, desc...)
			}
		}
		if f.def.why != "" {
			lines = append(lines, wrapIndent(f.def.why, indent, width, mutedStyle)...)
		}
	}
	return strings.Join(lines, "\n")
}

// wrapIndent wraps text to the width left after indent, styling each line.
func wrapIndent(text, indent string, width int, style lipgloss.Style) []string {
	w := max(10, width-len(indent))
	wrapped := lipgloss.NewStyle().Width(w).Render(text)
	var out []string
	for _, l := range strings.Split(wrapped, "\n") {
		out = append(out, indent+style.Render(strings.TrimRight(l, " ")))
	}
	return out
}

// problemText is a problem as the field shows it: a problem with one item of
// a list names the item, by its number and value.
func (d *fieldDef) problemText(p scaffold.Problem) string {
	rest, ok := strings.CutPrefix(p.Field, d.id+"[")
	if !ok {
		return p.Message
	}
	num, _, ok := strings.Cut(rest, "]")
	n, err := strconv.Atoi(num)
	if !ok || err != nil {
		return p.Message
	}
	return fmt.Sprintf("item %d (%s): %s", n+1, p.Value, p.Message)
}

// plainCursorView draws a text answer with its cursor as a character: with
// NO_COLOR (or no colour support) the reverse-video cursor would not show.
// The text scrolls so the cursor stays within width.
func plainCursorView(v string, pos, width int) string {
	r := []rune(v)
	width = max(1, width)
	pos = min(max(0, pos), len(r))
	start := max(0, pos-width+1)
	end := min(len(r), start+width)
	return string(r[start:pos]) + "▏" + string(r[pos:end])
}
