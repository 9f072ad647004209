package builder_test

import (
	"context"
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
