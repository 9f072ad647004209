// Package lint checks Dockerfiles, s2i scripts and builder repositories
// against the OKD image guidelines (G01-G31, package okd and
// docs/guidelines.md), for
// `kiln lint`, the wizard and `kiln test`.
//
// Every finding names a stable rule ID (KL001...), its severity, the
// guideline it enforces and a fix; Rules lists them and docs/lint.md is
// generated from that table. Entry points:
//
//   - Repo(dir) lints a repository on disk; FS(fsys) one in any fs.FS (an
//     fstest.MapFS for files not yet written); Files(map) the same from a map.
//   - Dockerfile and Script lint one file's text; Paths mixes directories and
//     files as the command line gives them.
//   - WriteText, WriteJSON and WriteSARIF print findings; Explain and
//     WriteList describe the rules.
//
// Dockerfiles are parsed with buildkit's parser and shell with mvdan.cc/sh,
// as builds and shells read them. Input that does not parse is a
// *ParseError naming the file and line.
package lint

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kiln-s2i/kiln/scaffold/bounded"
)

// Finding is one rule violation at a place in a file.
type Finding struct {
	File      string   `json:"file"`
	Line      int      `json:"line"`
	Column    int      `json:"column"`
	Severity  Severity `json:"severity"`
	Rule      string   `json:"rule"`
	Message   string   `json:"message"`
	Fix       string   `json:"fix"`
	Guideline string   `json:"guideline"`
}

// Options tune a lint run.
type Options struct {
	// Ignore lists rule IDs dropped everywhere, on top of kiln.yaml's
	// lint.ignore and the kiln:ignore comments.
	Ignore []string
	// Base, when set, looks a base image up (kiln lint --inspect-base); it
	// is called only when a rule needs what the FROM image sets, and its
	// answer takes the place of BaseImageFile's record.
	Base func(ref string) (BaseImage, bool)
}

// ParseError is input that cannot be read or parsed; File and Line say where.
type ParseError struct {
	File string
	Line int
	Err  error
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Repo lints the repository in dir on disk. See FS.
func Repo(dir string, opts Options) ([]Finding, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, &ParseError{File: dir, Err: unwrapPathError(err)}
	}
	if !fi.IsDir() {
		return nil, &ParseError{File: dir, Err: errors.New("not a directory")}
	}
	above, err := configAbove(dir)
	if err != nil {
		return nil, err
	}
	opts.Ignore = append(slices.Clone(opts.Ignore), above...)
	return FS(os.DirFS(dir), opts)
}

// configAbove reads lint.ignore from the nearest kiln.yaml above dir, up to
// the repository root (the directory holding .git): a multi-version
// repository configures lint once at its root. kiln.yaml in dir itself is
// read by FS.
func configAbove(dir string) ([]string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil
	}
	if _, err := os.Stat(filepath.Join(abs, ".git")); err == nil {
		return nil, nil // dir is the repository root
	}
	for d := filepath.Dir(abs); ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "kiln.yaml")); err == nil {
			r := &repo{fsys: os.DirFS(d)}
			ignore, err := r.config(Options{})
			if err != nil {
				var pe *ParseError
				if errors.As(err, &pe) {
					pe.File = filepath.Join(d, pe.File)
				}
				return nil, err
			}
			var ids []string
			for id := range ignore {
				ids = append(ids, id)
			}
			return ids, nil
		}
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil || filepath.Dir(d) == d {
			return nil, nil
		}
	}
}

// FS lints a builder repository rooted at fsys's ".": the Dockerfile (or
// Containerfile), s2i/bin/*, wrapper scripts the Dockerfile copies and starts,
// test/run, openshift/*.yaml and README.md. File names in findings are
// slash-separated paths inside fsys. Files in an fstest.MapFS need Mode 0o755
// to count as executable; a zero mode is taken as unknown.
//
// A directory may hold several Dockerfiles (Dockerfile.rhel9,
// Containerfile.fedora, app.Dockerfile): each is linted with the scripts it
// copies. A directory that is no builder itself is searched for builder
// directories below it, and each is linted.
func FS(fsys fs.FS, opts Options) ([]Finding, error) {
	defer lintGC()()
	r := &repo{fsys: fsys}
	ignore, err := r.config(opts)
	if err != nil {
		return nil, err
	}
	rootEntries, rootListed := listDir(fsys, ".")
	dirs := []builderDir{{".", dockerfilesOf(".", rootListed)}}
	if len(dirs[0].dfs) == 0 {
		dirs = builderDirs(fsys, rootEntries, rootListed)
	}
	if len(dirs) == 0 {
		return nil, &ParseError{File: ".", Err: errors.New("no Dockerfile, Containerfile or s2i/bin here or below: not a builder repository (pass the directory of a Dockerfile, or the Dockerfile itself)")}
	}
	run := &lintRun{scripts: map[scriptKey]scriptResult{}, done: map[string]bool{}, base: opts.Base}
	var all []Finding
	for _, dir := range dirs {
		fs, err := run.lintDir(fsys, dir.dir, dir.dfs)
		if err != nil {
			return nil, err
		}
		all = append(all, fs...)
	}
	return finish(dedupe(all), ignore), nil
}

// dedupe drops findings repeated when several Dockerfiles share a script.
func dedupe(fs []Finding) []Finding {
	seen := make(map[Finding]bool, len(fs))
	out := fs[:0]
	for _, f := range fs {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// Script lints one script's source, named by its role (run, assemble…), with
// no repository around it: kiln verify reads the run script from an image.
func Script(name string, src []byte, mode fs.FileMode, opts Options) ([]Finding, error) {
	defer lintGC()()
	var out []Finding
	if _, err := lintScript(name, src, mode, roleFromName(name), scriptContext{}, &out); err != nil {
		return nil, err
	}
	return finish(out, ignoreSet(opts.Ignore)), nil
}

// Paths lints each path: a directory is a repository, a file is a Dockerfile
// or a script (by name and content). Findings name files as given on the
// command line, joined with the path inside a repository.
func Paths(paths []string, opts Options) ([]Finding, error) {
	defer lintGC()()
	var all []Finding
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, &ParseError{File: p, Err: unwrapPathError(err)}
		}
		var fs []Finding
		if fi.IsDir() {
			fs, err = Repo(p, opts)
			for i := range fs {
				fs[i].File = joinDisplay(p, fs[i].File)
			}
		} else {
			fs, err = lintFile(p, fi.Mode(), opts)
		}
		if err != nil {
			var pe *ParseError
			if errors.As(err, &pe) && fi.IsDir() {
				pe.File = joinDisplay(p, pe.File)
			}
			return nil, err
		}
		all = append(all, fs...)
	}
	sortFindings(all)
	return all, nil
}

func lintFile(p string, mode fs.FileMode, opts Options) ([]Finding, error) {
	src, err := bounded.ReadFile(p)
	if err != nil {
		return nil, &ParseError{File: p, Err: unwrapPathError(err)}
	}
	// a file at a repository's root follows its kiln.yaml
	r := &repo{fsys: os.DirFS(filepath.Dir(p))}
	ignore, err := r.config(Options{})
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			pe.File = filepath.Join(filepath.Dir(p), pe.File)
		}
		return nil, err
	}
	ids := slices.Clone(opts.Ignore)
	for id := range ignore {
		ids = append(ids, id)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(p), "kiln.yaml")); err != nil {
		// no kiln.yaml beside the file: the repository's root may have one
		above, err := configAbove(filepath.Dir(p))
		if err != nil {
			return nil, err
		}
		ids = append(ids, above...)
	}
	opts.Ignore = ids

	dir := filepath.Dir(p)
	var out []Finding
	if looksLikeDockerfile(p, src) {
		// beside an s2i/bin directory, the Dockerfile is a builder's
		_, err := os.Stat(filepath.Join(dir, "s2i", "bin"))
		facts := repoFacts{hasS2IBin: err == nil, base: baseLookup(opts.Base, os.DirFS(dir), ".")}
		if _, err := lintDockerfileWith(p, src, &out, facts); err != nil {
			return nil, err
		}
		return finish(out, ignoreSet(opts.Ignore)), nil
	}
	role := roleFromName(p)
	var ctx scriptContext
	if role == roleAssemble {
		_, err := os.Stat(filepath.Join(dir, "save-artifacts"))
		ctx.saveArtifactsExists = err == nil
	}
	if _, err := lintScript(p, src, mode, role, ctx, &out); err != nil {
		return nil, err
	}
	return finish(out, ignoreSet(opts.Ignore)), nil
}

func joinDisplay(dir, rel string) string {
	if dir == "." || dir == "" {
		return rel
	}
	if rel == "." {
		return dir
	}
	return strings.TrimSuffix(dir, "/") + "/" + rel
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func ignoreSet(ids []string) map[string]bool {
	m := map[string]bool{}
	for _, id := range ids {
		m[strings.ToUpper(strings.TrimSpace(id))] = true
	}
	return m
}

// finish drops globally ignored rules and sorts.
func finish(fs []Finding, ignore map[string]bool) []Finding {
	out := fs[:0]
	for _, f := range fs {
		if !ignore[f.Rule] {
			out = append(out, f)
		}
	}
	sortFindings(out)
	return out
}

func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// Count returns how many findings are at or above the threshold.
func Count(fs []Finding, threshold Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity >= threshold {
			n++
		}
	}
	return n
}

// reporter collects findings for one file and applies its kiln:ignore comments.
type reporter struct {
	file    string
	out     *[]Finding
	ignores ignores
}

func (r *reporter) add(id string, line int, format string, a ...any) {
	r.addCol(id, line, 1, format, a...)
}

func (r *reporter) addCol(id string, line, col int, format string, a ...any) {
	rule := ruleIndex[id]
	if rule == nil {
		panic("lint: unknown rule " + id)
	}
	r.addSev(id, rule.Severity, line, col, format, a...)
}

// addSev reports a finding below its rule's severity: a heuristic rule
// that cannot be sure in this case (the base image may set what is missing)
// says so at a lower level.
func (r *reporter) addSev(id string, sev Severity, line, col int, format string, a ...any) {
	rule := ruleIndex[id]
	if rule == nil {
		panic("lint: unknown rule " + id)
	}
	if r.ignores.suppressed(id, line) {
		return
	}
	line, col = max(line, 1), max(col, 1)
	*r.out = append(*r.out, Finding{
		File: r.file, Line: line, Column: col,
		Severity: min(sev, rule.Severity), Rule: id,
		Message: fmt.Sprintf(format, a...), Fix: rule.Fix, Guideline: rule.Guideline,
	})
}

// ignores holds a file's `# kiln:ignore=ID,... reason` comments (cover the
// unit right after them) and `# kiln:ignore-file=ID,... reason` (whole file).
type ignores struct {
	file    map[string]bool
	ranges  []ignoreRange
	unknown []ignoreDirective // IDs no rule has, by line: reported as KL004
}

// reportUnknown reports the kiln:ignore comments that name no rule: a typo
// (KL12O) would otherwise silence nothing without anyone noticing.
func (r *reporter) reportUnknown() {
	for _, d := range r.ignores.unknown {
		for _, id := range d.ids {
			r.add("KL004", d.line, "kiln:ignore names %s, which is not a rule (see kiln lint --list)", id)
		}
	}
}

type ignoreRange struct {
	start, end int
	ids        map[string]bool
}

func (ig *ignores) suppressed(id string, line int) bool {
	if ig.file[id] {
		return true
	}
	for _, r := range ig.ranges {
		if line >= r.start && line <= r.end && r.ids[id] {
			return true
		}
	}
	return false
}

type ignoreDirective struct {
	line int
	ids  []string
}

// scanIgnores finds the ignore comments of a file; it records file-wide ones
// in ig and returns the per-unit ones for bind.
func scanIgnores(src []byte, ig *ignores) (dirs []ignoreDirective, commentLines map[int]bool) {
	if !bytes.Contains(src, []byte("kiln:ignore")) {
		return nil, nil
	}
	commentLines = map[int]bool{}
	for i, line := range strings.Split(string(src), "\n") {
		t := strings.TrimSpace(line)
		if !strings.HasPrefix(t, "#") {
			continue
		}
		commentLines[i+1] = true
		t = strings.TrimSpace(strings.TrimPrefix(t, "#"))
		var fileWide bool
		switch {
		case strings.HasPrefix(t, "kiln:ignore-file="):
			t, fileWide = strings.TrimPrefix(t, "kiln:ignore-file="), true
		case strings.HasPrefix(t, "kiln:ignore="):
			t = strings.TrimPrefix(t, "kiln:ignore=")
		default:
			continue
		}
		if j := strings.IndexAny(t, " \t"); j >= 0 {
			t = t[:j]
		}
		var ids, unknown []string
		for _, id := range strings.Split(t, ",") {
			if id = strings.ToUpper(strings.TrimSpace(id)); id != "" {
				ids = append(ids, id)
				if ruleIndex[id] == nil {
					unknown = append(unknown, id)
				}
			}
		}
		if len(unknown) > 0 {
			ig.unknown = append(ig.unknown, ignoreDirective{line: i + 1, ids: unknown})
		}
		if fileWide {
			if ig.file == nil {
				ig.file = map[string]bool{}
			}
			for _, id := range ids {
				ig.file[id] = true
			}
			continue
		}
		dirs = append(dirs, ignoreDirective{line: i + 1, ids: ids})
	}
	return dirs, commentLines
}

// bind attaches each directive to the first unit (instruction, statement)
// starting after it, when only comment lines stand between them.
func (ig *ignores) bind(dirs []ignoreDirective, commentLines map[int]bool, units [][2]int) {
	if len(dirs) == 0 {
		return
	}
	units = slices.Clone(units)
	slices.SortStableFunc(units, func(a, b [2]int) int { return cmp.Compare(a[0], b[0]) })
	for _, d := range dirs {
		best, _ := slices.BinarySearchFunc(units, d.line+1, func(u [2]int, line int) int { return cmp.Compare(u[0], line) })
		if best >= len(units) {
			continue
		}
		ok := true
		for l := d.line + 1; l < units[best][0]; l++ {
			if !commentLines[l] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		ids := map[string]bool{}
		for _, id := range d.ids {
			ids[id] = true
		}
		ig.ranges = append(ig.ranges, ignoreRange{start: units[best][0], end: units[best][1], ids: ids})
	}
}
