package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/builder/image"
)

// Messages the progress view receives.
type (
	// eventsMsg carries builder events, batched so a chatty build costs one
	// update per batch rather than one per line.
	eventsMsg []builder.Event
	// runDoneMsg says the run function returned.
	runDoneMsg struct{ err error }
	// cancelSentMsg says the run's context was cancelled.
	cancelSentMsg struct{}
)

// DefaultLogLines is how many lines of each step's log the view keeps.
const DefaultLogLines = 5000

// progressModel is the live view of a build or test run.
type progressModel struct {
	title string
	run   *runState

	selected   int
	selKey     string // the selected step's key: indexes shift as sub-steps arrive
	pinned     bool   // the user chose a step; stop following the running one
	showLog    bool
	logDirty   bool
	scrolled   bool // the user scrolled up: the log holds still until they follow again
	log        viewport.Model
	bar        progress.Model
	spin       spinner.Model
	help       help.Model
	keys       progressKeys
	cancelRun  func()
	canceling  bool
	exitOnDone bool
	animate    bool

	width, height int
	now           time.Time
}

func newProgressModel(title string, logLines int, cancelRun func()) progressModel {
	if logLines <= 0 {
		logLines = DefaultLogLines
	}
	m := progressModel{
		title:   title,
		run:     newRunState(logLines),
		showLog: true,
		log:     viewport.New(80, 10),
		// the bar draws with lipgloss's profile, so NO_COLOR reaches it too
		bar:       progress.New(progress.WithSolidFill(string(colorAccent.Dark)), progress.WithoutPercentage(), progress.WithColorProfile(lipgloss.ColorProfile())),
		spin:      spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		help:      help.New(),
		keys:      newProgressKeys(),
		cancelRun: cancelRun,
		animate:   true,
		width:     80,
		height:    24,
	}
	m.log.KeyMap = viewport.KeyMap{} // the view routes scrolling keys itself
	m.layout()
	return m
}

func (m progressModel) Init() tea.Cmd {
	if m.animate {
		return m.spin.Tick
	}
	return nil
}

func (m progressModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		m.logDirty = true
	case eventsMsg:
		m.applyEvents(msg)
		m.layout() // new steps and cleanups take rows from the log
		if m.run.finished && m.exitOnDone {
			return m.syncLog(), tea.Quit
		}
	case runDoneMsg:
		m.run.finish(msg.err)
		if f := m.run.failedStep(); f != nil && !m.pinned {
			m.selectIndex(m.run.index[stepKey(f.parent, f.name)])
		}
		m.layout()
		m.canceling = false
		m.logDirty = true
		if m.exitOnDone {
			return m.syncLog(), tea.Quit
		}
	case cancelSentMsg:
		// the run now winds down; its Cleanup and RunFinished events follow
	case spinner.TickMsg:
		m.now = msg.Time
		if m.run.finished {
			return m, nil // stop ticking: nothing moves any more
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case tea.KeyMsg:
		return m.updateKey(msg)
	case tea.MouseMsg:
		// the wheel scrolls the log, like pgup/pgdn by three lines
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			if !m.scrolled {
				m.loadFullLog()
				m.scrolled = true
			}
			m.log.ScrollUp(3)
		case tea.MouseButtonWheelDown:
			if m.scrolled {
				m.log.ScrollDown(3)
				if m.log.AtBottom() {
					m.scrolled, m.logDirty = false, true
				}
			}
		}
	}
	return m.syncLog(), nil
}

func (m progressModel) updateKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Cancel):
		if m.run.finished || m.canceling {
			return m, tea.Quit // a second Ctrl+C leaves; the run's cleanup is still awaited
		}
		m.canceling = true
		return m, m.cancelCmd()
	case key.Matches(msg, m.keys.Quit):
		if m.run.finished {
			return m, tea.Quit
		}
	case key.Matches(msg, m.keys.Up):
		if m.selected > 0 {
			m.selectIndex(m.selected - 1)
			m.pinned, m.scrolled, m.logDirty = true, false, true
		}
	case key.Matches(msg, m.keys.Down):
		if m.selected < len(m.run.steps)-1 {
			m.selectIndex(m.selected + 1)
			m.pinned, m.scrolled, m.logDirty = true, false, true
		}
	case key.Matches(msg, m.keys.PageUp):
		if !m.scrolled {
			m.loadFullLog()
			m.scrolled = true
		}
		m.log.HalfPageUp()
	case key.Matches(msg, m.keys.PageDn):
		if m.scrolled {
			m.log.HalfPageDown()
			if m.log.AtBottom() {
				m.scrolled, m.logDirty = false, true
			}
		}
	case key.Matches(msg, m.keys.First), key.Matches(msg, m.keys.Last):
		i := 0
		if key.Matches(msg, m.keys.Last) {
			i = len(m.run.steps) - 1
		}
		if i >= 0 && i != m.selected {
			m.selectIndex(i)
			m.pinned = true
		}
		m.scrolled, m.logDirty = false, true
	case key.Matches(msg, m.keys.Tail):
		m.scrolled, m.logDirty = false, true
	case key.Matches(msg, m.keys.ToggleLog):
		m.showLog = !m.showLog
		m.layout()
		m.logDirty = true
	case key.Matches(msg, m.keys.Help):
		m.help.ShowAll = !m.help.ShowAll
		m.layout()
		m.logDirty = true
	}
	return m.syncLog(), nil
}

// cancelCmd cancels the run's context; the builder then cleans up.
func (m progressModel) cancelCmd() tea.Cmd {
	cancel := m.cancelRun
	return func() tea.Msg {
		if cancel != nil {
			cancel()
		}
		return cancelSentMsg{}
	}
}

func (m *progressModel) applyEvents(events []builder.Event) {
	for _, e := range events {
		i := m.run.apply(e)
		if m.selKey != "" {
			m.selected = m.run.index[m.selKey] // a sub-step may have moved it
		}
		if i < 0 {
			continue
		}
		switch {
		case m.selKey == "": // the first step: select it, or the build it is part of
			m.selectIndex(i)
			if e.Parent != "" {
				m.selectIndex(m.run.index[e.Parent])
			}
		case !m.pinned && e.Kind == builder.StepStarted && e.Parent == "":
			m.selectIndex(i) // follow the running step, not each Dockerfile step of a build
		}
		if i == m.selected || (e.Parent != "" && m.selKey == e.Parent) {
			m.logDirty = true // the selected step's log, or its build's, grew
		}
	}
	if m.run.finished {
		m.canceling = false
		// show the failure without the user hunting for it
		if f := m.run.failedStep(); f != nil && !m.pinned {
			m.selectIndex(m.run.index[stepKey(f.parent, f.name)])
		}
		m.logDirty = true
	}
}

// selectIndex selects the i-th step of the list.
func (m *progressModel) selectIndex(i int) {
	if i < 0 || i >= len(m.run.steps) {
		return
	}
	m.selected = i
	st := m.run.steps[i]
	m.selKey = stepKey(st.parent, st.name)
}

// syncLog refreshes the log pane from the selected step's ring. Following
// the tail, the pane holds only the lines it shows, so a chatty build costs
// O(pane height) per update, not O(ring); scrolled up, it holds still.
func (m progressModel) syncLog() progressModel {
	if !m.logDirty || !m.showLog || m.scrolled {
		return m
	}
	m.logDirty = false
	if len(m.run.steps) == 0 {
		m.log.SetContent("")
		return m
	}
	st := m.run.steps[m.selected]
	lines := st.log.last(m.log.Height)
	for i, l := range lines {
		lines[i] = styleLogLine(l)
	}
	m.log.SetContent(strings.Join(lines, "\n"))
	m.log.GotoBottom()
	return m
}

// styleLogLine colours the engine's errors and kiln's warnings in the log.
func styleLogLine(l string) string {
	switch {
	case strings.HasPrefix(l, "Error") || strings.HasPrefix(l, "ERROR") || strings.HasPrefix(l, "error:"):
		return failStyle.Render(l)
	case strings.HasPrefix(l, "warning: "):
		return warnStyle.Render(l)
	}
	return l
}

// loadFullLog puts the whole kept log in the pane, at its end, for scrolling.
func (m *progressModel) loadFullLog() {
	if len(m.run.steps) == 0 {
		return
	}
	st := m.run.steps[m.selected]
	var b strings.Builder
	if st.log.dropped > 0 {
		fmt.Fprintf(&b, "… %d earlier lines not kept\n", st.log.dropped)
	}
	for i := 0; i < st.log.len(); i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(styleLogLine(st.log.at(i)))
	}
	m.log.SetContent(b.String())
	m.log.GotoBottom()
}

// stepRows is how many lines the step list may use.
func (m progressModel) stepRows() int {
	n := len(m.run.steps) + max(0, m.run.totalSteps()-len(m.run.topLevel()))
	if !m.showLog {
		return max(1, m.height-m.chromeRows())
	}
	limit := max(3, (m.height-m.chromeRows())/3)
	return max(1, min(n, limit))
}

// chromeRows counts the lines that are neither steps nor log.
func (m progressModel) chromeRows() int {
	rows := 3 // title, bar, blank
	rows += lipgloss.Height(m.statusView())
	rows += lipgloss.Height(m.help.View(progressHelp{m.keys, m.run.finished}))
	if m.showLog {
		rows += 2 // blank + log header
	}
	rows += min(len(m.run.cleanups), 3)
	return rows
}

func (m *progressModel) layout() {
	m.help.Width = m.width
	m.bar.Width = max(10, m.width-2)
	m.log.Width = m.width
	h := max(1, m.height-m.chromeRows()-m.stepRows())
	if h != m.log.Height {
		m.log.Height, m.logDirty = h, true
	}
}

func (m progressModel) View() string {
	var b strings.Builder
	b.WriteString(m.headerView())
	b.WriteByte('\n')
	b.WriteString(m.bar.ViewAs(m.fraction()))
	b.WriteString("\n\n")
	b.WriteString(m.stepsView())
	if m.showLog {
		b.WriteString("\n\n")
		b.WriteString(m.logHeaderView())
		b.WriteByte('\n')
		b.WriteString(m.log.View())
	}
	if n := len(m.run.cleanups); n > 0 {
		start := max(0, n-3)
		for _, c := range m.run.cleanups[start:] {
			b.WriteString("\n" + mutedStyle.Render("removed "+c))
		}
	}
	b.WriteString("\n" + m.statusView())
	b.WriteString("\n" + m.help.View(progressHelp{m.keys, m.run.finished}))
	return b.String()
}

func (m progressModel) fraction() float64 {
	total := m.run.totalSteps()
	if total == 0 {
		return 0
	}
	return float64(m.run.completed()) / float64(total)
}

func (m progressModel) headerView() string {
	count := fmt.Sprintf("  %d/%d steps", m.run.completed(), m.run.totalSteps())
	if m.run.finished && m.run.cancelled() {
		count = fmt.Sprintf("  cancelled after %d of %d steps", m.run.completed(), m.run.totalSteps())
	}
	return titleStyle.Render(m.title) + mutedStyle.Render(count)
}

func (m progressModel) stepsView() string {
	rows := m.stepRows()
	steps := m.run.steps
	first := 0
	if m.selected >= rows {
		first = m.selected - rows + 1
	}
	var lines []string
	nameWidth := 12
	for _, st := range steps {
		w := lipgloss.Width(st.name)
		if st.parent != "" {
			w += 2 // its indent under the parent
		}
		nameWidth = max(nameWidth, w)
	}
	nameWidth = min(nameWidth, max(12, m.width-30)) // names use the width; the detail keeps 30 columns
	for i := first; i < len(steps) && len(lines) < rows; i++ {
		lines = append(lines, m.stepLine(i, nameWidth))
	}
	for n := len(m.run.topLevel()); n < m.run.totalSteps() && len(lines) < rows; n++ {
		lines = append(lines, mutedStyle.Render("  · "+"waiting"))
	}
	if len(lines) == 0 {
		lines = append(lines, mutedStyle.Render("  waiting for the first step…"))
	}
	return strings.Join(lines, "\n")
}

func (m progressModel) stepLine(i, nameWidth int) string {
	st := m.run.steps[i]
	cursor := "  "
	if i == m.selected {
		cursor = "› "
	}
	var mark, detail string
	switch st.status {
	case stepPending:
		mark = mutedStyle.Render("·")
	case stepRunning:
		mark = m.spin.View()
		if !m.now.IsZero() && !st.started.IsZero() && m.now.After(st.started) {
			detail = formatDuration(m.now.Sub(st.started))
		}
		if m.canceling {
			mark = warnStyle.Render("◌")
		}
	case stepDone:
		mark, detail = okStyle.Render("✓"), formatDuration(st.duration)
	case stepFailed:
		mark = failStyle.Render("✗")
		detail = formatDuration(st.duration) + "  " + failStyle.Render(firstLine(st.err))
	case stepSkipped:
		mark, detail = mutedStyle.Render("-"), mutedStyle.Render("skipped: "+st.message)
	case stepCancelled:
		mark, detail = warnStyle.Render("⊘"), warnStyle.Render("cancelled")
	}
	if st.size != 0 && (st.status == stepRunning || st.status == stepDone) {
		detail = transferred(st.bytes, st.size) + "  " + detail // a layer being pushed: its bytes
	}
	if st.parent != "" {
		cursor += "  " // a sub-step sits under its parent
		nameWidth -= 2
	}
	name := truncate(st.name, nameWidth)
	name += strings.Repeat(" ", max(0, nameWidth-lipgloss.Width(name)))
	if i == m.selected {
		name = selectedStyle.Render(name)
	}
	line := cursor + mark + " " + name + "  " + detail
	return truncate(line, m.width)
}

func (m progressModel) logHeaderView() string {
	if len(m.run.steps) == 0 {
		return mutedStyle.Render("── log ──")
	}
	st := m.run.steps[m.selected]
	h := "── log: " + st.name
	if m.scrolled {
		h += fmt.Sprintf(" (scrolled, %d%%; end follows)", int(m.log.ScrollPercent()*100))
	}
	h += " "
	return mutedStyle.Render(h + strings.Repeat("─", max(0, m.width-lipgloss.Width(h))))
}

func (m progressModel) statusView() string {
	switch {
	case m.canceling:
		return warnStyle.Render("cancelling: waiting for the builder to clean up…")
	case m.run.finished && m.run.cancelled():
		return warnStyle.Render("cancelled") + m.durationSuffix()
	case m.run.finished && m.run.runErr != "":
		msg := "failed: " + m.run.runErr
		if f := m.run.failedStep(); f != nil && f.err != "" && !strings.Contains(m.run.runErr, f.err) {
			msg += "\n" + f.name + ": " + f.err
		}
		// the whole cause, wrapped, as far as the screen allows: it is what
		// the author needs to read
		lines := strings.Split(wrapLines(msg+m.durationSuffix(), m.width, min(6, max(1, (m.height-14)/2))), "\n")
		for i := range lines {
			lines[i] = failStyle.Render(lines[i])
		}
		return strings.Join(lines, "\n")
	case m.run.finished:
		return okStyle.Render("done") + m.durationSuffix()
	default:
		return mutedStyle.Render("running…")
	}
}

// wrapLines wraps text to width, keeping at most max lines (the last one
// says how many more there were).
func wrapLines(text string, width, maxLines int) string {
	lines := strings.Split(lipgloss.NewStyle().Width(max(10, width)).Render(text), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	if len(lines) > maxLines {
		more := len(lines) - maxLines + 1
		lines = append(lines[:maxLines-1], fmt.Sprintf("… %d more lines in the log", more))
	}
	return strings.Join(lines, "\n")
}

func (m progressModel) durationSuffix() string {
	if m.run.duration > 0 {
		return mutedStyle.Render(" in " + formatDuration(m.run.duration))
	}
	return ""
}

// transferred prints "12.3/45.6 MiB", or "12.3 MiB" when the size is unknown.
func transferred(n, size int64) string {
	if size <= 0 || size < n {
		return image.HumanBytes(n)
	}
	return strings.TrimSuffix(image.HumanBytes(n), unitOf(size)) + "/" + image.HumanBytes(size)
}

func unitOf(n int64) string {
	h := image.HumanBytes(n)
	return h[strings.LastIndex(h, " "):]
}

func formatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	default:
		return d.Truncate(time.Second).String()
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// truncate cuts s to width cells, marking the cut with an ellipsis.
func truncate(s string, width int) string {
	if width <= 0 || lipgloss.Width(s) <= width {
		return s
	}
	return ansiTruncate(s, width-1) + "…"
}
