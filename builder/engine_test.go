package builder

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestDetectEngineOrderAndOverride(t *testing.T) {
	defer func(f func(string) (string, error)) { lookPath = f }(lookPath)
	have := map[string]bool{}
	lookPath = func(name string) (string, error) {
		base := filepath.Base(name)
		if have[base] {
			return "/usr/bin/" + base, nil
		}
		return "", errors.New("not found")
	}
	t.Setenv("KILN_ENGINE", "")
	tests := []struct {
		have     []string
		override string
		env      string
		want     EngineKind
		err      string
	}{
		{have: []string{"docker", "buildah", "podman"}, want: Podman},
		{have: []string{"docker", "buildah"}, want: Buildah},
		{have: []string{"docker"}, want: Docker},
		{have: nil, err: "no container engine found"},
		{have: []string{"docker", "podman"}, override: "docker", want: Docker},
		{have: []string{"docker", "podman"}, env: "docker", want: Docker},
		{have: []string{"docker", "podman"}, env: "docker", override: "podman", want: Podman},
		{have: []string{"podman"}, override: "nerdctl", err: `engine "nerdctl" (from --engine or KILN_ENGINE) is not one of podman, buildah, docker`},
		{have: []string{"podman"}, override: "docker", err: `engine "docker" (from --engine or KILN_ENGINE) was not found on PATH`},
	}
	for _, tt := range tests {
		have = map[string]bool{}
		for _, h := range tt.have {
			have[h] = true
		}
		t.Setenv("KILN_ENGINE", tt.env)
		e, err := DetectEngine(tt.override)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%v/%q/%q: err = %v, want %q", tt.have, tt.override, tt.env, err, tt.err)
			}
			continue
		}
		if err != nil || e.Kind != tt.want {
			t.Errorf("%v/%q/%q: got %v, %v; want %s", tt.have, tt.override, tt.env, e, err, tt.want)
		}
	}
}

// TestCancelKillsTheProcessGroup runs a fake engine that starts a child
// which ignores SIGTERM, cancels, and checks that the whole group is gone.
func TestCancelKillsTheProcessGroup(t *testing.T) {
	defer func(d time.Duration) { killGrace = d }(killGrace)
	killGrace = 500 * time.Millisecond
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "child.pid")
	script := filepath.Join(dir, "podman")
	err := os.WriteFile(script, []byte(`#!/bin/sh
sh -c 'trap "" TERM; echo $$ > `+pidFile+`; while :; do sleep 0.1; done' &
echo started
wait
`), 0o755)
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{Kind: Podman, Path: script}
	ctx, cancel := context.WithCancel(context.Background())
	lines := make(chan string, 10)
	done := make(chan error)
	go func() {
		done <- e.Stream(ctx, func(_, l string) { lines <- l }, nil, "build")
	}()
	select {
	case <-lines:
	case <-time.After(10 * time.Second):
		t.Fatal("the fake engine did not start")
	}
	for i := 0; i < 100; i++ {
		if _, err := os.Stat(pidFile); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	for _, c := range strings.TrimSpace(string(data)) {
		pid = pid*10 + int(c-'0')
	}
	cancel()
	select {
	case err := <-done:
		if !IsCanceled(err) {
			t.Errorf("err = %v, want cancelled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Stream did not return after cancellation")
	}
	// The child ignored SIGTERM: only the group SIGKILL stops it.
	for i := 0; i < 150; i++ {
		if !alive(pid) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("child %d of the engine is still alive after cancellation", pid)
}

// alive reports whether pid runs; a zombie (killed, not yet reaped by
// whoever inherited it) is dead.
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// pid (comm) state ...: the state follows the last ')'.
	s := string(stat)
	i := strings.LastIndex(s, ")")
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// Every engine kiln detects has a complete dialect: adding an engine is one
// entry in the table, and a missing command would fail at run time.
func TestDialectsComplete(t *testing.T) {
	for _, k := range engineOrder {
		d := dialects[k]
		if d == nil {
			t.Fatalf("%s has no dialect", k)
		}
		for name, args := range map[string][]string{"build": d.build, "inspectImage": d.inspectImage, "imageExists": d.imageExists,
			"forceRemove": d.forceRemove, "info": d.info, "version": d.version} {
			if len(args) == 0 {
				t.Errorf("%s: no %s command", k, name)
			}
		}
		if d.parseInspect == nil || d.parseVersion == nil {
			t.Errorf("%s: a parser is missing", k)
		}
		if !d.daemon && (d.listContainers == nil || d.danglingImages == nil) {
			t.Errorf("%s: leaves build leftovers but cannot list them", k)
		}
	}
}

// KILN_LABEL goes on every build and run, and a multi-line one is refused.
func TestKilnLabel(t *testing.T) {
	defer func(f func(string) (string, error)) { lookPath = f }(lookPath)
	lookPath = func(name string) (string, error) { return "/usr/bin/" + filepath.Base(name), nil }
	t.Setenv("KILN_LABEL", "io.kiln.test=abc")
	e, err := DetectEngine("podman")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(e.buildArgs(BuildOptions{ContextDir: "."}), " "); got != "build --label io.kiln.test=abc ." {
		t.Errorf("build args: %s", got)
	}
	if got := strings.Join(e.runArgs("--rm", "img"), " "); got != "run --label io.kiln.test=abc --rm img" {
		t.Errorf("run args: %s", got)
	}
	for _, bad := range []string{"novalue", "=x", "a=b\nRUN id"} {
		t.Setenv("KILN_LABEL", bad)
		if _, err := DetectEngine("podman"); err == nil || !strings.Contains(err.Error(), "KILN_LABEL") {
			t.Errorf("KILN_LABEL=%q: err = %v", bad, err)
		}
	}
}
