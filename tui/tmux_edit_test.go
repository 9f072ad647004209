package tui

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// kiln new and kiln edit on a repo kiln wrote open the wizard with the
// repo's own answers, and cancelling writes nothing.
func TestTmuxExistingRepo(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	kiln := goBuild(t, "github.com/kiln-s2i/kiln/cmd/kiln", "kiln")
	dir := filepath.Join(t.TempDir(), "mine")
	out, err := exec.Command(kiln, "new", dir, "--preset", "python", "--defaults",
		"--description", "Answers kept across runs", "--display-name", "Mine Builder").CombinedOutput()
	if err != nil {
		t.Fatalf("kiln new: %v\n%s", err, out)
	}
	before, err := os.ReadFile(filepath.Join(dir, "kiln.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"new", "edit"} {
		t.Run(cmd, func(t *testing.T) {
			s := startTmux(t, 120, 40, kiln+" "+cmd+" "+dir)
			pane := s.waitFor("[1 Project]")
			for _, want := range []string{"Answers kept across runs", "Mine Builder"} {
				if !strings.Contains(pane, want) {
					t.Errorf("kiln %s does not show the repo's answer %q:\n%s", cmd, want, pane)
				}
			}
			s.run("send-keys", "-t", s.name, "C-c")
			pane = s.waitFor("exited with")
			if !strings.Contains(pane, "nothing was written") {
				t.Errorf("cancel did not say nothing was written:\n%s", pane)
			}
			after, err := os.ReadFile(filepath.Join(dir, "kiln.yaml"))
			if err != nil || string(after) != string(before) {
				t.Errorf("kiln.yaml changed after a cancelled kiln %s", cmd)
			}
		})
	}
}

// kiln edit through its screens: a port on the Ports screen and a label on
// the Metadata screen reach the Dockerfile (EXPOSE, expose-services, LABEL)
// and kiln.yaml, after the review showed their diff; kiln lint stays clean.
func TestTmuxEditLabelAndPort(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	kiln := goBuild(t, "github.com/kiln-s2i/kiln/cmd/kiln", "kiln")
	dir := filepath.Join(t.TempDir(), "mine")
	out, err := exec.Command(kiln, "new", dir, "--preset", "python", "--defaults",
		"--description", "Kept for years", "--display-name", "Mine Builder").CombinedOutput()
	if err != nil {
		t.Fatalf("kiln new: %v\n%s", err, out)
	}
	s := startTmux(t, 120, 40, kiln+" edit "+dir)
	s.waitFor("[1 Project]")
	s.run("send-keys", "-t", s.name, "PgDn")
	s.waitFor("[2 Ports]")
	s.run("send-keys", "-t", s.name, "End") // a cursor key edits the answer; a letter would replace it
	s.keys(", 8443/tcp:https")
	for _, screen := range []string{"[3 User]", "[4 Config]", "[5 Metadata]"} {
		s.run("send-keys", "-t", s.name, "PgDn")
		s.waitFor(screen)
	}
	for range 5 { // tags, wants, non-scalable, min memory, min CPU: to Extra labels
		s.run("send-keys", "-t", s.name, "Tab")
	}
	s.keys("com.example.team=builders")
	s.waitFor("com.example.team=builders")
	s.run("send-keys", "-t", s.name, "PgDn")
	pane := s.waitFor("Write these files?")
	pane = s.waitFor("+++ b/Dockerfile")
	for _, want := range []string{"kiln.yaml", "updated", "-EXPOSE 8080"} {
		if !strings.Contains(pane, want) {
			t.Errorf("the review does not show %q:\n%s", want, pane)
		}
	}
	s.keys("\n")
	s.waitFor("Build and test now?")
	s.keys("n\n")
	pane = s.waitFor("exited with")
	if !strings.Contains(pane, "exited with 0") {
		t.Fatalf("kiln edit failed:\n%s", pane)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	df, spec := read("Dockerfile"), read("kiln.yaml")
	for _, want := range []string{"EXPOSE 8080/tcp 8443/tcp", `io.openshift.expose-services="8080/tcp:http,8443/tcp:https"`, `com.example.team="builders"`} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q:\n%s", want, df)
		}
	}
	for _, want := range []string{"8443", "com.example.team", "builders", "description: Kept for years"} {
		if !strings.Contains(spec, want) {
			t.Errorf("kiln.yaml lacks %q:\n%s", want, spec)
		}
	}
	if out, err := exec.Command(kiln, "lint", dir).CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "" {
		t.Errorf("kiln lint after kiln edit: %v\n%s", err, out)
	}
}
