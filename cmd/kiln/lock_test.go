package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/kiln-s2i/kiln/scaffold"
)

// TestKilnHelper is kiln in a child process, for the tests that need two
// kilns at once: it runs kiln with the arguments in KILN_HELPER_ARGS (one
// per line). With KILN_HELPER_HOLD=DIR it takes DIR's lock instead, says
// "locked", and holds it until its stdin closes.
func TestKilnHelper(t *testing.T) {
	if dir := os.Getenv("KILN_HELPER_HOLD"); dir != "" {
		l, err := scaffold.Lock(dir)
		if err != nil {
			fmt.Println(err)
			os.Exit(3)
		}
		fmt.Println("locked")
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		l.Unlock()
		os.Exit(0)
	}
	args := os.Getenv("KILN_HELPER_ARGS")
	if args == "" {
		t.Skip("run by the lock tests")
	}
	os.Exit(run(strings.Split(args, "\n"), os.Stdin, os.Stdout, os.Stderr))
}

func kilnProcess(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilnHelper$")
	cmd.Env = append(os.Environ(), "KILN_HELPER_ARGS="+strings.Join(args, "\n"))
	return cmd
}

// repoFiles reads every file under dir, by slash path.
func repoFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		m[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestConcurrentNewForce runs two kiln new --force with different answers
// on one directory at once, round after round (issue 10: 3 of 60 rounds
// left a mix of both runs, with a manifest matching neither). Each round
// leaves exactly what the two runs leave one after the other (the last
// run's files), every one recorded in the manifest with its SHA-256, and no
// lock, journal or temporary file.
func TestConcurrentNewForce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two processes per round")
	}
	answers := [2][]string{
		{"--defaults", "--preset", "python", "--description", "Run A of two", "--port", "8080/tcp:http", "--env", "RUN=a"},
		{"--defaults", "--preset", "nodejs", "--description", "Run B of two", "--port", "9090/tcp:http", "--env", "RUN=b"},
	}
	// What the two runs write one after the other, in either order: kiln
	// new starts from the kiln.yaml it finds, so the second keeps the
	// first's answers its flags do not override.
	var seq [2]map[string]string
	for i := range seq {
		dir := filepath.Join(t.TempDir(), "repo")
		for _, a := range [][]string{answers[i], answers[1-i]} {
			var out, errb bytes.Buffer
			if code := run(append([]string{"new", dir, "--force"}, a...), strings.NewReader(""), &out, &errb); code != 0 {
				t.Fatalf("kiln new: exit %d\n%s", code, errb.String())
			}
		}
		seq[i] = repoFiles(t, dir)
	}
	if equalFiles(seq[0], seq[1]) {
		t.Fatal("the two orders give the same repo: the test cannot tell a mix")
	}
	rounds := 30
	for round := range rounds {
		dir := filepath.Join(t.TempDir(), "repo")
		var wg sync.WaitGroup
		outs := make([][]byte, 2)
		errs := make([]error, 2)
		for i, a := range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				outs[i], errs[i] = kilnProcess(append([]string{"new", dir, "--force"}, a...)...).CombinedOutput()
			}()
		}
		wg.Wait()
		for i := range errs {
			if errs[i] != nil {
				t.Errorf("round %d: kiln new %d: %v\n%s", round, i, errs[i], outs[i])
			}
		}
		got := repoFiles(t, dir)
		if !equalFiles(got, seq[0]) && !equalFiles(got, seq[1]) {
			for p, v := range got {
				if v != seq[0][p] && v != seq[1][p] {
					t.Errorf("round %d: %s is from neither run", round, p)
				}
			}
			t.Errorf("round %d: the repo is a mix of both runs: %d files", round, len(got))
		}
		checkManifest(t, dir, got)
	}
}

func equalFiles(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// checkManifest checks that the manifest names every file kiln wrote with
// its SHA-256, and that nothing else is there but kiln's record.
func checkManifest(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	named := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(files[scaffold.ManifestFile]), "\n") {
		sum, p, _ := strings.Cut(line, "  ")
		h := sha256.Sum256([]byte(files[p]))
		if hex.EncodeToString(h[:]) != sum {
			t.Errorf("%s: the manifest's SHA-256 of %s does not match the file", dir, p)
		}
		named[p] = true
	}
	for p := range files {
		if !named[p] && p != scaffold.ManifestFile && !strings.HasPrefix(p, scaffold.BaseDir+"/") {
			t.Errorf("%s: %s is not in the manifest (a lock, journal or temporary file left?)", dir, p)
		}
	}
}

// TestLockHeldByLiveKiln: while another process holds the repository's
// lock, kiln update waits, then fails (exit 1) naming that process and
// what to do, and writes nothing.
func TestLockHeldByLiveKiln(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "repo")
	var out, errb bytes.Buffer
	if code := run([]string{"new", dir, "--defaults"}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("kiln new: exit %d\n%s", code, errb.String())
	}
	replaceIn(t, filepath.Join(dir, scaffold.SpecFile), "tag: \"1.0\"", "tag: \"2.0\"")

	holder := exec.Command(os.Args[0], "-test.run=^TestKilnHelper$")
	holder.Env = append(os.Environ(), "KILN_HELPER_HOLD="+dir)
	stdin, err := holder.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); holder.Wait() }()
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "locked\n" {
		t.Fatalf("the holder says %q", line)
	}
	before := repoFiles(t, dir)

	out.Reset()
	errb.Reset()
	code := run([]string{"update", dir}, strings.NewReader(""), &out, &errb)
	msg := errb.String()
	if code != exitFailed {
		t.Errorf("exit %d, want %d", code, exitFailed)
	}
	pid := strconv.Itoa(holder.Process.Pid)
	for _, want := range []string{"another kiln is writing " + dir, "process " + pid, "wait for it to finish", "kill " + pid} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not say %q:\n%s", want, msg)
		}
	}
	if got := repoFiles(t, dir); !equalFiles(got, before) {
		t.Errorf("files changed while another kiln held the lock")
	}

	stdin.Close() // the holder lets go: kiln update now runs
	holder.Wait()
	errb.Reset()
	if code := run([]string{"update", dir}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("kiln update after the holder left: exit %d\n%s", code, errb.String())
	}
	if strings.Contains(errb.String(), "taking it over") {
		t.Errorf("a lock released cleanly is reported as stale:\n%s", errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, scaffold.LockFile)); err == nil {
		t.Errorf("%s is left after kiln update", scaffold.LockFile)
	}
}

func replaceIn(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s has no %q (%v)", path, old, err)
	}
	if err := os.WriteFile(path, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}
