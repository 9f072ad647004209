package lint

//go:generate go test -run TestDocsUpToDate -update .

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-s2i/kiln/scaffold/okd"
)

// updating reports golden's -update flag, which also rewrites docs/lint.md.
func updating() bool { return flag.Lookup("update").Value.String() == "true" }

// TestDocsUpToDate fails when docs/lint.md no longer matches the rule table.
func TestDocsUpToDate(t *testing.T) {
	file := filepath.Join("..", "..", "docs", "lint.md")
	want := Markdown()
	if updating() {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v: run go generate ./scaffold/lint", err)
	}
	if string(got) != want {
		t.Errorf("docs/lint.md is stale: run go generate ./scaffold/lint")
	}
}

func TestRuleTable(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	for _, r := range Rules() {
		if seen[r.ID] {
			t.Errorf("duplicate rule %s", r.ID)
		}
		seen[r.ID] = true
		if r.ID <= prev {
			t.Errorf("rule %s is out of order after %s", r.ID, prev)
		}
		prev = r.ID
		if len(r.ID) != 5 || !strings.HasPrefix(r.ID, "KL") {
			t.Errorf("rule ID %q is not KL + 3 digits", r.ID)
		}
		// KL000 and KL004 are about kiln's own reading of the files
		if okd.Summary(r.Guideline) == "" && (r.Guideline != "" || !toolRule(r.ID)) {
			t.Errorf("rule %s cites unknown guideline %q", r.ID, r.Guideline)
		}
		if r.Severity == Error && !strings.HasPrefix(r.Confidence, "certain") {
			t.Errorf("rule %s is an error but not certain (%s)", r.ID, r.Confidence)
		}
		if r.Title == "" || r.Fix == "" || r.Why == "" || r.Before == "" || r.After == "" {
			t.Errorf("rule %s lacks title, fix, why or example", r.ID)
		}
	}
}
