package tui

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"github.com/muesli/termenv"

	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/scaffold"
	"github.com/kiln-s2i/kiln/scaffold/lint"
)

// WizardInput is what `kiln new` hands the wizard.
type WizardInput struct {
	Spec       *scaffold.Spec // pre-filled answers (flags, --answers); preset defaults when nil
	Dir        string         // where the files go
	Yes        bool           // skip the screens whose answers are complete
	Accessible bool           // line-by-line prompts instead of the full-screen UI
	Force      bool           // overwrite files that differ
	// Resume starts from the answers left unfinished for Dir, if any (kiln
	// new gave no answer of its own); the full-screen wizard keeps a draft
	// when the author leaves with changed answers.
	Resume bool
	// Lint checks the rendered files for the review (LintFiles); required.
	Lint func(files []scaffold.File) ([]Finding, error)
	In   io.Reader
	Out  io.Writer
	// Base looks the base image up as it is typed; nil: no lookup.
	Base BaseInspector
	// Edit is kiln edit: only the metadata screens (scaffold.Field.Metadata),
	// and the review lists only the files the change touches.
	Edit bool
	// Plan plans writing the answers; nil: kiln new's plan of a fresh render
	// into Dir (scaffold.Plan). The review shows the plan's diff.
	Plan func(spec *scaffold.Spec, files []scaffold.File) (*scaffold.WritePlan, error)
	// Prune removes the files kiln wrote earlier and no longer renders
	// (otherwise the review lists them and p removes them).
	Prune bool
}

// WizardResult says what the wizard did.
type WizardResult struct {
	Written bool // the files are on disk
	// Unchanged: kiln edit's answers change no file, so nothing was asked
	// or written.
	Unchanged bool
	BuildNow  bool           // the user asked to build and test now
	Spec      *scaffold.Spec // the final answers
}

// RunWizard asks the author every question of the OKD guide, shows the files
// as they take shape, and writes them on confirmation. It returns ErrCanceled
// when the user left without writing.
func RunWizard(ctx context.Context, in WizardInput) (WizardResult, error) {
	if in.In == nil {
		in.In = os.Stdin
	}
	if in.Out == nil {
		in.Out = os.Stdout
	}
	spec := in.Spec
	if spec == nil {
		var err error
		if spec, err = startingSpec(in.Dir); err != nil {
			return WizardResult{}, err
		}
	}
	if in.Accessible {
		return runAccessible(ctx, spec, in)
	}
	HonourNoColor()
	start := spec.Clone()
	m := newRunModel(in, spec)
	p := tea.NewProgram(m, tea.WithInput(in.In), tea.WithOutput(in.Out), tea.WithAltScreen(), tea.WithContext(ctx),
		tea.WithMouseCellMotion()) // the wheel scrolls the preview, a click picks a tab
	final, err := p.Run()
	if err != nil {
		if errors.Is(err, tea.ErrInterrupted) || errors.Is(err, context.Canceled) {
			keepDraft(in, spec, start)
			return WizardResult{Spec: spec}, ErrCanceled
		}
		return WizardResult{Spec: spec}, fmt.Errorf("wizard: %w", err)
	}
	fm := final.(wizardModel)
	res := fm.result
	res.Spec = spec
	if res.Unchanged {
		fmt.Fprintf(in.Out, "Nothing to change in %s: its files already hold these answers; nothing written.\n", in.Dir)
		return res, nil
	}
	if res.Written {
		_ = scaffold.RemoveDraft(in.Dir) // its answers are in kiln.yaml now
		fmt.Fprintf(in.Out, "Wrote %s\n", in.Dir)
		return res, nil
	}
	keepDraft(in, spec, start)
	return res, ErrCanceled
}

// newRunModel is the wizard RunWizard runs: on spec, or on the draft kept
// for in.Dir when in.Resume (spec then holds the draft's answers, and
// ctrl+z returns to the ones given).
func newRunModel(in WizardInput, spec *scaffold.Spec) wizardModel {
	start := spec.Clone()
	var draft *scaffold.Spec
	var kept time.Time
	if in.Resume {
		draft, kept, _ = scaffold.LoadDraft(in.Dir) // an unreadable draft is no draft
	}
	if draft != nil {
		*spec = *draft
	}
	m := newWizardModelFor(spec, in.Dir, in.Force, in.Yes, wizardMode{edit: in.Edit, planner: in.Plan, prune: in.Prune})
	m.lint = in.Lint
	if draft != nil {
		m.undo = start
		m.note = "Resumed the answers you left " + kept.Format("Jan 2 15:04") + " · ctrl+z starts over"
	}
	m.setInspector(in.Base)
	return m
}

// keepDraft saves answers the author changed and did not write, and says
// how to get them back.
func keepDraft(in WizardInput, spec, start *scaffold.Spec) {
	if in.Edit || reflect.DeepEqual(spec, start) {
		// kiln edit writes nothing anywhere on cancel; its answers are the repo's
		return
	}
	if err := scaffold.SaveDraft(in.Dir, spec); err != nil {
		fmt.Fprintf(in.Out, "Your answers could not be kept: %v\n", err)
		return
	}
	fmt.Fprintf(in.Out, "Your answers are kept: `kiln new %s` resumes them.\n", in.Dir)
}

// runAccessible asks the same questions, with the same validation, one line
// at a time: for screen readers, TERM=dumb and KILN_ACCESSIBLE=1.
func runAccessible(ctx context.Context, spec *scaffold.Spec, in WizardInput) (WizardResult, error) {
	lipgloss.SetColorProfile(termenv.Ascii)
	a := newAccessible(ctx, in.In, in.Out)
	res := WizardResult{Spec: spec}
	fmt.Fprintln(a.w, "kiln new: answer each question; Enter keeps the value in brackets, - clears it, < goes back one question.")
	screens := screensFor(in.Edit)
	var models []screenModel
	for _, def := range screens[:len(screens)-1] {
		models = append(models, newScreenModel(def, spec))
	}
	// asked holds the questions answered so far, as (screen, field), so <
	// returns to the one before, across screens.
	type question struct{ screen, field int }
	var asked []question
	announced := -1
	var looked accessibleBase // what the lookup of the base image answer found
	for si, fi := 0, 0; si < len(models); {
		sm := &models[si]
		if fi == 0 && announced < si && in.Yes && sm.blocker(problems(spec), spec) < 0 {
			si++ // --yes: a complete screen is not asked
			continue
		}
		if fi >= len(sm.fields) {
			si, fi = si+1, 0
			continue
		}
		f := sm.fields[fi]
		if !f.def.shown(spec) {
			fi++
			continue
		}
		if announced != si {
			def := sm.def
			fmt.Fprintf(a.w, "\n== %d/%d %s: %s\n", def.id+1, len(screens), def.title, def.intro)
			announced = si
		}
		err := a.askField(f, spec)
		switch {
		case errors.Is(err, errBack):
			if len(asked) == 0 {
				fmt.Fprintln(a.w, "  (this is the first question)")
				continue
			}
			prev := asked[len(asked)-1]
			asked = asked[:len(asked)-1]
			si, fi = prev.screen, prev.field
			continue
		case err != nil:
			return res, err
		}
		asked = append(asked, question{si, fi})
		fi++
		if f.def.id == "from" && spec.From != looked.ref {
			looked = a.lookUpBase(in.Base, spec)
		}
		// a problem another answer caused sends the user back to that field
		if b := sm.blocker(problems(spec), spec); b >= 0 && b < fi-1 {
			fi = b
		}
	}
	files, err := scaffold.Render(spec)
	if err != nil {
		return res, fmt.Errorf("rendering: %w", err)
	}
	wp, err := planWith(in.Plan, in.Dir, spec, files)
	if err != nil {
		return res, err
	}
	if in.Prune {
		wp.Prune()
	}
	fmt.Fprintf(a.w, "\n== %d/%d Review\n%s\n", len(screens), len(screens), fileTree(in.Dir, wp, in.Edit))
	fmt.Fprint(a.w, planDiff(wp, in.Prune))
	if n := wp.Count(scaffold.Stale); n > 0 {
		prune, err := a.yesNo(fmt.Sprintf("%d stale file(s) kiln wrote earlier and no longer renders. Remove them?", n), false)
		if err != nil {
			return res, err
		}
		if prune {
			wp.Prune()
		}
	}
	if in.Edit && !wp.Changes() {
		res.Unchanged = true
		fmt.Fprintf(a.w, "Nothing to change in %s: its files already hold these answers; nothing written.\n", in.Dir)
		return res, nil
	}
	findings, err := in.Lint(files)
	if err != nil {
		return res, fmt.Errorf("lint: %w", err)
	}
	fmt.Fprintf(a.w, "Lint: %d finding(s)\n", len(findings))
	for _, f := range findings {
		fmt.Fprintln(a.w, "  "+f.String())
	}
	overwrite := in.Force
	conflicts := 0
	for _, e := range wp.Files {
		if e.Status == scaffold.Conflict {
			conflicts++
		}
	}
	if conflicts > 0 && !overwrite {
		if overwrite, err = a.yesNo(fmt.Sprintf("%d file(s) differ from what is on disk. Overwrite them?", conflicts), false); err != nil {
			return res, err
		}
		if !overwrite {
			fmt.Fprintln(a.w, "Nothing written.")
			return res, ErrCanceled
		}
	}
	write, err := a.yesNo("Write these files?", true)
	if err != nil {
		return res, err
	}
	if !write {
		fmt.Fprintln(a.w, "Nothing written.")
		return res, ErrCanceled
	}
	if err := wp.Apply(overwrite); err != nil {
		return res, err
	}
	res.Written = true
	if b, ok := looked.known(spec); ok {
		// for kiln lint, as the full-screen wizard records it
		_ = scaffold.WriteBaseImage(in.Dir, b)
	}
	fmt.Fprintf(a.w, "Wrote %s\n", in.Dir)
	if res.BuildNow, err = a.yesNo("Build and test now?", true); err != nil {
		return res, err
	}
	return res, nil
}

type accessible struct {
	ctx   context.Context
	lines chan lineRead
	w     io.Writer
	// echo writes each answer after its prompt when the input is not a
	// terminal (a pipe, a file): the transcript then reads as a session.
	echo bool
}

type lineRead struct {
	line string
	err  error
}

// newAccessible reads answers in the background, so an interrupt (ctx)
// ends a prompt that waits for a line.
func newAccessible(ctx context.Context, r io.Reader, w io.Writer) *accessible {
	f, isFile := r.(*os.File)
	a := &accessible{ctx: ctx, lines: make(chan lineRead), w: w, echo: !isFile || !term.IsTerminal(f.Fd())}
	go func() {
		defer close(a.lines)
		br := bufio.NewReader(r)
		for {
			line, err := br.ReadString('\n')
			select {
			case a.lines <- lineRead{line, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return a
}

// ErrInputEnded is returned when the answers stop before the questions do;
// WizardResult.Written says whether the files were written before.
var ErrInputEnded = errors.New("input ended before the last question")

// errBack is an answer of <: the previous question again.
var errBack = errors.New("back")

func (a *accessible) readLine() (string, error) {
	select {
	case <-a.ctx.Done():
		fmt.Fprintln(a.w)
		return "", ErrCanceled
	case r, ok := <-a.lines:
		if !ok || (r.err != nil && (r.line == "" || !errors.Is(r.err, io.EOF))) {
			fmt.Fprintln(a.w) // the error that follows starts its own line
			return "", ErrInputEnded
		}
		line := strings.TrimRight(r.line, "\r\n")
		if a.echo {
			fmt.Fprintln(a.w, line)
		}
		return line, nil
	}
}

func (a *accessible) askField(f *fieldModel, s *scaffold.Spec) error {
	for {
		if f.def.why != "" {
			fmt.Fprintln(a.w, "  "+f.def.why)
		}
		if f.def.kind == kindChoice {
			for i, c := range f.def.choices() {
				fmt.Fprintf(a.w, "  %d) %s: %s\n", i+1, c.Name(), c.Description)
			}
		}
		current := f.def.get(s)
		shown := current
		if f.def.kind == kindChoice {
			shown = f.def.choiceLabel(current)
		}
		label := strings.TrimSpace(f.def.label)
		switch f.def.kind {
		case kindToggle:
			fmt.Fprintf(a.w, "%s (yes/no) [%s]: ", label, shown)
		case kindText:
			if f.def.field.Kind.Repeatable() && shown != "" {
				fmt.Fprintf(a.w, "%s [%s] (- clears): ", label, shown)
				break
			}
			fallthrough
		default:
			fmt.Fprintf(a.w, "%s [%s]: ", label, shown)
		}
		answer, err := a.readLine()
		if err != nil {
			return err
		}
		answer = strings.TrimSpace(answer)
		switch {
		case answer == "<":
			return errBack
		case answer == "-" && f.def.kind == kindText:
			answer = "" // clears a list or an optional answer
		case answer == "":
			answer = shown
		}
		before := s.Clone()
		own, parseErr := a.answer(f, s, answer)
		if parseErr != nil || len(own) > 0 {
			*s = *before // the refused answer does not become the one in brackets
		}
		switch {
		case parseErr != nil:
			fmt.Fprintln(a.w, "  error: "+parseErr.Error())
			continue
		case len(own) == 0:
			if f.def.warn != nil {
				if w := f.def.warn(s); w != "" {
					fmt.Fprintln(a.w, "  warning: "+w)
				}
			}
			return nil
		}
		for _, p := range own {
			msg := "  error: " + f.def.problemText(p)
			if p.Fix != "" {
				msg += " (" + inFieldTerms(p.Fix) + ")"
			}
			fmt.Fprintln(a.w, msg)
		}
	}
}

// answer sets one typed answer; a choice may also be given by its number. It
// returns the error reading it, or the spec's problems the field owns.
func (a *accessible) answer(f *fieldModel, s *scaffold.Spec, answer string) ([]scaffold.Problem, error) {
	if f.def.kind == kindChoice {
		if v, ok := choiceByNumber(f.def.choices(), answer); ok {
			answer = v
		}
	}
	if err := f.def.set(s, answer); err != nil {
		return nil, err
	}
	var own []scaffold.Problem
	for _, p := range problems(s) {
		if f.def.owns(p.Field) {
			own = append(own, p)
		}
	}
	return own, nil
}

func (a *accessible) yesNo(question string, def bool) (bool, error) {
	hint := "[Y/n]"
	if !def {
		hint = "[y/N]"
	}
	for {
		fmt.Fprintf(a.w, "%s %s: ", question, hint)
		answer, err := a.readLine()
		if err != nil {
			return false, err
		}
		if strings.TrimSpace(answer) == "" {
			return def, nil
		}
		b, err := scaffold.ParseBool(answer)
		if err != nil {
			fmt.Fprintln(a.w, "  error: "+err.Error())
			continue
		}
		return b, nil
	}
}

// choiceByNumber reads a choice by its number in the list; names and
// labels are read by the field itself, as a flag's value is.
func choiceByNumber(cs []scaffold.Choice, answer string) (string, bool) {
	if n, err := strconv.Atoi(answer); err == nil && n >= 1 && n <= len(cs) {
		return cs[n-1].Value, true
	}
	return "", false
}

// accessibleBase is what the line-by-line wizard found of a base image.
type accessibleBase struct {
	ref  string
	info *builder.BaseInfo
}

// known is the lint record of the base image, when the answer is still
// the one that was looked up.
func (b accessibleBase) known(spec *scaffold.Spec) (lint.BaseImage, bool) {
	if b.info == nil || b.ref != spec.From {
		return lint.BaseImage{}, false
	}
	return b.info.LintBase()
}

// lookUpBase inspects the base image just answered, as the full-screen
// wizard does beside the field (G01), and says in one line what it found;
// the package manager follows the image while it is the preset's default.
func (a *accessible) lookUpBase(insp BaseInspector, spec *scaffold.Spec) accessibleBase {
	got := accessibleBase{ref: spec.From}
	if insp.Inspect == nil || spec.From == "" {
		return got
	}
	info := insp.Inspect(a.ctx, spec.From)
	got.info = &info
	fmt.Fprintf(a.w, "  base image %s: %s\n", spec.From, info.Summary())
	if insp.Local != nil && (info.Where == builder.BaseUnreachable || info.Where == builder.BaseNotFound) {
		if local := insp.Local(); len(local) > 0 {
			fmt.Fprintf(a.w, "  local images (< to go back and pick one): %s\n", strings.Join(local[:min(len(local), 8)], ", "))
		}
	}
	if was, ok := info.FollowPackageManager(spec); ok {
		fmt.Fprintf(a.w, "  package manager %s, as the base image has (was %s)\n", spec.PackageManager, was)
	}
	return got
}
