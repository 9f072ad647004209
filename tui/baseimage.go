package tui

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/scaffold"
	"github.com/kiln-s2i/kiln/scaffold/lint"
)

// BaseInspector looks base images up for the wizard; kiln new sets it to
// builder.InspectBase and image.LocalNames. The wizard runs it in a command,
// never in Update, so typing is never blocked.
type BaseInspector struct {
	Inspect func(ctx context.Context, ref string) builder.BaseInfo
	Local   func() []string // the images in local storage, offered when the registry is unreachable
}

// baseDebounce is how long the base image answer must stay still before it
// is looked up: a lookup per keystroke would be wasted work.
const baseDebounce = 400 * time.Millisecond

type (
	// baseTickMsg: the answer was ref when the debounce started.
	baseTickMsg struct {
		ref string
		seq int
	}
	// baseInfoMsg carries a lookup's result.
	baseInfoMsg struct {
		seq   int
		info  builder.BaseInfo
		local []string
	}
)

// baseState is what the wizard knows of the current base image.
type baseState struct {
	ref     string // the answer the state is about
	seq     int    // bumped at each change, so stale results are dropped
	pending bool
	info    *builder.BaseInfo
	local   []string
	// offered are the local images pickLocalKey cycles through: kept
	// across lookups, so the author can go on to the next one after
	// picking one.
	offered []string
}

// pickLocalKey fills the base image answer with the next local image, when
// the registry cannot be reached (or has not the image).
var pickLocalKey = key.NewBinding(key.WithKeys("ctrl+l"), key.WithHelp("ctrl+l", "pick a local image"))

// watchBase starts a debounced lookup when the base image answer changed.
func (m wizardModel) watchBase(cmd tea.Cmd) (tea.Model, tea.Cmd) {
	if m.inspector.Inspect == nil || m.spec.From == m.base.ref {
		return m, cmd
	}
	m.base = baseState{ref: m.spec.From, seq: m.base.seq + 1, pending: m.spec.From != "", offered: m.base.offered}
	if m.spec.From == "" {
		return m, cmd
	}
	ref, seq := m.base.ref, m.base.seq
	tick := tea.Tick(baseDebounce, func(time.Time) tea.Msg { return baseTickMsg{ref: ref, seq: seq} })
	return m, tea.Batch(cmd, tick)
}

// onBase handles the lookup's messages; ok is false for other messages.
func (m wizardModel) onBase(msg tea.Msg) (tea.Model, tea.Cmd, bool) {
	switch msg := msg.(type) {
	case baseTickMsg:
		if msg.seq != m.base.seq {
			return m, nil, true // the answer changed again meanwhile
		}
		insp, seq, ref := m.inspector, msg.seq, msg.ref
		return m, func() tea.Msg {
			info := insp.Inspect(context.Background(), ref)
			var local []string
			if insp.Local != nil && (info.Where == builder.BaseUnreachable || info.Where == builder.BaseNotFound) {
				local = insp.Local()
			}
			return baseInfoMsg{seq: seq, info: info, local: local}
		}, true
	case baseInfoMsg:
		if msg.seq != m.base.seq {
			return m, nil, true
		}
		m.base.pending, m.base.info, m.base.local = false, &msg.info, msg.local
		if len(msg.local) > 0 {
			m.base.offered = msg.local
		}
		m.followBase()
		return m, nil, true
	}
	return m, nil, false
}

// followBase makes the package-manager answer follow the image, while it is
// still the preset's default: an image with apt-get gets apt.
func (m *wizardModel) followBase() {
	if m.base.info == nil {
		return
	}
	if _, ok := m.base.info.FollowPackageManager(m.spec); !ok {
		return // the author chose it, or the image says nothing new
	}
	for i := range m.screens {
		m.screens[i].reload(m.spec)
	}
	m.refresh()
	m.preview.update(m.files)
}

// baseView is the lines under the form of the screen that asks for the base image.
func (m wizardModel) baseView(width int) string {
	if m.inspector.Inspect == nil || m.spec.From == "" {
		return ""
	}
	if m.base.pending || m.base.info == nil {
		return wrapped("Base image: looking it up…", width, mutedStyle)
	}
	info := m.base.info
	var parts []string
	switch info.Where {
	case builder.BaseLocal:
		parts = append(parts, "found locally")
		if info.OS != "" {
			parts = append(parts, info.OS)
		}
	case builder.BaseRegistry:
		parts = append(parts, "in the registry")
	default:
		line := wrapped("Base image: "+info.Message, width, failStyle)
		if len(m.base.local) > 0 {
			shown := m.base.local
			if len(shown) > 6 {
				shown = shown[:6]
			}
			line += "\n" + wrapped("Local images (ctrl+l picks the next): "+strings.Join(shown, ", "), width, mutedStyle)
		}
		return line
	}
	if info.PackageManager != "" {
		parts = append(parts, "package manager "+info.PackageManager)
	}
	user := info.User
	if user == "" {
		user = "root (none set)"
	}
	parts = append(parts, "USER "+user)
	if u := info.ScriptsURL(); u != "" {
		parts = append(parts, "sets scripts-url "+u)
	}
	if len(m.base.offered) > 1 && info.Where == builder.BaseLocal {
		parts = append(parts, "ctrl+l: next local image")
	}
	return wrapped(fmt.Sprintf("Base image: %s", strings.Join(parts, " · ")), width, okStyle)
}

func wrapped(text string, width int, style lipgloss.Style) string {
	return strings.Join(wrapIndent(text, "", width, style), "\n")
}

// setInspector turns the lookup on, starting with the current answer (Init
// sends its first tick).
func (m *wizardModel) setInspector(insp BaseInspector) {
	m.inspector = insp
	if insp.Inspect != nil && m.spec.From != "" {
		m.base = baseState{ref: m.spec.From, seq: 1, pending: true}
	}
}

// firstBaseTick is Init's lookup of the starting answer.
func (m wizardModel) firstBaseTick() tea.Cmd {
	if m.inspector.Inspect == nil || !m.base.pending {
		return nil
	}
	ref, seq := m.base.ref, m.base.seq
	return tea.Tick(baseDebounce, func(time.Time) tea.Msg { return baseTickMsg{ref: ref, seq: seq} })
}

// asksBase reports whether the current screen asks for the base image.
func (m wizardModel) asksBase() bool {
	for _, f := range m.screens[m.current].fields {
		if f.def.id == "from" {
			return true
		}
	}
	return false
}

// knownBase is the config of the image the base image answer names, once
// looked up and found.
func (m wizardModel) knownBase() (lint.BaseImage, bool) {
	if m.base.info == nil || m.base.pending || m.base.ref != m.spec.From {
		return lint.BaseImage{}, false
	}
	return m.base.info.LintBase()
}

// inheritNote says what the Dockerfile does with the USER and scripts-url
// the base image sets (G14, G18): the preview of the Dockerfile and the
// review show it, so the author sees what the image inherits.
func inheritNote(b lint.BaseImage, s *scaffold.Spec) string {
	uid := fmt.Sprint(s.UID)
	var parts []string
	switch b.User {
	case "":
		parts = append(parts, "base sets no USER (root); USER "+uid+" here replaces it")
	case uid:
		parts = append(parts, "base sets USER "+uid+", as here")
	default:
		parts = append(parts, "base sets USER "+b.User+"; USER "+uid+" here replaces it")
	}
	own := "image://" + scaffold.ScriptsDir
	switch u := b.ScriptsURL(); u {
	case "":
	case own:
		parts = append(parts, "its scripts-url "+u+", as here")
	default:
		parts = append(parts, "its scripts-url "+u+" is replaced by "+own)
	}
	return "Inherited: " + strings.Join(parts, " · ")
}

// baseRecord adds the base image's config to the files lint reads, as kiln
// new records it (lint.BaseImageFile), so the review's lint judges what the
// Dockerfile inherits.
func baseRecord(files []scaffold.File, b lint.BaseImage, ok bool) []scaffold.File {
	if !ok {
		return files
	}
	data, err := json.Marshal(b)
	if err != nil {
		return files
	}
	return append(slices.Clip(files), scaffold.File{Path: lint.BaseImageFile, Content: data, Mode: 0o644})
}

// previewWithNote is the preview with the Dockerfile's inherit note.
func (m wizardModel) previewWithNote() previewModel {
	p := m.preview
	if base, ok := m.knownBase(); ok {
		p.note = inheritNote(base, m.spec)
	}
	return p
}

// pickLocal sets the base image answer to the local image after the current
// one (the first when the answer is none of them); the lookup follows.
func (m wizardModel) pickLocal() wizardModel {
	next := m.base.offered[(slices.Index(m.base.offered, m.spec.From)+1)%len(m.base.offered)]
	m.spec.From = next
	for i := range m.screens {
		m.screens[i].reload(m.spec)
	}
	m.refresh()
	m.preview.update(m.files)
	m.flash = ""
	return m
}
