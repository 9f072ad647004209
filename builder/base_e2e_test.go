package builder_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/builder/e2etest"
	"github.com/kiln-s2i/kiln/builder/image"
)

// TestE2EInspectBase: what the wizard learns of a base image before the
// build, from local storage first, then the registry (unreachable here).
func TestE2EInspectBase(t *testing.T) {
	e2etest.RequireEngine(t)
	busybox := e2etest.BusyboxBase(t)
	python := e2etest.PythonBase(t)
	e2etest.LeakCheck(t)
	ctx := context.Background()
	for _, tc := range []struct {
		ref                 string
		where               builder.BaseWhere
		os, pm, msgContains string
	}{
		{busybox, builder.BaseLocal, "", "", "found locally"},
		{python, builder.BaseLocal, "Debian GNU/Linux 12 (bookworm)", "apt", "found locally: Debian GNU/Linux 12 (bookworm)"},
		{strings.TrimPrefix(python, "localhost/"), builder.BaseLocal, "Debian GNU/Linux 12 (bookworm)", "apt", "found locally"},
		{"quay.io/kiln-e2e-nope/base:1", builder.BaseUnreachable, "", "", "cannot be reached within 2s"},
		{"localhost/kiln-e2e-nope:1", builder.BaseUnreachable, "", "", "pull it, or pick a local image"},
		{"Not A Ref", builder.BaseInvalid, "", "", "malformed"},
	} {
		info := builder.InspectBase(ctx, tc.ref, 2*time.Second)
		if info.Where != tc.where || info.OS != tc.os || info.PackageManager != tc.pm || !strings.Contains(info.Message, tc.msgContains) {
			t.Errorf("InspectBase(%q) = %s, OS %q, package manager %q, %q; want %s, %q, %q, containing %q",
				tc.ref, info.Where, info.OS, info.PackageManager, info.Message, tc.where, tc.os, tc.pm, tc.msgContains)
		}
	}
	names, err := image.LocalNames()
	if err != nil || !slices.Contains(names, busybox) || !slices.Contains(names, python) {
		t.Errorf("LocalNames() = %v, %v; want the e2e base images among them", names, err)
	}
}

// TestE2EFromFailure: a real podman build whose FROM image is neither local
// nor reachable fails in one line that says so and what to do, in the error
// and in the FROM step's event (what the progress view shows).
func TestE2EFromFailure(t *testing.T) {
	e2etest.RequireEngine(t)
	e2etest.LeakCheck(t)
	e := podmanEngine(t)
	for _, tc := range []struct{ from, want string }{
		{"quay.io/kiln-e2e-nope/base:1", "base image quay.io/kiln-e2e-nope/base:1 is not in local storage and registry quay.io cannot be reached: pull it (podman pull quay.io/kiln-e2e-nope/base:1) where the registry is reachable, or choose a local image with --from (podman images lists them)"},
		{"kiln-e2e-nope-local:1", "base image kiln-e2e-nope-local:1 is not in local storage and names no registry: use its full name (registry/name:tag), or choose a local image with --from (podman images lists them)"},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM "+tc.from+"\nRUN true\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		rec := &recorder{}
		err := e.Build(context.Background(), rec, "build", builder.BuildOptions{ContextDir: dir})
		if err == nil || err.Error() != tc.want {
			t.Errorf("FROM %s: error %v\nwant %s", tc.from, err, tc.want)
		}
		failed := ""
		for _, ev := range rec.evs {
			if ev.Kind == builder.StepFinished && ev.Err != "" {
				failed = ev.Err
			}
		}
		if failed != tc.want {
			t.Errorf("FROM %s: the failed step's event says %q, want the one line", tc.from, failed)
		}
	}
}
