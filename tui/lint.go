package tui

import (
	"fmt"
	"io/fs"
	"testing/fstest"
)

// Finding is one lint result as the review screen shows it.
type Finding struct {
	Guideline string // G-ID the rule serves
	Rule      string
	Severity  string
	Path      string
	Line      int
	Message   string
}

func (f Finding) String() string {
	loc := f.Path
	if f.Line > 0 {
		loc = fmt.Sprintf("%s:%d", f.Path, f.Line)
	}
	return fmt.Sprintf("%s %s %s: %s", f.Severity, f.Guideline, loc, f.Message)
}

// lintRendered lints the rendered files before they are written. It is nil
// until scaffold/lint lands; the review then says lint is not available.
var lintRendered func(files []File) ([]Finding, error)

// renderedFS presents rendered files as an fs.FS, the form lint reads.
func renderedFS(files []File) fs.FS {
	m := fstest.MapFS{}
	for _, f := range files {
		m[f.Path] = &fstest.MapFile{Data: f.Content, Mode: f.Mode}
	}
	return m
}
