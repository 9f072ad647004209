package dockeredit

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/kiln-s2i/kiln/scaffold"
)

type splice struct {
	s, e int
	text string
}

// apply replaces byte ranges (non-overlapping) and re-parses, so every
// edit starts from fresh positions and a result buildkit would refuse is
// never kept.
func (f *File) apply(sp ...splice) error {
	slices.SortFunc(sp, func(a, b splice) int { return b.s - a.s })
	out := slices.Clone(f.src)
	for _, x := range sp {
		out = slices.Concat(out[:x.s], []byte(x.text), out[x.e:])
	}
	g, err := Parse(out)
	if err != nil {
		return fmt.Errorf("dockerfile: the edit would not parse (%v); nothing changed", err)
	}
	*f = *g
	return nil
}

func checkValue(what, v string) error {
	if strings.ContainsAny(v, "\n\r") {
		return fmt.Errorf("%s %q: a Dockerfile value cannot hold a line break; use one line", what, v)
	}
	return nil
}

var plainWord = regexp.MustCompile(`^[A-Za-z0-9_./:@+,%-]+$`)

// quote keeps a bare value bare when the old one was bare and the new one
// needs no quoting; otherwise it uses kiln's Dockerfile quoting.
func (f *File) quote(old, v string) string {
	if old != "" && !strings.ContainsAny(old[:1], `"'`) && plainWord.MatchString(v) {
		return v
	}
	return f.dq(v)
}

// dq is scaffold.DockerfileQuote for the file's escape character: under
// `# escape=` + "`" a backslash is an ordinary character.
func (f *File) dq(v string) string {
	if f.escape == '\\' {
		return scaffold.DockerfileQuote(v)
	}
	e := string(f.escape)
	r := strings.NewReplacer(e, e+e, `"`, e+`"`, `$`, e+`$`)
	return `"` + r.Replace(v) + `"`
}

func (f *File) keyword(kw string) string {
	for _, in := range f.instrs {
		if in.kwText != "" {
			if in.kwText == strings.ToLower(in.kwText) {
				return strings.ToLower(kw)
			}
			return strings.ToUpper(kw)
		}
	}
	return strings.ToUpper(kw)
}

// last returns the final stage's last instruction whose keyword is one of
// kws, in order of preference.
func (f *File) last(kws ...string) *instr {
	st := f.stage()
	for _, kw := range kws {
		for i := len(st) - 1; i >= 0; i-- {
			if st[i].kw == kw {
				return st[i]
			}
		}
	}
	if len(st) > 0 {
		return st[0]
	}
	return nil
}

// insertAfter adds a new instruction line after in (after its heredoc
// bodies too), or at the top when in is nil.
func (f *File) insertAfter(in *instr, line string) splice {
	at := 0
	if in != nil {
		at = in.e
	}
	pre := ""
	if at > 0 && f.src[at-1] != '\n' {
		pre = f.eol
	}
	return splice{at, at, pre + line + f.eol}
}

// appendWord adds text as a new argument word after the instruction's last
// word; a continued instruction gets a new continued line styled like the
// ones above it.
func (f *File) appendWord(in *instr, text string) splice {
	lw := in.words[len(in.words)-1]
	if !in.multiline {
		return splice{lw.e, lw.e, " " + text}
	}
	// Style: the gap before the escape on a continued line, the indent of
	// the last content line.
	gap := " "
	prev := f.lineText(in.content[len(in.content)-2])
	esc := []byte(string(f.escape))
	if k := bytes.LastIndex(prev, esc); k >= 0 {
		g := prev[:k]
		gap = string(g[len(bytes.TrimRight(g, " \t")):])
	}
	// Indent like the last line that starts a word; a quoted value
	// continued at column 0 does not count.
	indent := ""
	for i := len(in.words) - 1; i >= 0; i-- {
		if li := f.lineOf(in.words[i].s); li != in.content[0] {
			l := f.lineText(li)
			indent = string(l[:len(l)-len(bytes.TrimLeft(l, " \t"))])
			break
		}
		if i == 0 {
			indent = strings.Repeat(" ", in.words[0].s-f.lines[in.content[0]].s)
		}
	}
	return splice{lw.e, lw.e, gap + string(f.escape) + f.eol + indent + text}
}

// SetLabel sets LABEL key=value in the final stage.
func (f *File) SetLabel(key, value string) error { return f.setKV("label", key, value) }

// SetEnv sets ENV key=value in the final stage.
func (f *File) SetEnv(key, value string) error { return f.setKV("env", key, value) }

// UnsetLabel removes every definition of key from the final stage.
func (f *File) UnsetLabel(key string) error { return f.unsetKV("label", key) }

// UnsetEnv removes every ENV definition of key from the final stage.
func (f *File) UnsetEnv(key string) error { return f.unsetKV("env", key) }

func (f *File) findKV(kw, key string) (*instr, int) {
	st := f.stage()
	for i := len(st) - 1; i >= 0; i-- {
		if st[i].kw != kw {
			continue
		}
		for k := len(st[i].pairs) - 1; k >= 0; k-- {
			if st[i].pairs[k].key == key {
				return st[i], k
			}
		}
	}
	return nil, -1
}

func (f *File) setKV(kw, key, value string) error {
	if key == "" {
		return fmt.Errorf("%s key is empty: give a name", strings.ToUpper(kw))
	}
	if err := checkValue(strings.ToUpper(kw)+" "+key, value); err != nil {
		return err
	}
	if err := checkValue(strings.ToUpper(kw)+" key", key); err != nil {
		return err
	}
	if in, k := f.findKV(kw, key); in != nil {
		p := in.pairs[k]
		if in.legacy {
			first, lastw := in.words[0], in.words[len(in.words)-1]
			return f.apply(splice{first.s, lastw.e, p.rawKey + "=" + f.quote(p.rawValue, value)})
		}
		w := in.words[p.w]
		return f.apply(splice{w.s, w.e, p.rawKey + "=" + f.quote(p.rawValue, value)})
	}
	text := f.quoteKey(key) + "=" + f.dq(value)
	var anchor *instr
	if kw == "label" {
		anchor = f.last("label")
	} else {
		anchor = f.last("env", "label")
	}
	if anchor != nil && anchor.kw == kw && !anchor.legacy && len(anchor.words) > 0 {
		return f.apply(f.appendWord(anchor, text))
	}
	return f.apply(f.insertAfter(anchor, f.keyword(kw)+" "+text))
}

var plainKey = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

func (f *File) quoteKey(k string) string {
	if plainKey.MatchString(k) {
		return k
	}
	return f.dq(k)
}

func (f *File) unsetKV(kw, key string) error {
	return f.removeAll(kw, func(in *instr) int {
		for k := len(in.pairs) - 1; k >= 0; k-- {
			if in.pairs[k].key == key {
				if in.legacy {
					return 0
				}
				return in.pairs[k].w
			}
		}
		return -1
	})
}

// removeAll removes, from every final-stage instruction kw, the argument
// word pick returns (-1: none), one word per instruction per round, all of a
// round in one splice set and one parse, until no word is left: a 500-line
// file that defines a key twenty times is still one or two parses.
func (f *File) removeAll(kw string, pick func(*instr) int) error {
	for {
		var sp []splice
		for _, in := range f.stage() {
			if in.kw != kw {
				continue
			}
			wi := pick(in)
			if wi < 0 {
				continue
			}
			if in.legacy || len(in.words) == 1 || in.json && in.node.Next != nil && in.node.Next.Next == nil {
				sp = append(sp, f.deleteInstr(in)...)
			} else {
				sp = append(sp, f.removeWord(in, wi)...)
			}
		}
		if len(sp) == 0 {
			return nil
		}
		if err := f.apply(merge(sp)...); err != nil {
			return err
		}
	}
}

// deleteInstr removes the instruction's text lines; comment lines inside a
// continued instruction stay, they are the author's.
func (f *File) deleteInstr(in *instr) []splice {
	var sp []splice
	first, last := in.node.StartLine-1, in.node.EndLine-1
	for i := first; i <= last; i++ {
		if i != first && isCommentLine(f.lineText(i)) && i <= in.content[len(in.content)-1] {
			continue
		}
		sp = append(sp, splice{f.lines[i].s, f.lines[i].e, ""})
	}
	return merge(sp)
}

// merge joins adjacent splices so apply sees non-overlapping ranges.
func merge(sp []splice) []splice {
	var out []splice
	for _, x := range sp {
		if n := len(out); n > 0 && out[n-1].e == x.s && out[n-1].text == "" && x.text == "" {
			out[n-1].e = x.e
			continue
		}
		out = append(out, x)
	}
	return out
}

// removeWord deletes argument word wi. A word alone on a continued line
// takes the line with it; when that was the instruction's last line the
// continuation on the line above goes too, so the instruction still ends.
func (f *File) removeWord(in *instr, wi int) []splice {
	w := in.words[wi]
	li := f.lineOf(w.s)
	lt := f.lineText(li)
	ls := f.lines[li].s
	esc := string(f.escape)
	alone := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(string(lt)), esc)) == string(f.src[w.s:w.e])
	if alone && li != in.content[0] && f.lineOf(w.e-1) == li {
		sp := []splice{{f.lines[li].s, f.lines[li].e, ""}}
		lastContent := in.content[len(in.content)-1]
		if li == lastContent {
			pi := in.content[slices.Index(in.content, li)-1]
			pt := f.lineText(pi)
			k := bytes.LastIndex(pt, []byte(esc))
			cut := len(bytes.TrimRight(pt[:k], " \t"))
			sp = append(sp, splice{f.lines[pi].s + cut, f.lines[pi].s + len(pt), ""})
		}
		return sp
	}
	// Share the line: take the whitespace before the word, or after it
	// when the word comes first.
	s, e := w.s, w.e
	if wi > 0 && f.lineOf(in.words[wi-1].e-1) == li {
		s = in.words[wi-1].e
	} else {
		for e < ls+len(lt) && (f.src[e] == ' ' || f.src[e] == '\t') {
			e++
		}
	}
	return []splice{{s, e, ""}}
}

func (f *File) lineOf(off int) int {
	i, _ := slices.BinarySearchFunc(f.lines, off, func(l span, o int) int {
		switch {
		case o < l.s:
			return 1
		case o >= l.e:
			return -1
		}
		return 0
	})
	return i
}

var portSpec = regexp.MustCompile(`^[0-9]{1,5}(/(tcp|udp|sctp))?$`)

func portKey(p string) string {
	if !strings.Contains(p, "/") {
		return p + "/tcp"
	}
	return strings.ToLower(p)
}

// AddPort adds an EXPOSE port (8080 or 8080/udp) unless it is there.
func (f *File) AddPort(port string) error {
	if !portSpec.MatchString(port) {
		return fmt.Errorf("EXPOSE %q: not a port; use a number such as 8080, optionally /tcp or /udp", port)
	}
	if slices.ContainsFunc(f.Ports(), func(p string) bool { return portKey(p) == portKey(port) }) {
		return nil
	}
	if in := f.last("expose"); in != nil && in.kw == "expose" && len(in.words) > 0 {
		return f.apply(f.appendWord(in, port))
	}
	return f.apply(f.insertAfter(f.last("expose", "env", "label"), f.keyword("expose")+" "+port))
}

// RemovePort removes a port from every EXPOSE of the final stage; 8080
// matches 8080 and 8080/tcp.
func (f *File) RemovePort(port string) error {
	match := func(w string) bool {
		w = f.word(w)
		if strings.Contains(port, "/") {
			return portKey(w) == portKey(port)
		}
		return strings.SplitN(w, "/", 2)[0] == port
	}
	return f.removeAll("expose", func(in *instr) int {
		return slices.IndexFunc(in.words, func(w word) bool { return match(w.text) })
	})
}

var userSpec = regexp.MustCompile(`^[A-Za-z0-9_.$-]+(:[A-Za-z0-9_.$-]+)?$`)

// SetUser sets the final stage's last USER, or adds one before CMD (or at
// the end) when there is none.
func (f *File) SetUser(user string) error {
	if !userSpec.MatchString(user) {
		return fmt.Errorf("USER %q: not a user; use a numeric UID such as 1001 (G04)", user)
	}
	for _, in := range slices.Backward(f.stage()) {
		if in.kw == "user" && len(in.words) > 0 {
			return f.apply(splice{in.words[0].s, in.words[len(in.words)-1].e, user})
		}
	}
	st := f.stage()
	var anchor *instr
	for i, in := range st {
		if (in.kw == "cmd" || in.kw == "entrypoint") && i > 0 {
			anchor = st[i-1]
			break
		}
	}
	if anchor == nil {
		anchor = st[len(st)-1]
	}
	return f.apply(f.insertAfter(anchor, f.keyword("user")+" "+user))
}

// AddVolume adds a VOLUME path unless it is declared.
func (f *File) AddVolume(path string) error {
	if err := checkValue("VOLUME", path); err != nil {
		return err
	}
	if !strings.HasPrefix(path, "/") {
		return fmt.Errorf("VOLUME %q: not an absolute path; use a path such as /var/lib/data", path)
	}
	if slices.Contains(f.Volumes(), path) {
		return nil
	}
	in := f.last("volume")
	if in != nil && in.kw == "volume" && !in.json && len(in.words) > 0 && plainWord.MatchString(path) {
		return f.apply(f.appendWord(in, path))
	}
	text := path
	if !plainWord.MatchString(path) {
		text = jsonList([]string{path})
	}
	return f.apply(f.insertAfter(f.last("volume", "expose", "env", "label"), f.keyword("volume")+" "+text))
}

// RemoveVolume removes path from every VOLUME of the final stage.
func (f *File) RemoveVolume(path string) error {
	for {
		// A JSON list is rewritten whole, so it goes one at a time.
		var json *instr
		for _, in := range f.stage() {
			if in.kw == "volume" && in.json && slices.Contains(nodeValues(in), path) && len(nodeValues(in)) > 1 {
				json = in
			}
		}
		if json == nil {
			break
		}
		rest := slices.DeleteFunc(nodeValues(json), func(v string) bool { return v == path })
		if err := f.apply(splice{json.words[0].s, json.words[len(json.words)-1].e, jsonList(rest)}); err != nil {
			return err
		}
	}
	return f.removeAll("volume", func(in *instr) int {
		if in.json {
			if slices.Contains(nodeValues(in), path) {
				return 0 // the only element: the instruction goes
			}
			return -1
		}
		return slices.IndexFunc(in.words, func(w word) bool { return f.word(w.text) == path })
	})
}

func nodeValues(in *instr) []string {
	var vals []string
	for n := in.node.Next; n != nil; n = n.Next {
		vals = append(vals, n.Value)
	}
	return vals
}

func jsonList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = fmt.Sprintf("%q", v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// ErrNoStage is returned for a Dockerfile without instructions to edit.
var ErrNoStage = errors.New("dockerfile has no FROM")
