package scaffold_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kiln-s2i/kiln/scaffold"
)

// TestOverlay: a partial answers file replaces only the keys it has.
func TestOverlay(t *testing.T) {
	base := presetSpec(t, "python", "base")
	s := base.Clone()
	err := scaffold.Overlay(s, []byte("description: from answers\nreadiness:\n  path: /ready\nports:\n- number: 9000\n  protocol: tcp\nenv:\n- name: APP_X\nversion:\n  value: \"yes\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := base.Clone()
	want.Description = "from answers"
	want.Readiness.Path = "/ready" // the type stays http
	// A list in the file replaces the preset's whole: its elements do not
	// inherit the preset's port name or variable value.
	want.Ports = []scaffold.Port{{Number: 9000, Protocol: "tcp"}}
	want.Env = []scaffold.EnvVar{{Name: "APP_X"}}
	want.Version.Value = "yes"
	if !reflect.DeepEqual(s, want) {
		t.Errorf("Overlay gave\n%+v\nwant\n%+v", s, want)
	}

	for name, tt := range map[string]struct{ yaml, wantErr string }{
		"unknown key":   {"descripton: typo\n", `unknown field "descripton"`},
		"newer schema":  {"schemaVersion: 9\n", "newer than this kiln"},
		"wrong type":    {"uid: lots\n", "uid"},
		"not a mapping": {"- a\n", "cannot unmarshal"},
	} {
		t.Run(name, func(t *testing.T) {
			s := base.Clone()
			err := scaffold.Overlay(s, []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Overlay(%q) = %v, want an error containing %q", tt.yaml, err, tt.wantErr)
			}
			if !reflect.DeepEqual(s, base) {
				t.Errorf("a failed Overlay changed the spec")
			}
		})
	}
}

// TestParseRejects: Parse is strict about what kiln.yaml may hold.
func TestParseRejects(t *testing.T) {
	good, err := presetSpec(t, "static", "p").Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := scaffold.Parse(good); err != nil {
		t.Fatalf("Parse of Marshal's output: %v", err)
	}
	for name, tt := range map[string]struct{ yaml, wantErr string }{
		"unknown key":       {string(good) + "extra: 1\n", `unknown field "extra"`},
		"no schemaVersion":  {"name: x\n", "schemaVersion is missing"},
		"newer schema":      {"schemaVersion: 3\n", "newer than this kiln understands (2): upgrade kiln"},
		"newer, new keys":   {"schemaVersion: 3\nkilnVersion: v9.1.0\nfuture: 1\n", "schemaVersion 3 (written by kiln v9.1.0) is newer than this kiln understands (2): upgrade kiln to v9.1.0 or later"},
		"schema zero":       {"schemaVersion: -1\n", "schemaVersion -1 does not exist"},
		"duplicate key":     {string(good) + "name: again\n", "name"},
		"not yaml":          {"{[", "kiln.yaml"},
		"string for a port": {"schemaVersion: 1\nports:\n- number: http\n", "number"},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := scaffold.Parse([]byte(tt.yaml))
			if err == nil || s != nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse = %v, %v; want no spec and an error containing %q", s, err, tt.wantErr)
			}
		})
	}
}
