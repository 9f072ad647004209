package verify_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/kiln-s2i/kiln/builder/e2etest"
	it "github.com/kiln-s2i/kiln/builder/image/imagetest"
	"github.com/kiln-s2i/kiln/builder/verify"
)

// TestE2EContainersStorage reads images the test wrote, after podman has
// stored them, through containers-storage: in-process, without cgo. The
// results are those of the same images read from their OCI archives: the
// layers podman stores (whiteouts as overlay character devices, opaque
// directories as xattrs) come back as the same whiteouts.
func TestE2EContainersStorage(t *testing.T) {
	e2etest.RequireEngine(t)
	e2etest.LeakCheck(t)
	withSSHD := goodImage()
	withSSHD.Layers = append(withSSHD.Layers, []it.File{it.Dir("usr/sbin", 0o755, 0, 0), {Name: "usr/sbin/sshd", Mode: 0o755, Size: 10}})
	removed := goodImage()
	removed.Layers = append(removed.Layers,
		[]it.File{it.Dir("usr/sbin", 0o755, 0, 0), {Name: "usr/sbin/sshd", Mode: 0o755, Size: 2 << 20}},
		[]it.File{it.Whiteout("usr/sbin/sshd")},
		[]it.File{it.Dir("usr/sbin", 0o755, 0, 0), {Name: "usr/sbin/sshd", Mode: 0o755, Size: 10}},
		[]it.File{it.Opaque("usr/sbin"), {Name: "usr/sbin/tool", Mode: 0o755}})
	for i, tc := range []struct {
		name   string
		img    it.Image
		passed bool
		check  string
		status verify.Status
	}{
		{"good", goodImage(), true, "KV004", verify.Pass},
		{"sshd", withSSHD, false, "KV004", verify.Fail},
		{"sshd removed by whiteout and opaque dir", removed, true, "KV011", verify.Warn},
	} {
		i := i
		t.Run(tc.name, func(t *testing.T) {
			archive := tc.img.WriteArchive(t, filepath.Join(t.TempDir(), "image.tar"), "1.0")
			ref := fmt.Sprintf("localhost/kiln-e2e-verify-storage-%d:1.0", i)
			// podman names the image after the index's ref name; tag it with
			// a name of ours and remove it by ID, all names with it.
			id := e2etest.Podman(t, "pull", "-q", archive) // prints the image ID
			t.Cleanup(func() { e2etest.Podman(t, "rmi", "-f", id) })
			e2etest.Podman(t, "tag", id, ref)
			fromArchive := run(t, tc.img, func(*testing.T, it.Image) string { return archive }, verify.Options{})
			fromStorage := run(t, tc.img, func(*testing.T, it.Image) string { return ref }, verify.Options{})
			if fromStorage.Passed != tc.passed {
				t.Errorf("from containers-storage: passed = %v, want %v", fromStorage.Passed, tc.passed)
			}
			for k, r := range fromStorage.Checks {
				a := fromArchive.Checks[k]
				if r.Status != a.Status || (r.ID != "KV011" && r.ID != "KV013" && r.Message != a.Message) {
					t.Errorf("%s from storage %s %q, from the archive %s %q", r.ID, r.Status, r.Message, a.Status, a.Message)
				}
			}
			if r, _ := result(fromStorage, tc.check); r.Status != tc.status {
				t.Errorf("%s = %s %q, want %s", tc.check, r.Status, r.Message, tc.status)
			}
		})
	}
}
