package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kiln-s2i/kiln/builder/e2etest"
	"github.com/kiln-s2i/kiln/scaffold/lint"
)

// TestE2ENewInspectsTheBaseImage: kiln new without a terminal looks the base
// image up as the wizard does, follows its package manager, notes what it
// inherits, records it for kiln lint, and is never stopped by an image it
// cannot see.
func TestE2ENewInspectsTheBaseImage(t *testing.T) {
	e2etest.RequireEngine(t)
	python := e2etest.PythonBase(t) // Debian with apt-get, no USER, no labels
	e2etest.LeakCheck(t)

	dir := filepath.Join(t.TempDir(), "b")
	code, out := kiln(t, "new", dir, "--preset", "generic", "--defaults", "--from", python)
	if code != 0 {
		t.Fatalf("kiln new: exit %d\n%s", code, out)
	}
	for _, want := range []string{
		"kiln new: base image " + python + ": found locally: Debian GNU/Linux 12 (bookworm), package manager apt, no USER (root)\n",
		"kiln new: package manager apt, as the base image has (was microdnf; --pkg-manager chooses another)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("kiln new does not say %q:\n%s", want, out)
		}
	}
	spec, err := os.ReadFile(filepath.Join(dir, "kiln.yaml"))
	if err != nil || !regexp.MustCompile(`(?m)^packageManager: apt$`).Match(spec) {
		t.Errorf("kiln.yaml's package manager does not follow the image (%v):\n%s", err, spec)
	}
	var rec lint.BaseImage
	data, err := os.ReadFile(filepath.Join(dir, lint.BaseImageFile))
	if err != nil || json.Unmarshal(data, &rec) != nil || rec.Ref != python || rec.User != "" {
		t.Fatalf("%s = %s (%v); want the base image's ref and its empty USER", lint.BaseImageFile, data, err)
	}

	// kiln lint judges the USER the Dockerfile inherits by the record: the
	// base sets none, so a Dockerfile without USER runs as root (a warning,
	// not the unknown base's info).
	df := filepath.Join(dir, "Dockerfile")
	src, _ := os.ReadFile(df)
	noUser := regexp.MustCompile(`(?m)^USER .*\n`).ReplaceAll(src, nil)
	if err := os.WriteFile(df, noUser, 0o644); err != nil {
		t.Fatal(err)
	}
	severity := func(args ...string) string {
		t.Helper()
		_, out := kiln(t, append([]string{"lint", "--format", "json"}, args...)...)
		var fs []lint.Finding
		if err := json.Unmarshal([]byte(out[:strings.LastIndex(out, "]")+1]), &fs); err != nil {
			t.Fatalf("kiln lint --format json: %v\n%s", err, out)
		}
		for _, f := range fs {
			if f.Rule == "KL070" {
				return f.Severity.String()
			}
		}
		return "none"
	}
	if got := severity(dir); got != "warning" {
		t.Errorf("KL070 with the record of a base without USER: %s, want warning", got)
	}
	if err := os.Remove(filepath.Join(dir, lint.BaseImageFile)); err != nil {
		t.Fatal(err)
	}
	if got := severity(dir); got != "info" {
		t.Errorf("KL070 without a record: %s, want info (lint is offline: the base may set one)", got)
	}
	if got := severity("--inspect-base", dir); got != "warning" {
		t.Errorf("KL070 with --inspect-base: %s, want warning", got)
	}

	// The author's package manager stays.
	chosen := filepath.Join(t.TempDir(), "c")
	if code, out := kiln(t, "new", chosen, "--preset", "generic", "--defaults", "--from", python, "--pkg-manager", "microdnf"); code != 0 || strings.Contains(out, "as the base image has") {
		t.Errorf("kiln new --pkg-manager microdnf: exit %d, the choice replaced:\n%s", code, out)
	}

	// An image kiln cannot see is a one-line notice, and the files are written.
	gone := filepath.Join(t.TempDir(), "d")
	code, out = kiln(t, "new", gone, "--preset", "generic", "--defaults", "--from", "quay.io/kiln-e2e-nope/base:1")
	notice := regexp.MustCompile(`(?m)^kiln new: base image quay.io/kiln-e2e-nope/base:1: not in local storage, and its registry cannot be reached within 3s: [^\n]+$`)
	if code != 0 || len(notice.FindAllString(out, -1)) != 1 {
		t.Errorf("kiln new with an unreachable base: exit %d, want 0 and one notice line:\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(gone, "Dockerfile")); err != nil {
		t.Errorf("the files were not written: %v", err)
	}
	if _, err := os.Stat(filepath.Join(gone, lint.BaseImageFile)); !os.IsNotExist(err) {
		t.Errorf("an image not found is recorded: %v", err)
	}
}
