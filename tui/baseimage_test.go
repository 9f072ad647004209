package tui

import (
	"context"
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
	waitOutput(t, tm, "Local images: ")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(waitLimit)).(wizardModel)
	view := strings.Join(strings.Fields(ansi.Strip(final.baseView(200))), " ")
	if !strings.Contains(view, "Base image: not in local storage, and its registry cannot be reached within 2s: pull it, or pick a local image Local images: ") {
		t.Errorf("base image lines: %q", view)
	}
	if p, _ := scaffold.PresetByName(final.spec.Preset); p.PackageManager != "apt" && final.spec.PackageManager != "apt" {
		t.Errorf("package manager %q: the preset's default should have followed the image's apt", final.spec.PackageManager)
	}
	if !strings.Contains(strings.Join(final.base.local, " "), busybox) {
		t.Errorf("the local images offered %v lack %s", final.base.local, busybox)
	}
}
