package builder_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/builder/e2etest"
)

// Two kiln s2i builds and a plain podman build from the same base run at
// once; one s2i build is cancelled during assemble. The cancelled build
// removes its own working container and nothing else: the other two
// complete, and their images are there.
func TestE2EConcurrentS2IBuildsOneCancelled(t *testing.T) {
	e2etest.RequireEngine(t)
	base := e2etest.BusyboxBase(t)
	e2etest.LeakCheck(t)
	e := podmanEngine(t)
	ctx := context.Background()

	builderRef := "localhost/kiln-e2e-conc-builder:1"
	e2etest.RemoveImageAtEnd(t, builderRef)
	if err := e.Build(ctx, &recorder{}, "build", builder.BuildOptions{ContextDir: filepath.Join("testdata", "fixtures", "builder"),
		Tags: []string{builderRef}, BuildArgs: []string{"BASE=" + base}}); err != nil {
		t.Fatal(err)
	}
	// Each build's assemble waits a while, so all three overlap.
	slowApp := func(name string, seconds int) string {
		src := copyFixture(t, "app")
		script := fmt.Sprintf("#!/bin/sh\necho %s assembling\nsleep %d\ncp -R /opt/dest/src/. /opt/app/\n", name, seconds)
		if err := os.MkdirAll(filepath.Join(src, ".s2i", "bin"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, ".s2i", "bin", "assemble"), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		return src
	}
	outA, outB, outPlain := "localhost/kiln-e2e-conc-a:1", "localhost/kiln-e2e-conc-b:1", "localhost/kiln-e2e-conc-plain:1"
	for _, ref := range []string{outA, outB, outPlain} {
		e2etest.RemoveImageAtEnd(t, ref)
	}
	plainDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(plainDir, "Dockerfile"), []byte("FROM "+builderRef+"\nRUN sleep 12\nRUN echo plain > /tmp/plain\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	var errA, errB, errPlain error
	recA, recB := &recorder{}, &recorder{}
	doneA, doneB := make(chan struct{}), make(chan struct{})
	cancelCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	wg.Add(3)
	go func() { // cancelled once its assemble has started
		defer wg.Done()
		defer close(doneA)
		_, errA = builder.S2IBuild(cancelCtx, e, recA, "s2i", builder.S2IOptions{Source: slowApp("a", 150), Builder: builderRef, Output: outA})
	}()
	go func() {
		defer wg.Done()
		defer close(doneB)
		_, errB = builder.S2IBuild(ctx, e, recB, "s2i", builder.S2IOptions{Source: slowApp("b", 12), Builder: builderRef, Output: outB})
	}()
	go func() {
		defer wg.Done()
		cmd := exec.Command("podman", "build", "--label", os.Getenv("KILN_LABEL"), "-t", outPlain, plainDir)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			errPlain = fmt.Errorf("%v\n%s", err, out.String())
		}
	}()
	// Both must be in assemble at once: A's lasts 150 s, B's 12. A build
	// that ends first failed before its assemble (B may finish its 12 s
	// once A is in; A may not end before it is cancelled).
	deadline := time.After(4 * time.Minute)
	for !strings.Contains(recA.text(), "a assembling") || !strings.Contains(recB.text(), "b assembling") {
		select {
		case <-doneA:
			cancel()
			wg.Wait()
			t.Fatalf("build A ended before both builds reached assemble: %v\nA:\n%s\nB:\n%s", errA, recA.text(), recB.text())
		case <-doneB:
			if !strings.Contains(recB.text(), "b assembling") {
				cancel()
				wg.Wait()
				t.Fatalf("build B ended before its assemble: %v\n%s", errB, recB.text())
			}
			doneB = nil // B finished after its assemble: wait for A's
		case <-deadline:
			t.Fatalf("the builds did not reach assemble in 4 minutes:\nA:\n%s\nB:\n%s", recA.text(), recB.text())
		case <-time.After(200 * time.Millisecond):
		}
	}
	cancel()
	wg.Wait()

	if !errors.Is(errA, context.Canceled) {
		t.Errorf("the cancelled build returned %v", errA)
	}
	if !strings.Contains(recA.text(), "cleanup s2i build container kiln-s2i-") {
		t.Errorf("the cancelled build did not remove its working container:\n%s", recA.text())
	}
	if errB != nil {
		t.Errorf("the other kiln s2i build failed: %v\n%s", errB, recB.text())
	}
	if errPlain != nil {
		t.Errorf("the plain podman build failed: %v", errPlain)
	}
	for _, ref := range []string{outB, outPlain} {
		if !e2etest.ImageExists(ref) {
			t.Errorf("%s is missing", ref)
		}
	}
	if e2etest.ImageExists(outA) {
		t.Errorf("the cancelled build made %s", outA)
	}
	// No working container of the two kiln builds is left (the leak check
	// sees only labelled ones; this sees their kiln-s2i- names too). Only
	// their own names are looked for: other builds on the host (other
	// developers' kiln test runs) have kiln-s2i- containers of their own.
	out := e2etest.Podman(t, "ps", "-a", "--external", "--format", "{{.Names}}")
	for _, rec := range []*recorder{recA, recB} {
		m := regexp.MustCompile(`FROM localhost/(kiln-s2i-[0-9a-f]+):from`).FindStringSubmatch(rec.text())
		if m == nil {
			t.Fatalf("no unique --from name in the build's events:\n%s", rec.text())
		}
		if name := m[1] + "-working-container"; slices.Contains(strings.Fields(out), name) {
			t.Errorf("working container %s left:\n%s", name, out)
		}
	}
}
