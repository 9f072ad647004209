package scaffold_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
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
		"not a mapping": {"- a\n", "line 1, column 1: want a mapping"},
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

// TestLoadRefusesEndlessInput: a kiln.yaml that is a FIFO or larger than
// the limit is refused at once, naming the file (issue 10).
func TestLoadRefusesEndlessInput(t *testing.T) {
	fifoDir, bigDir := t.TempDir(), t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(fifoDir, scaffold.SpecFile), 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	big := "schemaVersion: 1\n" + strings.Repeat("# padding\n", 500_000)
	if err := os.WriteFile(filepath.Join(bigDir, scaffold.SpecFile), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]string{fifoDir: "named pipe", bigDir: "larger than"} {
		_, err := scaffold.Load(dir)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), scaffold.SpecFile) {
			t.Errorf("Load(%s) = %v, want an error naming kiln.yaml and saying %q", dir, err, want)
		}
	}
}

// TestDecodeKeepsLiteralText: a hand-edited kiln.yaml means what it says.
// YAML 1.1 read tag: 1.10 as the image base:1.1, 0123 as 83 and yes as
// true (issue 10); text fields keep the literal text.
func TestDecodeKeepsLiteralText(t *testing.T) {
	good, err := presetSpec(t, "static", "p").Marshal()
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(good), "\ntag: \"1.0\"\n", "\ntag: 1.10\n", 1)
	s, err := scaffold.Parse([]byte(edited))
	if err != nil || s.Tag != "1.10" {
		t.Fatalf("Parse: tag %q, %v; want 1.10", s.Tag, err)
	}
	for yaml, want := range map[string]func(s *scaffold.Spec) string{
		"tag: 1.10\n":                     func(s *scaffold.Spec) string { return s.Tag + "|1.10" },
		"version:\n  value: 3.10\n":       func(s *scaffold.Spec) string { return s.Version.Value + "|3.10" },
		"displayName: yes\n":              func(s *scaffold.Spec) string { return s.DisplayName + "|yes" },
		"licenses: 0123\n":                func(s *scaffold.Spec) string { return s.Licenses + "|0123" },
		"description: 1e3\n":              func(s *scaffold.Spec) string { return s.Description + "|1e3" },
		"maintainer: null\n":              func(s *scaffold.Spec) string { return s.Maintainer + "|" },
		"packages: [on, off, 0x10]\n":     func(s *scaffold.Spec) string { return strings.Join(s.Packages, ",") + "|on,off,0x10" },
		"description: !!str 12\n":         func(s *scaffold.Spec) string { return s.Description + "|12" },
		"env:\n- name: A\n  value: 010\n": func(s *scaffold.Spec) string { return s.Env[0].Value + "|010" },
	} {
		s := presetSpec(t, "static", "p")
		if err := scaffold.Overlay(s, []byte(yaml)); err != nil {
			t.Errorf("Overlay(%q): %v", yaml, err)
			continue
		}
		if got, w, _ := strings.Cut(want(s), "|"); got != w {
			t.Errorf("Overlay(%q) read %q, want %q", yaml, got, w)
		}
	}
}

// TestDecodeRefuses: what kiln cannot read without guessing is refused with
// its line and column, and without repeating the file's content.
func TestDecodeRefuses(t *testing.T) {
	for yaml, want := range map[string]string{
		"Description: x\n":                                   `line 1, column 1: unknown field "Description": keys are case-sensitive; write description`,
		"description: a\nDESCRIPTION: b\n":                   `line 2, column 1: unknown field "DESCRIPTION"`,
		"description: a\n---\nname: b\n":                     "line 2, column 1: a second YAML document",
		"description: !!binary aGk=\n":                       "line 1, column 14: description: the tag !!binary is not supported",
		"uid: 0123\n":                                        "line 1, column 6: uid: want a whole number",
		"uid: 1e3\n":                                         "uid: want a whole number",
		"uid: \"1001\"\n":                                    "uid: want a whole number",
		"incremental: yes\n":                                 "line 1, column 14: incremental: want true or false",
		"ports:\n- number: 8080\n  Name: x\n":                `line 3, column 3: ports[0]: unknown field "Name"`,
		"name: &a x\ndescription: *a\n":                      "line 2, column 14: description: aliases",
		"description: a\ndescription: b\n":                   "line 2, column 1: description: is set twice (first on line 1)",
		"tags: builder\n":                                    "line 1, column 7: tags: want a list",
		"root:$6$saltsalt$hashhashhash:19000:0:99999:7:::\n": "unknown field (not shown)",
		"root: $6$saltsalt$hashhashhash\n":                   "unknown field \"root\"",
		"x$6$saltsalt$hashhashhash: 1\n":                     "unknown field (not shown)",
	} {
		s := presetSpec(t, "static", "p")
		err := scaffold.Overlay(s, []byte(yaml))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Overlay(%q) = %v, want an error containing %q", yaml, err, want)
			continue
		}
		if strings.Contains(err.Error(), "hashhash") {
			t.Errorf("Overlay(%q) repeats the content: %v", yaml, err)
		}
	}
}
