package tui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/scaffold"
)

// fullRunFlags are the answers the full runs type, as kiln new flags.
func fullRunFlags(t testing.TB) []string {
	d, err := scaffold.Defaults("python")
	if err != nil {
		t.Fatal(err)
	}
	return []string{
		"--preset", "python", "--tag", "2.1",
		"--description", "Acme Python builder", "--display-name", "Acme Python",
		"--maintainer", "Acme Ops <ops@acme.example>", "--licenses", "Apache-2.0",
		"--port", "8081:web", "--readiness-path", "/ready", "--liveness-path", "/live",
		"--env", "GREETING=hello", "--secret", "DB_PASSWORD", "--volume", "/var/lib/acme",
		"--tags", strings.Join(append(d.Tags, "acme"), ","), "--wants", "postgresql", "--non-scalable",
		"--min-memory", "512Mi", "--min-cpu", "500m", "--label", "team=ops", "--engine", "podman",
	}
}

// kilnNewWithFlags runs the real `kiln new DIR FLAGS…` (not on a terminal,
// so no wizard) and returns DIR.
func kilnNewWithFlags(t *testing.T) string {
	t.Helper()
	kiln := goBuild(t, "github.com/kiln-s2i/kiln/cmd/kiln", "kiln")
	dir := filepath.Join(t.TempDir(), "acme-python")
	cmd := exec.Command(kiln, append([]string{"new", dir}, fullRunFlags(t)...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kiln new with flags: %v\n%s", err, out)
	}
	return dir
}

// requireSameTree fails unless both trees hold the same files, byte for byte, with the same modes.
func requireSameTree(t *testing.T, want, got string) {
	t.Helper()
	read := func(root string) map[string]string {
		files := map[string]string{}
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			info, _ := d.Info()
			rel, _ := filepath.Rel(root, path)
			files[rel] = info.Mode().String() + "\n" + string(b)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	w, g := read(want), read(got)
	if len(w) == 0 {
		t.Fatal("the reference repo is empty")
	}
	for path, content := range w {
		if g[path] != content {
			t.Errorf("%s differs from kiln new with flags:\n--- flags\n%s\n--- wizard\n%s", path, content, g[path])
		}
	}
	for path := range g {
		if _, ok := w[path]; !ok {
			t.Errorf("the wizard wrote %s, which kiln new with flags did not", path)
		}
	}
}

// fullRunKeys are the full run's answers as keystrokes, screen by screen.
// "\n" is Enter; "^U" clears the field (ctrl+u); "→" moves a choice right.
var fullRunKeys = []string{
	// project: name stays (from DIR), then tag … licenses
	"\n", "^U2.1\n", "^UAcme Python builder\n", "^UAcme Python\n", "Acme Ops <ops@acme.example>\n", "\n", "Apache-2.0\n",
	// runtime: preset generic → python; base, manager, packages, version stay
	"→\n", "\n", "\n", "\n", "\n",
	// ports and probes
	"^U8081:web\n", "^U/ready\n", "^U/live\n",
	// user: UID and writable dirs stay
	"\n", "\n",
	// configuration: add an env var (→ edits the default, typing would replace it), a secret, a volume
	"→, GREETING=hello\n", "DB_PASSWORD\n", "/var/lib/acme\n",
	// metadata
	"→, acme\n", "postgresql\n", "y\n", "512Mi\n", "500m\n", "team=ops\n", "\n",
	// build: incremental stays, engine auto → podman
	"\n", "→\n",
}

func keyMsgs(s string) []tea.KeyMsg {
	var out []tea.KeyMsg
	for len(s) > 0 {
		switch {
		case strings.HasPrefix(s, "^U"):
			out, s = append(out, tea.KeyMsg{Type: tea.KeyCtrlU}), s[2:]
		case strings.HasPrefix(s, "→"):
			out, s = append(out, tea.KeyMsg{Type: tea.KeyRight}), s[len("→"):]
		case s[0] == '\n':
			out, s = append(out, tea.KeyMsg{Type: tea.KeyEnter}), s[1:]
		default:
			out, s = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{rune(s[0])}}), s[1:]
		}
	}
	return out
}

// TestWizardFullRunMatchesFlags types every answer into the running wizard
// and checks the repo it writes is byte-identical to kiln new's with flags.
func TestWizardFullRunMatchesFlags(t *testing.T) {
	want := kilnNewWithFlags(t)
	dir := filepath.Join(t.TempDir(), "acme-python")
	spec, err := startingSpec(dir)
	if err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, newWizardModel(spec, dir, false, false), teatest.WithInitialTermSize(120, 40))
	for _, k := range fullRunKeys {
		for _, msg := range keyMsgs(k) {
			tm.Send(msg)
		}
	}
	waitOutput(t, tm, "create") // on review, with the plan
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitOutput(t, tm, "Build and test now?")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("n")})
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(waitLimit)).(wizardModel)
	if !final.result.Written || final.result.BuildNow {
		t.Fatalf("result = %+v", final.result)
	}
	requireSameTree(t, want, dir)
}

// accessibleAnswers are the same answers, one line each, with two wrong
// answers that must be asked again.
var accessibleAnswers = []string{
	"", "2.1", "Acme Python builder", "Acme Python", "Acme Ops <ops@acme.example>", "", "Apache-2.0",
	"python", "", "", "", "",
	"80:http", "8081:web", "/ready", "/live", // 80 is refused (G17), then asked again
	"", "",
	"PYTHONUNBUFFERED=1, APP_FILE=app.py, GREETING=hello", "DB_PASSWORD", "/var/lib/acme",
	"", "postgresql", "maybe", "yes", "512Mi", "500m", "team=ops", "", // "maybe" is not yes or no
	"", "podman",
	"",  // write
	"n", // build now
}

func TestAccessibleWizardMatchesFlags(t *testing.T) {
	want := kilnNewWithFlags(t)
	dir := filepath.Join(t.TempDir(), "acme-python")
	spec, err := startingSpec(dir)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := scaffold.Defaults("python")
	answers := append([]string(nil), accessibleAnswers...)
	answers[21] = strings.Join(append(d.Tags, "acme"), ", ")
	var out bytes.Buffer
	res, err := RunWizard(context.Background(), WizardInput{Spec: spec, Dir: dir, Accessible: true, Lint: LintFiles,
		In: strings.NewReader(strings.Join(answers, "\n") + "\n"), Out: &out})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !res.Written || res.BuildNow {
		t.Fatalf("result = %+v", res)
	}
	for _, wantOut := range []string{"G17", "error: item 1 (80): is below 1024", "error: \"maybe\": answer yes or no", "Write these files? [Y/n]", "Dockerfile"} {
		if !strings.Contains(out.String(), wantOut) {
			t.Errorf("the prompts lack %q", wantOut)
		}
	}
	if strings.Contains(out.String(), "\x1b[") {
		t.Error("accessible mode printed escape sequences")
	}
	requireSameTree(t, want, dir)
}

func TestAccessibleWizardInputEndsWritesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "x")
	spec, _ := startingSpec(dir)
	var out bytes.Buffer
	_, err := RunWizard(context.Background(), WizardInput{Spec: spec, Dir: dir, Accessible: true, Lint: LintFiles, In: strings.NewReader("\n\n"), Out: &out})
	if !errors.Is(err, ErrInputEnded) {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatal("files were written")
	}
}

// TestAccessibleYesAsksOnlyIncompleteScreens: with --yes the prompts start
// at the screen that needs an answer; a choice is picked by its number.
func TestAccessibleYesAsksOnlyIncompleteScreens(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "yes")
	spec, _ := startingSpec(dir)
	spec.Engine = "nonsense" // the build screen is incomplete
	var out bytes.Buffer
	res, err := RunWizard(context.Background(), WizardInput{Spec: spec, Dir: dir, Accessible: true, Lint: LintFiles, Yes: true,
		In: strings.NewReader("\n2\n\n\n"), Out: &out}) // incremental; engine 2 (podman); write; build now (the defaults)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "Image name") || !strings.Contains(out.String(), "7/8 Build") {
		t.Fatalf("--yes asked complete screens or skipped the incomplete one:\n%s", out.String())
	}
	if !res.Written || !res.BuildNow || spec.Engine != "podman" {
		t.Fatalf("written %v, build now %v, engine %q", res.Written, res.BuildNow, spec.Engine)
	}
}

// TestAccessibleBackClearAndReask: < returns to the previous question, -
// clears a list, and a refused answer is asked again with the previous
// answer in brackets, not the refused one.
func TestAccessibleBackClearAndReask(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acc")
	spec, _ := startingSpec(dir)
	answers := []string{
		"", "2.0", "<", "3.0", // name; tag 2.0, then back to the tag: 3.0
		"", "", "", "", "", // description … licenses
		"", "", "", "-", "", // preset, base, package manager kept; packages cleared; version
		"80", "8080", // 80 is refused and asked again
	}
	var out bytes.Buffer
	_, err := RunWizard(context.Background(), WizardInput{Spec: spec, Dir: dir, Accessible: true,
		In: strings.NewReader(strings.Join(answers, "\n") + "\n"), Out: &out})
	if !errors.Is(err, ErrInputEnded) {
		t.Fatalf("err = %v\n%s", err, out.String())
	}
	if spec.Tag != "3.0" || len(spec.Packages) != 0 || spec.Ports[0].Number != 8080 {
		t.Fatalf("tag %q, packages %v, ports %v\n%s", spec.Tag, spec.Packages, spec.Ports, out.String())
	}
	o := out.String()
	if strings.Count(o, "Tag [") != 2 || !strings.Contains(o, "Tag [2.0]: ") {
		t.Errorf("< did not ask the tag again with its answer:\n%s", o)
	}
	if !strings.Contains(o, "(- clears)") {
		t.Errorf("the list prompt does not say - clears it:\n%s", o)
	}
	if strings.Contains(o, "Ports [80/tcp") || !strings.Contains(o, "is below 1024") {
		t.Errorf("the refused port became the default, or was not refused:\n%s", o)
	}
}

// TestAccessibleInterruptSaysNothingWritten: an interrupt at a prompt ends
// the wizard without writing.
func TestAccessibleInterruptSaysNothingWritten(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acc")
	spec, _ := startingSpec(dir)
	ctx, cancel := context.WithCancel(context.Background())
	r, w := io.Pipe() // input that never ends, like a person thinking
	defer w.Close()
	done := make(chan error)
	var out bytes.Buffer
	go func() {
		_, err := RunWizard(ctx, WizardInput{Spec: spec, Dir: dir, Accessible: true, In: r, Out: &out})
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, ErrCanceled) {
		t.Fatalf("err = %v, want ErrCanceled", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatal("files were written")
	}
}

// TestWizardDraftResumes: leaving with changed answers keeps them, and the
// next kiln new of the same directory starts from them, saying so.
func TestWizardDraftResumes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "drafted")
	run := func(keys string) (WizardResult, string) {
		spec, _ := startingSpec(dir)
		var out bytes.Buffer
		res, err := RunWizard(context.Background(), WizardInput{Spec: spec, Dir: dir, Resume: true,
			In: strings.NewReader(keys), Out: &out})
		if !errors.Is(err, ErrCanceled) {
			t.Fatalf("err = %v", err)
		}
		return res, out.String()
	}
	// type a name over the default, then ctrl+c twice (the first one asks)
	res, out := run("acme\x03\x03")
	if res.Spec.Name != "acme" || !strings.Contains(out, "Your answers are kept") {
		t.Fatalf("name %q; output:\n%s", res.Spec.Name, out)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatal("the draft was written into the target directory")
	}
	res, out = run("\x03") // nothing changed since the resume: one ctrl+c leaves
	if res.Spec.Name != "acme" || !strings.Contains(out, "Your answers are kept") {
		t.Fatalf("the draft was not resumed and kept: name %q\n%s", res.Spec.Name, out)
	}
}

// TestAccessibleLooksUpTheBase: the line-by-line wizard looks the base
// image up once it is answered, as the full-screen one does (issue 13): one
// line says what was found, the package manager follows a local image
// while it is the preset's default, and an unreachable image lists the
// local ones to pick from.
func TestAccessibleLooksUpTheBase(t *testing.T) {
	for _, tc := range []struct {
		name  string
		where builder.BaseWhere
	}{{"local", builder.BaseLocal}, {"unreachable", builder.BaseUnreachable}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "acc")
			spec, _ := startingSpec(dir)
			pm := "apt"
			if spec.PackageManager == pm {
				pm = "dnf"
			}
			var asked []string
			insp := BaseInspector{
				Inspect: func(_ context.Context, ref string) builder.BaseInfo {
					asked = append(asked, ref)
					if tc.where != builder.BaseLocal {
						return builder.BaseInfo{Ref: ref, Where: tc.where, Message: "registry unreachable"}
					}
					return builder.BaseInfo{Ref: ref, Where: builder.BaseLocal, OS: "Test OS 1", PackageManager: pm, User: "1001"}
				},
				Local: func() []string { return []string{"localhost/one:1", "localhost/two:2"} },
			}
			wasPM := spec.PackageManager
			answers := []string{"", "", "", "", "", "", "", "", ""} // name … preset, base kept
			var out bytes.Buffer
			_, err := RunWizard(context.Background(), WizardInput{Spec: spec, Dir: dir, Accessible: true, Base: insp,
				In: strings.NewReader(strings.Join(answers, "\n") + "\n"), Out: &out})
			if !errors.Is(err, ErrInputEnded) {
				t.Fatalf("err = %v\n%s", err, out.String())
			}
			o := out.String()
			if len(asked) != 1 || asked[0] != spec.From {
				t.Fatalf("looked up %q, want once %q\n%s", asked, spec.From, o)
			}
			switch tc.where {
			case builder.BaseLocal:
				if !strings.Contains(o, "base image "+spec.From+": found locally: Test OS 1, package manager "+pm+", USER 1001") {
					t.Errorf("no line about the found image:\n%s", o)
				}
				if spec.PackageManager != pm || !strings.Contains(o, "Package manager ["+pm+"]") {
					t.Errorf("package manager %q (was %q), want it to follow the image's %q:\n%s", spec.PackageManager, wasPM, pm, o)
				}
			default:
				if !strings.Contains(o, "registry unreachable") || !strings.Contains(o, "localhost/one:1, localhost/two:2") {
					t.Errorf("no notice and no local images offered:\n%s", o)
				}
				if spec.PackageManager != wasPM {
					t.Errorf("package manager changed to %q for an image not found", spec.PackageManager)
				}
			}
		})
	}
}
