package scaffold_test

import (
	"os"
	"strings"
	"testing"

	"github.com/kiln-s2i/kiln/scaffold"
)

// TestMigrateSchema1: testdata/migrate/v1.yaml is the kiln.yaml the kiln
// before schema 2 wrote for the generic preset, with an author's comments.
// It parses (migrated), and Restamp changes only the schema line and adds
// kilnVersion, keeping every comment and key.
func TestMigrateSchema1(t *testing.T) {
	old, err := os.ReadFile("testdata/migrate/v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := scaffold.Parse(old)
	if err != nil {
		t.Fatalf("Parse of a schema 1 kiln.yaml: %v", err)
	}
	if s.SchemaVersion != scaffold.SchemaVersion || s.KilnVersion != "" {
		t.Errorf("parsed: schemaVersion %d kilnVersion %q, want %d and none", s.SchemaVersion, s.KilnVersion, scaffold.SchemaVersion)
	}
	if err := s.Validate(); err != nil {
		t.Errorf("the migrated spec is not valid: %v", err)
	}
	// It renders the same files as the spec kiln new writes today, but for kiln.yaml.
	now := presetSpec(t, "generic", "golden")
	if s.Name != now.Name || s.From != now.From || len(s.Ports) != len(now.Ports) {
		t.Errorf("migrated spec %+v differs from today's preset %+v", s, now)
	}

	out, steps, err := scaffold.Restamp(old, "v1.4.0")
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 1 || steps[0].From != 1 || !strings.Contains(steps[0].String(), "schemaVersion 1 → 2: adds kilnVersion") {
		t.Errorf("steps = %v", steps)
	}
	want := strings.Replace(string(old), "schemaVersion: 1\n", "schemaVersion: 2\nkilnVersion: v1.4.0\n", 1)
	if string(out) != want {
		t.Errorf("Restamp:\n%s\nwant only the schema line changed and kilnVersion added:\n%s", out, want)
	}
	back, err := scaffold.Parse(out)
	if err != nil || back.KilnVersion != "v1.4.0" {
		t.Fatalf("Parse of the restamped kiln.yaml: %v, %+v", err, back)
	}

	// Again, with a newer kiln: only kilnVersion changes, and no migration.
	again, steps, err := scaffold.Restamp(out, "v1.5.0")
	if err != nil || len(steps) != 0 {
		t.Fatalf("Restamp of a current kiln.yaml: %v, steps %v", err, steps)
	}
	if want := strings.Replace(string(out), "kilnVersion: v1.4.0\n", "kilnVersion: v1.5.0\n", 1); string(again) != want {
		t.Errorf("Restamp changed more than kilnVersion:\n%s", again)
	}
}

func TestRestamp(t *testing.T) {
	for name, tt := range map[string]struct{ in, version, want, wantErr string }{
		"comment kept":       {"schemaVersion: 2 # v\nkilnVersion: a # who\n", "b", "schemaVersion: 2 # v\nkilnVersion: b # who\n", ""},
		"no newline at end":  {"schemaVersion: 1", "v1", "schemaVersion: 2\nkilnVersion: v1\n", ""},
		"quoted when needed": {"schemaVersion: 2\n", "yes", "schemaVersion: 2\nkilnVersion: \"yes\"\n", ""},
		"flow style":         {"{schemaVersion: 1, name: x}\n", "v1", "", "block mapping"},
		"newer":              {"schemaVersion: 3\nkilnVersion: v9\n", "v1", "", "upgrade kiln to v9 or later"},
		"unknown key":        {"schemaVersion: 1\nnope: 1\n", "v1", "", `unknown field "nope"`},
	} {
		t.Run(name, func(t *testing.T) {
			out, _, err := scaffold.Restamp([]byte(tt.in), tt.version)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Restamp = %q, %v; want an error containing %q", out, err, tt.wantErr)
				}
				return
			}
			if err != nil || string(out) != tt.want {
				t.Errorf("Restamp = %q, %v; want %q", out, err, tt.want)
			}
		})
	}
}
