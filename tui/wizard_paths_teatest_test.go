package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/kiln-s2i/kiln/scaffold"
)

// typed are the keys of a typed text, one message per rune.
func typed(s string) []tea.KeyMsg {
	var out []tea.KeyMsg
	for _, r := range s {
		out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return out
}

// runGolden runs m in a program at w×h, sends keys, waits for want and
// compares the last frame with the golden file of the test.
func runGolden(t *testing.T, m wizardModel, w, h int, want string, keys ...tea.KeyMsg) wizardModel {
	t.Helper()
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
	for _, k := range keys {
		tm.Send(k)
	}
	waitOutput(t, tm, want)
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(waitLimit)).(wizardModel)
	teatest.RequireEqualOutput(t, []byte(final.View()))
	return final
}

// TestWizardPaths are goldens of the paths issue 14 fixed, each reached by
// keys in a running program: a preset change that keeps the author's base
// image and says what it replaced, an env value with commas, and a resumed
// draft.
func TestWizardPaths(t *testing.T) {
	t.Run("preset-change-keeps-answers", func(t *testing.T) {
		keys := []tea.KeyMsg{{Type: tea.KeyPgDown}, {Type: tea.KeyTab}, {Type: tea.KeyCtrlU}}
		keys = append(keys, typed("quay.io/me/base:2.0")...)
		keys = append(keys, tea.KeyMsg{Type: tea.KeyShiftTab}, tea.KeyMsg{Type: tea.KeyRight})
		final := runGolden(t, newWizardModel(testSpec(t), "mybuilder", false, false), 120, 40, "Preset python replaced", keys...)
		if final.spec.Preset != "python" || final.spec.From != "quay.io/me/base:2.0" {
			t.Fatalf("preset %q, base %q", final.spec.Preset, final.spec.From)
		}
	})
	t.Run("comma-in-env", func(t *testing.T) {
		keys := []tea.KeyMsg{{Type: tea.KeyPgDown}, {Type: tea.KeyPgDown}, {Type: tea.KeyPgDown}, {Type: tea.KeyPgDown}, {Type: tea.KeyCtrlU}}
		keys = append(keys, typed("JAVA_OPTS=-Xms1g,-Xmx2g, GREETING=hello, world")...)
		final := runGolden(t, newWizardModel(testSpec(t), "mybuilder", false, false), 120, 40, "hello, world", keys...)
		want := []scaffold.EnvVar{{Name: "JAVA_OPTS", Value: "-Xms1g,-Xmx2g"}, {Name: "GREETING", Value: "hello, world"}}
		if len(final.spec.Env) != 2 || final.spec.Env[0] != want[0] || final.spec.Env[1] != want[1] {
			t.Fatalf("env = %+v, want %+v", final.spec.Env, want)
		}
	})
	t.Run("resume-draft", func(t *testing.T) {
		t.Setenv("XDG_CACHE_HOME", t.TempDir())
		dir := filepath.Join(t.TempDir(), "mybuilder")
		draft := testSpec(t)
		draft.Name, draft.DisplayName, draft.Tag = "acme", "Acme builder", "2.0"
		if err := scaffold.SaveDraft(dir, draft); err != nil {
			t.Fatal(err)
		}
		path, _ := scaffold.DraftPath(dir)
		kept := time.Date(2026, time.March, 4, 15, 4, 0, 0, time.Local)
		if err := os.Chtimes(path, kept, kept); err != nil {
			t.Fatal(err)
		}
		given := testSpec(t)
		m := newRunModel(WizardInput{Dir: dir, Resume: true, Lint: LintFiles}, given)
		final := runGolden(t, m, 120, 40, "Resumed the answers you left Mar 4 15:04")
		if final.spec.Name != "acme" || final.spec.Tag != "2.0" {
			t.Fatalf("the draft was not resumed: name %q, tag %q", final.spec.Name, final.spec.Tag)
		}
		// ctrl+z starts over from the answers given
		next, _ := final.Update(tea.KeyMsg{Type: tea.KeyCtrlZ})
		if s := next.(wizardModel).spec; s.Name != "mybuilder" || s.Tag != testSpec(t).Tag {
			t.Fatalf("ctrl+z kept the draft: name %q, tag %q", s.Name, s.Tag)
		}
		if strings.Contains(next.(wizardModel).View(), "Resumed") {
			t.Error("the note still says the draft is resumed after ctrl+z")
		}
	})
}
