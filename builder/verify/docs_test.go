package verify

//go:generate go test -run TestDocsUpToDate -update .

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/verify.md")

// TestDocsUpToDate fails when docs/verify.md no longer matches the check table.
func TestDocsUpToDate(t *testing.T) {
	file := filepath.Join("..", "..", "docs", "verify.md")
	want := Markdown()
	if *update {
		if err := os.WriteFile(file, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v: run go generate ./builder/verify", err)
	}
	if string(got) != want {
		t.Errorf("docs/verify.md is stale: run go generate ./builder/verify")
	}
}

// TestCheckTable: IDs in order, each names a known guideline, and every
// check has an implementation (run panics otherwise).
func TestCheckTable(t *testing.T) {
	prev := ""
	for _, c := range Checks() {
		if len(c.ID) != 5 || !strings.HasPrefix(c.ID, "KV") || c.ID <= prev {
			t.Errorf("check ID %q is not KV + 3 digits in order after %s", c.ID, prev)
		}
		prev = c.ID
		if GuidelineText(c.Guideline) == "" {
			t.Errorf("%s cites unknown guideline %q", c.ID, c.Guideline)
		}
		if c.Title == "" || c.Why == "" || c.Fix == "" {
			t.Errorf("%s lacks a title, why or fix", c.ID)
		}
	}
}

func TestListNamesEveryGuideline(t *testing.T) {
	var b strings.Builder
	if err := WriteList(&b, false); err != nil {
		t.Fatal(err)
	}
	for _, c := range Checks() {
		if !strings.Contains(b.String(), c.ID+"  ") || !strings.Contains(b.String(), c.Guideline) {
			t.Errorf("--list lacks %s %s:\n%s", c.ID, c.Guideline, b.String())
		}
	}
}
