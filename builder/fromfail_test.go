package builder

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A build that fails at FROM says in one line whether the image is missing
// or its registry unreachable, and what to do; the recorded outputs are
// podman 4.3's.
func TestFromFailureReason(t *testing.T) {
	for _, tc := range []struct {
		file string
		want string
	}{
		{"podman-from-unreachable.txt", "base image quay.io/kiln-nope/x:1 is not in local storage and registry quay.io cannot be reached: pull it (podman pull quay.io/kiln-nope/x:1) where the registry is reachable, or choose a local image with --from (podman images lists them)"},
		{"podman-from-shortname.txt", "base image kiln-nope-local:1 is not in local storage and names no registry: use its full name (registry/name:tag), or choose a local image with --from (podman images lists them)"},
		{"podman-from-unknown.txt", "base image registry.example.com/team/base:9 is neither in local storage nor in registry registry.example.com: check its name and tag, or choose a local image with --from (podman images lists them)"},
		{"podman-fail.txt", ""}, // a RUN that fails keeps the engine's text
	} {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", "build-output", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			p := newBuildParser(newReporter(SinkFunc(func(Event) {})), "build")
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				p.Line("stderr", sc.Text())
			}
			got := fromFailure(Podman, p.lastStep(), p.errs)
			if got != tc.want {
				t.Errorf("reason\n got %q\nwant %q", got, tc.want)
			}
			if strings.Contains(got, "\n") {
				t.Error("the reason is more than one line")
			}
			be := &BuildError{Step: p.lastStep(), Reason: got}
			if got != "" && be.Error() != got {
				t.Errorf("BuildError says %q, want the reason", be.Error())
			}
		})
	}
}
