package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/kiln-s2i/kiln/scaffold"
)

// nav is what a screen asks of the wizard after a key.
type nav int

const (
	navStay nav = iota
	navNext
	navChanged // the spec changed: re-validate and re-render
	navReload  // a choice changed: other answers may follow it, on any screen
)

// screenModel is one screen of questions: a reusable component that edits a
// *Spec. The wizard strings them together; `kiln edit` can show any of them.
type screenModel struct {
	def    screenDef
	fields []*fieldModel
	focus  int
}

func newScreenModel(def screenDef, s *scaffold.Spec) screenModel {
	sm := screenModel{def: def}
	for _, d := range def.fields {
		sm.fields = append(sm.fields, newFieldModel(d, s))
	}
	return sm
}

// reload refreshes every field from the spec, e.g. after a preset change.
func (sm *screenModel) reload(s *scaffold.Spec) {
	for _, f := range sm.fields {
		if f.parseErr == "" { // keep what the user is still typing
			f.reload(s)
		}
	}
}

func (sm *screenModel) visible(s *scaffold.Spec) []int {
	var idx []int
	for i, f := range sm.fields {
		if f.def.shown(s) {
			idx = append(idx, i)
		}
	}
	return idx
}

func (sm *screenModel) focused() *fieldModel {
	if sm.focus < 0 || sm.focus >= len(sm.fields) {
		return nil
	}
	return sm.fields[sm.focus]
}

// move focuses the next (+1) or previous (-1) visible field; it reports
// false at either end.
func (sm *screenModel) move(dir int, s *scaffold.Spec) bool {
	vis := sm.visible(s)
	pos := -1
	for i, fi := range vis {
		if fi == sm.focus {
			pos = i
		}
	}
	pos += dir
	if pos < 0 || pos >= len(vis) {
		return false
	}
	sm.focus = vis[pos]
	return true
}

// focusField focuses field i, e.g. the one whose problem keeps the user here.
func (sm *screenModel) focusField(i int) {
	if i >= 0 && i < len(sm.fields) {
		sm.focus = i
	}
}

// problemsOf returns the problems owned by each field, by field index.
func (sm *screenModel) problemsOf(probs []scaffold.Problem, s *scaffold.Spec) map[int][]scaffold.Problem {
	out := map[int][]scaffold.Problem{}
	for _, p := range probs {
		owner, best := -1, 0
		for i, f := range sm.fields {
			if n := f.def.ownership(p.Field); n > best && f.def.shown(s) {
				owner, best = i, n
			}
		}
		if owner >= 0 {
			out[owner] = append(out[owner], p)
		}
	}
	return out
}

// blocker returns the index of the first visible field that keeps the user
// on this screen (a parse error or a validation problem), or -1.
func (sm *screenModel) blocker(probs []scaffold.Problem, s *scaffold.Spec) int {
	owned := sm.problemsOf(probs, s)
	for _, i := range sm.visible(s) {
		if sm.fields[i].parseErr != "" || len(owned[i]) > 0 {
			return i
		}
	}
	return -1
}

func (sm screenModel) update(msg tea.KeyMsg, keys wizardKeys, s *scaffold.Spec) (screenModel, tea.Cmd, nav) {
	f := sm.focused()
	if f == nil {
		if key.Matches(msg, keys.Next) {
			return sm, nil, navNext
		}
		return sm, nil, navStay
	}
	switch {
	case key.Matches(msg, keys.Next):
		f.commit(s)
		if !sm.move(+1, s) {
			return sm, nil, navNext
		}
		return sm, nil, navChanged
	case key.Matches(msg, keys.NextField):
		sm.move(+1, s)
		return sm, nil, navStay
	case key.Matches(msg, keys.PrevField):
		sm.move(-1, s)
		return sm, nil, navStay
	}
	cmd, changed := f.update(msg, s)
	if changed {
		if f.def.kind == kindChoice || f.def.kind == kindToggle {
			return sm, cmd, navReload
		}
		return sm, cmd, navChanged
	}
	return sm, cmd, navStay
}

// view renders the fields; it scrolls so the focused field is in view.
func (sm screenModel) view(width, height int, probs []scaffold.Problem, s *scaffold.Spec) string {
	owned := sm.problemsOf(probs, s)
	var lines []string
	focusTop, focusBottom := 0, 0
	for _, i := range sm.visible(s) {
		block := sm.fields[i].view(width, i == sm.focus, owned[i], s)
		if i == sm.focus {
			focusTop = len(lines)
		}
		lines = append(lines, strings.Split(block, "\n")...)
		if i == sm.focus {
			focusBottom = len(lines)
		}
	}
	if height > 0 && len(lines) > height {
		start := 0
		if focusBottom > height {
			start = min(focusTop, focusBottom-height)
		}
		lines = lines[start:min(len(lines), start+height)]
	}
	return strings.Join(lines, "\n")
}
