package lint

import (
	"bytes"
	"encoding/json"
	"github.com/charmbracelet/x/exp/golden"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-s2i/kiln/scaffold/okd"
)

func guideFindings(t *testing.T) []Finding {
	t.Helper()
	fx := loadFixture(t, filepath.Join("testdata", "guide", "s2i-scripts.txtar"))
	fs, err := FS(fx.fsys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// checkGolden compares got with testdata/TestOutputGolden/name.golden; -update rewrites it.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	t.Run(name, func(t *testing.T) { golden.RequireEqual(t, got) })
}

func TestOutputGolden(t *testing.T) {
	fs := guideFindings(t)
	var text, color, js, sarif bytes.Buffer
	if err := WriteText(&text, fs, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := WriteText(&color, fs, TextOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&js, fs); err != nil {
		t.Fatal(err)
	}
	if err := WriteSARIF(&sarif, fs, "test"); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "guide.txt", text.Bytes())
	checkGolden(t, "guide.color.txt", color.Bytes())
	checkGolden(t, "guide.json", js.Bytes())
	checkGolden(t, "guide.sarif", sarif.Bytes())
	if strings.Contains(text.String(), "\x1b[") {
		t.Error("plain text output has ANSI escapes")
	}
	if !strings.Contains(color.String(), "\x1b[31merror\x1b[0m") {
		t.Error("coloured output does not colour errors red")
	}
}

func TestJSONRoundTrip(t *testing.T) {
	fs := guideFindings(t)
	var buf bytes.Buffer
	if err := WriteJSON(&buf, fs); err != nil {
		t.Fatal(err)
	}
	var back []Finding
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back, fs) {
		t.Errorf("JSON round trip changed the findings:\n%v\n%v", back, fs)
	}
	buf.Reset()
	if err := WriteJSON(&buf, nil); err != nil || strings.TrimSpace(buf.String()) != "[]" {
		t.Errorf("no findings must print [], got %q (%v)", buf.String(), err)
	}
}

// TestSARIFShape checks what GitHub code scanning needs of an upload.
func TestSARIFShape(t *testing.T) {
	fs := guideFindings(t)
	fs = append(fs, Finding{File: "/abs/Dockerfile", Line: 0, Column: 0, Severity: Info, Rule: "KL033", Message: "m", Fix: "f", Guideline: "G09"})
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, fs, "1.0"); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID               string                `json:"id"`
						ShortDescription struct{ Text string } `json:"shortDescription"`
						Help             struct{ Text string } `json:"help"`
						Properties       map[string]any        `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine, StartColumn int }
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name == "" {
		t.Fatalf("not a SARIF 2.1.0 log with one run: %s", buf.String())
	}
	run := log.Runs[0]
	if len(run.Tool.Driver.Rules) != len(Rules()) {
		t.Errorf("driver lists %d rules, want %d", len(run.Tool.Driver.Rules), len(Rules()))
	}
	for _, r := range run.Tool.Driver.Rules {
		if r.ShortDescription.Text == "" || r.Help.Text == "" || (r.Properties["guideline"] == "" && !toolRule(r.ID)) {
			t.Errorf("rule %s lacks shortDescription, help or guideline", r.ID)
		}
	}
	if len(run.Results) != len(fs) {
		t.Fatalf("%d results for %d findings", len(run.Results), len(fs))
	}
	for i, res := range run.Results {
		if run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %d: ruleIndex %d is not %s", i, res.RuleIndex, res.RuleID)
		}
		if !slices.Contains([]string{"error", "warning", "note"}, res.Level) || res.Message.Text == "" || len(res.Locations) != 1 {
			t.Errorf("result %d is incomplete: %+v", i, res)
		}
		loc := res.Locations[0].PhysicalLocation
		if loc.Region.StartLine < 1 || loc.Region.StartColumn < 1 {
			t.Errorf("result %d: region %+v must start at 1 or later", i, loc.Region)
		}
		if loc.ArtifactLocation.URI == "" || strings.HasPrefix(loc.ArtifactLocation.URI, "/") {
			t.Errorf("result %d: uri %q must be relative or a file URI", i, loc.ArtifactLocation.URI)
		}
	}
	if got := run.Results[len(run.Results)-1].Locations[0].PhysicalLocation.ArtifactLocation.URI; got != "file:///abs/Dockerfile" {
		t.Errorf("absolute path became %q, want file:///abs/Dockerfile", got)
	}
}

func TestExplainAndList(t *testing.T) {
	for _, r := range Rules() {
		var buf bytes.Buffer
		if err := Explain(&buf, strings.ToLower(r.ID)); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{r.ID, r.Guideline, okd.Summary(r.Guideline), r.Why, r.Fix, "Before:", "After:"} {
			if !strings.Contains(buf.String(), want) {
				t.Errorf("--explain %s lacks %q", r.ID, want)
			}
		}
	}
	if err := Explain(&bytes.Buffer{}, "KL999"); err == nil {
		t.Error("Explain of an unknown rule gave no error")
	}
	var text, js bytes.Buffer
	if err := WriteList(&text, false); err != nil {
		t.Fatal(err)
	}
	if err := WriteList(&js, true); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(text.String(), "\n"); n != len(Rules()) {
		t.Errorf("--list printed %d lines for %d rules", n, len(Rules()))
	}
	var rows []map[string]string
	if err := json.Unmarshal(js.Bytes(), &rows); err != nil || len(rows) != len(Rules()) {
		t.Fatalf("--list --format json: %v, %d rows", err, len(rows))
	}
	for _, k := range []string{"id", "severity", "guideline", "title"} {
		if rows[len(rows)-1][k] == "" {
			t.Errorf("--list json rows lack %q", k)
		}
	}
}

func TestParseSeverity(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Severity
		ok   bool
	}{{"error", Error, true}, {"WARNING", Warning, true}, {"info", Info, true}, {"fatal", Info, false}, {"", Info, false}} {
		got, err := ParseSeverity(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseSeverity(%q) = %v, %v", tc.in, got, err)
		}
	}
}
