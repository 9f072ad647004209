package tui

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/kiln-s2i/kiln/scaffold"
)

// wizardState is where the wizard is, beyond which screen shows.
type wizardState int

const (
	stateEditing    wizardState = iota
	stateWriting                // the write command runs
	stateOfferBuild             // files written: build and test now?
	stateDone                   // leaving with a result
)

// Messages the wizard receives from its commands.
type (
	planMsg struct {
		plan     *scaffold.WritePlan
		findings []Finding
		err      error
	}
	writtenMsg struct{ err error }
)

// wideLayout is the width from which the preview sits beside the form.
const wideLayout = 120

type wizardModel struct {
	spec    *scaffold.Spec
	dir     string
	force   bool
	yes     bool
	screens []screenModel
	current screenID
	state   wizardState

	probs     []scaffold.Problem
	files     []scaffold.File
	renderErr error
	preview   previewModel

	plan      *scaffold.WritePlan
	planErr   error
	findings  []Finding
	lint      func([]scaffold.File) ([]Finding, error) // the review's check (WizardInput.Lint)
	overwrite bool
	skip      bool // keep the conflicting files as they are and write the rest
	confirm   bool // the review's and the build offer's answer
	writeErr  error
	flash     string
	// note says which other answers a choice replaced; undo is the spec
	// before it, which ctrl+z restores.
	note string
	undo *scaffold.Spec

	initial   *scaffold.Spec // the answers the wizard started with
	quitAsked bool           // ctrl+c asked once whether to drop changed answers

	result WizardResult

	help          help.Model
	keys          wizardKeys
	width, height int
	previewOnly   bool // ctrl+o: the preview replaces the form

	inspector BaseInspector // looks the base image up, in commands
	base      baseState

	wizardMode
}

// wizardMode is what the wizard is run for: kiln new asks every question
// and plans a fresh render; kiln edit asks the metadata screens only and
// plans through its own engine.
type wizardMode struct {
	edit bool
	// planner plans writing the answers (nil: scaffold.Plan of the render
	// into dir, kiln new's plan).
	planner func(spec *scaffold.Spec, files []scaffold.File) (*scaffold.WritePlan, error)
	// prune removes the stale files the plan lists (p on the review).
	prune bool
}

func newWizardModel(spec *scaffold.Spec, dir string, force, yes bool) wizardModel {
	return newWizardModelFor(spec, dir, force, yes, wizardMode{})
}

func newWizardModelFor(spec *scaffold.Spec, dir string, force, yes bool, mode wizardMode) wizardModel {
	m := wizardModel{spec: spec, dir: dir, force: force, yes: yes, help: help.New(), keys: newWizardKeys(),
		width: 120, height: 40, confirm: true, overwrite: force, lint: LintFiles, wizardMode: mode}
	for _, def := range screensFor(mode.edit) {
		m.screens = append(m.screens, newScreenModel(def, spec))
	}
	m.preview = newPreviewModel()
	m.initial = spec.Clone()
	m.refresh()
	if yes {
		m.current = m.nextIncomplete(screenProject)
	}
	m.preview.choose(m.files, m.screens[m.current].def.preview)
	m.preview.clearChanges()
	return m
}

// review is the review screen's id, the last.
func (m wizardModel) review() screenID { return screenID(len(m.screens) - 1) }

func (m wizardModel) Init() tea.Cmd {
	if m.current == m.review() {
		return tea.Batch(m.planCmd(), m.firstBaseTick())
	}
	return m.firstBaseTick()
}

// refresh re-validates and re-renders after the spec changed.
func (m *wizardModel) refresh() {
	m.probs = problems(m.spec)
	files, err := scaffold.Render(m.spec)
	m.renderErr = err
	if err == nil {
		m.files = files
	}
	m.preview.stale = err != nil
	m.preview.update(m.files)
}

// complete reports whether a screen's answers stand as they are.
func (m *wizardModel) complete(id screenID) bool {
	return m.screens[id].blocker(m.probs, m.spec) < 0
}

// nextIncomplete returns the first screen from id on that needs answers, or review.
func (m *wizardModel) nextIncomplete(id screenID) screenID {
	for ; id < m.review(); id++ {
		if !m.complete(id) {
			return id
		}
	}
	return m.review()
}

// Update handles a message, then looks the base image up if its answer changed.
func (m wizardModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if next, cmd, ok := m.onBase(msg); ok {
		return next, cmd
	}
	next, cmd := m.update(msg)
	if wm, ok := next.(wizardModel); ok {
		return wm.watchBase(cmd)
	}
	return next, cmd
}

func (m wizardModel) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.Width = msg.Width
		for i := range m.screens {
			for _, f := range m.screens[i].fields {
				f.setWidth(m.formWidth())
			}
		}
		return m, nil
	case planMsg:
		m.plan, m.findings, m.planErr = msg.plan, msg.findings, msg.err
		if m.plan != nil && m.current == m.review() {
			if d := planDiff(m.plan, m.prune); d != "" {
				// what writing would change in the files on disk, before anything is written
				m.preview.show(scaffold.File{Path: diffTitle, Content: []byte(d)})
			}
		}
		return m, nil
	case writtenMsg:
		if msg.err != nil {
			m.state, m.writeErr = stateEditing, msg.err
			return m, m.planCmd()
		}
		m.result.Written = true
		m.state, m.confirm = stateOfferBuild, true
		return m, nil
	case tea.KeyMsg:
		return m.updateKey(msg)
	case tea.MouseMsg:
		return m.updateMouse(msg)
	}
	return m, nil
}

func (m wizardModel) updateKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if m.quitAsked && !key.Matches(msg, m.keys.Quit) {
		m.quitAsked, m.flash = false, "" // the author goes on
		return m, nil
	}
	switch {
	case key.Matches(msg, m.keys.Quit):
		if m.state == stateWriting {
			return m, nil // the write is quick and must not be left half-reported
		}
		if m.state == stateEditing && !m.quitAsked && !reflect.DeepEqual(m.spec, m.initial) {
			// answers typed and not written: ask once before dropping them
			m.quitAsked = true
			m.flash = "Quit without writing? ctrl+c again quits (your answers are kept for the next kiln new of this directory); any other key goes on."
			return m, nil
		}
		m.state = stateDone
		return m, tea.Quit
	case key.Matches(msg, m.keys.Help) || (key.Matches(msg, m.keys.HelpAlt) && !m.typing()):
		m.help.ShowAll = !m.help.ShowAll
		return m, nil
	case key.Matches(msg, m.keys.PreviewFile):
		m.preview.cycle(m.files)
		return m, nil
	case key.Matches(msg, m.keys.PreviewToggle):
		m.previewOnly = !m.previewOnly
		return m, nil
	}
	if m.previewShownAlone() {
		return m.updatePreview(msg), nil
	}
	switch m.state {
	case stateWriting, stateDone:
		return m, nil
	case stateOfferBuild:
		return m.updateOfferBuild(msg)
	}
	if m.current == m.review() {
		return m.updateReview(msg)
	}
	m.flash = ""
	switch {
	case key.Matches(msg, m.keys.PrevScreen):
		return m.goTo(m.current - 1)
	case key.Matches(msg, m.keys.NextScreen):
		return m.forward()
	}
	if key.Matches(msg, m.keys.Undo) {
		return m.undoChange(), nil
	}
	if key.Matches(msg, pickLocalKey) && m.asksBase() && len(m.base.offered) > 0 {
		return m.pickLocal(), nil
	}
	before := m.spec.Clone()
	sm, cmd, n := m.screens[m.current].update(msg, m.keys, m.spec)
	m.screens[m.current] = sm
	if n == navChanged || n == navReload {
		m.noteReplaced(before, n == navReload)
	}
	switch n {
	case navChanged:
		// answers derived from this one (the display name from the name) follow it
		m.reloadExcept(m.screens[m.current].focused())
		m.refresh()
	case navReload:
		for i := range m.screens {
			m.screens[i].reload(m.spec)
		}
		m.refresh()
	case navNext:
		m.refresh()
		next, c := m.forward()
		return next, tea.Batch(cmd, c)
	}
	return m, cmd
}

// noteReplaced remembers the spec before a change; when a choice changed
// other answers too (a preset's defaults), it says which, and ctrl+z undoes it.
func (m *wizardModel) noteReplaced(before *scaffold.Spec, choice bool) {
	focused := m.screens[m.current].focused()
	var labels []string
	for _, f := range scaffold.Fields() {
		if (focused == nil || f.Path != focused.def.id) && f.Get(before) != f.Get(m.spec) {
			labels = append(labels, f.Label)
		}
	}
	m.note, m.undo = "", nil
	if !choice || len(labels) == 0 || focused == nil {
		return
	}
	m.undo = before
	m.note = fmt.Sprintf("%s %s replaced %s · ctrl+z undoes", focused.def.field.Label, focused.def.choiceLabel(focused.def.get(m.spec)), strings.Join(labels, ", "))
}

// undoChange restores the answers from before the last choice that replaced others.
func (m wizardModel) undoChange() wizardModel {
	if m.undo == nil {
		return m
	}
	*m.spec = *m.undo // the caller holds this spec: change it in place
	m.undo, m.note = nil, ""
	for i := range m.screens {
		m.screens[i].reload(m.spec)
	}
	m.refresh()
	m.flash = ""
	return m
}

// reloadExcept shows the spec's answers in every field but skip, the one
// being typed in, and those holding text that does not parse.
func (m *wizardModel) reloadExcept(skip *fieldModel) {
	for i := range m.screens {
		for _, f := range m.screens[i].fields {
			if f != skip && f.parseErr == "" && f.input.Value() != f.def.get(m.spec) {
				f.reload(m.spec)
			}
		}
	}
}

// previewShownAlone reports whether the preview fills the body (ctrl+o, at
// any width: beside the form its long lines are cut): keys then scroll it
// and never reach the hidden form.
func (m wizardModel) previewShownAlone() bool { return m.previewOnly }

// typing reports whether keys go to a text field, so ? is a character there.
func (m wizardModel) typing() bool {
	if m.state != stateEditing || m.current == m.review() || m.previewShownAlone() {
		return false
	}
	f := m.screens[m.current].focused()
	return f != nil && f.def.kind == kindText
}

// updatePreview scrolls the full-screen preview.
func (m wizardModel) updatePreview(msg tea.KeyMsg) wizardModel {
	if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 {
		for _, r := range msg.Runes { // letters typed fast arrive together
			m = m.updatePreview(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		}
		return m
	}
	rows := max(1, m.bodyHeight()-3)
	k := m.keys
	switch {
	case key.Matches(msg, k.ScrollUp):
		m.preview.scroll(-1, rows)
	case key.Matches(msg, k.ScrollDown):
		m.preview.scroll(+1, rows)
	case key.Matches(msg, k.PageUp):
		m.preview.scroll(-rows, rows)
	case key.Matches(msg, k.PageDown):
		m.preview.scroll(+rows, rows)
	case key.Matches(msg, k.Top):
		m.preview.scrollTo(false, rows)
	case key.Matches(msg, k.Bottom):
		m.preview.scrollTo(true, rows)
	case key.Matches(msg, k.Wrap):
		m.preview.wrap = !m.preview.wrap
	case key.Matches(msg, k.Back):
		m.previewOnly = false
	}
	return m
}

// forward leaves the current screen if its answers stand.
func (m wizardModel) forward() (tea.Model, tea.Cmd) {
	sm := &m.screens[m.current]
	if b := sm.blocker(m.probs, m.spec); b >= 0 {
		sm.focusField(b)
		m.flash = "Fix the marked answer to go on."
		return m, nil
	}
	next := m.current + 1
	if m.yes {
		next = m.nextIncomplete(next)
	}
	return m.goTo(next)
}

func (m wizardModel) goTo(id screenID) (tea.Model, tea.Cmd) {
	if id < screenProject || id > m.review() {
		return m, nil
	}
	m.current = id
	m.flash = ""
	m.preview.choose(m.files, m.screens[id].def.preview)
	if id == m.review() {
		m.plan, m.findings, m.planErr, m.writeErr = nil, nil, nil, nil
		m.confirm = true
		return m, m.planCmd()
	}
	return m, nil
}

func (m wizardModel) updateReview(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.PrevScreen):
		return m.goTo(m.review() - 1)
	case key.Matches(msg, m.keys.Prune) && m.stale() > 0:
		m.prune = !m.prune
		if d := planDiff(m.plan, m.prune); d != "" {
			m.preview.show(scaffold.File{Path: diffTitle, Content: []byte(d)})
		}
	case key.Matches(msg, m.keys.Overwrite):
		m.overwrite, m.skip = !m.overwrite, false
	case key.Matches(msg, m.keys.Skip):
		m.skip, m.overwrite = !m.skip, false
	case msg.String() == "y":
		m.confirm = true
	case msg.String() == "n":
		m.confirm = false
	case key.Matches(msg, m.keys.Confirm):
		m.confirm = !m.confirm
	case key.Matches(msg, m.keys.Next):
		if m.nothingToWrite() {
			// kiln edit with the repo's own answers: no file to write, so no
			// "Write these files?" and no "Wrote" (issue 12)
			m.result.Unchanged = true
			m.state = stateDone
			return m, tea.Quit
		}
		if !m.confirm {
			m.state = stateDone
			return m, tea.Quit
		}
		if reason := m.writeBlocked(); reason != "" {
			m.flash = reason
			return m, nil
		}
		m.state, m.flash = stateWriting, ""
		return m, m.writeCmd()
	}
	return m, nil
}

// nothingToWrite says kiln edit's answers change no file (and no stale
// file is to be removed): the review has nothing to ask.
func (m wizardModel) nothingToWrite() bool {
	return m.edit && m.plan != nil && m.planErr == nil && len(m.probs) == 0 && m.renderErr == nil &&
		!m.plan.Changes() && !(m.prune && m.stale() > 0)
}

// writeBlocked says why the files cannot be written yet, or "".
func (m wizardModel) writeBlocked() string {
	for id := screenProject; id < m.review(); id++ {
		if !m.complete(id) {
			return fmt.Sprintf("The %s screen has an answer to fix (esc goes back).", m.screens[id].def.title)
		}
	}
	if len(m.probs) > 0 {
		return "The spec has a problem to fix: " + m.probs[0].Field + ": " + m.probs[0].Message
	}
	if m.renderErr != nil {
		return "Rendering failed: " + m.renderErr.Error()
	}
	if m.planErr != nil {
		return "Nothing can be written: " + m.planErr.Error()
	}
	if m.plan == nil {
		return "Still checking the target directory…"
	}
	if n := m.conflicts(); n > 0 && !m.overwrite && !m.skip {
		return fmt.Sprintf("%d file(s) differ from what is on disk: o overwrites them, s keeps them and writes the rest, esc goes back.", n)
	}
	return ""
}

// unownedProblems are the spec's problems no question asks about (e.g. a
// kiln.yaml key from --answers); the review shows them.
func (m wizardModel) unownedProblems() []scaffold.Problem {
	var out []scaffold.Problem
	for _, p := range m.probs {
		owned := false
		for _, sm := range m.screens {
			for _, f := range sm.fields {
				owned = owned || f.def.owns(p.Field)
			}
		}
		if !owned {
			out = append(out, p)
		}
	}
	return out
}

// stale counts the files kiln wrote earlier and no longer renders, which
// stay unless the author confirms their removal (p).
func (m wizardModel) stale() int {
	if m.plan == nil {
		return 0
	}
	return m.plan.Count(scaffold.Stale)
}

func (m wizardModel) conflicts() int {
	n := 0
	if m.plan != nil {
		for _, e := range m.plan.Files {
			if e.Status == scaffold.Conflict {
				n++
			}
		}
	}
	return n
}

func (m wizardModel) updateOfferBuild(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch {
	case msg.String() == "y":
		m.confirm = true
	case msg.String() == "n":
		m.confirm = false
	case key.Matches(msg, m.keys.Confirm):
		m.confirm = !m.confirm
	case key.Matches(msg, m.keys.Next):
		m.result.BuildNow = m.confirm
		m.state = stateDone
		return m, tea.Quit
	}
	return m, nil
}

// planFunc returns the mode's planner, kiln new's by default. Files kiln
// no longer renders are kept (Stale) until the author confirms.
func (m wizardModel) planFunc() func() (*scaffold.WritePlan, error) {
	dir, spec, files, planner := m.dir, m.spec.Clone(), m.files, m.planner
	return func() (*scaffold.WritePlan, error) { return planWith(planner, dir, spec, files) }
}

// planWith plans writing files, the render of spec, into dir with planner,
// or kiln new's plan when it is nil; stale files are kept until confirmed.
func planWith(planner func(*scaffold.Spec, []scaffold.File) (*scaffold.WritePlan, error), dir string, spec *scaffold.Spec, files []scaffold.File) (*scaffold.WritePlan, error) {
	var p *scaffold.WritePlan
	var err error
	if planner != nil {
		p, err = planner(spec, files)
	} else {
		p, err = scaffold.Plan(dir, files)
	}
	if err == nil {
		p.KeepStale()
	}
	return p, err
}

// planCmd compares the rendered files with the target directory and lints them.
func (m wizardModel) planCmd() tea.Cmd {
	files, lint, plan := m.files, m.lint, m.planFunc()
	base, known := m.knownBase()
	return func() tea.Msg {
		p, err := plan()
		var findings []Finding
		if err == nil {
			findings, err = lint(baseRecord(files, base, known))
		}
		return planMsg{plan: p, findings: findings, err: err}
	}
}

// writeCmd writes the files; it plans again so nothing changed underneath.
func (m wizardModel) writeCmd() tea.Cmd {
	dir, overwrite, skip, prune, plan := m.dir, m.overwrite, m.skip, m.prune, m.planFunc()
	base, known := m.knownBase()
	return func() tea.Msg {
		// Under the repository's lock from reading to writing (issue 10).
		lock, err := scaffold.Lock(dir)
		if err != nil {
			return writtenMsg{err: err}
		}
		defer lock.Unlock()
		p, err := plan()
		if err == nil {
			if skip {
				p = p.WithoutConflicts()
			}
			if prune {
				p.Prune()
			}
			err = p.Apply(overwrite)
		}
		if err == nil && known {
			// for kiln lint, as kiln new records it; lint guesses without it
			_ = scaffold.WriteBaseImage(dir, base)
		}
		return writtenMsg{err: err}
	}
}

// diffTitle names the review's preview of the plan's diff.
const diffTitle = "changes (unified diff of each file)"

// planDiff is the unified diff of every file the plan changes on disk, the
// stale files' removal included when prune.
func planDiff(p *scaffold.WritePlan, prune bool) string {
	var b strings.Builder
	for _, f := range p.Files {
		if f.Diff == "" || f.Status == scaffold.Stale && !prune {
			continue
		}
		b.WriteString(strings.TrimSuffix(f.Diff, "\n") + "\n")
	}
	return b.String()
}

// View lays the form and the preview side by side from 120 columns, and
// one above the other (or behind ctrl+o) below that.
func (m wizardModel) View() string {
	if m.state == stateDone {
		return ""
	}
	header := m.headerView()
	helpView := m.helpView()
	status := m.statusView()
	bodyHeight := m.bodyHeight()
	var body string
	if m.previewShownAlone() {
		body = m.previewWithNote().view(m.width, bodyHeight)
	} else if m.width >= wideLayout {
		formWidth := m.formWidth()
		form := lipgloss.NewStyle().Width(formWidth + 1).Height(bodyHeight).MaxHeight(bodyHeight).Render(m.formView(formWidth, bodyHeight))
		pv := m.previewWithNote().view(m.width-formWidth-1, bodyHeight)
		body = lipgloss.JoinHorizontal(lipgloss.Top, form, pv)
	} else {
		body = lipgloss.NewStyle().Height(bodyHeight).MaxHeight(bodyHeight).Render(m.formView(m.width, bodyHeight))
	}
	return header + "\n" + body + "\n" + status + "\n" + helpView
}

// formWidth is the form's column: half the screen beside the preview, all of it below 120 columns.
func (m wizardModel) formWidth() int {
	if m.width >= wideLayout {
		return min(72, m.width/2) - 1
	}
	return m.width
}

// bodyHeight is what the form and preview get between the header, the
// status line and the help.
func (m wizardModel) bodyHeight() int {
	return max(3, m.height-lipgloss.Height(m.headerView())-lipgloss.Height(m.helpView())-lipgloss.Height(m.statusView())-1)
}

func (m wizardModel) helpKeys() wizardHelp {
	h := wizardHelp{keys: m.keys, review: m.current == m.review() || m.state == stateOfferBuild,
		preview: m.previewShownAlone(), helpAlt: !m.typing(), width: m.width}
	if f := m.screens[m.current].focused(); f != nil {
		h.choiceField = f.def.kind != kindText
	}
	return h
}

// helpView is the help bar: it always shows the help key and quit, and as
// many other keys as the width allows; f1 (or ?) shows them all.
func (m wizardModel) helpView() string {
	h := m.helpKeys()
	if m.help.ShowAll {
		return m.help.FullHelpView(h.FullHelp())
	}
	return compactHelp(m.help, h.ShortHelp(), m.width)
}

// tabs returns the header's screen labels and the separator between them:
// full names from 120 columns, else the current one by name and the others
// by number, so every tab stays in view.
func (m wizardModel) tabs() (lead string, parts []string, sep string) {
	for _, sm := range m.screens {
		label := fmt.Sprintf("%d %s", sm.def.id+1, sm.def.short)
		switch {
		case sm.def.id == m.current:
			label = titleStyle.Render("[" + label + "]")
		case sm.def.id < m.review() && !m.complete(sm.def.id):
			label = warnStyle.Render(label + "!")
		default:
			label = mutedStyle.Render(label)
		}
		parts = append(parts, label)
	}
	lead, sep = titleStyle.Render(m.command())+"  ", mutedStyle.Render(" · ")
	if lipgloss.Width(lead+strings.Join(parts, sep)) <= m.width {
		return lead, parts, sep
	}
	parts = parts[:0]
	for _, sm := range m.screens {
		n := fmt.Sprint(sm.def.id + 1)
		switch {
		case sm.def.id == m.current:
			parts = append(parts, titleStyle.Render("["+n+" "+sm.def.short+"]"))
		case sm.def.id < m.review() && !m.complete(sm.def.id):
			parts = append(parts, warnStyle.Render(n+"!"))
		default:
			parts = append(parts, mutedStyle.Render(n))
		}
	}
	return titleStyle.Render(m.command()) + " ", parts, " "
}

// command is what the header calls the wizard.
func (m wizardModel) command() string {
	if m.edit {
		return "kiln edit"
	}
	return "kiln new"
}

func (m wizardModel) headerView() string {
	lead, parts, sep := m.tabs()
	return truncate(lead+strings.Join(parts, sep), m.width)
}

// tabAt returns the screen whose tab is at column x of the header.
func (m wizardModel) tabAt(x int) (screenID, bool) {
	lead, parts, sep := m.tabs()
	at := lipgloss.Width(lead)
	for i, p := range parts {
		w := lipgloss.Width(p)
		if x >= at && x < at+w {
			return screenID(i), true
		}
		at += w + lipgloss.Width(sep)
	}
	return 0, false
}

// updateMouse: the wheel scrolls the preview; a click on a tab goes to its
// screen, forward only past screens whose answers stand.
func (m wizardModel) updateMouse(msg tea.MouseMsg) (tea.Model, tea.Cmd) {
	if m.state != stateEditing {
		return m, nil
	}
	rows := max(1, m.bodyHeight()-3)
	switch {
	case msg.Button == tea.MouseButtonWheelUp:
		m.preview.scroll(-3, rows)
	case msg.Button == tea.MouseButtonWheelDown:
		m.preview.scroll(+3, rows)
	case msg.Button == tea.MouseButtonLeft && msg.Action == tea.MouseActionPress && msg.Y == 0:
		id, ok := m.tabAt(msg.X)
		if !ok || id == m.current {
			return m, nil
		}
		for s := m.current; s < id; s++ {
			if !m.complete(s) {
				m.flash = fmt.Sprintf("The %s screen has an answer to fix first.", m.screens[s].def.title)
				return m, nil
			}
		}
		return m.goTo(id)
	}
	return m, nil
}

func (m wizardModel) statusView() string {
	switch {
	case m.flash != "":
		return failStyle.Render(truncate(m.flash, m.width))
	case m.note != "":
		return warnStyle.Render(truncate(m.note, m.width))
	case m.state == stateWriting:
		return mutedStyle.Render("Writing…")
	case m.renderErr != nil && len(m.probs) == 0: // problems already show by their fields
		return failStyle.Render(truncate("✗ rendering: "+m.renderErr.Error(), m.width))
	}
	return ""
}

func (m wizardModel) formView(width, height int) string {
	if m.state == stateOfferBuild {
		return m.offerBuildView(width)
	}
	sm := m.screens[m.current]
	intro := wrapIndent(sm.def.intro, "", width, mutedStyle) // wrapped, not cut at the edge
	title := titleStyle.Render(sm.def.title) + "\n" + strings.Join(intro, "\n") + "\n"
	rest := height - 2 - len(intro)
	if m.current == m.review() {
		return title + "\n" + m.reviewView(width, rest)
	}
	if m.asksBase() {
		if bv := m.baseView(width); bv != "" {
			return title + "\n" + sm.view(width, rest-1-strings.Count(bv, "\n"), m.probs, m.spec) + "\n" + bv
		}
	}
	return title + "\n" + sm.view(width, rest, m.probs, m.spec)
}

func (m wizardModel) reviewView(width, height int) string {
	var b strings.Builder
	switch {
	case m.planErr != nil:
		b.WriteString(failStyle.Render("✗ "+m.planErr.Error()) + "\n")
	case m.plan == nil:
		b.WriteString(mutedStyle.Render("Checking "+m.dir+"…") + "\n")
	case m.edit && !m.plan.Changes():
		b.WriteString(mutedStyle.Render("No file changes: the answers are those of "+m.dir+".") + "\n")
	default:
		b.WriteString(fileTree(m.dir, m.plan, m.edit) + "\n")
	}
	b.WriteString("\n" + answersSummary(m.spec) + "\n")
	if base, ok := m.knownBase(); ok {
		b.WriteString(strings.Join(wrapIndent(inheritNote(base, m.spec), "", width, mutedStyle), "\n") + "\n")
	}
	b.WriteString("\n")
	switch {
	case m.plan == nil:
	case len(m.findings) == 0:
		b.WriteString(okStyle.Render("Lint: no findings.") + "\n")
	default:
		b.WriteString(fmt.Sprintf("Lint: %d finding(s)\n", len(m.findings)))
		for _, f := range m.findings {
			lines := wrapIndent(f.String(), "    ", width, lipgloss.NewStyle())
			lines[0] = "  " + strings.TrimPrefix(lines[0], "    ")
			b.WriteString(strings.Join(lines, "\n") + "\n")
		}
	}
	for _, p := range m.unownedProblems() {
		b.WriteString(failStyle.Render(truncate("✗ "+p.Field+": "+p.Message+"; "+inFieldTerms(p.Fix), width)) + "\n")
	}
	if m.writeErr != nil {
		b.WriteString(failStyle.Render(truncate("✗ writing failed: "+m.writeErr.Error(), width)) + "\n")
	}
	// The choices and the question stay in view; the tree gives way.
	var c strings.Builder
	if n := m.conflicts(); n > 0 {
		choice := "ask"
		switch {
		case m.overwrite:
			choice = "overwrite them"
		case m.skip:
			choice = "keep them"
		}
		c.WriteString(fmt.Sprintf("\n\n%d file(s) differ from disk: %s (o: overwrite, s: keep)", n, selectedStyle.Render(choice)))
	}
	if n := m.stale(); n > 0 {
		choice := "keep them"
		if m.prune {
			choice = "remove them"
		}
		c.WriteString(fmt.Sprintf("\n\n%d stale file(s): %s (p: toggle)\n", n, selectedStyle.Render(choice)))
		c.WriteString(mutedStyle.Render("  kiln wrote them earlier and renders them no more"))
	}
	if m.nothingToWrite() {
		c.WriteString("\n\nNothing to change: enter leaves, writing nothing.")
	} else {
		c.WriteString("\n\nWrite these files? " + yesNoChoice(m.confirm))
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	tail := strings.Split(c.String(), "\n")[1:]
	all := append(slices.Clone(lines), tail...)
	if height > 0 && len(all) > height {
		head := lines[:max(0, height-len(tail)-1)]
		cut := len(lines) - len(head)
		all = append(append(slices.Clone(head), mutedStyle.Render(fmt.Sprintf("  … %d more lines (ctrl+p previews each file)", cut))), tail...)
	}
	for i := range all {
		all[i] = truncate(all[i], width) // a long path must not widen the screen
	}
	return strings.Join(all, "\n")
}

// answersSummary sums up the main answers on the review, so the author
// checks them without paging back through the screens.
func answersSummary(s *scaffold.Spec) string {
	get := func(path string) string { return scaffold.FieldByPath(path).Get(s) }
	engine := cmpOr(s.Engine, "auto")
	lines := []string{
		"Image    " + s.ImageRef() + " (" + s.Preset + "): " + s.DisplayName,
		"Base     " + s.From + ", " + s.PackageManager + ": " + cmpOr(get("packages"), "no packages"),
		"Runs as  UID " + get("uid") + ", ports " + get("ports") + ", readiness " + get("readiness") + ", liveness " + get("liveness"),
		"Build    incremental " + get("incremental") + ", engine " + engine,
	}
	for i := range lines {
		lines[i] = mutedStyle.Render(lines[i])
	}
	return strings.Join(lines, "\n")
}

func cmpOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (m wizardModel) offerBuildView(width int) string {
	var b strings.Builder
	b.WriteString(okStyle.Render("✓ Wrote "+m.dir) + "\n\n")
	b.WriteString(truncate("kiln can now build the image and run `kiln test`: an s2i build of a test app, an incremental rebuild, and a response from it.", width) + "\n\n")
	b.WriteString("Build and test now? " + yesNoChoice(m.confirm))
	return b.String()
}

func yesNoChoice(yes bool) string {
	if yes {
		return selectedStyle.Render("› Yes") + "   No "
	}
	return "  Yes " + selectedStyle.Render("› No")
}

// fileTree draws the plan as a tree with each file's status; changedOnly
// leaves out the files that stay as they are.
func fileTree(dir string, p *scaffold.WritePlan, changedOnly bool) string {
	entries := append([]planEntry(nil), planEntries(p)...)
	if changedOnly {
		entries = slices.DeleteFunc(entries, func(e planEntry) bool { return e.status == string(scaffold.Identical) })
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].path < entries[j].path })
	// The statuses line up after the longest name as drawn (indent and base
	// name), not the longest path: a deep path must not push them past the
	// form's width, where they would wrap.
	width := 0
	for _, e := range entries {
		parts := strings.Split(e.path, "/")
		width = max(width, 2*len(parts)+len(parts[len(parts)-1]))
	}
	var b strings.Builder
	b.WriteString(dir + "/\n")
	shownDirs := map[string]bool{}
	for _, e := range entries {
		parts := strings.Split(e.path, "/")
		for d := 1; d < len(parts); d++ {
			prefix := strings.Join(parts[:d], "/")
			if !shownDirs[prefix] {
				shownDirs[prefix] = true
				b.WriteString(strings.Repeat("  ", d) + parts[d-1] + "/\n")
			}
		}
		name := strings.Repeat("  ", len(parts)) + parts[len(parts)-1]
		status := e.status
		switch status {
		case "create":
			status = okStyle.Render(status)
		case "conflict":
			status = failStyle.Render(status)
		case "updated", "merged", "stale", "removed":
			status = warnStyle.Render(status)
		default:
			status = mutedStyle.Render(status)
		}
		b.WriteString(name + strings.Repeat(" ", max(1, width+4-len(name))) + status + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

type planEntry struct{ path, status string }

func planEntries(p *scaffold.WritePlan) []planEntry {
	var out []planEntry
	for _, e := range p.Files {
		out = append(out, planEntry{path: e.Path, status: string(e.Status)})
	}
	return out
}
