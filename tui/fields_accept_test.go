package tui

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/kiln-s2i/kiln/scaffold"
)

// answerInputs are the texts typed for each kind of answer: valid ones,
// odd but readable ones, and wrong ones.
var answerInputs = map[scaffold.Kind][]string{
	scaffold.KindText:   {"hello world", "  padded  "},
	scaffold.KindNumber: {"1001", " 2000 ", "abc", "0"},
	scaffold.KindBool:   {"yes", "no", "TRUE", "maybe"},
	scaffold.KindList:   {"a, b", `x\,y`, ""},
	scaffold.KindPairs:  {"A=1, B=2", "JAVA_OPTS=-Xms1g,-Xmx2g", "GREETING=hello, world", "NOVALUE", ""},
	scaffold.KindPair:   {"X_VERSION=1.2", "NOVALUE", ""},
	scaffold.KindPorts:  {"8080/TCP", "8080:http, 9090/udp:metrics", "9090/udp", "http", "80", ""},
	scaffold.KindProbe:  {"/ready", ":8080/ready", "TCP", "tcp :8080", ":9999/x", "ready"},
}

// fieldInputs add texts that mean something for one field.
var fieldInputs = map[string][]string{
	"name":                 {"my-image", "My Image"},
	"tag":                  {"2.1", "latest", ""},
	"from":                 {"quay.io/me/base:1.2", "python", "x:latest"},
	"packages":             {"git, make"},
	"writableDirs":         {"/opt/app-root, /var/cache/app", "/etc"},
	"secrets":              {"DB_PASSWORD", "1BAD"},
	"volumes":              {"/data"},
	"tags":                 {"builder, python", "python"},
	"wants":                {"postgresql"},
	"minMemory":            {"512Mi", "12 bananas", ""},
	"minCPU":               {"500m"},
	"labels":               {"com.example.team=ops", "BAD KEY=v", "io.k8s.description=x"},
	"env":                  {"DB_PASSWORD=secret", "HOME=/x"},
	"uid":                  {"4294967296"},
	"certification.vendor": {"ACME"},
	"maintainer":           {"Me <me@example.com>", ""},
}

// Empty answers that flags and the wizard mean differently on purpose:
// without a name, display name or description kiln new derives them.
var derivedWhenEmpty = map[string]bool{"name": true, "displayName": true, "description": true}

func inputsFor(f *scaffold.Field) []string {
	in := append([]string(nil), answerInputs[f.Kind]...)
	if f.Kind == scaffold.KindChoice {
		for _, c := range f.Choices() {
			in = append(in, c.Name())
		}
		in = append(in, strings.ToUpper(f.Choices()[1].Value), "nonsense")
	}
	in = append(in, fieldInputs[f.Path]...)
	return in
}

// wizardAnswer is what the wizard makes of a typed answer: a parse error, or
// the spec with its problems.
type wizardAnswer struct {
	parseErr string
	spec     *scaffold.Spec
	problems []scaffold.Problem
}

// typeAnswer types v into the field the way an author does: in the
// full-screen form for text answers (clear, type, enter), at the accessible
// prompt for choices and yes/no answers.
func typeAnswer(t *testing.T, dir string, f *scaffold.Field, v string) wizardAnswer {
	t.Helper()
	spec, err := startingSpec(dir)
	if err != nil {
		t.Fatal(err)
	}
	if f.Kind == scaffold.KindChoice || f.Kind == scaffold.KindBool {
		var out bytes.Buffer
		a := newAccessible(t.Context(), strings.NewReader(""), &out)
		fm := newFieldModel(newFieldDef(f), spec)
		if _, err := a.answer(fm, spec, v); err != nil {
			return wizardAnswer{parseErr: err.Error()}
		}
		return wizardAnswer{spec: spec, problems: problems(spec)}
	}
	m := newTestWizardWith(t, spec, dir, false, 120, 40)
	for id := range m.screens {
		for i, fm := range m.screens[id].fields {
			if fm.def.id == f.Path {
				m.current, m.screens[id].focus = screenID(id), i
			}
		}
	}
	fm := m.screens[m.current].focused()
	if fm.def.id != f.Path {
		t.Fatalf("the wizard does not ask %s", f.Path)
	}
	for _, k := range []tea.KeyType{tea.KeyEnd, tea.KeyCtrlU} {
		next, _ := m.Update(tea.KeyMsg{Type: k})
		m = next.(wizardModel)
	}
	for _, r := range v {
		m, _ = wsend(t, m, string(r))
	}
	if fm.parseErr != "" {
		return wizardAnswer{parseErr: fm.parseErr}
	}
	return wizardAnswer{spec: m.spec, problems: m.probs}
}

// TestFlagsAndWizardAcceptTheSameAnswers types the same text for every
// field of the table through kiln new's flag (the real binary) and through
// the wizard, and requires the same spec, or the same error naming the
// field's flag.
func TestFlagsAndWizardAcceptTheSameAnswers(t *testing.T) {
	kiln := goBuild(t, "github.com/kiln-s2i/kiln/cmd/kiln", "kiln")
	for _, f := range scaffold.Fields() {
		for _, v := range inputsFor(f) {
			if v == "" && derivedWhenEmpty[f.Path] {
				continue
			}
			t.Run(f.Path+"="+v, func(t *testing.T) {
				dir := filepath.Join(t.TempDir(), "b")
				want := typeAnswer(t, dir, f, v)
				cmd := exec.Command(kiln, "new", dir, "--defaults", "--"+f.Flag+"="+v)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				err := cmd.Run()
				var exit *exec.ExitError
				if err != nil && !errors.As(err, &exit) {
					t.Fatal(err)
				}
				switch {
				case want.parseErr != "":
					if err == nil || !strings.Contains(stderr.String(), "--"+f.Flag+" "+v+": "+want.parseErr) {
						t.Fatalf("the wizard says %q; the flag says (exit %v):\n%s", want.parseErr, err, stderr.String())
					}
				case len(want.problems) > 0:
					if err == nil {
						t.Fatalf("the wizard finds %v; the flag was accepted", want.problems)
					}
					for _, p := range want.problems {
						flag := "kiln.yaml"
						if owner := scaffold.FieldFor(p.Field); owner != nil {
							flag = "--" + owner.Flag
						}
						if !strings.Contains(stderr.String(), flag+" ("+p.Field+") ") || !strings.Contains(stderr.String(), p.Message) {
							t.Errorf("the wizard finds %s %q; the flag does not say so under %s:\n%s", p.Field, p.Message, flag, stderr.String())
						}
					}
				default:
					if err != nil {
						t.Fatalf("the wizard accepts it; the flag fails:\n%s", stderr.String())
					}
					data, err := os.ReadFile(filepath.Join(dir, scaffold.SpecFile))
					if err != nil {
						t.Fatal(err)
					}
					got, err := scaffold.Parse(data)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(got, want.spec) {
						gy, _ := got.Marshal()
						wy, _ := want.spec.Marshal()
						t.Fatalf("the flag and the wizard give different specs:\n--- flag\n%s\n--- wizard\n%s", gy, wy)
					}
				}
			})
		}
	}
}
