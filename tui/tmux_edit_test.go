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
