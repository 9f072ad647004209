// Package dockeredit edits the metadata instructions of a Dockerfile
// surgically: LABEL and ENV keys, EXPOSE ports, USER and VOLUME. buildkit's
// parser finds the instructions; only the bytes of the instructions an edit
// concerns change, so every comment, blank line, continuation and quoting
// style, instruction case, CRLF line ending and `# escape=` directive the
// author wrote stays as it was. Edits act on the final build stage, the one
// the image is made of.
package dockeredit

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// File is a parsed Dockerfile that can be edited in place.
type File struct {
	src    []byte
	lines  []span // byte range of each line, terminator included
	res    *parser.Result
	escape rune
	eol    string
	instrs []*instr
	lex    *shell.Lex
}

type span struct{ s, e int }

// instr is one instruction with the source offsets of its argument words.
type instr struct {
	node      *parser.Node
	kw        string // lower case
	kwText    string // as written
	s, e      int    // from the first byte of StartLine to the end of EndLine
	content   []int  // 0-based indexes of the lines that carry text (no comments, no blanks)
	words     []word // argument words, keyword and flags dropped
	pairs     []pair // LABEL and ENV
	legacy    bool   // LABEL/ENV key value (no =)
	json      bool   // VOLUME ["..."]
	multiline bool
}

type word struct {
	text string
	s, e int // source offsets
}

type pair struct {
	key, rawKey, rawValue string
	w                     int // index into words
}

// KV is one LABEL or ENV entry as the build sees it. Value is read with no
// build variables set; Raw is the value as written, quotes and $VARS kept.
type KV struct{ Key, Value, Raw string }

// Parse reads a Dockerfile. It fails on what buildkit would refuse.
func Parse(src []byte) (*File, error) {
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return nil, err
	}
	f := &File{src: src, res: res, escape: res.EscapeToken, eol: "\n", lex: shell.NewLex(res.EscapeToken)}
	for i := 0; i < len(src); {
		j := bytes.IndexByte(src[i:], '\n')
		if j < 0 {
			f.lines = append(f.lines, span{i, len(src)})
			break
		}
		f.lines = append(f.lines, span{i, i + j + 1})
		i += j + 1
	}
	if len(f.lines) > 0 && bytes.HasSuffix(src[f.lines[0].s:f.lines[0].e], []byte("\r\n")) {
		f.eol = "\r\n"
	}
	for _, n := range res.AST.Children {
		in, err := f.build(n)
		if err != nil {
			return nil, err
		}
		f.instrs = append(f.instrs, in)
	}
	return f, nil
}

// Bytes returns the current content.
func (f *File) Bytes() []byte { return f.src }

// Escape is the file's escape character (`\` or the `# escape=` directive's).
func (f *File) Escape() rune { return f.escape }

func (f *File) lineText(i int) []byte {
	return bytes.TrimRight(f.src[f.lines[i].s:f.lines[i].e], "\r\n")
}

func isCommentLine(b []byte) bool {
	b = bytes.TrimLeft(b, " \t")
	return len(b) > 0 && b[0] == '#'
}

// build joins the instruction's lines the way buildkit does, keeping a map
// from each joined byte to its source offset, then splits the words.
func (f *File) build(n *parser.Node) (*instr, error) {
	in := &instr{node: n, kw: strings.ToLower(n.Value)}
	first, last := n.StartLine-1, n.EndLine-1
	if first < 0 || last >= len(f.lines) {
		return nil, fmt.Errorf("dockerfile: instruction %q at line %d is outside the file", n.Value, n.StartLine)
	}
	in.s, in.e = f.lines[first].s, f.lines[last].e
	var joined []byte
	var at []int
	for i := first; i <= last; i++ {
		text := f.lineText(i)
		off := f.lines[i].s
		if i == 0 {
			if t := bytes.TrimPrefix(text, []byte("\xef\xbb\xbf")); len(t) != len(text) {
				off += len(text) - len(t)
				text = t
			}
		}
		if i == first {
			t := bytes.TrimLeft(text, " \t")
			off += len(text) - len(t)
			text = t
		} else {
			if isCommentLine(text) {
				continue
			}
			if len(bytes.TrimLeft(text, " \t")) == 0 {
				continue
			}
		}
		in.content = append(in.content, i)
		end := len(text)
		more := false
		if k, ok := continued(text, byte(f.escape)); ok {
			more, end = true, k
		}
		for k := 0; k < end; k++ {
			joined = append(joined, text[k])
			at = append(at, off+k)
		}
		if !more {
			break // heredoc bodies follow; they are not arguments
		}
	}
	in.multiline = len(in.content) > 1
	ws := splitWords(string(joined), f.escape)
	if len(ws) == 0 {
		return nil, fmt.Errorf("dockerfile: empty instruction at line %d", n.StartLine)
	}
	in.kwText = string(joined[ws[0].s:ws[0].e])
	args := ws[1:]
	for k := 0; k < len(n.Flags) && len(args) > 0 && strings.HasPrefix(args[0].text, "--"); k++ {
		args = args[1:]
	}
	for _, w := range args {
		in.words = append(in.words, word{text: w.text, s: at[w.s], e: at[w.e-1] + 1})
	}
	switch in.kw {
	case "label", "env":
		var vals []string
		for x := n.Next; x != nil; x = x.Next {
			vals = append(vals, x.Value)
		}
		if len(vals)%3 != 0 {
			return nil, fmt.Errorf("dockerfile: cannot read %s at line %d", n.Value, n.StartLine)
		}
		if len(vals) == 3 && vals[2] == "" {
			in.legacy = true
			in.pairs = []pair{{rawKey: vals[0], rawValue: vals[1], w: 0}}
		} else {
			if len(vals)/3 != len(in.words) {
				return nil, fmt.Errorf("dockerfile: cannot locate the words of %s at line %d", n.Value, n.StartLine)
			}
			for k := 0; k < len(vals); k += 3 {
				w := in.words[k/3]
				if w.text != vals[k]+"="+vals[k+1] {
					return nil, fmt.Errorf("dockerfile: cannot locate %q in %s at line %d", vals[k], n.Value, n.StartLine)
				}
				in.pairs = append(in.pairs, pair{rawKey: vals[k], rawValue: vals[k+1], w: k / 3})
			}
		}
		for k := range in.pairs {
			in.pairs[k].key = f.word(in.pairs[k].rawKey)
		}
	case "volume":
		in.json = n.Attributes["json"]
	}
	return in, nil
}

// continued reports whether line ends in a line continuation and where the
// escape character is: buildkit's lineContinuationRegex, without a regexp
// per line (an escape then blanks at the end, not itself escaped).
func continued(line []byte, esc byte) (int, bool) {
	t := bytes.TrimRight(line, " \t")
	k := len(t) - 1
	if k < 0 || t[k] != esc {
		return 0, false
	}
	if k > 0 && t[k-1] == esc {
		return 0, false
	}
	return k, true
}

// splitWords mirrors buildkit's parseWords (line_parsers.go), recording
// where each word starts and ends in s; Parse cross-checks the words
// against buildkit's own node values so a divergence is an error, not a
// wrong edit.
func splitWords(s string, escape rune) []word {
	var words []word
	const (
		inSpaces = iota
		inWord
		inQuote
	)
	phase, quote, blankOK := inSpaces, rune(0), false
	var b strings.Builder
	start := 0
	var ch rune
	var w int
	flush := func(end int) {
		if blankOK || b.Len() > 0 {
			words = append(words, word{text: b.String(), s: start, e: end})
		}
	}
	for pos := 0; pos <= len(s); pos += w {
		if pos != len(s) {
			ch, w = utf8.DecodeRuneInString(s[pos:])
		}
		if phase == inSpaces {
			if pos == len(s) {
				break
			}
			if unicode.IsSpace(ch) {
				continue
			}
			phase, start = inWord, pos
		}
		if (phase == inWord || phase == inQuote) && pos == len(s) {
			flush(pos)
			break
		}
		if phase == inWord {
			if unicode.IsSpace(ch) {
				flush(pos)
				phase, blankOK = inSpaces, false
				b.Reset()
				continue
			}
			if ch == '\'' || ch == '"' {
				quote, blankOK, phase = ch, true, inQuote
			}
			if ch == escape {
				if pos+w == len(s) {
					continue
				}
				b.WriteRune(ch)
				pos += w
				ch, w = utf8.DecodeRuneInString(s[pos:])
			}
			b.WriteRune(ch)
			continue
		}
		if ch == quote {
			phase = inWord
		}
		if ch == escape && quote != '\'' {
			if pos+w == len(s) {
				phase = inWord
				continue
			}
			pos += w
			b.WriteRune(ch)
			ch, w = utf8.DecodeRuneInString(s[pos:])
		}
		b.WriteRune(ch)
	}
	return words
}

type noEnv struct{}

func (noEnv) Get(string) (string, bool) { return "", false }
func (noEnv) Keys() []string            { return nil }

// stage returns the instructions of the final build stage, FROM included.
func (f *File) stage() []*instr {
	for i := len(f.instrs) - 1; i >= 0; i-- {
		if f.instrs[i].kw == "from" {
			return f.instrs[i:]
		}
	}
	return f.instrs
}

func (f *File) word(raw string) string {
	if !strings.ContainsAny(raw, "\"'$`\\") {
		return raw // nothing to process: the common case, kept cheap
	}
	v, _, err := f.lex.ProcessWord(raw, noEnv{})
	if err != nil {
		return raw
	}
	return v
}

// From is the final stage's base image as written (ARGs not expanded).
func (f *File) From() string {
	for _, in := range f.stage() {
		if in.kw == "from" && in.node.Next != nil {
			return in.node.Next.Value
		}
	}
	return ""
}

func (f *File) kvs(kw string) []KV {
	var out []KV
	for _, in := range f.stage() {
		if in.kw != kw {
			continue
		}
		for _, p := range in.pairs {
			v := f.word(p.rawValue)
			if i := slices.IndexFunc(out, func(kv KV) bool { return kv.Key == p.key }); i >= 0 {
				out = slices.Delete(out, i, i+1)
			}
			out = append(out, KV{p.key, v, p.rawValue})
		}
	}
	return out
}

// Labels are the final stage's labels, last value of each key, in the order
// their effective definitions appear.
func (f *File) Labels() []KV { return f.kvs("label") }

// Env is the final stage's ENV, like Labels.
func (f *File) Env() []KV { return f.kvs("env") }

// Label returns the final stage's value of key.
func (f *File) Label(key string) (string, bool) { return lookup(f.Labels(), key) }

// EnvValue returns the final stage's ENV value of key.
func (f *File) EnvValue(key string) (string, bool) { return lookup(f.Env(), key) }

func lookup(kvs []KV, key string) (string, bool) {
	for _, kv := range kvs {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return "", false
}

// Ports are the final stage's EXPOSE words as written (8080, 8080/tcp).
func (f *File) Ports() []string {
	var out []string
	for _, in := range f.stage() {
		if in.kw == "expose" {
			for x := in.node.Next; x != nil; x = x.Next {
				out = append(out, f.word(x.Value))
			}
		}
	}
	return out
}

// Volumes are the final stage's VOLUME paths.
func (f *File) Volumes() []string {
	var out []string
	for _, in := range f.stage() {
		if in.kw == "volume" {
			for x := in.node.Next; x != nil; x = x.Next {
				if in.json {
					out = append(out, x.Value)
				} else {
					out = append(out, f.word(x.Value))
				}
			}
		}
	}
	return out
}

// User is the final stage's last USER, "" when there is none.
func (f *File) User() string {
	u := ""
	for _, in := range f.stage() {
		if in.kw == "user" && in.node.Next != nil {
			u = f.word(in.node.Next.Value)
		}
	}
	return u
}
