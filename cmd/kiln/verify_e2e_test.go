package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/kiln-s2i/kiln/builder/e2etest"
)

// buildVariant builds FROM image with extra Dockerfile lines, tagged ref.
func buildVariant(t *testing.T, from, ref, lines string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Containerfile"), []byte("FROM "+from+"\n"+lines+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e2etest.RemoveImageAtEnd(t, ref)
	e2etest.Podman(t, "build", "-q", "-t", ref, dir)
}

// savedArchive writes `podman save` of ref to a file and returns
// "docker-archive:FILE".
func savedArchive(t *testing.T, ref string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "image.tar")
	e2etest.Podman(t, "save", "-q", "-o", file, ref)
	return "docker-archive:" + file
}

func TestE2EVerify(t *testing.T) {
	e2etest.RequireEngine(t)
	base := e2etest.BusyboxBase(t)
	e2etest.LeakCheck(t)
	dir := newRepo(t, "generic", base, "kiln-e2e-verify")
	if code, out := kiln(t, "build", dir, "--plain"); code != 0 {
		t.Fatalf("kiln build: exit %d\n%s", code, out)
	}
	const img = "kiln-e2e-verify:1.0" // a short name, as kiln.yaml has it
	for _, ref := range []string{img, savedArchive(t, "localhost/"+img)} {
		code, out := kiln(t, "verify", "--spec", dir, ref)
		if code != 0 || !strings.Contains(out, "passed: 14 checks, 0 failed") {
			t.Errorf("kiln verify %s: exit %d\n%s", ref, code, out)
		}
	}

	buildVariant(t, "localhost/"+img, "localhost/kiln-e2e-verify-root:1.0", "USER root")
	buildVariant(t, "localhost/"+img, "localhost/kiln-e2e-verify-sshd:1.0",
		"USER 0\nRUN mkdir -p /usr/sbin && echo fake > /usr/sbin/sshd && chmod 755 /usr/sbin/sshd\nUSER 1001")
	for _, tc := range []struct{ ref, want string }{
		{"localhost/kiln-e2e-verify-root:1.0", "FAIL KV001 [G18] USER is numeric and not root: USER root is root"},
		{"localhost/kiln-e2e-verify-sshd:1.0", "FAIL KV004 [G12] No sshd in the image: OpenSSH server found: /usr/sbin/sshd"},
	} {
		for _, ref := range []string{tc.ref, savedArchive(t, tc.ref)} {
			code, out := kiln(t, "verify", ref)
			if code != exitFailed || !strings.Contains(out, tc.want) || !strings.Contains(out, "FAILED: 14 checks, 1 failed") {
				t.Errorf("kiln verify %s: exit %d, want 1 with %q only\n%s", ref, code, tc.want, out)
			}
		}
	}
	// kiln test verifies the image it built: USER root, which lint also
	// reports, fails the verify step when lint is skipped.
	df := filepath.Join(dir, "Dockerfile")
	data, err := os.ReadFile(df)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(df, append(data, "\nUSER root\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	e2etest.RemoveNewDanglingAtEnd(t)
	code, out := kiln(t, "test", dir, "--no-lint", "--plain")
	if code != exitFailed || !strings.Contains(out, "[verify image] FAIL KV001 [G18]") || !strings.Contains(out, "the image fails KV001") {
		t.Errorf("kiln test of an image with USER root: exit %d, want the verify step failing on KV001\n%s", code, out)
	}
	if strings.Contains(out, "[usage] started") {
		t.Errorf("the steps after a failed verify ran:\n%s", out)
	}

	code, out = kiln(t, "verify", "localhost/kiln-e2e-verify-missing:1.0")
	if code != exitUsage || strings.Count(out, "\n") != 1 || !strings.Contains(out, "no such image in local storage") {
		t.Errorf("a missing image: exit %d, want 2 and one line:\n%s", code, out)
	}
}

// registry is Debian's docker-registry serving on 127.0.0.1 from the test's
// temp dir, stopped by its PID when the test ends.
func registry(t testing.TB, htpasswd string) string {
	t.Helper()
	addr, stop := startRegistry(t, htpasswd)
	t.Cleanup(stop)
	return addr
}

// startRegistry starts a docker-registry with its data in a new temp dir and
// returns its address and the function that stops it by its PID.
func startRegistry(t testing.TB, htpasswd string) (string, func()) {
	t.Helper()
	bin, err := exec.LookPath("docker-registry")
	if err != nil {
		bin = "/usr/bin/docker-registry"
		if _, err := os.Stat(bin); err != nil {
			t.Fatal("docker-registry is not installed (apt-get install docker-registry)")
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	conf := fmt.Sprintf("version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n",
		filepath.Join(dir, "data"), addr)
	if htpasswd != "" {
		file := filepath.Join(dir, "htpasswd")
		if err := os.WriteFile(file, []byte(htpasswd), 0o600); err != nil {
			t.Fatal(err)
		}
		conf += fmt.Sprintf("auth:\n  htpasswd:\n    realm: kiln-test\n    path: %s\n", file)
	}
	confFile := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", confFile)
	// REGISTRY_* variables override the registry's config (REGISTRY_AUTH_FILE
	// would be read as auth.file): keep them from it.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "REGISTRY_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	logFile, err := os.Create(filepath.Join(dir, "registry.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		logFile.Close()
		_ = os.RemoveAll(filepath.Join(dir, "data")) // benchmarks push hundreds of MB per run
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr, stop
		}
		if time.Now().After(deadline) {
			stop()
			log, _ := os.ReadFile(logFile.Name())
			t.Fatalf("docker-registry did not listen on %s:\n%s", addr, log)
		}
	}
}

func skopeoInspect(t *testing.T, ref string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command("skopeo", append([]string{"inspect", "--tls-verify=false", "--raw"}, append(args, ref)...)...).Output()
	if err != nil {
		t.Fatalf("skopeo inspect %s: %v", ref, err)
	}
	return out
}

func TestE2EPush(t *testing.T) {
	e2etest.RequireEngine(t)
	if _, err := exec.LookPath("skopeo"); err != nil {
		t.Fatal("skopeo is not installed (apt-get install skopeo)")
	}
	base := e2etest.BusyboxBase(t)
	e2etest.LeakCheck(t)
	// No auth file of this machine's user takes part.
	t.Setenv("REGISTRY_AUTH_FILE", filepath.Join(t.TempDir(), "auth.json"))
	dir := newRepo(t, "generic", base, "kiln-e2e-push")
	if code, out := kiln(t, "build", dir, "--plain"); code != 0 {
		t.Fatalf("kiln build: exit %d\n%s", code, out)
	}
	const builderImg, appImg = "localhost/kiln-e2e-push:1.0", "localhost/kiln-e2e-push-app:1.0"
	e2etest.RemoveImageAtEnd(t, appImg)
	if code, out := kiln(t, "s2i", "build", filepath.Join(dir, "test", "test-app"), builderImg, appImg, "--plain"); code != 0 {
		t.Fatalf("kiln s2i build: exit %d\n%s", code, out)
	}

	addr := registry(t, "")
	for _, tc := range []struct{ src, dest string }{
		{builderImg, addr + "/kiln/builder:1.0"},
		{appImg, "docker://" + addr + "/kiln/app:1.0"},
	} {
		digestFile := filepath.Join(t.TempDir(), "digest")
		code, out := kiln(t, "push", "--tls-verify=false", "--digestfile", digestFile, tc.src, tc.dest)
		if code != 0 || !strings.Contains(out, "pushed "+tc.src) || !strings.Contains(out, "copied") {
			t.Fatalf("kiln push %s %s: exit %d\n%s", tc.src, tc.dest, code, out)
		}
		remote := "docker://" + strings.TrimPrefix(tc.dest, "docker://")
		code, out = kiln(t, "verify", "--tls-verify=false", "--format", "json", remote)
		var rep struct {
			ConfigDigest string `json:"configDigest"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("kiln verify %s: exit %d, not JSON: %v\n%s", remote, code, err, out)
		}
		var m struct {
			Config struct{ Digest string } `json:"config"`
		}
		if err := json.Unmarshal(skopeoInspect(t, remote), &m); err != nil {
			t.Fatal(err)
		}
		if rep.ConfigDigest == "" || rep.ConfigDigest != m.Config.Digest {
			t.Errorf("%s: kiln verify says config %q, skopeo %q", remote, rep.ConfigDigest, m.Config.Digest)
		}
		var inspected struct{ Digest string }
		out2, err := exec.Command("skopeo", "inspect", "--tls-verify=false", remote).Output()
		if err != nil || json.Unmarshal(out2, &inspected) != nil {
			t.Fatalf("skopeo inspect %s: %v", remote, err)
		}
		if got, _ := os.ReadFile(digestFile); string(got) != inspected.Digest {
			t.Errorf("--digestfile holds %q, skopeo says %q", got, inspected.Digest)
		}
	}
	// The same JSON lines a script reads, with the bytes of each blob.
	code, out := kiln(t, "push", "--tls-verify=false", "--json", builderImg, addr+"/kiln/again:1.0")
	if code != 0 || !strings.Contains(out, `"kind":"progress"`) || !strings.Contains(out, `"bytes":`) {
		t.Errorf("kiln push --json: exit %d, no progress events\n%s", code, out)
	}

	// htpasswd: --creds is accepted, a wrong password is refused and never shown.
	hash, err := bcrypt.GenerateFromPassword([]byte("right-pass-42"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	authAddr := registry(t, "kiln:"+string(hash)+"\n")
	code, out = kiln(t, "push", "--tls-verify=false", "--creds", "kiln:right-pass-42", builderImg, authAddr+"/kiln/builder:1.0")
	if code != 0 {
		t.Fatalf("push with the right --creds: exit %d\n%s", code, out)
	}
	credsFile := filepath.Join(t.TempDir(), "creds")
	if err := os.WriteFile(credsFile, []byte("kiln:right-pass-42\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out = kiln(t, "verify", "--tls-verify=false", "--creds-file", credsFile, "docker://"+authAddr+"/kiln/builder:1.0")
	if code != 0 || strings.Contains(out, "right-pass-42") {
		t.Errorf("verify with --creds-file: exit %d\n%s", code, out)
	}
	code, out = kiln(t, "push", "--tls-verify=false", "--creds", "kiln:Wrong-Secret-99", builderImg, authAddr+"/kiln/other:1.0")
	if code != exitFailed || !strings.Contains(out, "refused the credentials") {
		t.Errorf("push with a wrong password: exit %d, want 1 naming the refusal\n%s", code, out)
	}
	if strings.Contains(out, "Wrong-Secret-99") {
		t.Errorf("the wrong password is in the output:\n%s", out)
	}
	code, out = kiln(t, "verify", "--tls-verify=false", "--creds", "kiln:Wrong-Secret-99", "docker://"+authAddr+"/kiln/builder:1.0")
	if code != exitUsage || strings.Contains(out, "Wrong-Secret-99") || !strings.Contains(out, "refused the credentials") {
		t.Errorf("verify with a wrong password: exit %d, want 2 without the password\n%s", code, out)
	}
}
