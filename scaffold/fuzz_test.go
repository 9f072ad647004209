package scaffold_test

import (
	"bytes"
	"errors"
	"testing"

	"mvdan.cc/sh/v3/syntax"

	"github.com/kiln-s2i/kiln/scaffold"
)

// FuzzParseValidate feeds kiln.yaml text to Parse and Validate. Whatever
// Validate accepts must render, and the rendered Dockerfile, scripts and
// kiln.yaml must parse back to what the spec says. Seeds: testdata/fuzz/FuzzParseValidate.
//
//	go test ./scaffold -run '^$' -fuzz FuzzParseValidate -fuzztime 120s
func FuzzParseValidate(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := scaffold.Parse(data)
		if err != nil {
			if s != nil {
				t.Fatalf("Parse returned a spec and the error %v", err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			var ve *scaffold.ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) == 0 {
				t.Fatalf("Validate returned %T %v, want a *ValidationError with problems", err, err)
			}
			for _, p := range ve.Problems {
				if p.Field == "" || p.Message == "" || p.Fix == "" {
					t.Fatalf("problem %+v lacks a field, a message or a fix", p)
				}
			}
			return
		}
		r := renderRepo(t, s)
		checkDockerfile(t, s, r.content(t, "Dockerfile"))
		checkScripts(t, s, r, nil)
		checkImageStreamFile(t, s, r.content(t, "openshift/imagestream.yaml"))

		// kiln.yaml round trip: what Render writes parses to a spec that is
		// valid and writes the same kiln.yaml.
		written := r.content(t, scaffold.SpecFile)
		back, err := scaffold.Parse(written)
		if err != nil {
			t.Fatalf("the rendered kiln.yaml does not parse: %v\n%s", err, written)
		}
		if err := back.Validate(); err != nil {
			t.Fatalf("the rendered kiln.yaml is not valid: %v\n%s", err, written)
		}
		again, err := back.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, written) {
			t.Fatalf("kiln.yaml changes on a round trip:\n%s", lineDiff(string(written), string(again)))
		}
	})
}

// FuzzFreeText puts arbitrary text in the free-text fields of a valid spec,
// where FuzzParseValidate rarely gets past YAML: accepted text must come
// back unchanged from the Dockerfile, the YAML and kiln.yaml.
//
//	go test ./scaffold -run '^$' -fuzz FuzzFreeText -fuzztime 60s
func FuzzFreeText(f *testing.F) {
	for _, v := range hostileValues {
		f.Add(v, v, "/"+v)
	}
	f.Fuzz(func(t *testing.T, text, value, path string) {
		s := hostileBase(t)
		s.Description = text
		s.DisplayName = text
		s.Maintainer = value
		s.Version.Value = value
		s.Env[2].Value = value
		s.Labels[0].Value = value
		s.Certification.Summary = text
		s.Readiness.Path = path
		if s.Validate() != nil {
			return
		}
		r := renderRepo(t, s)
		checkDockerfile(t, s, r.content(t, "Dockerfile"))
		checkImageStreamFile(t, s, r.content(t, "openshift/imagestream.yaml"))
		checkTemplate(t, s, r.content(t, "openshift/template.yaml"))
		checkSpecFile(t, s, r.content(t, scaffold.SpecFile))
		for _, name := range []string{"s2i/bin/usage", "test/run"} {
			shellCalls(t, name, string(r.content(t, name)), map[string]syntax.LangVariant{"s2i/bin/usage": syntax.LangPOSIX, "test/run": syntax.LangBash}[name])
		}
	})
}
