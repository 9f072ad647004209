package tui

import (
	"fmt"
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
	confirm   bool // the review's and the build offer's answer
	writeErr  error
	flash     string

	result WizardResult

	help          help.Model
	keys          wizardKeys
	width, height int
	previewOnly   bool // narrow terminals: the preview replaces the form
}

func newWizardModel(spec *scaffold.Spec, dir string, force, yes bool) wizardModel {
	m := wizardModel{spec: spec, dir: dir, force: force, yes: yes, help: help.New(), keys: newWizardKeys(),
		width: 120, height: 40, confirm: true, overwrite: force, lint: LintFiles}
	for _, def := range wizardScreens() {
		m.screens = append(m.screens, newScreenModel(def, spec))
	}
	m.preview = newPreviewModel()
	m.refresh()
	if yes {
		m.current = m.nextIncomplete(screenProject)
	}
	m.preview.choose(m.files, m.screens[m.current].def.preview)
	m.preview.clearChanges()
	return m
}

func (m wizardModel) Init() tea.Cmd {
	if m.current == screenReview {
		return m.planCmd()
	}
	return nil
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
	for ; id < screenReview; id++ {
		if !m.complete(id) {
			return id
		}
	}
	return screenReview
}

func (m wizardModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
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
		if m.plan != nil && m.current == screenReview {
			for _, f := range m.plan.Files {
				if f.Status == scaffold.Conflict && f.Diff != "" {
					// what writing would change in the author's file
					m.preview.show(scaffold.File{Path: f.Path + " (diff with the file on disk)", Content: []byte(f.Diff)})
					break
				}
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
	}
	return m, nil
}

func (m wizardModel) updateKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Quit):
		if m.state == stateWriting {
			return m, nil // the write is quick and must not be left half-reported
		}
		m.state = stateDone
		return m, tea.Quit
	case key.Matches(msg, m.keys.Help):
		m.help.ShowAll = !m.help.ShowAll
		return m, nil
	case key.Matches(msg, m.keys.PreviewFile):
		m.preview.cycle(m.files)
		return m, nil
	case key.Matches(msg, m.keys.PreviewToggle):
		m.previewOnly = !m.previewOnly
		return m, nil
	}
	switch m.state {
	case stateWriting, stateDone:
		return m, nil
	case stateOfferBuild:
		return m.updateOfferBuild(msg)
	}
	if m.current == screenReview {
		return m.updateReview(msg)
	}
	m.flash = ""
	switch {
	case key.Matches(msg, m.keys.PrevScreen):
		return m.goTo(m.current - 1)
	case key.Matches(msg, m.keys.NextScreen):
		return m.forward()
	}
	sm, cmd, n := m.screens[m.current].update(msg, m.keys, m.spec)
	m.screens[m.current] = sm
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
	if id < screenProject || id > screenReview {
		return m, nil
	}
	m.current = id
	m.flash = ""
	m.preview.choose(m.files, m.screens[id].def.preview)
	if id == screenReview {
		m.plan, m.findings, m.planErr, m.writeErr = nil, nil, nil, nil
		m.confirm = true
		return m, m.planCmd()
	}
	return m, nil
}

func (m wizardModel) updateReview(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.PrevScreen):
		return m.goTo(screenBuild)
	case key.Matches(msg, m.keys.Overwrite):
		m.overwrite = !m.overwrite
	case msg.String() == "y":
		m.confirm = true
	case msg.String() == "n":
		m.confirm = false
	case key.Matches(msg, m.keys.Confirm):
		m.confirm = !m.confirm
	case key.Matches(msg, m.keys.Next):
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

// writeBlocked says why the files cannot be written yet, or "".
func (m wizardModel) writeBlocked() string {
	for id := screenProject; id < screenReview; id++ {
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
	if m.plan == nil {
		return "Still checking the target directory…"
	}
	if n := m.conflicts(); n > 0 && !m.overwrite {
		return fmt.Sprintf("%d file(s) differ from what is on disk: press o to overwrite them, or esc to go back.", n)
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

// planCmd compares the rendered files with the target directory and lints them.
func (m wizardModel) planCmd() tea.Cmd {
	dir, files, lint := m.dir, m.files, m.lint
	return func() tea.Msg {
		p, err := scaffold.Plan(dir, files)
		var findings []Finding
		if err == nil {
			findings, err = lint(files)
		}
		return planMsg{plan: p, findings: findings, err: err}
	}
}

// writeCmd writes the files; it plans again so nothing changed underneath.
func (m wizardModel) writeCmd() tea.Cmd {
	dir, files, overwrite := m.dir, m.files, m.overwrite
	return func() tea.Msg {
		p, err := scaffold.Plan(dir, files)
		if err == nil {
			err = p.Apply(overwrite)
		}
		return writtenMsg{err: err}
	}
}

// View lays the form and the preview side by side from 120 columns, and
// one above the other (or behind ctrl+o) below that.
func (m wizardModel) View() string {
	if m.state == stateDone {
		return ""
	}
	header := m.headerView()
	helpView := m.help.View(m.helpKeys())
	status := m.statusView()
	bodyHeight := max(3, m.height-lipgloss.Height(header)-lipgloss.Height(helpView)-lipgloss.Height(status)-1)
	var body string
	if m.width >= wideLayout {
		formWidth := m.formWidth()
		form := lipgloss.NewStyle().Width(formWidth + 1).Height(bodyHeight).MaxHeight(bodyHeight).Render(m.formView(formWidth, bodyHeight))
		pv := m.preview.view(m.width-formWidth-1, bodyHeight)
		body = lipgloss.JoinHorizontal(lipgloss.Top, form, pv)
	} else if m.previewOnly {
		body = m.preview.view(m.width, bodyHeight)
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

func (m wizardModel) helpKeys() wizardHelp {
	h := wizardHelp{keys: m.keys, review: m.current == screenReview || m.state == stateOfferBuild, narrow: m.width < wideLayout}
	if f := m.screens[m.current].focused(); f != nil {
		h.choiceField = f.def.kind != kindText
	}
	return h
}

func (m wizardModel) headerView() string {
	var parts []string
	for _, sm := range m.screens {
		label := fmt.Sprintf("%d %s", sm.def.id+1, sm.def.short)
		switch {
		case sm.def.id == m.current:
			label = titleStyle.Render("[" + label + "]")
		case sm.def.id < screenReview && !m.complete(sm.def.id):
			label = warnStyle.Render(label + "!")
		default:
			label = mutedStyle.Render(label)
		}
		parts = append(parts, label)
	}
	return truncate(titleStyle.Render("kiln new")+"  "+strings.Join(parts, mutedStyle.Render(" · ")), m.width)
}

func (m wizardModel) statusView() string {
	switch {
	case m.flash != "":
		return failStyle.Render(truncate(m.flash, m.width))
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
	title := titleStyle.Render(sm.def.title) + "\n" + mutedStyle.Render(truncate(sm.def.intro, width)) + "\n"
	if m.current == screenReview {
		return title + "\n" + m.reviewView(width, height-3)
	}
	return title + "\n" + sm.view(width, height-3, m.probs, m.spec)
}

func (m wizardModel) reviewView(width, height int) string {
	var b strings.Builder
	switch {
	case m.planErr != nil:
		b.WriteString(failStyle.Render("✗ "+m.planErr.Error()) + "\n")
	case m.plan == nil:
		b.WriteString(mutedStyle.Render("Checking "+m.dir+"…") + "\n")
	default:
		b.WriteString(fileTree(m.dir, m.plan) + "\n")
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
		b.WriteString(failStyle.Render(truncate("✗ "+p.Field+": "+p.Message+"; "+p.Fix, width)) + "\n")
	}
	if m.writeErr != nil {
		b.WriteString(failStyle.Render(truncate("✗ writing failed: "+m.writeErr.Error(), width)) + "\n")
	}
	if n := m.conflicts(); n > 0 {
		b.WriteString(fmt.Sprintf("\nOverwrite the %d conflicting file(s)? %s  (o toggles)\n", n, yesNoChoice(m.overwrite)))
	}
	b.WriteString("\nWrite these files? " + yesNoChoice(m.confirm) + "\n")
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if height > 0 && len(lines) > height {
		// keep the question in view; the tree gives way
		tail := lines[len(lines)-3:]
		cut := len(lines) - height + 1
		head := lines[:max(0, height-4)]
		lines = append(append(head, mutedStyle.Render(fmt.Sprintf("  … %d more lines (ctrl+p previews each file)", cut))), tail...)
	}
	return strings.Join(lines, "\n")
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

// fileTree draws the plan as a tree with each file's status.
func fileTree(dir string, p *scaffold.WritePlan) string {
	entries := append([]planEntry(nil), planEntries(p)...)
	sort.Slice(entries, func(i, j int) bool { return entries[i].path < entries[j].path })
	width := 0
	for _, e := range entries {
		width = max(width, len(e.path))
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
		case "updated", "merged":
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
