package lint

import (
	"slices"
	"testing"
)

// TestUnbuildableDockerfiles: a Dockerfile no build can read was reported
// as nothing (exit 0) or as a warning (issue 10); it is an error, except
// template syntax, which stays KL000.
func TestUnbuildableDockerfiles(t *testing.T) {
	for src, want := range map[string]string{
		"USER root\n":                           "KL006",
		"# only a comment\n":                    "KL006",
		"":                                      "KL006",
		"ARG X=1\nRUN true\nFROM a:1\n":         "KL006",
		"FROM a:1\nFOO bar\n":                   "KL005",
		"\x01\x02{garbage x\n":                  "KL005",
		"\xf4B,9\xc47{\xe9u x\n":                "KL005",
		"FROM a:1\n{% if minimal %}\n":          "KL000",
		"ARG BASE=a:1\nFROM $BASE\nUSER 1001\n": "",
	} {
		var out []Finding
		if _, err := lintDockerfile("Dockerfile", []byte(src), &out); err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		var got []string
		for _, f := range out {
			if f.Rule == "KL000" || f.Rule == "KL005" || f.Rule == "KL006" {
				got = append(got, f.Rule)
				if want != "KL000" && f.Severity != Error {
					t.Errorf("%q: %s is %s, want error", src, f.Rule, f.Severity)
				}
			}
		}
		if (want == "" && len(got) > 0) || (want != "" && !slices.Equal(got, []string{want})) {
			t.Errorf("%q: got %v, want %q", src, got, want)
		}
	}
}
