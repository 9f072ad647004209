package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A file that changed on disk after kiln read it stops the whole edit:
// neither it nor any other file is written.
func TestWriteEditsChangedOnDisk(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"Dockerfile": "FROM a\n", "Dockerfile.rhel9": "FROM b\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edits := []editedFile{
		{path: "Dockerfile", old: []byte("FROM a\n"), new: []byte("FROM a\nUSER 1001\n"), mode: 0o644},
		{path: "Dockerfile.rhel9", old: []byte("FROM old\n"), new: []byte("FROM b\nUSER 1001\n"), mode: 0o644},
	}
	err := writeEdits(dir, edits)
	if err == nil || !strings.Contains(err.Error(), "Dockerfile.rhel9 changed on disk since kiln read it") {
		t.Fatalf("err = %v", err)
	}
	for name, want := range map[string]string{"Dockerfile": "FROM a\n", "Dockerfile.rhel9": "FROM b\n"} {
		if got, _ := os.ReadFile(filepath.Join(dir, name)); string(got) != want {
			t.Errorf("%s = %q, want it untouched", name, got)
		}
	}
	edits[1].old = []byte("FROM b\n")
	if err := writeEdits(dir, edits); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "Dockerfile.rhel9")); string(got) != "FROM b\nUSER 1001\n" {
		t.Errorf("not written: %q", got)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".kiln-edit-*")); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}
}
