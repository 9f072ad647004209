package tui

import (
	"regexp"
	"strings"
	"sync"

	"github.com/kiln-s2i/kiln/scaffold"
)

// The wizard's hints speak of its fields, not of kiln new's flags or
// kiln.yaml's keys: scaffold's fixes name flags, which the command line
// shows as they are.
var (
	flagMention = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(pass )?--([a-z][a-z-]*)( [A-Z_][A-Z0-9_]*)?`)
	})
	keyMention = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`\b[a-z]+(?:[A-Z][a-z]*|\.[a-z]+)+\b`)
	})
)

// fieldName is how the wizard names a field in a sentence.
func fieldName(f *scaffold.Field) string {
	if strings.HasPrefix(f.Path, "certification.") {
		return "“Certification " + strings.ToLower(f.Label) + "”"
	}
	return "“" + f.Label + "”"
}

// inFieldTerms rewrites the flags and kiln.yaml keys a hint names as the
// wizard's fields.
func inFieldTerms(text string) string {
	byFlag := map[string]*scaffold.Field{}
	for _, f := range scaffold.Fields() {
		byFlag[f.Flag] = f
		for _, a := range f.Aliases {
			byFlag[a] = f
		}
	}
	text = flagMention().ReplaceAllStringFunc(text, func(m string) string {
		sub := flagMention().FindStringSubmatch(m)
		f := byFlag[sub[2]]
		if f == nil {
			return m
		}
		out := fieldName(f)
		if sub[3] != "" {
			out += ":" + sub[3]
		}
		if sub[1] != "" {
			if f.Kind == scaffold.KindBool {
				return "answer yes to " + out
			}
			return "answer " + out
		}
		return out
	})
	return keyMention().ReplaceAllStringFunc(text, func(m string) string {
		if f := scaffold.FieldByPath(m); f != nil {
			return fieldName(f)
		}
		return m
	})
}
