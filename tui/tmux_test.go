package tui

import (
	"fmt"
	"github.com/kiln-s2i/kiln/builder"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln-s2i/kiln/scaffold"
)

// tmuxSession drives a program in a detached tmux session on a private
// server, the way a user at a 120x40 terminal would.
type tmuxSession struct {
	t      *testing.T
	socket string
	name   string
}

const tmuxDeadline = 60 * time.Second

func startTmux(t *testing.T, w, h int, command string, env ...string) *tmuxSession {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed: skipping the end-to-end terminal test")
	}
	s := &tmuxSession{t: t, socket: fmt.Sprintf("kiln-tui-%d-%d", os.Getpid(), time.Now().UnixNano()), name: "kiln"}
	args := []string{"new-session", "-d", "-s", s.name, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), "env", "TERM=xterm-256color", "NO_COLOR=1"}
	args = append(args, env...)
	s.run(append(args, "sh", "-c", command+`; echo "exited with $?"; sleep 600`)...)
	t.Cleanup(func() { exec.Command("tmux", "-L", s.socket, "kill-server").Run() })
	return s
}

func (s *tmuxSession) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (s *tmuxSession) capture() string { return s.run("capture-pane", "-p", "-t", s.name) }

// waitFor polls the pane until it shows want; the deadline bounds the whole wait.
func (s *tmuxSession) waitFor(want string) string {
	s.t.Helper()
	deadline := time.Now().Add(tmuxDeadline)
	for {
		pane := s.capture()
		if strings.Contains(pane, want) {
			return pane
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the pane never showed %q; it shows:\n%s", want, pane)
		}
		time.Sleep(20 * time.Millisecond) // polling interval, not a wait for an outcome
	}
}

// keys sends one keystroke string in fullRunKeys notation.
func (s *tmuxSession) keys(k string) {
	s.t.Helper()
	for len(k) > 0 {
		switch {
		case strings.HasPrefix(k, "^U"):
			s.run("send-keys", "-t", s.name, "C-u")
			k = k[2:]
		case strings.HasPrefix(k, "→"):
			s.run("send-keys", "-t", s.name, "Right")
			k = k[len("→"):]
		case k[0] == '\n':
			s.run("send-keys", "-t", s.name, "Enter")
			k = k[1:]
		default:
			i := strings.IndexAny(k, "\n^→")
			if i < 0 {
				i = len(k)
			}
			s.run("send-keys", "-t", s.name, "-l", k[:i])
			k = k[i:]
		}
	}
}

func TestTmuxWizard(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	want := kilnNewWithFlags(t)
	kiln := goBuild(t, "github.com/kiln-s2i/kiln/cmd/kiln", "kiln")
	dir := filepath.Join(t.TempDir(), "acme-python")
	s := startTmux(t, 120, 40, kiln+" new "+dir)
	s.waitFor("[1 Project]")
	for i, k := range fullRunKeys {
		s.keys(k)
		if i == 6 {
			s.waitFor("[2 Runtime]") // the screen changes as the answers go in
		}
	}
	pane := s.waitFor("Write these files?")
	if !strings.Contains(pane, "╭") {
		t.Errorf("no preview pane beside the form at 120 columns:\n%s", pane)
	}
	s.waitFor("create")
	s.keys("\n")
	s.waitFor("Build and test now?")
	s.keys("n\n")
	pane = s.waitFor("exited with")
	if !strings.Contains(pane, "exited with 0") {
		t.Fatalf("kiln new failed:\n%s", pane)
	}
	requireSameTree(t, want, dir)
}

func TestTmuxProgress(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	bin := goBuild(t, "github.com/kiln-s2i/kiln/tui/testdata/fakeprogress", "fakeprogress")
	t.Run("failure", func(t *testing.T) {
		s := startTmux(t, 120, 40, bin+" -fail '"+builder.StepRun.String()+"' -delay 30ms")
		pane := s.waitFor("failed:")
		for _, want := range []string{"✓ " + builder.StepBuildBuilder.String(), "✗ " + builder.StepRun.String(), "── log: " + builder.StepRun.String(), "Error: building at STEP", "removed container kiln-test-run-1"} {
			if !strings.Contains(pane, want) {
				t.Errorf("the view lacks %q:\n%s", want, pane)
			}
		}
		s.keys("q")
		pane = s.waitFor("exited with")
		if !summaryLine(pane, builder.StepRun.String(), "FAILED") {
			t.Errorf("the summary after exit does not show %s FAILED:\n%s", builder.StepRun, pane)
		}
		for _, want := range []string{"kiln test: FAILED", "last lines of " + builder.StepRun.String() + ":", "exited with 1"} {
			if !strings.Contains(pane, want) {
				t.Errorf("the summary after exit lacks %q:\n%s", want, pane)
			}
		}
	})
	t.Run("panic", func(t *testing.T) {
		s := startTmux(t, 120, 40, bin+" -panic-after 5 -delay 5ms")
		s.waitFor("panic in run: fake engine blew up")
		s.keys("q")
		pane := s.waitFor("exited with")
		if !strings.Contains(pane, "exited with 1") || !strings.Contains(pane, "kiln test: FAILED") {
			t.Errorf("after a panic the summary or the exit code is wrong:\n%s", pane)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		s := startTmux(t, 120, 40, bin+" -hang '"+builder.StepIncremental.String()+"' -delay 5ms")
		s.waitFor("Restoring build artifacts")
		s.run("send-keys", "-t", s.name, "C-c")
		pane := s.waitFor("removed image localhost/kiln-test/app:latest")
		if !strings.Contains(pane, "removed container kiln-test-run-1") {
			t.Errorf("the view does not list every cleanup:\n%s", pane)
		}
		s.keys("q")
		pane = s.waitFor("exited with")
		if !summaryLine(pane, builder.StepIncremental.String(), "cancelled") || !strings.Contains(pane, "removed container kiln-test-run-1") {
			t.Errorf("the summary lacks the cancelled step or the cleanup:\n%s", pane)
		}
	})
}

// TestTmuxAccessible: with TERM=dumb on a terminal, kiln new asks line by line.
func TestTmuxAccessible(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	want := kilnNewWithFlags(t)
	kiln := goBuild(t, "github.com/kiln-s2i/kiln/cmd/kiln", "kiln")
	dir := filepath.Join(t.TempDir(), "acme-python")
	s := startTmux(t, 120, 40, kiln+" new "+dir, "TERM=dumb")
	s.waitFor("Image name [acme-python]:")
	d, _ := scaffold.Defaults("python")
	answers := append([]string(nil), accessibleAnswers...)
	answers[21] = strings.Join(append(d.Tags, "acme"), ", ")
	for _, a := range answers {
		s.keys(a + "\n")
	}
	pane := s.waitFor("exited with")
	if !strings.Contains(pane, "exited with 0") {
		t.Fatalf("kiln new failed:\n%s", pane)
	}
	if strings.Contains(pane, "╭") {
		t.Fatal("the full-screen UI started under TERM=dumb")
	}
	requireSameTree(t, want, dir)
}

// TestTmuxWizardSmallTerminals: at 60x20 and 80x24 in a real terminal the
// help key and every screen stay in view, the full-screen preview scrolls,
// and every screen is reachable.
func TestTmuxWizardSmallTerminals(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	kiln := goBuild(t, "github.com/kiln-s2i/kiln/cmd/kiln", "kiln")
	for _, size := range [][2]int{{60, 20}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			s := startTmux(t, size[0], size[1], kiln+" new "+filepath.Join(t.TempDir(), "small"))
			pane := s.waitFor("[1 Project]")
			if !strings.Contains(pane, "f1 keys") || !strings.Contains(pane, "ctrl+c quit") || !strings.Contains(pane, " 8") {
				t.Fatalf("the help key, quit or a tab is missing:\n%s", pane)
			}
			s.run("send-keys", "-t", s.name, "C-o")
			before := s.waitFor("Dockerfile")
			s.keys("jjjj")
			deadline := time.Now().Add(tmuxDeadline)
			for s.capture() == before {
				if time.Now().After(deadline) {
					t.Fatalf("j did not scroll the preview:\n%s", before)
				}
				time.Sleep(20 * time.Millisecond) // polling interval
			}
			s.run("send-keys", "-t", s.name, "Escape")
			s.waitFor("Image name")
			for _, screen := range []string{"[2 Runtime]", "[3 Ports]", "[4 User]", "[5 Config]", "[6 Metadata]", "[7 Build]", "[8 Review]"} {
				s.run("send-keys", "-t", s.name, "PageDown")
				s.waitFor(screen)
			}
			s.waitFor("Write these files?")
		})
	}
}

// summaryLine reports whether a line of the summary names step with status.
func summaryLine(pane, step, status string) bool {
	for _, l := range strings.Split(pane, "\n") {
		if f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(l), step)); strings.HasPrefix(strings.TrimSpace(l), step+" ") && len(f) > 0 && f[0] == status {
			return true
		}
	}
	return false
}
