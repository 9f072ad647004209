package scaffold

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	yamlv3 "go.yaml.in/yaml/v3"

	"github.com/kiln-s2i/kiln/scaffold/okd"
)

// YAMLError is a kiln.yaml that kiln will not read, with where and why.
type YAMLError struct {
	Line, Column int
	Key          string // the key path, e.g. ports[0].number; empty for the document
	Msg          string
}

func (e *YAMLError) Error() string {
	where := ""
	if e.Line > 0 {
		where = fmt.Sprintf("line %d, column %d: ", e.Line, e.Column)
	}
	if e.Key != "" {
		return where + e.Key + ": " + e.Msg
	}
	return where + e.Msg
}

// specJSON reads kiln.yaml text into the JSON of a Spec, strictly and
// without changing the meaning of what the author wrote (issue 10):
//   - a value where text is expected keeps its literal text: tag: 1.10 is
//     "1.10", not 1.1; displayName: yes is "yes"; 0123 is "0123";
//   - numbers must be plain decimal integers and booleans true or false;
//   - keys match exactly (Description: is refused, naming description);
//   - one document only, no aliases, no tags but !!str (!!binary is refused).
//
// The result keeps only the keys the file has, so Overlay can tell which
// lists it replaces. Errors carry the line and column, never a value that
// could be a secret or a pasted file.
func specJSON(data []byte) ([]byte, error) {
	dec := yamlv3.NewDecoder(bytes.NewReader(data))
	var doc yamlv3.Node
	err := dec.Decode(&doc)
	if errors.Is(err, io.EOF) {
		return []byte("{}"), nil
	}
	if err != nil {
		return nil, yamlSyntaxError(err)
	}
	var next yamlv3.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, &YAMLError{Line: next.Line, Column: next.Column, Msg: "a second YAML document (after ---): kiln.yaml holds one document; remove the rest or merge it into the first"}
	case !errors.Is(err, io.EOF):
		return nil, yamlSyntaxError(err)
	}
	root := &doc
	if root.Kind == yamlv3.DocumentNode {
		if len(root.Content) == 0 {
			return []byte("{}"), nil
		}
		root = root.Content[0]
	}
	if isNull(root) {
		return []byte("{}"), nil
	}
	v, err := fromNode(root, reflect.TypeFor[Spec](), "")
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// yamlSyntaxError keeps yaml's message, which names a line but no content.
func yamlSyntaxError(err error) error {
	return &YAMLError{Msg: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
}

func isNull(n *yamlv3.Node) bool {
	return n.Kind == yamlv3.ScalarNode && n.Tag == "!!null" && n.Style&yamlv3.TaggedStyle == 0
}

var plainKey = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,39}$`)

// showKey names an unknown key when it looks like one; anything else (a
// line of a file passed by mistake, like /etc/shadow) is not repeated.
func showKey(k string) string {
	if plainKey.MatchString(k) {
		return strconv.Quote(k)
	}
	return "(not shown)"
}

func kindName(n *yamlv3.Node) string {
	switch n.Kind {
	case yamlv3.MappingNode:
		return "a mapping"
	case yamlv3.SequenceNode:
		return "a list"
	case yamlv3.AliasNode:
		return "an alias"
	}
	return "a single value"
}

var decimal = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)

func fromNode(n *yamlv3.Node, t reflect.Type, path string) (any, error) {
	fail := func(format string, a ...any) error {
		return &YAMLError{Line: n.Line, Column: n.Column, Key: path, Msg: fmt.Sprintf(format, a...)}
	}
	if n.Kind == yamlv3.AliasNode {
		return nil, fail("aliases (*%s) are not supported in kiln.yaml: write the value out", okd.Cap(n.Value))
	}
	if n.Style&yamlv3.TaggedStyle != 0 && n.Tag != "!!str" {
		return nil, fail("the tag %s is not supported in kiln.yaml: write the value plainly", okd.Cap(n.Tag))
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if isNull(n) {
		return nil, nil // absent: the field keeps its zero or base value
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yamlv3.MappingNode {
			return nil, fail("want a mapping of keys, found %s", kindName(n))
		}
		fields := map[string]reflect.Type{}
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if name != "" && name != "-" {
				fields[name] = t.Field(i).Type
			}
		}
		out := map[string]any{}
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			keyPath := k.Value
			if path != "" {
				keyPath = path + "." + k.Value
			}
			if k.Kind != yamlv3.ScalarNode || k.Style&yamlv3.TaggedStyle != 0 && k.Tag != "!!str" {
				return nil, &YAMLError{Line: k.Line, Column: k.Column, Key: path, Msg: "a key must be a plain name"}
			}
			ft, ok := fields[k.Value]
			if !ok {
				for name := range fields {
					if strings.EqualFold(name, k.Value) {
						return nil, &YAMLError{Line: k.Line, Column: k.Column, Key: path,
							Msg: fmt.Sprintf("unknown field %s: keys are case-sensitive; write %s", showKey(k.Value), name)}
					}
				}
				return nil, &YAMLError{Line: k.Line, Column: k.Column, Key: path, Msg: fmt.Sprintf("unknown field %s", showKey(k.Value))}
			}
			if line, dup := seen[k.Value]; dup {
				return nil, &YAMLError{Line: k.Line, Column: k.Column, Key: keyPath, Msg: fmt.Sprintf("is set twice (first on line %d): keep one", line)}
			}
			seen[k.Value] = k.Line
			val, err := fromNode(v, ft, keyPath)
			if err != nil {
				return nil, err
			}
			out[k.Value] = val
		}
		return out, nil
	case reflect.Slice:
		if n.Kind != yamlv3.SequenceNode {
			return nil, fail("want a list, found %s", kindName(n))
		}
		out := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			val, err := fromNode(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out = append(out, val)
		}
		return out, nil
	}
	if n.Kind != yamlv3.ScalarNode {
		return nil, fail("want a single value, found %s", kindName(n))
	}
	switch t.Kind() {
	case reflect.String:
		// The literal text, whatever YAML would resolve it to: no 1.10 → 1.1,
		// yes → true or 0123 → 83 (issue 10).
		return n.Value, nil
	case reflect.Int, reflect.Int64, reflect.Int32:
		if n.Style&(yamlv3.DoubleQuotedStyle|yamlv3.SingleQuotedStyle) != 0 || !decimal.MatchString(n.Value) {
			return nil, fail("want a whole number written in decimal digits, e.g. 1001, found %q", okd.ShowValue(n.Value))
		}
		i, err := strconv.ParseInt(n.Value, 10, 64)
		if err != nil {
			return nil, fail("%q is out of range", okd.ShowValue(n.Value))
		}
		return i, nil
	case reflect.Bool:
		if n.Style&(yamlv3.DoubleQuotedStyle|yamlv3.SingleQuotedStyle) == 0 && (n.Value == "true" || n.Value == "false") {
			return n.Value == "true", nil
		}
		return nil, fail("want true or false, found %q", okd.ShowValue(n.Value))
	}
	return nil, fail("has a type kiln.yaml cannot hold")
}

// decodeSpecJSON decodes specJSON's output onto s.
func decodeSpecJSON(j []byte, s *Spec) error {
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	return dec.Decode(s)
}
