package lint

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPatterns lints the repository layouts of real builder images, each in
// a minimal fixture of its own (testdata/patterns): every finding at
// warning or above, and every finding of the rules the fixture names, must
// be listed in its want file as "file:line RULE severity".
func TestPatterns(t *testing.T) {
	for _, file := range fixtures(t, "patterns") {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			fx := loadFixture(t, file)
			found, err := FS(fx.fsys, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range found {
				if f.Severity >= Warning || slices.Contains(fx.rules, f.Rule) {
					got = append(got, fmt.Sprintf("%s:%d %s %s", f.File, f.Line, f.Rule, f.Severity))
				}
			}
			if !slices.Equal(got, fx.want) {
				t.Errorf("findings:\n got: %q\nwant: %q", got, fx.want)
				for _, f := range found {
					t.Logf("%s:%d %s %s %s", f.File, f.Line, f.Severity, f.Rule, f.Message)
				}
			}
		})
	}
}
