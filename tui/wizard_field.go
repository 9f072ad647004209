package tui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

type fieldKind int

const (
	kindText   fieldKind = iota
	kindToggle           // yes/no
	kindChoice           // one of choices
)

type choice struct{ value, label, description string }

func (c choice) name() string {
	if c.label != "" {
		return c.label
	}
	return c.value
}

// choiceLabel is how a choice field shows its value.
func (d *fieldDef) choiceLabel(v string) string {
	for _, c := range d.choices() {
		if c.value == v {
			return c.name()
		}
	}
	return v
}

// fieldDef is one question: how to show it, why it is asked, and how it reads
// and writes the spec. Definitions are shared by the full-screen wizard, the
// accessible prompts and (later) `kiln edit`.
type fieldDef struct {
	id      string
	label   string
	why     string   // one line, naming the guideline it serves
	paths   []string // kiln.yaml keys it owns: validation problems are matched by prefix
	kind    fieldKind
	hint    string // format of the answer, shown as placeholder
	get     func(*Spec) string
	set     func(*Spec, string) error
	choices func() []choice
	visible func(*Spec) bool
	warn    func(*Spec) string // advice that does not block
}

func (d *fieldDef) shown(s *Spec) bool { return d.visible == nil || d.visible(s) }

// owns reports whether a problem's kiln.yaml path belongs to the field.
func (d *fieldDef) owns(path string) bool { return d.ownership(path) > 0 }

// ownership is the length of the field's path that matches a problem's path
// (0: none), so the most specific field gets the problem.
func (d *fieldDef) ownership(path string) int {
	best := 0
	for _, p := range d.paths {
		if path == p || strings.HasPrefix(path, p+"[") || strings.HasPrefix(path, p+".") {
			best = max(best, len(p))
		}
	}
	return best
}

// fieldModel is a field's live state on a screen.
type fieldModel struct {
	def      *fieldDef
	input    textinput.Model
	parseErr string
}

func newFieldModel(d *fieldDef, s *Spec) *fieldModel {
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
func (f *fieldModel) reload(s *Spec) {
	f.input.SetValue(f.def.get(s))
	f.input.CursorEnd()
	f.parseErr = ""
}

// commit writes the input into the spec; a parse error stays on the field.
func (f *fieldModel) commit(s *Spec) bool {
	if err := f.def.set(s, f.input.Value()); err != nil {
		f.parseErr = err.Error()
		return false
	}
	f.parseErr = ""
	return true
}

// update handles a key for the focused field and reports whether the value changed.
func (f *fieldModel) update(msg tea.KeyMsg, s *Spec) (tea.Cmd, bool) {
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
		switch msg.String() {
		case "left", "h":
			i = (i - 1 + len(cs)) % len(cs)
		case "right", "l", " ":
			i = (i + 1) % len(cs)
		default:
			return nil, false
		}
		f.input.SetValue(cs[i].value)
	default:
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

func choiceIndex(cs []choice, v string) int {
	for i, c := range cs {
		if c.value == v {
			return i
		}
	}
	return 0
}

// view renders the field: label and value on one line, then its error (or
// warning), then, when focused, the reason it is asked.
func (f *fieldModel) view(width int, focused bool, probs []Problem, s *Spec) string {
	const labelWidth = fieldLabelWidth
	label := f.def.label
	marker := "  "
	if focused {
		marker = "› "
		label = selectedStyle.Render(label)
	}
	label += strings.Repeat(" ", max(0, labelWidth-lipgloss.Width(f.def.label)))
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
		if focused {
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
		msg := "✗ " + p.Message
		if p.Fix != "" {
			msg += ": " + p.Fix
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
				nameWidth = max(nameWidth, lipgloss.Width(c.name()))
			}
			for _, c := range cs {
				mark := "  "
				if c.value == f.input.Value() {
					mark = "● "
				}
				name := mark + c.name() + strings.Repeat(" ", nameWidth-lipgloss.Width(c.name())+2)
				// the description wraps under itself, beside the name
				desc := wrapIndent(c.description, strings.Repeat(" ", len(indent)+lipgloss.Width(name)), width, mutedStyle)
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

// Parsing helpers shared by the field definitions.

func splitList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func joinList(items []string) string { return strings.Join(items, ", ") }

func parseYesNo(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "yes", "y", "true":
		return true, nil
	case "no", "n", "false", "":
		return false, nil
	}
	return false, fmt.Errorf("%q: answer yes or no", v)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func parseInt(v, what string) (int, error) {
	v = strings.TrimSpace(v)
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a number", what, v)
	}
	return n, nil
}

// parsePairs reads "KEY=value, KEY2=value2".
func parsePairs(v, what string) ([][2]string, error) {
	var out [][2]string
	for _, item := range splitList(v) {
		k, val, ok := strings.Cut(item, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("%s %q: write it as KEY=value", what, item)
		}
		out = append(out, [2]string{strings.TrimSpace(k), strings.TrimSpace(val)})
	}
	return out, nil
}

// parsePorts reads "8080:http, 8443/tcp:https" (the io.openshift.expose-services form).
func parsePorts(v string) ([]Port, error) {
	var out []Port
	for _, item := range splitList(v) {
		spec, name, _ := strings.Cut(item, ":")
		num, proto, hasProto := strings.Cut(spec, "/")
		n, err := strconv.Atoi(strings.TrimSpace(num))
		if err != nil {
			return nil, fmt.Errorf("port %q: write it as NUMBER[/tcp|udp][:service], e.g. 8080:http", item)
		}
		p := Port{Number: n, Protocol: "tcp", Name: strings.TrimSpace(name)}
		if hasProto {
			p.Protocol = strings.ToLower(strings.TrimSpace(proto))
		}
		out = append(out, p)
	}
	return out, nil
}

func formatPorts(ps []Port) string {
	var items []string
	for _, p := range ps {
		s := strconv.Itoa(p.Number)
		if p.Protocol != "" && p.Protocol != "tcp" {
			s += "/" + p.Protocol
		}
		if p.Name != "" {
			s += ":" + p.Name
		}
		items = append(items, s)
	}
	return joinList(items)
}

// parseProbe reads "/ready" (http on the first port), ":8081/ready", "tcp"
// or "tcp :8081". Port 0 means the first port, as in kiln.yaml.
func parseProbe(v string) (Probe, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return Probe{}, nil
	}
	if rest, ok := strings.CutPrefix(v, "tcp"); ok {
		rest = strings.TrimSpace(rest)
		port := 0
		if rest != "" {
			n, err := strconv.Atoi(strings.TrimPrefix(rest, ":"))
			if err != nil {
				return Probe{}, fmt.Errorf("probe %q: write tcp or tcp :PORT", v)
			}
			port = n
		}
		return Probe{Type: "tcp", Port: port}, nil
	}
	port := 0
	if strings.HasPrefix(v, ":") {
		num, path, _ := strings.Cut(v[1:], "/")
		n, err := strconv.Atoi(num)
		if err != nil {
			return Probe{}, fmt.Errorf("probe %q: write /path, :PORT/path or tcp", v)
		}
		port, v = n, "/"+path
	}
	if !strings.HasPrefix(v, "/") {
		return Probe{}, fmt.Errorf("probe %q: an HTTP path starts with /", v)
	}
	return Probe{Type: "http", Path: v, Port: port}, nil
}

func formatProbe(p Probe) string {
	switch p.Type {
	case "tcp":
		if p.Port != 0 {
			return fmt.Sprintf("tcp :%d", p.Port)
		}
		return "tcp"
	case "http":
		if p.Port != 0 {
			return fmt.Sprintf(":%d%s", p.Port, p.Path)
		}
		return p.Path
	}
	return ""
}
