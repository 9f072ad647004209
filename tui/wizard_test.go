package tui

import (
	"github.com/kiln-s2i/kiln/builder"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/kiln-s2i/kiln/tui/internal/fakerun"

	"github.com/kiln-s2i/kiln/scaffold"
)

func testSpec(t testing.TB) *scaffold.Spec {
	t.Helper()
	s, err := startingSpec("/tmp/mybuilder")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newTestWizardWith(t testing.TB, s *scaffold.Spec, dir string, yes bool, w, h int) wizardModel {
	t.Helper()
	m := newWizardModel(s, dir, false, yes)
	next, _ := m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return next.(wizardModel)
}

func newTestWizard(t testing.TB, w, h int) wizardModel {
	t.Helper()
	return newTestWizardWith(t, testSpec(t), filepath.Join(t.TempDir(), "mybuilder"), false, w, h)
}

// wsend sends keys; a command's message is delivered too, the way the
// program would, except tea.Quit.
func wsend(t testing.TB, m wizardModel, keys ...string) (wizardModel, tea.Cmd) {
	t.Helper()
	var last tea.Cmd
	for _, k := range keys {
		next, cmd := m.Update(keyMsg(k))
		m = next.(wizardModel)
		last = cmd
		m = runCmds(t, m, cmd)
	}
	return m, last
}

func runCmds(t testing.TB, m wizardModel, cmd tea.Cmd) wizardModel {
	t.Helper()
	if cmd == nil {
		return m
	}
	switch msg := cmd().(type) {
	case nil, tea.QuitMsg:
	case tea.BatchMsg:
		for _, c := range msg {
			m = runCmds(t, m, c)
		}
	case planMsg, writtenMsg:
		next, c := m.Update(msg)
		m = runCmds(t, next.(wizardModel), c)
	}
	return m
}

// typeText types s into the focused field, after clearing it.
func typeText(t testing.TB, m wizardModel, s string) wizardModel {
	t.Helper()
	f := m.screens[m.current].focused()
	for range f.input.Value() {
		m, _ = wsend(t, m, "backspace")
	}
	for _, r := range s {
		m, _ = wsend(t, m, string(r))
	}
	return m
}

// fieldOn returns the field with id on a screen.
func fieldOn(t testing.TB, sm screenModel, id string) *fieldModel {
	t.Helper()
	for _, f := range sm.fields {
		if f.def.id == id {
			return f
		}
	}
	t.Fatalf("no field %q on screen %s", id, sm.def.title)
	return nil
}

// focusField moves focus to the field with id on the current screen.
func focusOn(t testing.TB, m wizardModel, id string) wizardModel {
	t.Helper()
	for i := 0; i < 30; i++ {
		if f := m.screens[m.current].focused(); f != nil && f.def.id == id {
			return m
		}
		m, _ = wsend(t, m, "tab")
	}
	for i := 0; i < 30; i++ {
		if f := m.screens[m.current].focused(); f != nil && f.def.id == id {
			return m
		}
		m, _ = wsend(t, m, "shift+tab")
	}
	t.Fatalf("no field %q on screen %s", id, m.screens[m.current].def.title)
	return m
}

func TestWizardEnterAloneReachesReviewAndWrites(t *testing.T) {
	m := newTestWizard(t, 120, 40)
	for i := 0; i < 60 && m.current != screenReview; i++ {
		m, _ = wsend(t, m, "enter")
	}
	if m.current != screenReview {
		t.Fatalf("enter alone stopped at %s: %s", m.screens[m.current].def.title, m.flash)
	}
	if m.plan == nil || !strings.Contains(m.View(), "Write these files? › Yes") {
		t.Fatalf("review lacks the plan or the write question:\n%s", m.View())
	}
	m, _ = wsend(t, m, "enter")
	if !m.result.Written || m.state != stateOfferBuild {
		t.Fatalf("enter on review did not write: state %d, flash %q, err %v", m.state, m.flash, m.writeErr)
	}
	if _, err := os.Stat(filepath.Join(m.dir, "Dockerfile")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.View(), "Build and test now? › Yes") {
		t.Fatalf("no build offer:\n%s", m.View())
	}
	m, cmd := wsend(t, m, "n", "enter")
	if !isQuit(cmd) || m.result.BuildNow {
		t.Fatalf("declining the build: quit %v, BuildNow %v", isQuit(cmd), m.result.BuildNow)
	}
}

func TestWizardValidationBlocksAndShowsBesideField(t *testing.T) {
	tests := []struct {
		screen screenID
		field  string
		value  string
		want   string // in the field's error
	}{
		{screenProject, "name", "My Builder", "name"},
		{screenProject, "tag", "latest", ""},
		{screenRuntime, "from", "", ""},
		{screenPorts, "ports", "80:http", "1024"},
		{screenPorts, "ports", "http", "NUMBER"},
		{screenPorts, "readiness", "healthz", "an HTTP path"},
		{screenUser, "uid", "0", ""},
		{screenUser, "uid", "abc", "not a whole number"},
		{screenConfig, "env", "DB_PASSWORD=secret", ""},
		{screenConfig, "env", "NOEQUALS", "NAME=VALUE"},
		{screenMetadata, "tags", "python", "builder"},
	}
	for _, tt := range tests {
		t.Run(tt.field+"="+tt.value, func(t *testing.T) {
			m := newTestWizard(t, 120, 40)
			m, _ = m.goToForTest(tt.screen)
			m = focusOn(t, m, tt.field)
			m = typeText(t, m, tt.value)
			f := m.screens[m.current].focused()
			probs := m.screens[m.current].problemsOf(m.probs, m.spec)[m.screens[m.current].focus]
			if f.parseErr == "" && len(probs) == 0 {
				t.Fatalf("%s=%q was accepted", tt.field, tt.value)
			}
			view := m.View()
			if !strings.Contains(view, "✗") || (tt.want != "" && !strings.Contains(view, tt.want)) {
				t.Fatalf("the error is not shown by the field (want %q):\n%s", tt.want, view)
			}
			m, _ = wsend(t, m, "pgdown")
			if m.current != tt.screen || m.flash == "" {
				t.Fatalf("went on to %s with a problem standing", m.screens[m.current].def.title)
			}
			for i := 0; i < 20; i++ {
				m, _ = wsend(t, m, "enter")
			}
			if m.current != tt.screen {
				t.Fatalf("enter went on to %s with a problem standing", m.screens[m.current].def.title)
			}
		})
	}
}

// goToForTest jumps to a screen as if the user had gone through the ones before.
func (m wizardModel) goToForTest(id screenID) (wizardModel, tea.Cmd) {
	next, cmd := m.goTo(id)
	return next.(wizardModel), cmd
}

func TestWizardAnswersKeptWhenGoingBack(t *testing.T) {
	m := newTestWizard(t, 120, 40)
	m = focusOn(t, m, "maintainer")
	m = typeText(t, m, "Ops <ops@example.com>")
	m, _ = wsend(t, m, "pgdown") // runtime
	m = focusOn(t, m, "packages")
	m = typeText(t, m, "tar, git")
	m, _ = wsend(t, m, "pgdown", "pgdown", "esc", "esc", "esc") // ports, user, back to project
	if m.current != screenProject {
		t.Fatalf("esc did not go back: on %s", m.screens[m.current].def.title)
	}
	m = focusOn(t, m, "maintainer")
	if got := m.screens[screenProject].focused().input.Value(); got != "Ops <ops@example.com>" {
		t.Fatalf("maintainer field = %q after going back", got)
	}
	if m.spec.Maintainer != "Ops <ops@example.com>" || strings.Join(m.spec.Packages, ",") != "tar,git" {
		t.Fatalf("spec lost answers: maintainer %q packages %v", m.spec.Maintainer, m.spec.Packages)
	}
	if !strings.Contains(m.View(), "Ops <ops@example.com>") {
		t.Fatal("the answer is not shown")
	}
}

func TestWizardPrefill(t *testing.T) {
	s := testSpec(t)
	s.Maintainer = "Pre <pre@example.com>"
	s.Ports = []scaffold.Port{{Number: 9090, Protocol: "tcp", Name: "web"}}
	s.Certification = &scaffold.Certification{Vendor: "ACME"}
	m := newTestWizardWith(t, s, t.TempDir(), false, 120, 40)
	for id, want := range map[string]string{"maintainer": "Pre <pre@example.com>", "ports": "9090/tcp:web", "certification.vendor": "ACME", "certification": "yes"} {
		found := false
		for _, sm := range m.screens {
			for _, f := range sm.fields {
				if f.def.id == id {
					found = true
					if got := f.input.Value(); got != want {
						t.Errorf("%s shows %q, want %q", id, got, want)
					}
				}
			}
		}
		if !found {
			t.Errorf("no field %s", id)
		}
	}
}

func TestWizardYesSkipsCompleteScreens(t *testing.T) {
	s := testSpec(t)
	s.UID = 0 // the user screen is incomplete
	m := newTestWizardWith(t, s, t.TempDir(), true, 120, 40)
	if m.current != screenUser {
		t.Fatalf("--yes started on %s, want the first incomplete screen", m.screens[m.current].def.title)
	}
	m = typeText(t, m, "1001")
	m, _ = wsend(t, m, "pgdown")
	if m.current != screenReview {
		t.Fatalf("--yes went to %s after the last incomplete screen, want review", m.screens[m.current].def.title)
	}
	complete := newTestWizardWith(t, testSpec(t), t.TempDir(), true, 120, 40)
	if complete.current != screenReview {
		t.Fatalf("--yes with complete answers started on %s", complete.screens[complete.current].def.title)
	}
}

func TestWizardPresetChangeFollowsThrough(t *testing.T) {
	m := newTestWizard(t, 120, 40)
	m, _ = m.goToForTest(screenRuntime)
	m = focusOn(t, m, "preset")
	for i := 0; i < 5 && m.spec.Preset != "python"; i++ {
		m, _ = wsend(t, m, "right")
	}
	if m.spec.Preset != "python" {
		t.Fatal("right did not reach the python preset")
	}
	if got := fieldOn(t, m.screens[screenRuntime], "version").input.Value(); !strings.HasPrefix(got, "PYTHON_VERSION=") {
		t.Errorf("version field = %q after choosing python", got)
	}
	if !strings.Contains(m.spec.Description, "Python") {
		t.Errorf("the generated description did not follow the preset: %q", m.spec.Description)
	}
	if !strings.Contains(m.View(), "changed") {
		t.Errorf("the preview does not mark what changed:\n%s", m.View())
	}
	// an author's own description stays
	m, _ = m.goToForTest(screenProject)
	m = focusOn(t, m, "description")
	m = typeText(t, m, "Mine")
	m, _ = m.goToForTest(screenRuntime)
	m = focusOn(t, m, "preset")
	m, _ = wsend(t, m, "right")
	if m.spec.Description != "Mine" {
		t.Errorf("the author's description was replaced: %q", m.spec.Description)
	}
}

func TestWizardCertificationFieldsShowWhenChosen(t *testing.T) {
	m := newTestWizard(t, 120, 40)
	m, _ = m.goToForTest(screenMetadata)
	if strings.Contains(m.View(), "Vendor") {
		t.Fatal("certification fields show before they are chosen")
	}
	m = focusOn(t, m, "certification")
	m, _ = wsend(t, m, " ")
	if m.spec.Certification == nil {
		t.Fatal("space did not choose certification")
	}
	m, _ = wsend(t, m, "tab", "tab")
	if f := m.screens[m.current].focused(); f.def.id != "certification.vendor" {
		t.Fatalf("tab went to %s", f.def.id)
	}
	m = typeText(t, m, "ACME")
	if m.spec.Certification.Vendor != "ACME" || !strings.Contains(m.View(), "ACME") {
		t.Fatal("the vendor answer did not land")
	}
}

func TestWizardReviewConflictsNeedOverwrite(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := newTestWizardWith(t, testSpec(t), dir, false, 120, 40)
	m, _ = m.goToForTest(screenReview)
	m = runCmds(t, m, m.planCmd())
	if !strings.Contains(m.View(), "conflict") || !strings.Contains(m.View(), "-FROM scratch") {
		t.Fatalf("the review does not show the conflict and its diff:\n%s", m.View())
	}
	m, _ = wsend(t, m, "enter")
	if m.result.Written || !strings.Contains(m.flash, "o overwrites them") {
		t.Fatalf("wrote over a conflict without asking (flash %q)", m.flash)
	}
	m, _ = wsend(t, m, "o", "enter")
	if !m.result.Written {
		t.Fatalf("o then enter did not write: %q %v", m.flash, m.writeErr)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if string(got) == "FROM scratch\n" {
		t.Fatal("the conflicting file was not overwritten")
	}
}

func TestWizardReviewNoMeansNothingWritten(t *testing.T) {
	m := newTestWizard(t, 120, 40)
	m, _ = m.goToForTest(screenReview)
	m = runCmds(t, m, m.planCmd())
	m, cmd := wsend(t, m, "n", "enter")
	if !isQuit(cmd) || m.result.Written {
		t.Fatal("no did not leave without writing")
	}
	if _, err := os.Stat(m.dir); !os.IsNotExist(err) {
		t.Fatalf("the target exists after no: %v", err)
	}
}

func TestWizardCtrlCQuitsWithoutWriting(t *testing.T) {
	m := newTestWizard(t, 120, 40)
	m, cmd := wsend(t, m, "ctrl+c")
	if !isQuit(cmd) || m.result.Written {
		t.Fatal("ctrl+c did not quit")
	}
}

func TestWizardNarrowLayoutFoldsPreview(t *testing.T) {
	m := newTestWizard(t, 80, 24)
	if strings.Contains(m.View(), "╭") {
		t.Fatal("the preview pane shows beside the form at 80 columns")
	}
	m, _ = wsend(t, m, "ctrl+o")
	if !strings.Contains(m.View(), "FROM ") {
		t.Fatalf("ctrl+o did not show the preview:\n%s", m.View())
	}
	m, _ = wsend(t, m, "ctrl+p")
	if m.preview.path == "Dockerfile" {
		t.Fatal("ctrl+p did not move to the next file")
	}
}

func TestChangedLines(t *testing.T) {
	got := changedLines("a\nb\nb\nc\n", []string{"a", "b", "x", "b", "b", "c"})
	want := map[int]bool{2: true, 4: true}
	if len(got) != len(want) || !got[2] || !got[4] {
		t.Fatalf("changedLines = %v, want %v", got, want)
	}
}

// TestEveryProblemHasAField checks each spec problem kiln can report for a
// wizard answer shows beside the field that asks it, the most specific one.
func TestEveryProblemHasAField(t *testing.T) {
	screens := wizardScreens()
	owner := func(field string) string {
		id, best := "", 0
		for _, sd := range screens {
			for _, d := range sd.fields {
				if n := d.ownership(field); n > best {
					id, best = d.id, n
				}
			}
		}
		return id
	}
	for field, want := range map[string]string{
		"name": "name", "tag": "tag", "description": "description", "displayName": "displayName",
		"from": "from", "packageManager": "packageManager", "packages[1]": "packages",
		"ports[0].number": "ports", "readiness.path": "readiness", "liveness.port": "liveness",
		"uid": "uid", "writableDirs[0]": "writableDirs", "version.name": "version",
		"env[1].name": "env", "secrets[0]": "secrets", "volumes[0]": "volumes",
		"tags": "tags", "tags[0]": "tags", "wants[0]": "wants", "minMemory": "minMemory", "minCPU": "minCPU",
		"labels[0].key": "labels", "certification.vendor": "certification.vendor", "engine": "engine", "preset": "preset",
		"source": "source", "licenses": "licenses", "maintainer": "maintainer",
	} {
		if got := owner(field); got != want {
			t.Errorf("a problem with %s shows by %q, want %q", field, got, want)
		}
	}
}

func TestWizardReviewShowsProblemsNoQuestionAsks(t *testing.T) {
	s := testSpec(t)
	s.SchemaVersion = 99
	m := newTestWizardWith(t, s, t.TempDir(), false, 120, 40)
	m, _ = m.goToForTest(screenReview)
	m = runCmds(t, m, m.planCmd())
	if !strings.Contains(m.View(), "✗ schemaVersion") {
		t.Fatalf("the review does not show the schemaVersion problem:\n%s", m.View())
	}
	m, _ = wsend(t, m, "enter")
	if m.result.Written {
		t.Fatal("wrote a spec with a problem")
	}
}

func TestWizardReviewShowsLintFindings(t *testing.T) {
	s := testSpec(t)
	s.From, s.AllowLatest = "registry.access.redhat.com/ubi9/ubi-minimal:latest", true
	m := newTestWizardWith(t, s, t.TempDir(), false, 120, 40)
	m, _ = m.goToForTest(screenRuntime)
	m = focusOn(t, m, "from")
	if !strings.Contains(m.View(), "latest can change under you") {
		t.Fatalf("no warning by the base image:\n%s", m.View())
	}
	m, _ = m.goToForTest(screenReview)
	m = runCmds(t, m, m.planCmd())
	if m.planErr != nil {
		t.Fatal(m.planErr)
	}
	view := m.View()
	if !strings.Contains(view, "Lint: ") || !strings.Contains(view, "G02") {
		t.Fatalf("the review does not show the G02 lint finding:\n%s", view)
	}
}

// TestTinyTerminalsDoNotPanic draws every screen and the progress view at
// sizes down to a few cells: a resize must never crash the UI.
func TestTinyTerminalsDoNotPanic(t *testing.T) {
	for _, size := range [][2]int{{1, 1}, {10, 3}, {30, 8}, {60, 12}, {119, 40}, {250, 80}} {
		m := newTestWizard(t, size[0], size[1])
		for id := screenProject; id <= screenReview; id++ {
			m, _ = m.goToForTest(id)
			m = runCmds(t, m, m.planCmd())
			_ = m.View()
			m, _ = wsend(t, m, "ctrl+o", "f1")
			_ = m.View()
			m, _ = wsend(t, m, "ctrl+o", "f1")
		}
		p := sized(newProgressModel("kiln test", 0, nil), size[0], size[1])
		p, _ = send(t, p, eventsMsg(scriptEvents(t, fakerun.PodmanBuild(builder.StepRun.String()))), keyMsg("?"), keyMsg("pgup"))
		_ = p.View()
	}
}

// TestWizardPresetChangeKeepsAnswersAndUndoes: browsing presets keeps the
// author's answers, says which defaults it replaced, and ctrl+z undoes it.
func TestWizardPresetChangeKeepsAnswersAndUndoes(t *testing.T) {
	m := newTestWizard(t, 120, 40)
	m, _ = m.goToForTest(screenRuntime)
	m = focusOn(t, m, "from")
	m = typeText(t, m, "quay.io/me/base:2.0")
	m = focusOn(t, m, "preset")
	start := m.spec.Clone()
	m, _ = wsend(t, m, "right") // generic → python
	if m.spec.Preset == "generic" || m.spec.From != "quay.io/me/base:2.0" {
		t.Fatalf("preset %q, base %q: the author's base image was replaced", m.spec.Preset, m.spec.From)
	}
	view := m.View()
	if !strings.Contains(view, "Preset python replaced ") || !strings.Contains(view, "Packages") || !strings.Contains(view, "ctrl+z undoes") {
		t.Fatalf("the view does not say what the preset replaced:\n%s", view)
	}
	if strings.Contains(m.note, "Base image") {
		t.Errorf("the note claims the kept base image was replaced: %s", m.note)
	}
	next, _ := m.Update(tea.KeyMsg{Type: tea.KeyCtrlZ})
	m = next.(wizardModel)
	if !reflect.DeepEqual(m.spec, start) {
		t.Fatalf("ctrl+z did not restore the answers:\n%+v\n%+v", m.spec, start)
	}
	if got := fieldOn(t, m.screens[screenRuntime], "packages").input.Value(); got != scaffold.JoinList(start.Packages) {
		t.Errorf("the packages field shows %q after undo", got)
	}
	// browsing there and back loses nothing either
	m, _ = wsend(t, m, "right", "left")
	if !reflect.DeepEqual(m.spec, start) {
		t.Fatalf("→ then ← changed the answers:\n%+v\n%+v", m.spec, start)
	}
}

// TestWizardDerivedAnswersFollowTheName: renaming the image renames the
// display name and description kiln derived, in the fields too.
func TestWizardDerivedAnswersFollowTheName(t *testing.T) {
	m := newTestWizard(t, 120, 40)
	m = focusOn(t, m, "name")
	m = typeText(t, m, "acme")
	if got := fieldOn(t, m.screens[screenProject], "displayName").input.Value(); got != "acme builder" {
		t.Fatalf("the display name field shows %q", got)
	}
	m = focusOn(t, m, "displayName")
	m = typeText(t, m, "Acme")
	m = focusOn(t, m, "name")
	m = typeText(t, m, "acme2")
	if m.spec.DisplayName != "Acme" || !strings.HasPrefix(m.spec.Description, "acme2: ") {
		t.Fatalf("display name %q, description %q", m.spec.DisplayName, m.spec.Description)
	}
}

// TestWizardTypingReplacesADefault: the first letter typed on a prefilled
// answer replaces it; a cursor key first edits it instead.
func TestWizardTypingReplacesADefault(t *testing.T) {
	m := newTestWizard(t, 120, 40)
	m = focusOn(t, m, "name")
	m, _ = wsend(t, m, "M", "y")
	if m.spec.Name != "My" {
		t.Fatalf("typing on the default name gave %q, want My", m.spec.Name)
	}
	m = focusOn(t, m, "tag")
	m, _ = wsend(t, m, "end", ".", "1")
	if m.spec.Tag != "1.0.1" {
		t.Fatalf("end then typing gave tag %q, want 1.0.1", m.spec.Tag)
	}
}

// TestWizardListsHoldAnyValue: an env value keeps its commas, and a problem
// with one item of a list names the item.
func TestWizardListsHoldAnyValue(t *testing.T) {
	m := newTestWizard(t, 119, 40) // the form takes the whole width below 120
	m, _ = m.goToForTest(screenConfig)
	m = focusOn(t, m, "env")
	m = typeText(t, m, "JAVA_OPTS=-Xms1g,-Xmx2g, GREETING=hello, world")
	want := []scaffold.EnvVar{{Name: "JAVA_OPTS", Value: "-Xms1g,-Xmx2g"}, {Name: "GREETING", Value: "hello, world"}}
	if !reflect.DeepEqual(m.spec.Env, want) {
		t.Fatalf("env = %+v, want %+v", m.spec.Env, want)
	}
	m, _ = m.goToForTest(screenPorts)
	m = focusOn(t, m, "ports")
	m = typeText(t, m, "8080:http 9090:metrics")
	if view := m.View(); !strings.Contains(view, `item 1 (http 9090:metrics): is not a service port name`) {
		t.Fatalf("the error does not name the item:\n%s", view)
	}
	m = typeText(t, m, "8080:http, web/tcp")
	if view := m.View(); !strings.Contains(view, `item 2: "web" is not a port number`) {
		t.Fatalf("the error does not name the item:\n%s", view)
	}
}

// TestWizardCtrlCAsksBeforeDroppingAnswers: with changed answers the first
// ctrl+c asks; any other key goes on; a second ctrl+c quits.
func TestWizardCtrlCAsksBeforeDroppingAnswers(t *testing.T) {
	m := newTestWizard(t, 80, 24)
	m = focusOn(t, m, "tag")
	m = typeText(t, m, "2.0")
	m, cmd := wsend(t, m, "ctrl+c")
	if isQuit(cmd) || !strings.Contains(m.View(), "Quit without writing?") {
		t.Fatalf("the first ctrl+c quit or did not ask:\n%s", m.View())
	}
	m, _ = wsend(t, m, "tab") // goes on: the question is gone, the key is not acted on
	if strings.Contains(m.View(), "Quit without writing?") || m.spec.Tag != "2.0" {
		t.Fatal("another key did not dismiss the question")
	}
	m, _ = wsend(t, m, "ctrl+c")
	m, cmd = wsend(t, m, "ctrl+c")
	if !isQuit(cmd) || m.result.Written {
		t.Fatal("the second ctrl+c did not quit")
	}
}

// TestWizardEveryKeyReachableWhenSmall: at 60x20 and 80x24 every screen is
// in the tab strip, the help key and quit are in the help bar, and the view
// fits the terminal, on every screen.
func TestWizardEveryKeyReachableWhenSmall(t *testing.T) {
	for _, size := range [][2]int{{60, 20}, {80, 24}} {
		w, h := size[0], size[1]
		m := newTestWizard(t, w, h)
		for id := screenProject; id <= screenReview; id++ {
			m, _ = m.goToForTest(id)
			view := m.View()
			lines := strings.Split(view, "\n")
			if len(lines) > h {
				t.Errorf("%dx%d %s: %d lines", w, h, m.screens[id].def.title, len(lines))
			}
			for _, l := range lines {
				if lipgloss.Width(l) > w {
					t.Errorf("%dx%d %s: a line is %d wide: %q", w, h, m.screens[id].def.title, lipgloss.Width(l), l)
				}
			}
			if !strings.Contains(lines[0], "8") || !strings.Contains(lines[0], "7") {
				t.Errorf("%dx%d: the tab strip lost a screen: %q", w, h, lines[0])
			}
			bar := lines[len(lines)-1]
			if !strings.Contains(bar, "f1") || !strings.Contains(bar, "ctrl+c quit") {
				t.Errorf("%dx%d %s: the help bar lacks the help key or quit: %q", w, h, m.screens[id].def.title, bar)
			}
		}
		// f1 lists every key, none cut off at the edge, within the screen
		m, _ = m.goToForTest(screenProject)
		m, _ = wsend(t, m, "f1")
		view := m.View()
		for _, k := range []string{"enter", "tab/↓", "shift+tab/↑", "←/→/space", "pgdn", "esc", "o ", "s ", "ctrl+z", "ctrl+p", "ctrl+o", "f1", "ctrl+c"} {
			if !strings.Contains(view, k) {
				t.Errorf("%dx%d: f1 does not list %q:\n%s", w, h, k, view)
			}
		}
		lines := strings.Split(view, "\n")
		if len(lines) > h {
			t.Errorf("%dx%d: with f1 the view is %d lines", w, h, len(lines))
		}
		for _, l := range lines {
			if lipgloss.Width(l) > w {
				t.Errorf("%dx%d: with f1 a line is %d wide: %q", w, h, lipgloss.Width(l), l)
			}
		}
	}
}

// TestWizardQuestionMarkHelp: ? opens the help outside text fields and is a
// character inside them.
func TestWizardQuestionMarkHelp(t *testing.T) {
	m := newTestWizard(t, 80, 24)
	m = focusOn(t, m, "maintainer")
	m, _ = wsend(t, m, "?")
	if m.help.ShowAll || m.spec.Maintainer != "?" {
		t.Fatalf("? in a text field: help %v, maintainer %q", m.help.ShowAll, m.spec.Maintainer)
	}
	m, _ = m.goToForTest(screenRuntime)
	m = focusOn(t, m, "preset")
	m, _ = wsend(t, m, "?")
	if !m.help.ShowAll || !strings.Contains(m.View(), "ctrl+z") {
		t.Fatalf("? on a choice did not show every key:\n%s", m.View())
	}
}

// TestWizardPreviewScrollsAlone: at every width ctrl+o shows the preview
// full screen, where it takes the keys: ↓ scrolls it, letters do not edit
// the hidden form, w wraps the lines cut with …, esc goes back.
func TestWizardPreviewScrollsAlone(t *testing.T) {
	for _, size := range [][2]int{{60, 20}, {120, 40}} {
		m := newTestWizard(t, size[0], size[1])
		if size[0] >= 80 && !strings.Contains(m.View(), "ctrl+o") { // at 60 columns f1 lists it
			t.Errorf("%dx%d: the help bar does not offer ctrl+o:\n%s", size[0], size[1], m.View())
		}
		next, _ := m.Update(tea.KeyMsg{Type: tea.KeyCtrlO})
		m = next.(wizardModel)
		if strings.Contains(m.View(), "Image name") {
			t.Fatalf("%dx%d: ctrl+o left the form in view:\n%s", size[0], size[1], m.View())
		}
		firstLine := func() string { return strings.Split(m.View(), "\n")[3] }
		before, name := firstLine(), m.spec.Name
		m, _ = wsend(t, m, "down", "down", "x", "y")
		if firstLine() == before {
			t.Fatalf("%dx%d: ↓ did not scroll the preview:\n%s", size[0], size[1], m.View())
		}
		if m.spec.Name != name {
			t.Fatalf("keys reached the hidden form: name %q", m.spec.Name)
		}
		if !strings.Contains(m.View(), "…") {
			t.Fatalf("%dx%d: no line of the Dockerfile is cut, so w is not tested:\n%s", size[0], size[1], m.View())
		}
		m, _ = wsend(t, m, "w")
		if strings.Contains(m.View(), "…") {
			t.Errorf("%dx%d: w did not wrap the cut lines:\n%s", size[0], size[1], m.View())
		}
		m, _ = wsend(t, m, "esc")
		if m.previewOnly || !strings.Contains(m.View(), "Image name") {
			t.Fatalf("esc did not return to the form:\n%s", m.View())
		}
	}
}

// TestHintsSpeakOfFields: the fixes scaffold writes for the command line
// name the wizard's fields in the wizard.
func TestHintsSpeakOfFields(t *testing.T) {
	for in, want := range map[string]string{
		"pin a version tag, or pass --allow-latest":                 "pin a version tag, or answer yes to “Allow latest”",
		"declare it as a required secret (--secret DB_PASSWORD)":    "declare it as a required secret (“Required secrets”: DB_PASSWORD)",
		"set packageManager, or remove the packages":                "set “Package manager”, or remove the packages",
		"set it as certification.name (--cert-name) instead":        "set it as “Certification name” (“Certification name”) instead",
		"use an ID like KL001 (see `kiln lint --list`)":             "use an ID like KL001 (see `kiln lint --list`)",
		"list other directories the app writes with --writable-dir": "list other directories the app writes with “Writable dirs”",
	} {
		if got := inFieldTerms(in); got != want {
			t.Errorf("inFieldTerms(%q) = %q, want %q", in, got, want)
		}
	}
	m := newTestWizard(t, 119, 40)
	m, _ = m.goToForTest(screenRuntime)
	m = focusOn(t, m, "from")
	m = typeText(t, m, "python")
	if view := m.View(); strings.Contains(view, "--allow-latest") || !strings.Contains(view, "“Allow latest”") {
		t.Fatalf("the hint names the flag:\n%s", view)
	}
}

// TestWizardSmallFixes: a label as long as the label column keeps a space
// before its answer, and a screen's intro wraps at 60 columns.
func TestWizardSmallFixes(t *testing.T) {
	m := newTestWizard(t, 60, 20)
	m, _ = m.goToForTest(screenBuild)
	if v := m.View(); strings.Contains(v, "builds[") || !strings.Contains(v, "Incremental builds [") {
		t.Errorf("no space after the label:\n%s", v)
	}
	m, _ = m.goToForTest(screenConfig)
	intro := "Configuration comes from the environment; data that must survive goes to volumes."
	if v := m.View(); !strings.Contains(strings.Join(strings.Fields(v), " "), intro) {
		t.Errorf("the intro is cut:\n%s", v)
	}
}

// TestWizardCursorWithoutColour: without colours the focused text field
// still shows where the cursor is.
func TestWizardCursorWithoutColour(t *testing.T) {
	m := newTestWizard(t, 120, 40) // the tests run with lipgloss's Ascii profile, as NO_COLOR sets it
	m = focusOn(t, m, "tag")
	m, _ = wsend(t, m, "left")
	if !strings.Contains(m.View(), "1.▏0") {
		t.Fatalf("the cursor does not show:\n%s", m.View())
	}
	if got := plainCursorView("abcdefghij", 10, 4); got != "hij▏" {
		t.Errorf("a long answer does not scroll to its cursor: %q", got)
	}
}

// TestWizardReviewSkipsConflictsAndSumsUp: s keeps the author's conflicting
// file and writes the rest; the review sums up the main answers.
func TestWizardReviewSkipsConflictsAndSumsUp(t *testing.T) {
	dir := t.TempDir()
	mine := []byte("FROM scratch\n")
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), mine, 0o644); err != nil {
		t.Fatal(err)
	}
	m := newTestWizardWith(t, testSpec(t), dir, false, 120, 40)
	m, _ = m.goToForTest(screenReview)
	m = runCmds(t, m, m.planCmd())
	view := m.View()
	for _, want := range []string{"Image    mybuilder:1.0 (generic)", "Runs as  UID 1001, ports 8080/tcp:http", "(o: overwrite, s: keep)"} {
		if !strings.Contains(view, want) {
			t.Errorf("the review lacks %q:\n%s", want, view)
		}
	}
	m, _ = wsend(t, m, "s", "enter")
	if !m.result.Written {
		t.Fatalf("s then enter did not write: %q %v", m.flash, m.writeErr)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "Dockerfile")); string(got) != string(mine) {
		t.Fatal("the conflicting file was overwritten")
	}
	if _, err := os.Stat(filepath.Join(dir, "s2i", "bin", "run")); err != nil {
		t.Fatalf("the other files were not written: %v", err)
	}
	// kiln's manifest does not claim the author's file: it is still a conflict
	p, err := scaffold.Plan(dir, m.files)
	if err != nil || len(p.Conflicts()) != 1 {
		t.Fatalf("conflicts after skipping: %v, %v", p.Conflicts(), err)
	}
}

// TestWizardChoiceTypeToSelect: letters pick a choice by its name: mi is
// microdnf, a then a goes from apt to apk.
func TestWizardChoiceTypeToSelect(t *testing.T) {
	m := newTestWizard(t, 120, 40)
	m, _ = m.goToForTest(screenRuntime)
	m = focusOn(t, m, "packageManager")
	m, _ = wsend(t, m, "a")
	if m.spec.PackageManager != "apt" {
		t.Fatalf("a picked %q", m.spec.PackageManager)
	}
	m, _ = wsend(t, m, "a")
	if m.spec.PackageManager != "apk" {
		t.Fatalf("a again picked %q", m.spec.PackageManager)
	}
	m, _ = wsend(t, m, "right", "m", "i")
	if m.spec.PackageManager != "microdnf" {
		t.Fatalf("mi picked %q", m.spec.PackageManager)
	}
	m = focusOn(t, m, "preset")
	m, _ = wsend(t, m, "s")
	if m.spec.Preset != "static" {
		t.Fatalf("s picked preset %q", m.spec.Preset)
	}
}

// TestWizardMouse: a click on a tab goes to its screen; the wheel scrolls
// the preview.
func TestWizardMouse(t *testing.T) {
	for _, w := range []int{120, 60} {
		m := newTestWizard(t, w, 30)
		x := -1
		for col := 0; col < w; col++ {
			if id, ok := m.tabAt(col); ok && id == screenUser {
				x = col
				break
			}
		}
		if x < 0 {
			t.Fatalf("at %d columns no column holds the User tab: %q", w, m.headerView())
		}
		next, _ := m.Update(tea.MouseMsg{X: x, Y: 0, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
		m = next.(wizardModel)
		if m.current != screenUser {
			t.Fatalf("at %d columns a click on the User tab went to %s", w, m.screens[m.current].def.title)
		}
	}
	m := newTestWizard(t, 120, 30)
	before := m.View()
	next, _ := m.Update(tea.MouseMsg{X: 100, Y: 10, Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	if next.(wizardModel).View() == before {
		t.Fatal("the wheel did not scroll the preview")
	}
}
