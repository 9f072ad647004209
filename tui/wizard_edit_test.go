package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/kiln-s2i/kiln/scaffold"
)

// editRepo writes a python builder repo "mine" in a fresh working
// directory, so the review's paths are the same in every run, and returns
// its answers.
func editRepo(t *testing.T, preset string) *scaffold.Spec {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	// the goldens are in the package's testdata
	t.Cleanup(func() { _ = os.Chdir(wd) })
	s, err := scaffold.Defaults(preset)
	if err != nil {
		t.Fatal(err)
	}
	editWD = wd
	s.Name, s.Description, s.DisplayName = "mine", "Builds apps kept for years", "Mine Builder"
	s.FillDefaults()
	files, err := scaffold.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	p, err := scaffold.Plan("mine", files)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Apply(false); err != nil {
		t.Fatal(err)
	}
	return s
}

// editWD is the package's directory, where the goldens are.
var editWD string

// requireGolden compares a view with its golden from the package's directory.
func requireGolden(t *testing.T, view string) {
	t.Helper()
	if err := os.Chdir(editWD); err != nil {
		t.Fatal(err)
	}
	teatest.RequireEqualOutput(t, []byte(view))
}

// editMode is kiln edit's mode with the re-render plan of kiln update
// (cmd/kiln adds its lint gate and surgical Dockerfile fallback to it).
func editMode(dir string) wizardMode {
	return wizardMode{edit: true, planner: func(_ *scaffold.Spec, files []scaffold.File) (*scaffold.WritePlan, error) {
		for _, f := range files {
			if f.Path == scaffold.SpecFile {
				return scaffold.PlanRender(dir, files, f)
			}
		}
		return nil, fmt.Errorf("no %s rendered", scaffold.SpecFile)
	}}
}

// tree reads every file below dir.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		out[path] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// kiln edit asks exactly the field table's metadata answers, and no
// screen without one (Runtime, Build).
func TestEditScreensAskTheMetadataFields(t *testing.T) {
	asked := map[string]int{}
	screens := screensFor(true)
	for i, sd := range screens {
		if int(sd.id) != i {
			t.Errorf("screen %q has id %d at place %d", sd.title, sd.id, i)
		}
		if sd.title != "Review" && len(sd.fields) == 0 {
			t.Errorf("screen %q asks nothing", sd.title)
		}
		for _, f := range sd.fields {
			asked[f.id]++
		}
	}
	for _, f := range scaffold.Fields() {
		if want := map[bool]int{true: 1}[f.Metadata]; asked[f.Path] != want {
			t.Errorf("kiln edit asks %s (metadata %v) %d time(s), want %d", f.Path, f.Metadata, asked[f.Path], want)
		}
	}
	for _, p := range []string{"description", "displayName", "maintainer", "source", "licenses", "tags", "wants",
		"ports", "env", "secrets", "volumes", "uid", "writableDirs", "nonScalable", "minMemory", "minCPU",
		"labels", "certification", "certification.vendor", "readiness", "liveness"} {
		if asked[p] != 1 {
			t.Errorf("kiln edit does not ask %s", p)
		}
	}
	for _, p := range []string{"name", "preset", "from", "packages", "packageManager", "incremental", "engine"} {
		if asked[p] != 0 {
			t.Errorf("kiln edit asks %s, which belongs to kiln new", p)
		}
	}
}

// TestEditWizardScreens is a golden of each of kiln edit's screens at
// 120x40, pre-filled from the repo; with no answer changed, the review
// says there is nothing to write.
func TestEditWizardScreens(t *testing.T) {
	for i, def := range screensFor(true) {
		t.Run(fmt.Sprintf("%d-%s", i+1, strings.ToLower(def.short)), func(t *testing.T) {
			s := editRepo(t, "python")
			m := newWizardModelFor(s, "mine", false, false, editMode("mine"))
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
			for range i {
				tm.Send(tea.KeyMsg{Type: tea.KeyPgDown})
			}
			want := fmt.Sprintf("[%d %s]", i+1, def.short)
			if def.short == "Review" {
				want = "No file changes"
			}
			waitOutput(t, tm, want)
			if err := tm.Quit(); err != nil {
				t.Fatal(err)
			}
			final := tm.FinalModel(t, teatest.WithFinalTimeout(waitLimit)).(wizardModel)
			requireGolden(t, final.View())
		})
	}
}

// A changed answer shows on the review as the unified diff of every file
// it touches, before anything is written; confirming writes exactly that.
func TestEditWizardReviewDiff(t *testing.T) {
	s := editRepo(t, "python")
	before := tree(t, "mine")
	m := newWizardModelFor(s, "mine", false, false, editMode("mine"))
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	tm.Send(tea.KeyMsg{Type: tea.KeyTab}) // display name
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlU})
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("Mine Two")})
	for range len(m.screens) - 1 {
		tm.Send(tea.KeyMsg{Type: tea.KeyPgDown})
	}
	waitOutput(t, tm, "+++ b/Dockerfile")
	if got := tree(t, "mine"); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Fatal("the review wrote files before it was confirmed")
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitOutput(t, tm, "Build and test now?")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("n")})
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(waitLimit)).(wizardModel)
	if !final.result.Written {
		t.Fatal("confirming the review wrote nothing")
	}
	after := tree(t, "mine")
	for path, was := range before {
		if strings.HasPrefix(path, filepath.Join("mine", ".kiln")) {
			continue // kiln's record of the render
		}
		now := after[path]
		changes := strings.Contains(was, "Mine Builder")
		if changes != (now != was) {
			t.Errorf("%s: changed %v, want %v (it holds the display name: %v)", path, now != was, changes, changes)
		}
		if changes && !strings.Contains(now, "Mine Two") {
			t.Errorf("%s does not hold the new display name", path)
		}
	}
}

// The review's golden: the files the change touches and their diff.
func TestEditWizardReviewGolden(t *testing.T) {
	s := editRepo(t, "python")
	m := newWizardModelFor(s, "mine", false, false, editMode("mine"))
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	for _, k := range []tea.KeyMsg{{Type: tea.KeyTab}, {Type: tea.KeyCtrlU}, {Type: tea.KeyRunes, Runes: []rune("Mine Two")}} {
		tm.Send(k)
	}
	for range len(m.screens) - 1 {
		tm.Send(tea.KeyMsg{Type: tea.KeyPgDown})
	}
	waitOutput(t, tm, "+++ b/Dockerfile")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(waitLimit)).(wizardModel)
	requireGolden(t, final.View())
}

// Cancelling, even from the review, writes nothing.
func TestEditWizardCancelWritesNothing(t *testing.T) {
	for _, atReview := range []bool{false, true} {
		t.Run(fmt.Sprint("review=", atReview), func(t *testing.T) {
			s := editRepo(t, "python")
			before := tree(t, "mine")
			m := newWizardModelFor(s, "mine", false, false, editMode("mine"))
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
			tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(" changed")})
			if atReview {
				for range len(m.screens) - 1 {
					tm.Send(tea.KeyMsg{Type: tea.KeyPgDown})
				}
				waitOutput(t, tm, "+++ b/Dockerfile")
			}
			tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
			waitOutput(t, tm, "Quit without writing?")
			tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
			final := tm.FinalModel(t, teatest.WithFinalTimeout(waitLimit)).(wizardModel)
			if final.result.Written {
				t.Error("the wizard says it wrote files")
			}
			if got := tree(t, "mine"); fmt.Sprint(got) != fmt.Sprint(before) {
				t.Error("cancelling kiln edit changed the repo")
			}
		})
	}
}

// A file kiln wrote earlier and renders no more (the python test app once
// the preset is nodejs) is listed on kiln new's review and removed only
// when the author presses p.
func TestReviewStaleFiles(t *testing.T) {
	for _, prune := range []bool{false, true} {
		t.Run(fmt.Sprint("prune=", prune), func(t *testing.T) {
			s := editRepo(t, "python")
			s.Preset, s.From = "nodejs", "docker.io/library/node:20.18.1-bookworm-slim"
			m := newWizardModel(s, "mine", false, false)
			m.current = m.review()
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
			waitOutput(t, tm, "stale file(s)")
			if prune {
				tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("p")})
				waitOutput(t, tm, "remove them")
			}
			tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
			waitOutput(t, tm, "Build and test now?")
			tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("n")})
			tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
			tm.FinalModel(t, teatest.WithFinalTimeout(waitLimit))
			_, err := os.Stat(filepath.Join("mine", "test", "test-app", "app.py"))
			if gone := os.IsNotExist(err); gone != prune {
				t.Errorf("the stale app.py is gone: %v, want %v (p pressed: %v)", gone, prune, prune)
			}
			if _, err := os.Stat(filepath.Join("mine", "test", "test-app", "server.js")); err != nil {
				t.Errorf("the new preset's test app was not written: %v", err)
			}
		})
	}
}

// When kiln edit's plan refuses the answers (an added lint finding, a file
// changed on disk), the review says why and enter writes nothing.
func TestEditReviewPlanError(t *testing.T) {
	s := editRepo(t, "python")
	before := tree(t, "mine")
	mode := wizardMode{edit: true, planner: func(*scaffold.Spec, []scaffold.File) (*scaffold.WritePlan, error) {
		return nil, fmt.Errorf("the edit would add 1 kiln lint finding(s), nothing was written")
	}}
	m := newWizardModelFor(s, "mine", false, false, mode)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(" changed")})
	for range len(m.screens) - 1 {
		tm.Send(tea.KeyMsg{Type: tea.KeyPgDown})
	}
	waitOutput(t, tm, "would add 1 kiln lint finding")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitOutput(t, tm, "Nothing can be written: the edit would add")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(waitLimit)).(wizardModel)
	if final.result.Written || fmt.Sprint(tree(t, "mine")) != fmt.Sprint(before) {
		t.Error("the review wrote files its plan refused")
	}
}

// The accessible review prints the same diff before asking to write, and
// asks before removing stale files.
func TestAccessibleReviewDiffAndStale(t *testing.T) {
	s := editRepo(t, "python")
	s.Preset, s.From = "nodejs", "docker.io/library/node:20.18.1-bookworm-slim"
	s.DisplayName = "Mine Two"
	var out strings.Builder
	// --yes: every screen is complete, so the review comes first: keep the
	// stale files (Enter: no), write (Enter: yes), do not build.
	res, err := RunWizard(t.Context(), WizardInput{Spec: s, Dir: "mine", Accessible: true, Yes: true, Lint: LintFiles,
		In: strings.NewReader("\n\nn\n"), Out: &out})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !regexp.MustCompile(`(?m)^ +app\.py +stale$`).MatchString(out.String()) {
		t.Errorf("the accessible review does not list app.py as stale:\n%s", out.String())
	}
	for _, want := range []string{"+++ b/Dockerfile", "+# An OKD source-to-image builder image: Mine Two.",
		"3 stale file(s) kiln wrote earlier and no longer renders. Remove them? [y/N]"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the accessible review lacks %q:\n%s", want, out.String())
		}
	}
	if !res.Written {
		t.Fatal("not written")
	}
	if _, err := os.Stat(filepath.Join("mine", "test", "test-app", "app.py")); err != nil {
		t.Errorf("the stale app.py was removed without a yes: %v", err)
	}
}

// kiln edit with the repo's own answers has nothing to write: the review
// says so instead of asking "Write these files?", and enter leaves without
// writing or saying "Wrote" (issue 12).
func TestEditReviewNothingToChange(t *testing.T) {
	s := editRepo(t, "python")
	before := tree(t, "mine")
	m := newWizardModelFor(s, "mine", false, false, editMode("mine"))
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	for range len(m.screens) - 1 {
		tm.Send(tea.KeyMsg{Type: tea.KeyPgDown})
	}
	waitOutput(t, tm, "Nothing to change: enter leaves, writing nothing.")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(waitLimit)).(wizardModel)
	if !final.result.Unchanged || final.result.Written {
		t.Errorf("result %+v, want Unchanged and not Written", final.result)
	}
	if final.state == stateOfferBuild {
		t.Error("the wizard offers to build after writing nothing")
	}
	if fmt.Sprint(tree(t, "mine")) != fmt.Sprint(before) {
		t.Error("files changed though there was nothing to write")
	}
}

// The accessible review says the same and asks nothing.
func TestAccessibleEditNothingToChange(t *testing.T) {
	s := editRepo(t, "python")
	before := tree(t, "mine")
	var out strings.Builder
	res, err := RunWizard(t.Context(), WizardInput{Spec: s, Dir: "mine", Accessible: true, Yes: true, Edit: true,
		Plan: editMode("mine").planner, Lint: LintFiles, In: strings.NewReader(""), Out: &out})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !res.Unchanged || res.Written {
		t.Errorf("result %+v, want Unchanged and not Written", res)
	}
	if !strings.Contains(out.String(), "Nothing to change in mine: its files already hold these answers; nothing written.") {
		t.Errorf("the accessible review does not say there is nothing to change:\n%s", out.String())
	}
	for _, bad := range []string{"Write these files?", "Wrote ", "Build and test now?"} {
		if strings.Contains(out.String(), bad) {
			t.Errorf("the accessible review says %q with nothing to write:\n%s", bad, out.String())
		}
	}
	if fmt.Sprint(tree(t, "mine")) != fmt.Sprint(before) {
		t.Error("files changed though there was nothing to write")
	}
}
