package tui

import (
	"fmt"
	"io/fs"
	"testing/fstest"

	"github.com/kiln-s2i/kiln/scaffold/lint"

	"github.com/kiln-s2i/kiln/scaffold"
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
	return fmt.Sprintf("%s %s %s %s: %s", f.Severity, f.Rule, f.Guideline, loc, f.Message)
}

// LintFiles lints the rendered files before they are written, with the
// rendered kiln.yaml's lint settings, as kiln lint would lint them on disk.
func LintFiles(files []scaffold.File) ([]Finding, error) {
	found, err := lint.FS(renderedFS(files), lint.Options{})
	if err != nil {
		return nil, err
	}
	out := make([]Finding, 0, len(found))
	for _, f := range found {
		out = append(out, Finding{Guideline: f.Guideline, Rule: f.Rule, Severity: f.Severity.String(),
			Path: f.File, Line: f.Line, Message: f.Message})
	}
	return out, nil
}

// renderedFS presents rendered files as an fs.FS, with their modes, the form lint reads.
func renderedFS(files []scaffold.File) fs.FS {
	m := fstest.MapFS{}
	for _, f := range files {
		m[f.Path] = &fstest.MapFile{Data: f.Content, Mode: f.Mode}
	}
	return m
}
