package scaffold_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/kiln-s2i/kiln/scaffold"
)

// hostileValues break naive quoting in a shell, a Dockerfile, YAML or a
// template: each must be rejected or come back unchanged.
var hostileValues = []string{
	`'`, `"`, `it's "quoted"`, `back\slash`, `trailing\`, `\\`, `\`, `\n literally`,
	`$`, `$HOME`, `${X}`, `${X:-fallback}`, `$$`, "`id`", `$(rm -rf /)`, `'; rm -rf / #`, `"; rm -rf / #`, `'$(id)'`,
	"line\nbreak", "crlf\r\nbreak", "\n", "trailing newline\n", "tab\there", "nul\x00byte", "bell\a", "esc\x1b[31mred",
	"EOF", "# escape=`", "# syntax=docker/dockerfile:1", "`", "\\\nLABEL x=y",
	`%s %d %%`, `{{.Spec.Name}}`, `{{`, `}}`,
	"עברית RTL text", "\u200fRTL mark", "\u202eoverride", "😀 👩‍💻 emoji", "\ufeffBOM", "line\u2028separator", "NEL\u0085", "nbsp\u00a0",
	"  padded  ", " ", "yes", "no", "on", "off", "null", "~", "-", "- item", "key: value", "[a, b]", "{a: b}", "&anchor", "*alias",
	"!tag", "@at", "0x1F", "1_000", "3.10", "010", ".inf", "=", "a=b c=d", "#comment", "a #b", "|", ">",
}

type hostileField struct {
	name  string // the Problem.Field a rejection must name
	set   func(s *scaffold.Spec, v string)
	path  bool // an HTTP path: only URL characters are allowed
	label bool // a label value: blank text is refused (G23, KL088)
	url   bool // a URL: the value is its path, which net/url must read
}

var hostileFields = []hostileField{
	{name: "description", label: true, set: func(s *scaffold.Spec, v string) { s.Description = v }},
	{name: "displayName", label: true, set: func(s *scaffold.Spec, v string) { s.DisplayName = v }},
	{name: "maintainer", label: true, set: func(s *scaffold.Spec, v string) { s.Maintainer = v }},
	// the source is a URL: the hostile text goes into its path
	{name: "source", label: true, url: true, set: func(s *scaffold.Spec, v string) { s.Source = "https://example.com/" + v }},
	{name: "version.value", set: func(s *scaffold.Spec, v string) { s.Version.Value = v }},
	{name: "env[2].value", set: func(s *scaffold.Spec, v string) { s.Env[2].Value = v }},
	{name: "labels[0].value", label: true, set: func(s *scaffold.Spec, v string) { s.Labels[0].Value = v }},
	{name: "certification.name", label: true, set: func(s *scaffold.Spec, v string) { s.Certification.Name = v }},
	{name: "certification.vendor", label: true, set: func(s *scaffold.Spec, v string) { s.Certification.Vendor = v }},
	{name: "certification.version", label: true, set: func(s *scaffold.Spec, v string) { s.Certification.Version = v }},
	{name: "certification.release", label: true, set: func(s *scaffold.Spec, v string) { s.Certification.Release = v }},
	{name: "certification.summary", label: true, set: func(s *scaffold.Spec, v string) { s.Certification.Summary = v }},
	{name: "certification.description", label: true, set: func(s *scaffold.Spec, v string) { s.Certification.Description = v }},
	{name: "certification.maintainer", label: true, set: func(s *scaffold.Spec, v string) { s.Certification.Maintainer = v }},
	{name: "readiness.path", path: true, set: func(s *scaffold.Spec, v string) { s.Readiness.Path = v }},
	{name: "liveness.path", path: true, set: func(s *scaffold.Spec, v string) { s.Liveness.Path = v }},
}

// hostileBase is a valid python spec with every free-text field in use.
func hostileBase(t testing.TB) *scaffold.Spec {
	s := presetSpec(t, "python", "hostile")
	s.Source = "https://example.com/hostile"
	s.Licenses = "MIT"
	s.Env = append(s.Env, scaffold.EnvVar{Name: "APP_NOTE", Value: "note"})
	s.Labels = []scaffold.Label{{Key: "com.example.note", Value: "note"}}
	s.Certification = &scaffold.Certification{Name: "n", Vendor: "v", Version: "1", Release: "1", Summary: "s", Description: "d", Maintainer: "m"}
	s.Readiness.Path = "/ready"
	s.Liveness.Path = "/live"
	return s
}

var urlPath = regexp.MustCompile(`^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$`)

// TestHostileValues puts every hostile value in every free-text field: it is
// either rejected by Validate with a problem naming the field, or every file
// gives it back unchanged when parsed (see checkRepo).
func TestHostileValues(t *testing.T) {
	var sc shellcheckBatch
	for _, f := range hostileFields {
		values := hostileValues
		if f.path {
			values = nil
			for _, v := range hostileValues {
				values = append(values, v, "/"+v)
			}
		}
		accepted := 0
		for i, v := range values {
			t.Run(fmt.Sprintf("%s/%02d", f.name, i), func(t *testing.T) {
				s := hostileBase(t)
				f.set(s, v)
				singleLine := !strings.ContainsFunc(v, unicode.IsControl)
				wantValid := singleLine && (!f.path || urlPath.MatchString(v)) && (v != "" || !f.path) &&
					(!f.label || strings.TrimSpace(v) != "")
				if f.url {
					u, err := url.Parse("https://example.com/" + v)
					wantValid = singleLine && err == nil && u.Host == "example.com"
				}
				err := s.Validate()
				if err != nil {
					ve, ok := err.(*scaffold.ValidationError)
					if !ok {
						t.Fatalf("Validate returned %T, want *ValidationError", err)
					}
					for _, p := range ve.Problems {
						if p.Field != f.name {
							t.Errorf("%q in %s: unexpected problem %s", v, f.name, p)
						}
					}
					if len(ve.Problems) == 0 {
						t.Errorf("%q in %s: a ValidationError with no problem", v, f.name)
					}
					if wantValid {
						t.Errorf("%q in %s is rejected (%v), but the field takes any single-line text", v, f.name, err)
					}
					return
				}
				if !wantValid {
					t.Errorf("%q in %s is accepted, but it cannot be carried on one line or in a URL path", v, f.name)
				}
				accepted++
				batch := &sc
				if f.name != "description" && !f.path {
					batch = nil // the same quoting, shellchecked once through description
				}
				checkRepo(t, s, renderRepo(t, s), batch)
			})
		}
		if accepted == 0 {
			t.Errorf("%s accepted none of the hostile values: the test proves nothing", f.name)
		}
	}
	sc.run(t)
}

// TestSecretNamesThatYAMLReadsAsOtherTypes: a secret is a variable name, and
// Y, ON, NO or NULL are also YAML 1.1 booleans and null; the template must
// still carry them as names.
func TestSecretNamesThatYAMLReadsAsOtherTypes(t *testing.T) {
	s := hostileBase(t)
	s.Secrets = []string{"Y", "N", "YES", "NO", "ON", "OFF", "TRUE", "FALSE", "NULL", "Null", "y", "on"}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	checkRepo(t, s, renderRepo(t, s), nil)
}
