package scaffold_test

// kiln's output always lints clean (issue 8, point 3): any spec Validate
// accepts renders a repository in which kiln lint finds nothing at warning
// or above. Where the two disagreed, the rule in package okd now decides
// for both.

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"

	"github.com/kiln-s2i/kiln/scaffold"
	"github.com/kiln-s2i/kiln/scaffold/lint"
)

// lintRendered lints the rendered repository as kiln lint reads it on disk,
// modes included, and fails on every finding at warning or above.
func lintRendered(t *testing.T, s *scaffold.Spec) {
	t.Helper()
	files, err := scaffold.Render(s)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	fsys := fstest.MapFS{}
	for _, f := range files {
		fsys[f.Path] = &fstest.MapFile{Data: f.Content, Mode: f.Mode}
	}
	found, err := lint.FS(fsys, lint.Options{})
	if err != nil {
		t.Fatalf("lint: %v", err)
	}
	for _, f := range found {
		if f.Severity >= lint.Warning {
			t.Errorf("%s:%d %s %s: %s", f.File, f.Line, f.Severity, f.Rule, f.Message)
		}
	}
}

func TestOutputLintsClean(t *testing.T) {
	t.Run("presets", func(t *testing.T) {
		for _, preset := range scaffold.PresetNames() {
			t.Run(preset, func(t *testing.T) { lintRendered(t, presetSpec(t, preset, "clean")) })
		}
		t.Run("full", func(t *testing.T) { lintRendered(t, fullSpec(t)) })
	})
	t.Run("random", func(t *testing.T) {
		n := 300
		if testing.Short() {
			n = 60
		}
		for i, s := range randomSpecs(t, n, 20261130) {
			t.Run(fmt.Sprintf("%03d-%s", i, s.Preset), func(t *testing.T) { lintRendered(t, s) })
		}
	})
	t.Run("hostile", func(t *testing.T) {
		accepted := 0
		for _, f := range hostileFields {
			for i, v := range hostileValues {
				if f.path {
					v = "/" + v
				}
				s := hostileBase(t)
				f.set(s, v)
				if s.Validate() != nil {
					continue
				}
				accepted++
				t.Run(fmt.Sprintf("%s/%02d", f.name, i), func(t *testing.T) { lintRendered(t, s) })
			}
		}
		if accepted == 0 {
			t.Fatal("no hostile value was accepted: the test proves nothing")
		}
	})
	// Values users pass as flags that kiln new accepted while kiln lint
	// failed the result (issue 8).
	t.Run("flags", func(t *testing.T) {
		for name, edit := range map[string]func(*scaffold.Spec){
			"label with a domain":     func(s *scaffold.Spec) { s.Labels = []scaffold.Label{{Key: "example.com/team", Value: "x"}} },
			"vendor label underscore": func(s *scaffold.Spec) { s.Labels = []scaffold.Label{{Key: "com.redhat.license_terms", Value: "x"}} },
			"upper-case label":        func(s *scaffold.Spec) { s.Labels = []scaffold.Label{{Key: "Com.Example.Team", Value: "x"}} },
			"public key":              func(s *scaffold.Spec) { s.Env = append(s.Env, scaffold.EnvVar{Name: "PUBLIC_KEY", Value: "abc"}) },
			"secret path": func(s *scaffold.Spec) {
				s.Env = append(s.Env, scaffold.EnvVar{Name: "DB_PASSWORD", Value: "/run/secrets/db"})
			},
			"digest base": func(s *scaffold.Spec) {
				s.From = "registry.access.redhat.com/ubi9/ubi-minimal@sha256:" + strings.Repeat("a", 64)
			},
			"control-free unicode": func(s *scaffold.Spec) {
				s.Description = strings.Map(func(r rune) rune {
					if unicode.IsControl(r) {
						return -1
					}
					return r
				}, "Ünïcödé — builder")
			},
		} {
			t.Run(name, func(t *testing.T) {
				s := presetSpec(t, "python", "flags")
				edit(s)
				if err := s.Validate(); err != nil {
					t.Fatalf("kiln new refuses it: %v", err)
				}
				lintRendered(t, s)
			})
		}
	})
}
