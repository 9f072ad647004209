package e2etest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// labelled finds a test's own images (intermediate layers too) and
// containers, and nothing of a build without its label.
func TestLabelledSeesOnlyTheTestsObjects(t *testing.T) {
	RequireEngine(t)
	base := BusyboxBase(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM "+base+"\nRUN echo a > /a\nRUN echo b > /b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mine, other := "io.kiln.test=harness-mine-"+t.Name(), "io.kiln.test=harness-other"
	const mineRef, otherRef = "localhost/kiln-e2e-harness-mine:1", "localhost/kiln-e2e-harness-other:1"
	t.Cleanup(func() {
		_, _ = podmanOutput("rm", "-f", "kiln-e2e-harness-ctr")
		_, _ = podmanOutput("rmi", "-f", mineRef, otherRef)
	})
	t.Setenv("KILN_LABEL", mine)
	Podman(t, "build", "-q", "--no-cache", "-t", mineRef, dir)
	Podman(t, "create", "--name", "kiln-e2e-harness-ctr", mineRef, "true")
	t.Setenv("KILN_LABEL", other)
	Podman(t, "build", "-q", "--no-cache", "-t", otherRef, dir)

	containers, images := labelled(t, mine)
	if len(containers) != 1 || !strings.Contains(containers[0], "kiln-e2e-harness-ctr") {
		t.Errorf("containers with the label: %v, want the one created", containers)
	}
	mineID := Podman(t, "image", "inspect", "--format", "{{.Id}}", mineRef)
	otherID := Podman(t, "image", "inspect", "--format", "{{.Id}}", otherRef)
	if len(images) < 3 || !contains(images, mineID) || contains(images, otherID) {
		t.Errorf("images with the label: %v; want %s and its two step layers, not %s", images, mineID, otherID)
	}
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == strings.TrimPrefix(id, "sha256:") {
			return true
		}
	}
	return false
}
