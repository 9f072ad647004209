package scaffold_test

import (
	"strings"
	"testing"

	"github.com/kiln-s2i/kiln/scaffold"
)

// A binary file (a test app's wheel) must not stop kiln: udiff's Unified
// calls log.Fatal on the out-of-bounds edits it computes for invalid UTF-8.
func TestUnifiedDiff(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new string
		want     []string
	}{
		{"text", "a\nb\nc\n", "a\nB\nc\n", []string{"--- a/f\n+++ b/f\n", "-b\n+B\n"}},
		{"removed", "x\n", "", []string{"-x\n"}},
		{"same", "x\n", "x\n", nil},
		{"binary", "PK\x03\x04\xff\xfe\x00\x80", "", []string{"Binary files a/f and b/f differ\n"}},
		{"binary both", "\xff\x01\n", "\xff\x02\n", []string{"Binary files"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := scaffold.Unified("a/f", "b/f", []byte(tc.old), []byte(tc.new))
			if tc.want == nil && got != "" {
				t.Errorf("diff of equal files = %q", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("diff = %q, want it to hold %q", got, w)
				}
			}
		})
	}
}
