package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-s2i/kiln/scaffold"
)

// A file that changed on disk after kiln read it stops the whole edit:
// neither it nor any other file is written.
func TestWriteEditsChangedOnDisk(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"Dockerfile": "FROM a\n", "Dockerfile.rhel9": "FROM b\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edits := []editedFile{
		{path: "Dockerfile", old: []byte("FROM a\n"), new: []byte("FROM a\nUSER 1001\n"), mode: 0o644},
		{path: "Dockerfile.rhel9", old: []byte("FROM old\n"), new: []byte("FROM b\nUSER 1001\n"), mode: 0o644},
	}
	err := writeEdits(dir, edits)
	if err == nil || !strings.Contains(err.Error(), "Dockerfile.rhel9 changed on disk since kiln read it") {
		t.Fatalf("err = %v", err)
	}
	for name, want := range map[string]string{"Dockerfile": "FROM a\n", "Dockerfile.rhel9": "FROM b\n"} {
		if got, _ := os.ReadFile(filepath.Join(dir, name)); string(got) != want {
			t.Errorf("%s = %q, want it untouched", name, got)
		}
	}
	edits[1].old = []byte("FROM b\n")
	if err := writeEdits(dir, edits); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "Dockerfile.rhel9")); string(got) != "FROM b\nUSER 1001\n" {
		t.Errorf("not written: %q", got)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".*.kiln-*")); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}
}

// Every preset's kiln.yaml, and answers that leave lists empty, load back
// as the same repo: kiln new DIR --answers DIR/kiln.yaml reports every file
// unchanged, and so does kiln new DIR on its own (it starts from DIR's
// kiln.yaml, never from the preset).
func TestNewRoundTrip(t *testing.T) {
	type tc struct {
		name string
		args []string
	}
	var cases []tc
	for _, p := range scaffold.Presets() {
		cases = append(cases, tc{p.Name, []string{"--preset", p.Name}})
	}
	cases = append(cases,
		tc{"none", []string{"--preset", "python", "--pkg-manager", "none"}},
		tc{"custom", []string{"--preset", "nodejs", "--from", "quay.io/me/node:20.1", "--env", "JAVA_OPTS=-Xms1g,-Xmx2g",
			"--secret", "DB_PASSWORD", "--label", "com.example.team=web", "--port", "9090/tcp:web", "--description", "Mine: \"quoted\" $HOME"}},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "b")
			kilnOK(t, append([]string{"new", dir, "--defaults"}, c.args...)...)
			for _, args := range [][]string{
				{"new", dir, "--answers", filepath.Join(dir, "kiln.yaml"), "--defaults"},
				{"new", dir, "--defaults"},
			} {
				out := kilnOK(t, args...)
				if !strings.Contains(out, " 0 created, 0 updated, ") || !strings.Contains(out, " 0 overwritten") {
					t.Errorf("kiln %v: not every file identical:\n%s", args, out)
				}
			}
		})
	}
}

// kiln lint stays clean after every edit kiln edit makes: on each preset's
// repo, every change flag in turn (and its undo), each followed by kiln
// lint of the whole repo at warning level.
func TestEditKeepsLintClean(t *testing.T) {
	if testing.Short() {
		t.Skip("renders and lints every preset about thirty times")
	}
	edits := [][]string{
		{"--set-label", "com.example.team=web"}, {"--unset-label", "com.example.team"},
		{"--add-port", "8443/tcp:https"}, {"--remove-port", "8443"},
		{"--add-port", "9000/udp:metrics"},
		{"--set-env", "JAVA_OPTS=-Xms1g,-Xmx2g"}, {"--unset-env", "JAVA_OPTS"},
		{"--add-secret", "DB_PASSWORD"}, {"--remove-secret", "DB_PASSWORD"},
		{"--add-volume", "/var/lib/data"}, {"--remove-volume", "/var/lib/data"},
		{"--description", "Builds apps: \"quoted\" $HOME"}, {"--display-name", "Mine 2"},
		{"--tag", "2.0"}, {"--tags", "builder,web"}, {"--min-memory", "512Mi"}, {"--min-cpu", "500m"},
		{"--uid", "1002"},
	}
	for _, p := range scaffold.Presets() {
		t.Run(p.Name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "b")
			kilnOK(t, "new", dir, "--defaults", "--preset", p.Name)
			for _, e := range edits {
				kilnOK(t, append([]string{"edit", dir}, e...)...)
				// exit 0 is the clean verdict: a warning or above exits 1
				kilnOK(t, "lint", "--severity", "warning", dir)
			}
		})
	}
}
