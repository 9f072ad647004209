package scaffold

import (
	"unicode/utf8"

	udiff "github.com/aymanbagabas/go-udiff"
)

// UnifiedDiff is the unified diff from old to new, labelled a and b, as
// git shows it. A file that is not UTF-8 text (a test app's wheel or
// tarball) is named as binary: udiff's Unified computes its edits on runes
// and, on invalid UTF-8, stops the whole process with log.Fatal.
func UnifiedDiff(a, b string, old, new []byte) string {
	if !utf8.Valid(old) || !utf8.Valid(new) {
		return "Binary files " + a + " and " + b + " differ\n"
	}
	d, err := udiff.ToUnified(a, b, string(old), udiff.Bytes(old, new), udiff.DefaultContextLines)
	if err != nil {
		return "Files " + a + " and " + b + " differ (" + err.Error() + ")\n"
	}
	return d
}
