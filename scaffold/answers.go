package scaffold

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The text forms of answers: one parser and one formatter per kind of
// field. kiln new's flags and the wizard read every answer through these, so
// both accept exactly the same values; formatting an answer and parsing it
// again gives the same answer.

// ParseText reads a free-text answer: surrounding space is dropped.
func ParseText(v string) string { return strings.TrimSpace(v) }

// ParseNumber reads a whole number.
func ParseNumber(v string) (int, error) {
	v = strings.TrimSpace(v)
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number: write digits only, e.g. 1001", v)
	}
	return n, nil
}

// ParseBool reads yes/no (also y/n, true/false); empty is no.
func ParseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "yes", "y", "true":
		return true, nil
	case "no", "n", "false", "":
		return false, nil
	}
	return false, fmt.Errorf("%q: answer yes or no", v)
}

// FormatBool writes a yes/no answer.
func FormatBool(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// ParseChoice reads one of choices by its value or label, in any case, and
// returns the value. An unknown answer is returned as given: Validate says
// what the field accepts, the same way for every source of answers.
func ParseChoice(choices []Choice, v string) string {
	v = strings.TrimSpace(v)
	for _, c := range choices {
		if strings.EqualFold(v, c.Value) || (c.Label != "" && strings.EqualFold(v, c.Label)) {
			return c.Value
		}
	}
	return v
}

// SplitList reads a comma-separated list. `\,` is a comma inside an item and
// `\\` a backslash before a comma; empty items are dropped.
func SplitList(v string) []string {
	var out []string
	for _, seg := range splitSegments(v) {
		if item := strings.TrimSpace(seg); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// JoinList writes a list so that SplitList reads it back.
func JoinList(items []string) string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = escapeItem(it, func(string) bool { return true })
	}
	return strings.Join(out, ", ")
}

// splitSegments cuts v at its unescaped commas and unescapes \, and \\.
func splitSegments(v string) []string {
	var segs []string
	var cur strings.Builder
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && i+1 < len(v) && (v[i+1] == ',' || v[i+1] == '\\'):
			cur.WriteByte(v[i+1])
			i++
		case c == ',':
			segs = append(segs, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(segs, cur.String())
}

// escapeItem escapes the commas of an item that needComma says would split
// it (given the text after the comma), and the backslashes SplitList would
// read as escapes.
func escapeItem(item string, needComma func(rest string) bool) string {
	var b strings.Builder
	for i := 0; i < len(item); i++ {
		switch c := item[i]; {
		case c == '\\' && (i+1 == len(item) || item[i+1] == ',' || item[i+1] == '\\'):
			b.WriteString(`\\`)
		case c == ',' && needComma(item[i+1:]):
			b.WriteString(`\,`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Pair is one KEY=VALUE answer (an environment variable, a label).
type Pair struct{ Key, Value string }

// ParsePair reads KEY=VALUE; empty is the zero pair.
func ParsePair(v string) (Pair, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return Pair{}, nil
	}
	k, val, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return Pair{}, fmt.Errorf("%q is not NAME=VALUE: add '=' and a value", v)
	}
	return Pair{Key: strings.TrimSpace(k), Value: strings.TrimSpace(val)}, nil
}

// FormatPair writes KEY=VALUE; the zero pair is empty.
func FormatPair(p Pair) string {
	if p == (Pair{}) {
		return ""
	}
	return p.Key + "=" + p.Value
}

// startsPair reports whether a segment of a pairs list starts a new pair:
// it has '=' after a key that is not an option (-Xmx2g, --opt=x). Anything
// else continues the value before it, so JAVA_OPTS=-Xms1g,-Xmx2g and
// GREETING=hello, world keep their commas without escapes.
func startsPair(seg string) bool {
	k, _, ok := strings.Cut(seg, "=")
	k = strings.TrimSpace(k)
	return ok && k != "" && !strings.HasPrefix(k, "-")
}

// ParsePairs reads KEY=VALUE, KEY=VALUE. A comma followed by text that does
// not start a new pair belongs to the value; `\,` forces a comma into it.
func ParsePairs(v string) ([]Pair, error) {
	var items []string
	for _, seg := range splitSegments(v) {
		switch {
		case strings.TrimSpace(seg) == "":
		case len(items) > 0 && !startsPair(seg):
			items[len(items)-1] += "," + seg
		default:
			items = append(items, seg)
		}
	}
	var out []Pair
	for i, it := range items {
		p, err := ParsePair(it)
		if err != nil {
			return nil, itemError(i, len(items), err)
		}
		out = append(out, p)
	}
	return out, nil
}

// FormatPairs writes pairs so that ParsePairs reads them back.
func FormatPairs(ps []Pair) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = escapeItem(FormatPair(p), func(rest string) bool { return startsPair(rest) || strings.TrimSpace(rest) == "" })
	}
	return strings.Join(out, ", ")
}

// itemError names the item of a list that failed, when there are several.
func itemError(i, n int, err error) error {
	if n == 1 {
		return err
	}
	return fmt.Errorf("item %d: %w", i+1, err)
}

// ParsePort reads NUMBER[/PROTOCOL][:NAME]. The protocol is read in any
// case and kept in lower case, as Kubernetes and the expose-services label
// write it (G09).
func ParsePort(v string) (Port, error) {
	v = strings.TrimSpace(v)
	rest, name, _ := strings.Cut(v, ":")
	num, proto, hasProto := strings.Cut(rest, "/")
	num = strings.TrimSpace(num)
	n, err := strconv.Atoi(num)
	if err != nil {
		return Port{}, fmt.Errorf("%q is not a port number: write NUMBER[/PROTOCOL][:NAME], e.g. 8080/tcp:http", num)
	}
	p := Port{Number: n, Protocol: "tcp", Name: strings.TrimSpace(name)}
	if hasProto {
		p.Protocol = strings.ToLower(strings.TrimSpace(proto))
	}
	return p, nil
}

// String writes the port as NUMBER/PROTOCOL[:NAME], the form ParsePort reads
// and io.openshift.expose-services holds.
func (p Port) String() string {
	s := fmt.Sprintf("%d/%s", p.Number, p.Protocol)
	if p.Name != "" {
		s += ":" + p.Name
	}
	return s
}

// ParsePorts reads a comma-separated list of ports.
func ParsePorts(v string) ([]Port, error) {
	items := SplitList(v)
	var out []Port
	for i, it := range items {
		p, err := ParsePort(it)
		if err != nil {
			return nil, itemError(i, len(items), err)
		}
		out = append(out, p)
	}
	return out, nil
}

// FormatPorts writes ports so that ParsePorts reads them back.
func FormatPorts(ps []Port) string {
	items := make([]string, len(ps))
	for i, p := range ps {
		items[i] = p.String()
	}
	return strings.Join(items, ", ")
}

var errProbe = errors.New("write /path, :PORT/path, tcp or tcp :PORT (port 0 or none: the first port)")

// ParseProbe reads a probe: /path (HTTP GET on the first port), :PORT/path,
// tcp or tcp :PORT (G26). Empty is no probe, which Validate refuses.
func ParseProbe(v string) (Probe, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return Probe{}, nil
	}
	if rest, ok := cutPrefixFold(v, "tcp"); ok {
		rest = strings.TrimSpace(rest)
		port := 0
		if rest != "" {
			n, err := strconv.Atoi(strings.TrimPrefix(rest, ":"))
			if err != nil {
				return Probe{}, fmt.Errorf("probe %q: %w", v, errProbe)
			}
			port = n
		}
		return Probe{Type: "tcp", Port: port}, nil
	}
	port, path := 0, v
	if strings.HasPrefix(v, ":") {
		num, p, _ := strings.Cut(v[1:], "/")
		n, err := strconv.Atoi(num)
		if err != nil {
			return Probe{}, fmt.Errorf("probe %q: %w", v, errProbe)
		}
		port, path = n, "/"+p
	}
	if !strings.HasPrefix(path, "/") {
		return Probe{}, fmt.Errorf("probe %q: an HTTP path starts with /; %w", v, errProbe)
	}
	return Probe{Type: "http", Path: path, Port: port}, nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// String writes the probe in the form ParseProbe reads.
func (p Probe) String() string {
	switch p.Type {
	case "tcp":
		if p.Port != 0 {
			return fmt.Sprintf("tcp :%d", p.Port)
		}
		return "tcp"
	case "http":
		if p.Port != 0 {
			return fmt.Sprintf(":%d%s", p.Port, p.Path)
		}
		return p.Path
	}
	return ""
}
