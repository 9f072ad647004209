package builder_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/builder/e2etest"
)

// recorder keeps the events of a run.
type recorder struct {
	mu  sync.Mutex
	evs []builder.Event
}

func (r *recorder) Event(e builder.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.evs = append(r.evs, e)
}

func (r *recorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, e := range r.evs {
		b.WriteString(string(e.Kind) + " " + e.Step + " " + e.Line + e.Message + e.Err + "\n")
	}
	return b.String()
}

func podmanEngine(t *testing.T) *builder.Engine {
	t.Helper()
	e, err := builder.DetectEngine("podman")
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// copyFixture copies a fixture directory (modes kept) into a temp dir.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	out, err := exec.Command("cp", "-a", filepath.Join("testdata", "fixtures", name), dst).CombinedOutput()
	if err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	return dst
}

// TestE2ES2IBuildSemantics builds the fixture app with the fixture builder
// and checks what OKD's s2i would give: labels, environment, source layout
// (no .git, no .s2iignore matches, the override script moved out), the run
// override as CMD, the assemble user, and incremental restore and fallback.
func TestE2ES2IBuildSemantics(t *testing.T) {
	e2etest.RequireEngine(t)
	base := e2etest.BusyboxBase(t)
	e2etest.LeakCheck(t)
	e := podmanEngine(t)
	ctx := context.Background()

	builderRef := "localhost/kiln-e2e-s2i-fixture:1"
	e2etest.RemoveImageAtEnd(t, builderRef)
	rec := &recorder{}
	if err := e.Build(ctx, rec, "build", builder.BuildOptions{ContextDir: filepath.Join("testdata", "fixtures", "builder"),
		Tags: []string{builderRef}, BuildArgs: []string{"BASE=" + base}}); err != nil {
		t.Fatalf("%v\n%s", err, rec.text())
	}

	src := copyFixture(t, "app")
	git := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com",
			"GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "first version")
	git("remote", "add", "origin", "https://example.com/fixture-app.git")

	out := "localhost/kiln-e2e-s2i-app:1"
	e2etest.RemoveImageAtEnd(t, out)
	o := builder.S2IOptions{Source: src, Builder: builderRef, Output: out, AllowedUIDs: "1-",
		Env: []string{"FROM_FLAG=a;b&c|d"}, Incremental: true}

	// No previous image: incremental falls back to a clean build with a warning.
	rec = &recorder{}
	res, err := builder.S2IBuild(ctx, e, rec, "s2i", o)
	if err != nil {
		t.Fatalf("%v\n%s", err, rec.text())
	}
	if res.Restored || !strings.Contains(rec.text(), "warning s2i incremental build: no previous image") {
		t.Errorf("want a clean build with a warning, got restored=%v:\n%s", res.Restored, rec.text())
	}
	if !strings.Contains(rec.text(), "build: downloading dependencies") {
		t.Errorf("the first build did not run the app's build:\n%s", rec.text())
	}

	labels := e2etest.Podman(t, "image", "inspect", "--format", "{{json .Labels}}", out)
	for _, want := range []string{
		`"io.openshift.s2i.build.image":"` + builderRef + `"`,
		`"io.k8s.display-name":"` + out + `"`,
		`"io.openshift.s2i.build.commit.message":"first version"`,
		`"io.openshift.s2i.build.commit.ref":"main"`,
		`"io.openshift.s2i.build.commit.author":"Ada <ada@example.com>"`,
		`"io.openshift.s2i.build.source-location":"https://example.com/fixture-app.git"`,
		`"io.openshift.s2i.build.commit.id":"`,
		`"io.k8s.description":"kiln test fixture builder"`, // the builder's labels stay
	} {
		if !strings.Contains(labels, want) {
			t.Errorf("labels lack %s:\n%s", want, labels)
		}
	}

	printed := e2etest.Podman(t, "run", "--rm", "--user", "1000870000:0", out)
	for _, want := range []string{
		"GREETING=hello world",
		"TRICKY=\"quoted\" $HOME ${X} back\\slash 'single' `tick`",
		"FROM_FLAG=a;b&c|d",
		"uid=1000870000",
		"./.s2i/environment",
		"./build",
	} {
		if !strings.Contains(printed, want+"\n") {
			t.Errorf("the app image printed no line %q:\n%s", want, printed)
		}
	}
	for _, absent := range []string{"./.git", "./debug.log", "./secret", "./.s2i/bin/run"} {
		if strings.Contains(printed, absent) {
			t.Errorf("%s should not be in the source dir:\n%s", absent, printed)
		}
	}

	// Second build: save-artifacts of the first image is restored before
	// assemble; the first image is kept (s2i keeps it without --rm).
	firstID := e2etest.Podman(t, "image", "inspect", "--format", "{{.Id}}", out)
	rec = &recorder{}
	res, err = builder.S2IBuild(ctx, e, rec, "s2i", o)
	if err != nil {
		t.Fatalf("%v\n%s", err, rec.text())
	}
	if !res.Restored || !strings.Contains(rec.text(), "---> Restored artifacts: deps") ||
		!strings.Contains(rec.text(), "build: deps/ restored, skipping the download") {
		t.Errorf("the incremental build did not restore deps/:\n%s", rec.text())
	}
	if strings.Contains(rec.text(), "cleanup s2i previous image") || !e2etest.ImageExists(firstID) {
		t.Errorf("the previous image was removed without --rm:\n%s", rec.text())
	}
	// Third build with --rm: the image the second one made is removed.
	secondID := e2etest.Podman(t, "image", "inspect", "--format", "{{.Id}}", out)
	o3 := o
	o3.RemovePrevious = true
	rec = &recorder{}
	if _, err = builder.S2IBuild(ctx, e, rec, "s2i", o3); err != nil {
		t.Fatalf("%v\n%s", err, rec.text())
	}
	if !strings.Contains(rec.text(), "cleanup s2i previous image") || e2etest.ImageExists(secondID) {
		t.Errorf("--rm did not remove the previous image:\n%s", rec.text())
	}
	e2etest.Podman(t, "rmi", firstID)

	// --as-dockerfile writes the Dockerfile and upload/ and builds nothing;
	// DIR/ means DIR/Dockerfile, and DIR is created.
	dfDir := filepath.Join(t.TempDir(), "new", "dir")
	o2 := o
	o2.Incremental = false
	o2.AsDockerfile = dfDir + "/"
	if _, err := builder.S2IBuild(ctx, e, nil, "s2i", o2); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"Dockerfile", "upload/src/build", "upload/scripts/run"} {
		if _, err := os.Stat(filepath.Join(dfDir, p)); err != nil {
			t.Errorf("--as-dockerfile did not write %s: %v", p, err)
		}
	}
	if _, err := builder.S2IBuild(ctx, e, nil, "s2i", o2); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a second --as-dockerfile into the same dir: err = %v, want 'already exists'", err)
	}
	o2.AsDockerfile = filepath.Join(src, "gen", "Dockerfile")
	if _, err := builder.S2IBuild(ctx, e, nil, "s2i", o2); err == nil || !strings.Contains(err.Error(), "inside the source") {
		t.Errorf("--as-dockerfile inside the source: err = %v", err)
	}

	// A source given as a symbolic link builds its target's files.
	link := filepath.Join(t.TempDir(), "app-link")
	if err := os.Symlink(src, link); err != nil {
		t.Fatal(err)
	}
	o4 := o
	o4.Source, o4.Incremental = link, false
	rec = &recorder{}
	if _, err := builder.S2IBuild(ctx, e, rec, "s2i", o4); err != nil {
		t.Fatalf("%v\n%s", err, rec.text())
	}
	if printed := e2etest.Podman(t, "run", "--rm", "--user", "1000870000:0", out); !strings.Contains(printed, "./build\n") {
		t.Errorf("the image built from a linked source lacks its files:\n%s", printed)
	}
	e2etest.RemoveNewDanglingAtEnd(t)
}
