package builder

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A failing RUN whose output looks like podman's "--> <id>" and "--> Using
// cache <id>" lines: in a one-commit build (s2i, --layers=false) nothing was
// committed, so kiln removes no image and no container by those ids; in a
// layered build (kiln build) the ids are what podman committed and are
// removed, as before. The engine is a script that records what kiln asks.
func TestFailedBuildRemovesNoImageNamedByItsOutput(t *testing.T) {
	for _, tc := range []struct {
		noLayers bool
		want     string
	}{
		{noLayers: true, want: ""},
		{noLayers: false, want: "rmi 0123456789abcdef\n"},
	} {
		dir := t.TempDir()
		log := filepath.Join(dir, "calls")
		script := `#!/bin/sh
case "$1" in
build)
    echo "STEP 1/2: FROM localhost/kiln-s2i-x:from"
    echo "STEP 2/2: RUN /usr/libexec/s2i/assemble"
    echo "--> Using cache fedcba9876543210"
    echo "--> 0123456789abcdef"
    echo "Error: building at STEP \"RUN /usr/libexec/s2i/assemble\": exit status 1" >&2
    exit 1 ;;
ps) echo "c1 fedcba987654-working-container sha256:fedcba9876543210aaaa" ;;
*) echo "$@" >> ` + log + ` ;;
esac
`
		fake := filepath.Join(dir, "podman")
		if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		e := &Engine{Kind: Podman, Path: fake}
		err := e.Build(context.Background(), nil, "s2i", BuildOptions{ContextDir: dir, NoLayers: tc.noLayers, From: "localhost/kiln-s2i-x:from"})
		if err == nil {
			t.Fatal("the fake build succeeded")
		}
		data, _ := os.ReadFile(log)
		calls := string(data)
		// The build's own working container (named after its unique From
		// tag) is removed by name in both modes; nothing the output named is.
		if tc.noLayers && (strings.Contains(calls, "0123456789abcdef") || strings.Contains(calls, "fedcba")) {
			t.Errorf("--layers=false: kiln removed what the RUN's output named:\n%s", calls)
		}
		if !strings.Contains(calls, "rm -f -t 0 kiln-s2i-x-working-container") {
			t.Errorf("the build's own working container was not removed by name:\n%s", calls)
		}
		if !tc.noLayers && !strings.Contains(calls, tc.want) {
			t.Errorf("layered build: calls\n%s\nlack %q", calls, tc.want)
		}
	}
}
