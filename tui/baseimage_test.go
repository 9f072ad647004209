package tui

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/builder/e2etest"
	"github.com/kiln-s2i/kiln/builder/image"
	"github.com/kiln-s2i/kiln/scaffold"
	"github.com/kiln-s2i/kiln/scaffold/lint"
)

// runtimeWizard opens the wizard on the screen that asks for the base
// image, with that field focused and cleared.
func runtimeWizard(t *testing.T, insp BaseInspector, from string) *teatest.TestModel {
	t.Helper()
	s := testSpec(t)
	s.From = from
	m := newWizardModel(s, "mybuilder", false, false)
	m.setInspector(insp)
	m.current = screenRuntime
	sm := &m.screens[m.current]
	for i, f := range sm.fields {
		if f.def.id == "from" {
			sm.focusField(i)
		}
	}
	return teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
}

// A slow registry never holds up typing: the lookup runs in a command and
// a result for an answer typed over is dropped.
func TestBaseLookupDoesNotBlockTyping(t *testing.T) {
	release := make(chan struct{})
	var asked []string
	insp := BaseInspector{Inspect: func(_ context.Context, ref string) builder.BaseInfo {
		asked = append(asked, ref)
		<-release
		return builder.BaseInfo{Ref: ref, Where: builder.BaseLocal, OS: "Slow OS 1", Message: "found locally"}
	}}
	tm := runtimeWizard(t, insp, "localhost/first:1")
	waitOutput(t, tm, "Base image: looking it up")
	time.Sleep(2 * baseDebounce) // the first lookup is running and blocked
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlU})
	tm.Type("localhost/typed-while-waiting:2")
	waitOutput(t, tm, "typed-while-waiting:2")
	close(release)
	waitOutput(t, tm, "Slow OS 1")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(waitLimit)).(wizardModel)
	if final.base.info == nil || final.base.info.Ref != "localhost/typed-while-waiting:2" {
		t.Errorf("the wizard shows the lookup of %+v, want the last answer's", final.base.info)
	}
	if len(asked) != 2 {
		t.Errorf("looked up %q: want the first answer and the last, not each keystroke", asked)
	}
}

// TestE2EBaseLookup: the wizard with kiln's real lookup, on local images and
// on an unreachable registry (which offers the local images).
func TestE2EBaseLookup(t *testing.T) {
	e2etest.RequireEngine(t)
	python := e2etest.PythonBase(t)
	busybox := e2etest.BusyboxBase(t)
	e2etest.LeakCheck(t)
	// Before the wizard: what the local lookup says of the python base.
	info := builder.InspectBase(context.Background(), python, 2*time.Second)
	m := newWizardModel(testSpec(t), "mybuilder", false, false)
	m.spec.From, m.base = python, baseState{ref: python, info: &info}
	m.inspector.Inspect = func(context.Context, string) builder.BaseInfo { return info }
	if got := ansi.Strip(m.baseView(200)); got != "Base image: found locally · Debian GNU/Linux 12 (bookworm) · package manager apt · USER root (none set)" {
		t.Errorf("base image line %q", got)
	}
	insp := BaseInspector{
		Inspect: func(ctx context.Context, ref string) builder.BaseInfo {
			return builder.InspectBase(ctx, ref, 2*time.Second)
		},
		Local: func() []string {
			names, _ := image.LocalNames()
			return names
		},
	}
	tm := runtimeWizard(t, insp, python)
	waitOutput(t, tm, "package manager apt")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlU})
	tm.Type("quay.io/kiln-e2e-nope/base:1")
	waitOutput(t, tm, "Local images")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(waitLimit)).(wizardModel)
	view := strings.Join(strings.Fields(ansi.Strip(final.baseView(200))), " ")
	if !strings.Contains(view, "Base image: not in local storage, and its registry cannot be reached within 2s: pull it, or pick a local image Local images (ctrl+l picks the next): ") {
		t.Errorf("base image lines: %q", view)
	}
	if p, _ := scaffold.PresetByName(final.spec.Preset); p.PackageManager != "apt" && final.spec.PackageManager != "apt" {
		t.Errorf("package manager %q: the preset's default should have followed the image's apt", final.spec.PackageManager)
	}
	if !strings.Contains(strings.Join(final.base.local, " "), busybox) {
		t.Errorf("the local images offered %v lack %s", final.base.local, busybox)
	}
}

// fakeRegistryDown answers as kiln's lookup does when the registry cannot
// be reached: images in local are found locally, with user and labels.
func fakeRegistryDown(local []string, user string, labels map[string]string) BaseInspector {
	return BaseInspector{
		Inspect: func(_ context.Context, ref string) builder.BaseInfo {
			if slices.Contains(local, ref) {
				return builder.BaseInfo{Ref: ref, Where: builder.BaseLocal, OS: "Test OS 1", User: user, Labels: labels, Message: "found locally"}
			}
			return builder.BaseInfo{Ref: ref, Where: builder.BaseUnreachable, Message: "not in local storage, and its registry cannot be reached within 3s: pull it, or pick a local image"}
		},
		Local: func() []string { return local },
	}
}

// When the registry cannot be reached, ctrl+l picks the local images one
// after the other, and each pick is looked up in turn.
func TestBaseLocalPicker(t *testing.T) {
	local := []string{"localhost/a:1", "localhost/b:2"}
	tm := runtimeWizard(t, fakeRegistryDown(local, "1001", nil), "quay.io/nope/base:1")
	waitOutput(t, tm, "(ctrl+l picks the next)")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlL})
	waitOutput(t, tm, "Test OS 1")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlL})
	waitOutput(t, tm, "localhost/b:2")
	time.Sleep(2 * baseDebounce) // b's lookup answers
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(waitLimit)).(wizardModel)
	if final.spec.From != "localhost/b:2" {
		t.Errorf("base image %q after two picks, want localhost/b:2", final.spec.From)
	}
	if final.base.info == nil || final.base.info.Ref != "localhost/b:2" || final.base.info.Where != builder.BaseLocal {
		t.Errorf("the picked image was not looked up: %+v", final.base.info)
	}
	// the next pick wraps around to the first
	if m := final.pickLocal(); m.spec.From != "localhost/a:1" {
		t.Errorf("third pick %q, want localhost/a:1", m.spec.From)
	}
}

// The USER and scripts-url the base image sets show in the Dockerfile's
// preview and the review; the review's lint judges the Dockerfile with them,
// and writing records them for kiln lint.
func TestBaseInheritedShown(t *testing.T) {
	labels := map[string]string{"io.openshift.s2i.scripts-url": "image:///opt/s2i"}
	const want = "Inherited: base sets USER root; USER 1001 here replaces it · its scripts-url image:///opt/s2i is replaced by image:///usr/libexec/s2i"
	tm := runtimeWizard(t, fakeRegistryDown([]string{"localhost/base:1"}, "root", labels), "localhost/base:1")
	waitOutput(t, tm, "Inherited: base sets USER root")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(waitLimit)).(wizardModel)
	final.width, final.height = 200, 60
	pane := ansi.Strip(final.previewWithNote().view(90, 40))
	if got := strings.Join(strings.Fields(strings.ReplaceAll(pane, "│", "")), " "); !strings.Contains(got, want) {
		t.Errorf("the Dockerfile's preview lacks %q:\n%s", want, pane)
	}
	final.current = screenReview
	if got := strings.Join(strings.Fields(ansi.Strip(final.reviewView(200, 60))), " "); !strings.Contains(got, want) {
		t.Errorf("the review lacks %q:\n%s", want, got)
	}
	var linted []string
	final.lint = func(files []scaffold.File) ([]Finding, error) {
		for _, f := range files {
			linted = append(linted, f.Path)
		}
		return nil, nil
	}
	final.dir = t.TempDir()
	final.planCmd()()
	if !slices.Contains(linted, lint.BaseImageFile) {
		t.Errorf("the review's lint was not told the base image: %v", linted)
	}
	if msg := final.writeCmd()().(writtenMsg); msg.err != nil {
		t.Fatal(msg.err)
	}
	data, err := os.ReadFile(filepath.Join(final.dir, lint.BaseImageFile))
	var rec lint.BaseImage
	if err != nil || json.Unmarshal(data, &rec) != nil || rec.Ref != "localhost/base:1" || rec.User != "root" || rec.ScriptsURL() != "image:///opt/s2i" {
		t.Errorf("%s after writing: %s (%v)", lint.BaseImageFile, data, err)
	}
}

// inheritNote for each USER and scripts-url a base may set.
func TestInheritNote(t *testing.T) {
	s := &scaffold.Spec{UID: 1001}
	for _, tc := range []struct {
		user, url, want string
	}{
		{"", "", "Inherited: base sets no USER (root); USER 1001 here replaces it"},
		{"1001", "image:///usr/libexec/s2i", "Inherited: base sets USER 1001, as here · its scripts-url image:///usr/libexec/s2i, as here"},
		{"default", "", "Inherited: base sets USER default; USER 1001 here replaces it"},
	} {
		b := lint.BaseImage{Ref: "x:1", User: tc.user, Labels: map[string]string{"io.openshift.s2i.scripts-url": tc.url}}
		if got := inheritNote(b, s); got != tc.want {
			t.Errorf("user %q url %q: %q, want %q", tc.user, tc.url, got, tc.want)
		}
	}
}
