// Package mdedit edits the ports, environment and labels tables of a
// README.md in place: the table kiln's README template writes and the
// common hand-written forms of it. goldmark's GFM table parser finds the
// tables and the byte position of every cell, so a table inside a code
// block or a list is never mistaken, and only the rows an edit concerns
// change: every other byte of the README stays. A README without such
// tables is left alone.
package mdedit

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	gast "github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"

	"github.com/kiln-s2i/kiln/scaffold"
)

// File is a README being edited.
type File struct {
	src     []byte
	changed bool
}

// Parse reads a README. Markdown has no syntax errors, so it never fails.
func Parse(src []byte) *File { return &File{src: bytes.Clone(src)} }

// Bytes is the README with the edits applied.
func (f *File) Bytes() []byte { return f.src }

// Changed says whether an edit changed a byte.
func (f *File) Changed() bool { return f.changed }

type kind int

const (
	ports kind = iota + 1
	env
	labels
)

// cell is one cell's content, [start, stop) in the source.
type cell struct{ start, stop int }

type row struct {
	start, end int // the line, its line ending included
	cells      []cell
}

type table struct {
	kind   kind
	header []string // normalised header texts
	head   row
	rows   []row
	delim  int // end of the delimiter row's line: where a first body row goes
}

// col is the index of the first header named one of names, or -1.
func (t *table) col(names ...string) int {
	for i, h := range t.header {
		for _, n := range names {
			if h == n {
				return i
			}
		}
	}
	return -1
}

var md = goldmark.New(goldmark.WithExtensions(extension.Table))

// tables finds the tables of kind k in the current source.
func (f *File) tables(k kind) []*table {
	doc := md.Parser().Parse(text.NewReader(f.src))
	var out []*table
	heading := ""
	_ = gast.Walk(doc, func(n gast.Node, entering bool) (gast.WalkStatus, error) {
		if !entering {
			return gast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *gast.Heading:
			var b strings.Builder
			for i := 0; i < n.Lines().Len(); i++ {
				seg := n.Lines().At(i)
				b.Write(seg.Value(f.src))
			}
			heading = strings.ToLower(b.String())
			return gast.WalkSkipChildren, nil
		case *east.Table:
			if t := f.table(n, heading); t != nil && t.kind == k {
				out = append(out, t)
			}
			return gast.WalkSkipChildren, nil
		}
		return gast.WalkContinue, nil
	})
	return out
}

func (f *File) table(n *east.Table, heading string) *table {
	t := &table{}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		var r row
		for cc := c.FirstChild(); cc != nil; cc = cc.NextSibling() {
			if cc.Lines().Len() == 0 {
				continue // a cell the row left out
			}
			seg := cc.Lines().At(0)
			r.cells = append(r.cells, cell{seg.Start, seg.Stop})
		}
		if len(r.cells) == 0 {
			continue
		}
		r.start, r.end = f.line(r.cells[0].start)
		if _, ok := c.(*east.TableHeader); ok {
			t.head = r
			for _, cl := range r.cells {
				t.header = append(t.header, strings.ToLower(plain(string(f.src[cl.start:cl.stop]))))
			}
			_, t.delim = f.line(r.end)
			continue
		}
		t.rows = append(t.rows, r)
	}
	if len(t.header) == 0 {
		return nil
	}
	first := t.header[0]
	switch {
	case first == "port" || first == "ports" || first == "container port":
		t.kind = ports
	case first == "label" || first == "labels" || (first == "key" || first == "name") && strings.Contains(heading, "label"):
		t.kind = labels
	case first == "variable" || first == "environment variable" || first == "env" || first == "env var" ||
		first == "name" && strings.Contains(heading, "environment"):
		t.kind = env
	default:
		return nil
	}
	return t
}

// line is the line holding offset p: its start and its end past the line
// ending.
func (f *File) line(p int) (int, int) {
	if p > len(f.src) {
		p = len(f.src)
	}
	start := bytes.LastIndexByte(f.src[:p], '\n') + 1
	end := len(f.src)
	if i := bytes.IndexByte(f.src[p:], '\n'); i >= 0 {
		end = p + i + 1
	}
	return start, end
}

// plain is a cell's text without its code span fence and escapes, for
// matching a row's key.
func plain(s string) string {
	s = strings.TrimSpace(s)
	if n := len(s) - len(strings.TrimLeft(s, "`")); n > 0 && len(s) > 2*n && strings.HasSuffix(s, s[:n]) {
		s = strings.TrimSpace(s[n : len(s)-n])
		return strings.ReplaceAll(s, `\|`, "|")
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func (f *File) cellText(c cell) string { return string(f.src[c.start:c.stop]) }

// coded says a cell holds a code span, or kiln's "(empty)" for an empty one.
func (f *File) coded(c cell) bool {
	t := f.cellText(c)
	return strings.HasPrefix(t, "`") || t == scaffold.MarkdownCode("")
}

// find is the row whose first cell reads key.
func (f *File) find(t *table, key string, match func(cell string, key string) bool) *row {
	for i := range t.rows {
		if match(plain(f.cellText(t.rows[i].cells[0])), key) {
			return &t.rows[i]
		}
	}
	return nil
}

func sameKey(c, k string) bool { return c == k }

// samePort reads "8080", "8080/tcp" or "8080 (http)" as port 8080.
func samePort(c, k string) bool {
	i := strings.IndexFunc(c, func(r rune) bool { return r < '0' || r > '9' })
	if i < 0 {
		i = len(c)
	}
	return i > 0 && c[:i] == k
}

// splice replaces src[start:stop] and reports a change.
func (f *File) splice(start, stop int, s string) {
	if string(f.src[start:stop]) == s {
		return
	}
	f.src = append(f.src[:start:start], append([]byte(s), f.src[stop:]...)...)
	f.changed = true
}

// newRow lays out cells the way the table's last row is laid out: with or
// without outer pipes, and with its line ending.
func (f *File) newRow(t *table, cells []string) string {
	last := t.head
	if len(t.rows) > 0 {
		last = t.rows[len(t.rows)-1]
	}
	line := string(f.src[last.start:last.end])
	eol := ""
	switch {
	case strings.HasSuffix(line, "\r\n"):
		eol = "\r\n"
	case strings.HasSuffix(line, "\n"):
		eol = "\n"
	}
	body := strings.TrimRight(line, "\r\n")
	indent := body[:len(body)-len(strings.TrimLeft(body, " \t"))]
	s := strings.Join(cells, " | ")
	if strings.HasPrefix(strings.TrimSpace(body), "|") {
		s = "| " + s
	}
	if strings.HasSuffix(strings.TrimSpace(body), "|") {
		s += " |"
	}
	if eol == "" {
		eol = lineEnding(f.src)
	}
	return indent + s + eol
}

// insert adds a row at the end of t.
func (f *File) insert(t *table, r string) {
	at := t.delim
	if len(t.rows) > 0 {
		at = t.rows[len(t.rows)-1].end
	}
	if at > 0 && f.src[at-1] != '\n' {
		// the table ends the file without a line ending: end it first
		r = lineEnding(f.src) + strings.TrimRight(r, "\r\n")
	}
	f.splice(at, at, r)
}

func lineEnding(b []byte) string {
	if bytes.Contains(b, []byte("\r\n")) {
		return "\r\n"
	}
	return "\n"
}

// format writes v in the style of an existing cell: a code span if it was
// one (or if there is none and code is kiln's style), escaped text if not.
func (f *File) format(like *cell, code bool, v string) string {
	if like != nil {
		code = f.coded(*like)
	}
	if code {
		return scaffold.MarkdownCode(v)
	}
	return textCell(v)
}

// textCell is v as a text cell. A cell's text is trimmed when read, so blanks
// around it would not read back; and a row without a closing pipe would
// lose an escaped pipe at its end to the parser (GFM), so that one is an
// entity.
func textCell(v string) string {
	t := strings.TrimSpace(scaffold.MarkdownText(v))
	if strings.HasSuffix(t, `\|`) {
		t = strings.TrimSuffix(t, `\|`) + "&#124;"
	}
	return t
}

// cellOf is row r's cell i, or nil.
func cellOf(r *row, i int) *cell {
	if r == nil || i < 0 || i >= len(r.cells) {
		return nil
	}
	return &r.cells[i]
}

// lastRow is t's last body row, or nil.
func lastRow(t *table) *row {
	if len(t.rows) == 0 {
		return nil
	}
	return &t.rows[len(t.rows)-1]
}

// set gives key the value in every table of kind k: the value cell of the
// key's row changes, or a row is added at the end of the table.
// Only when add is a row added.
func (f *File) set(k kind, key, value string, valueCols []string, keyCode, valueCode, add bool) {
	for i := 0; ; i++ {
		ts := f.tables(k)
		if i >= len(ts) {
			return
		}
		t := ts[i]
		vc := t.col(valueCols...)
		if r := f.find(t, key, sameKey); r != nil {
			if c := cellOf(r, vc); c != nil {
				f.splice(c.start, c.stop, f.format(c, valueCode, value))
			}
			continue
		}
		if !add {
			continue
		}
		cells := make([]string, len(t.header))
		cells[0] = f.format(cellOf(lastRow(t), 0), keyCode, key)
		if vc > 0 {
			cells[vc] = f.format(cellOf(lastRow(t), vc), valueCode, value)
		}
		f.insert(t, f.newRow(t, cells))
	}
}

// remove drops the key's row from every table of kind k.
func (f *File) remove(k kind, key string, match func(string, string) bool) {
	for i := 0; ; i++ {
		ts := f.tables(k)
		if i >= len(ts) {
			return
		}
		if r := f.find(ts[i], key, match); r != nil {
			f.splice(r.start, r.end, "")
		}
	}
}

// SetLabel sets a label's value in the labels tables, adding its row.
func (f *File) SetLabel(key, value string) {
	f.set(labels, key, value, []string{"value"}, true, false, true)
}

// UpdateLabel changes a label's value where the labels tables list it: a
// label the author left out of the README stays out.
func (f *File) UpdateLabel(key, value string) {
	f.set(labels, key, value, []string{"value"}, true, false, false)
}

// UnsetLabel drops a label's row.
func (f *File) UnsetLabel(key string) { f.remove(labels, key, sameKey) }

var envValue = []string{"default", "value", "default value"}

// SetEnv sets a variable's default in the environment tables, adding its row.
func (f *File) SetEnv(key, value string) { f.set(env, key, value, envValue, true, true, true) }

// UpdateEnv changes a variable's default where the environment tables list it.
func (f *File) UpdateEnv(key, value string) { f.set(env, key, value, envValue, true, true, false) }

// UnsetEnv drops a variable's row.
func (f *File) UnsetEnv(key string) { f.remove(env, key, sameKey) }

// AddPort adds a port's row to the ports tables, unless the port has one.
func (f *File) AddPort(number int, protocol, name string) {
	key := strconv.Itoa(number)
	for i := 0; ; i++ {
		ts := f.tables(ports)
		if i >= len(ts) {
			return
		}
		t := ts[i]
		if f.find(t, key, samePort) != nil {
			continue
		}
		cells := make([]string, len(t.header))
		cells[0] = key
		if c := t.col("protocol"); c > 0 {
			cells[c] = protocol
			if lr := cellOf(lastRow(t), c); lr != nil && strings.ToUpper(f.cellText(*lr)) == f.cellText(*lr) {
				cells[c] = strings.ToUpper(protocol)
			}
		}
		if c := t.col("name"); c > 0 {
			cells[c] = textCell(name)
		}
		f.insert(t, f.newRow(t, cells))
	}
}

// RemovePort drops a port's row.
func (f *File) RemovePort(number int) { f.remove(ports, strconv.Itoa(number), samePort) }
