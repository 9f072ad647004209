package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/kiln-s2i/kiln/scaffold"
)

// previewModel shows one rendered file beside the form and marks the lines
// the last change touched.
type previewModel struct {
	path    string
	lines   []string
	changed map[int]bool
	last    map[string]string // the previous content of each file, to diff against
	stale   bool              // the answers do not render now; this is the last rendering that did
	// top is the first line shown once the author scrolled (scrolled); until
	// then the view follows the lines the last change touched.
	top      int
	scrolled bool
	wrap     bool // long lines wrap instead of being cut
	// note is a line under the Dockerfile's title: what it inherits from
	// the base image.
	note string
}

// scroll moves the view by n lines (from wherever it shows now).
func (p *previewModel) scroll(n, rows int) {
	if !p.scrolled {
		p.top, p.scrolled = p.followStart(rows), true
	}
	p.top = max(0, min(p.top+n, len(p.lines)-1))
}

// scrollTo shows the first (top) or last lines.
func (p *previewModel) scrollTo(bottom bool, rows int) {
	p.scrolled, p.top = true, 0
	if bottom {
		p.top = max(0, len(p.lines)-rows)
	}
}

// followStart is the first line shown while following changes: the first
// changed line, a third of the way down.
func (p previewModel) followStart(rows int) int {
	first := 0
	for i := range p.lines {
		if p.changed[i] {
			first = i
			break
		}
	}
	if first >= rows {
		return min(first-rows/3, max(0, len(p.lines)-rows))
	}
	return 0
}

func newPreviewModel() previewModel {
	return previewModel{changed: map[int]bool{}, last: map[string]string{}}
}

func findFile(files []scaffold.File, path string) (scaffold.File, bool) {
	for _, f := range files {
		if f.Path == path {
			return f, true
		}
	}
	return scaffold.File{}, false
}

// choose shows the first of the preferred files that exists.
func (p *previewModel) choose(files []scaffold.File, prefs []string) {
	for _, want := range prefs {
		if f, ok := findFile(files, want); ok {
			p.show(f)
			return
		}
	}
	if len(files) > 0 {
		p.show(files[0])
	}
}

// cycle shows the next rendered file.
func (p *previewModel) cycle(files []scaffold.File) {
	for i, f := range files {
		if f.Path == p.path {
			p.show(files[(i+1)%len(files)])
			return
		}
	}
	if len(files) > 0 {
		p.show(files[0])
	}
}

func (p *previewModel) show(f scaffold.File) {
	if f.Path != p.path {
		p.changed = map[int]bool{}
		p.scrolled, p.top = false, 0
	}
	p.path = f.Path
	p.lines = strings.Split(strings.TrimRight(string(f.Content), "\n"), "\n")
	p.last[f.Path] = string(f.Content)
}

func (p *previewModel) clearChanges() { p.changed = map[int]bool{} }

// update takes a new rendering; when the shown file changed, the lines that
// are new since the previous rendering are marked.
func (p *previewModel) update(files []scaffold.File) {
	for _, f := range files {
		prev, seen := p.last[f.Path]
		content := string(f.Content)
		p.last[f.Path] = content
		if f.Path != p.path {
			continue
		}
		if seen && prev == content {
			continue
		}
		p.lines = strings.Split(strings.TrimRight(content, "\n"), "\n")
		p.changed = changedLines(prev, p.lines)
		p.scrolled = false // show what the change did
	}
}

// changedLines marks each line that the old text did not have (as many
// times as it had it), which is what an author needs to see the effect of a keystroke.
func changedLines(old string, lines []string) map[int]bool {
	count := map[string]int{}
	for _, l := range strings.Split(strings.TrimRight(old, "\n"), "\n") {
		count[l]++
	}
	changed := map[int]bool{}
	for i, l := range lines {
		if count[l] > 0 {
			count[l]--
			continue
		}
		changed[i] = true
	}
	return changed
}

func (p previewModel) view(width, height int) string {
	inner := max(10, width-2) // inside the border, padding included
	text := inner - 2         // inside the padding
	rows := max(1, height-3)  // border and title
	var note []string
	if p.note != "" && p.path == "Dockerfile" {
		note = wrapIndent(p.note, "", text, mutedStyle)
		rows = max(1, rows-len(note))
	}
	start := p.followStart(rows)
	if p.scrolled {
		start = min(p.top, max(0, len(p.lines)-1))
	}
	var out []string
	for i := start; i < len(p.lines) && len(out) < rows; i++ {
		parts := []string{truncate(p.lines[i], text-2)}
		if p.wrap {
			parts = strings.Split(ansi.Hardwrap(p.lines[i], max(1, text-2), true), "\n")
		}
		for j, line := range parts {
			if len(out) == rows {
				break
			}
			mark := "  "
			if j > 0 {
				mark = "↪ " // the line goes on
			}
			switch {
			case p.changed[i]:
				line = changedStyle.Render("▌ " + line + strings.Repeat(" ", max(0, text-2-lipgloss.Width(line))))
			case p.path == diffTitle && strings.HasPrefix(p.lines[i], "+") && !strings.HasPrefix(p.lines[i], "+++"):
				line = mark + okStyle.Render(line) // the review's diff: what writing adds
			case p.path == diffTitle && strings.HasPrefix(p.lines[i], "-") && !strings.HasPrefix(p.lines[i], "---"):
				line = mark + failStyle.Render(line) // and what it takes away
			default:
				line = mark + line
			}
			out = append(out, line)
		}
	}
	title := titleStyle.Render(truncate(p.path, text))
	if p.stale {
		title += warnStyle.Render("  as of the last valid answers")
	} else if n := len(p.changed); n > 0 {
		title += mutedStyle.Render(fmt.Sprintf("  %d changed", n))
	}
	for _, l := range note {
		title += "\n" + l
	}
	body := strings.Join(out, "\n")
	return paneStyle.Width(inner).Height(rows + 1 + len(note)).MaxHeight(height).Render(title + "\n" + body)
}
