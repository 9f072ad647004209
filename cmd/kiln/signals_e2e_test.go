package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/kiln-s2i/kiln/builder/e2etest"
)

// kiln doctor finds the images an interrupted commit left without a
// manifest, names them and says how to repair the store; once they are
// removed as it says, the store is healthy again. The broken state is made
// in a store of the test's own (CONTAINERS_STORAGE_CONF), never the user's.
func TestE2EDoctorFindsImagesWithoutManifest(t *testing.T) {
	podman := e2etest.RequireEngine(t)
	bin := e2etest.KilnBinary(t)
	conf := e2etest.StorageConf(t)
	_, child, other := e2etest.BrokenCommit(t, conf)
	env := append(os.Environ(), "CONTAINERS_STORAGE_CONF="+conf)
	doctor := func() (int, string) {
		cmd := exec.Command(bin, "doctor", "--engine", "podman")
		cmd.Env = env
		out, _ := cmd.CombinedOutput()
		return cmd.ProcessState.ExitCode(), string(out)
	}
	code, out := doctor()
	if code != exitFailed {
		t.Errorf("kiln doctor on a store with images without a manifest: exit %d, want %d\n%s", code, exitFailed, out)
	}
	for _, want := range []string{"FAIL images", "2 image(s) without a manifest", child[:12], other[:12], "remedy: once no build is running, remove them: podman rmi -f "} {
		if !strings.Contains(out, want) {
			t.Errorf("kiln doctor output lacks %q:\n%s", want, out)
		}
	}
	// The remedy, as printed, repairs the store.
	i := strings.Index(out, "podman rmi -f ")
	if i < 0 {
		t.FailNow()
	}
	args := strings.Fields(strings.SplitN(out[i:], "\n", 2)[0])[1:]
	rmi := exec.Command(podman, args...)
	rmi.Env = env
	if o, err := rmi.CombinedOutput(); err != nil {
		t.Fatalf("the remedy %v failed: %v\n%s", args, err, o)
	}
	images := exec.Command(podman, "images", "-a")
	images.Env = env
	if o, err := images.CombinedOutput(); err != nil {
		t.Errorf("podman images -a still fails after the remedy: %v\n%s", err, o)
	}
	if _, out := doctor(); !strings.Contains(out, "ok   images           every local image has a manifest") {
		t.Errorf("kiln doctor after the repair:\n%s", out)
	}
}
