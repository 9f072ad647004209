// Package e2etest is the harness of kiln's end-to-end tests with a real
// podman: it finds the engine (a missing one fails the test under
// KILN_E2E=1 and skips it loudly otherwise), makes the base images locally
// (no registry is reachable) and caches them in podman's storage by tag, and
// checks that a test leaves no container or image behind.
//
// The leak check sees only the test's own objects: LeakCheck gives the test
// a label of its own (KILN_LABEL, which kiln puts on every image it builds
// and container it runs, and Podman on the builds and runs it makes), so
// other podman users on the machine do not disturb it. Tests using the
// harness are still serialized across packages by a lock file, to share the
// two CPUs fairly.
package e2etest

import (
	"archive/tar"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.podman.io/storage"
)

// Base image references. The tag is the recipe's version: change it when
// the recipe changes.
const (
	BusyboxRef = "localhost/kiln-e2e-busybox:1"
	PythonRef  = "localhost/kiln-e2e-python:bookworm"
	// DebianRef is a Debian bookworm minbase made with debootstrap, the
	// shared layer under the language runtimes of RuntimeBase.
	DebianRef = "localhost/kiln-e2e-debian:bookworm-1"
)

// RepoRoot is the kiln repository's root (the directory holding go.mod).
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the e2etest package")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// ContainersConf is testdata/containers.conf at the repo root: runc and
// default ulimits this kind of VM allows.
func ContainersConf(t testing.TB) string {
	return filepath.Join(RepoRoot(t), "testdata", "containers.conf")
}

// RequireEngine makes sure podman is usable for this test: it exports
// CONTAINERS_CONF (unless set), takes the e2e lock for the test's duration
// and returns podman's path. Without podman the test fails when KILN_E2E=1
// and is skipped loudly otherwise.
func RequireEngine(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("podman")
	if err != nil {
		missing(t, "podman is not installed (apt-get install podman buildah runc)")
	}
	if os.Getenv("CONTAINERS_CONF") == "" {
		t.Setenv("CONTAINERS_CONF", ContainersConf(t))
	}
	lock(t)
	if out, err := exec.Command(path, "info", "--format", "{{.Store.GraphRoot}}").CombinedOutput(); err != nil {
		missing(t, fmt.Sprintf("podman does not work: %v: %s", err, out))
	}
	return path
}

func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("KILN_E2E") == "1" {
		t.Fatalf("KILN_E2E=1 but %s", why)
	}
	t.Skipf("SKIPPING E2E TEST: %s (set KILN_E2E=1 to make this a failure)", why)
}

// lock serializes e2e tests across test binaries (packages run in parallel).
func lock(t testing.TB) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "kiln-e2e.lock"), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	})
}

// Podman runs podman and returns its trimmed stdout, failing the test on
// error. Builds and runs carry the test's label (KILN_LABEL) when it has one.
func Podman(t testing.TB, args ...string) string {
	t.Helper()
	if l := os.Getenv("KILN_LABEL"); l != "" && len(args) > 0 && (args[0] == "build" || args[0] == "run" || args[0] == "create") {
		args = append([]string{args[0], "--label", l}, args[1:]...)
	}
	out, err := podmanOutput(args...)
	if err != nil {
		t.Fatalf("podman %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func podmanOutput(args ...string) (string, error) {
	cmd := exec.Command("podman", args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// ImageExists reports whether podman has ref.
func ImageExists(ref string) bool {
	return exec.Command("podman", "image", "exists", ref).Run() == nil
}

var baseMu sync.Mutex

// BusyboxBase returns a tiny base image: /bin/busybox from Debian's
// busybox-static with its applet links, /tmp mode 1777, no /etc/passwd.
// It is made once and cached in podman's storage.
func BusyboxBase(t testing.TB) string {
	t.Helper()
	baseMu.Lock()
	defer baseMu.Unlock()
	if ImageExists(BusyboxRef) {
		return BusyboxRef
	}
	bb := ""
	for _, p := range []string{"/bin/busybox", "/usr/bin/busybox"} {
		if _, err := os.Stat(p); err == nil {
			bb = p
		}
	}
	if bb == "" {
		missing(t, "busybox-static is not installed (apt-get install busybox-static)")
	}
	root := t.TempDir()
	for _, d := range []string{"bin", "tmp", "etc", "dev", "proc", "sys"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(root, "tmp"), 0o1777); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(bb)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "bin", "busybox"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bb, "--list").Output()
	if err != nil {
		t.Fatalf("busybox --list: %v", err)
	}
	for _, applet := range strings.Fields(string(out)) {
		if applet == "busybox" {
			continue
		}
		_ = os.Symlink("busybox", filepath.Join(root, "bin", applet))
	}
	importRootfs(t, root, BusyboxRef)
	return BusyboxRef
}

// PythonBase returns a Debian bookworm minbase image with python3, made
// with debootstrap from Debian's mirror (about a minute) and cached.
func PythonBase(t testing.TB) string {
	t.Helper()
	baseMu.Lock()
	defer baseMu.Unlock()
	if ImageExists(PythonRef) {
		return PythonRef
	}
	debootstrap(t, PythonRef, "minbase", []string{"python3"})
	return PythonRef
}

// DebianBase returns a Debian bookworm minbase image made with debootstrap
// and cached; RuntimeBase adds a language runtime to it.
func DebianBase(t testing.TB) string {
	t.Helper()
	baseMu.Lock()
	defer baseMu.Unlock()
	return debianBase(t)
}

func debianBase(t testing.TB) string {
	t.Helper()
	if ImageExists(DebianRef) {
		return DebianRef
	}
	debootstrap(t, DebianRef, "minbase", nil)
	return DebianRef
}

// debootstrap makes a Debian bookworm image from Debian's mirror.
func debootstrap(t testing.TB, ref, variant string, include []string) {
	t.Helper()
	if _, err := exec.LookPath("debootstrap"); err != nil {
		missing(t, "debootstrap is not installed (apt-get install debootstrap)")
	}
	root := filepath.Join(t.TempDir(), "rootfs")
	args := []string{"--variant=" + variant}
	if len(include) > 0 {
		args = append(args, "--include="+strings.Join(include, ","))
	}
	cmd := exec.Command("debootstrap", append(args, "bookworm", root, "http://deb.debian.org/debian")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("debootstrap: %v\n%s", err, tail(string(out), 20))
	}
	// Package caches and lists have no place in a base image.
	for _, d := range []string{"var/cache/apt/archives", "var/lib/apt/lists"} {
		entries, _ := os.ReadDir(filepath.Join(root, d))
		for _, e := range entries {
			if e.Name() != "partial" && e.Name() != "lock" {
				os.RemoveAll(filepath.Join(root, d, e.Name()))
			}
		}
	}
	// debootstrap leaves root-owned device nodes and mounts nothing; the
	// rootfs is removed with the temp dir.
	importRootfs(t, root, ref)
}

// Runtime is a language runtime from Debian's packages, layered on
// DebianBase. Its packages include the preset's own package list, so that
// the builder's `apt-get install` of them finds them already there.
type Runtime struct {
	Ref      string   // the image; its tag is the recipe's version
	Packages []string // Debian packages installed with apt
}

// Runtimes are the e2e runtime images, by preset name. Java has no Maven:
// Debian's Maven cannot build offline without the plugins a project names,
// so the e2e test proves the javac path (see the java preset's README).
var Runtimes = map[string]Runtime{
	"python": {"localhost/kiln-e2e-rt-python:bookworm-2", []string{"python3", "python3-venv", "python3-pip", "tini", "libpq-dev", "default-libmysqlclient-dev"}},
	"nodejs": {"localhost/kiln-e2e-rt-nodejs:bookworm-2", []string{"nodejs", "npm", "tini", "ca-certificates"}},
	"ruby":   {"localhost/kiln-e2e-rt-ruby:bookworm-2", []string{"ruby", "ruby-bundler", "libpq-dev", "default-libmysqlclient-dev"}},
	"java":   {"localhost/kiln-e2e-rt-java:bookworm-2", []string{"default-jdk-headless", "tar", "gzip"}},
	"go":     {"localhost/kiln-e2e-rt-go:bookworm-2", []string{"golang-go", "tar", "gzip"}},
	"php":    {"localhost/kiln-e2e-rt-php:bookworm-2", []string{"php-cli", "php-pgsql", "php-mysql", "php-mbstring", "php-xml", "php-curl", "php-zip", "composer", "unzip", "tini"}},
	// The servers the python and ruby run scripts start when the app has
	// them, from Debian's packages (no gem or wheel index is reachable).
	"python+gunicorn": {"localhost/kiln-e2e-rt-python-gunicorn:bookworm-2", []string{"python3", "python3-venv", "tini", "gunicorn"}},
	"ruby+puma":       {"localhost/kiln-e2e-rt-ruby-puma:bookworm-1", []string{"ruby", "ruby-bundler", "puma", "ruby-rack"}},
}

// RuntimeBase returns the e2e image of a preset's language runtime: Debian
// bookworm with the runtime's Debian packages, made once with podman build
// (apt reaches Debian's mirror) and cached in podman's storage.
func RuntimeBase(t testing.TB, preset string) string {
	t.Helper()
	rt, ok := Runtimes[preset]
	if !ok {
		t.Fatalf("no e2e runtime image for preset %q", preset)
	}
	baseMu.Lock()
	defer baseMu.Unlock()
	if ImageExists(rt.Ref) {
		return rt.Ref
	}
	base := debianBase(t)
	dir := t.TempDir()
	containerfile := "FROM " + base + "\n" +
		"RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends " +
		strings.Join(rt.Packages, " ") + " && apt-get clean && rm -rf /var/lib/apt/lists/*\n"
	if err := os.WriteFile(filepath.Join(dir, "Containerfile"), []byte(containerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	// One layer (--squash-all): kiln verify's layer checks (G07) see the
	// runtime as one upstream base layer, as with an official image.
	cmd := exec.Command("podman", "build", "--squash-all", "--label", "io.kiln.e2e=base", "-t", rt.Ref, "-f", filepath.Join(dir, "Containerfile"), dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", rt.Ref, err, tail(string(out), 30))
	}
	return rt.Ref
}

func importRootfs(t testing.TB, root, ref string) {
	t.Helper()
	tarCmd := exec.Command("tar", "-C", root, "-c", ".")
	imp := exec.Command("podman", "import", "-", ref)
	pipe, err := tarCmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	imp.Stdin = pipe
	var stderr bytes.Buffer
	imp.Stderr = &stderr
	if err := tarCmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := imp.Run(); err != nil {
		t.Fatalf("podman import %s: %v: %s", ref, err, stderr.String())
	}
	if err := tarCmd.Wait(); err != nil {
		t.Fatalf("tar of %s: %v", root, err)
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// LabelKey is the label that marks a test's objects; its value is the
// test's own run ID.
const LabelKey = "io.kiln.test"

// labelled lists the images (intermediate layers included) and the
// containers carrying label, and the working containers of build steps made
// from those images. A build's first working container, made from the base
// image, carries no label podman lets us see, so it is not counted.
func labelled(t testing.TB, label string) (containers, images []string) {
	t.Helper()
	images = strings.Fields(podmanListing(t, "images", "-a", "-q", "--no-trunc", "--filter", "label="+label))
	for i, id := range images {
		images[i] = strings.TrimPrefix(id, "sha256:")
	}
	// podman ignores the label filter for build containers (--external), so
	// read every container's labels and image.
	var all []struct {
		ID      string            `json:"Id"`
		ImageID string            `json:"ImageID"`
		Labels  map[string]string `json:"Labels"`
		Names   []string          `json:"Names"`
	}
	if err := json.Unmarshal([]byte(podmanListing(t, "ps", "-a", "--external", "--no-trunc", "--format", "json")), &all); err != nil {
		t.Fatalf("podman ps: %v", err)
	}
	k, v, _ := strings.Cut(label, "=")
	for _, c := range all {
		if c.Labels[k] == v || slices.Contains(images, strings.TrimPrefix(c.ImageID, "sha256:")) {
			containers = append(containers, c.ID+" "+strings.Join(c.Names, ","))
		}
	}
	slices.Sort(containers)
	slices.Sort(images)
	return containers, images
}

// podmanListing runs a podman listing, tried again when it fails: a listing
// races with other podman users removing their own images on the same host
// ("image not known"), which says nothing about this test's objects.
func podmanListing(t testing.TB, args ...string) string {
	t.Helper()
	var err error
	for range 3 {
		var out string
		if out, err = podmanOutput(args...); err == nil {
			return out
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("podman %s: %v", strings.Join(args, " "), err)
	return ""
}

// LeakCheck gives the test its own label (KILN_LABEL=io.kiln.test=<run ID>,
// returned) and, when the test ends (after the cleanups registered later
// have run), fails the test if any container or image with that label is
// left, dangling build layers included. Call it after RequireEngine and
// before creating anything.
func LeakCheck(t testing.TB) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	label := LabelKey + "=" + hex.EncodeToString(b)
	t.Setenv("KILN_LABEL", label)
	t.Cleanup(func() {
		containers, images := labelled(t, label)
		if len(containers) > 0 {
			t.Errorf("containers left behind (leak check, label %s):\n  %s", label, strings.Join(containers, "\n  "))
		}
		if len(images) > 0 {
			t.Errorf("images left behind (leak check, label %s):\n  %s\n%s", label, strings.Join(images, "\n  "),
				Podman(t, "images", "-a", "--filter", "label="+label))
		}
	})
	return label
}

// RemoveImageAtEnd removes ref when the test ends (before the leak check).
func RemoveImageAtEnd(t testing.TB, ref string) {
	t.Cleanup(func() {
		if ImageExists(ref) {
			if _, err := podmanOutput("rmi", "-f", ref); err != nil {
				t.Errorf("removing %s: %v", ref, err)
			}
		}
	})
}

// RemoveNewDanglingAtEnd removes, when the test ends, the dangling images
// with the test's label (rebuilding a tag leaves the old image dangling).
// Call it after LeakCheck.
func RemoveNewDanglingAtEnd(t testing.TB) {
	t.Helper()
	label := os.Getenv("KILN_LABEL")
	if label == "" {
		t.Fatal("RemoveNewDanglingAtEnd needs the test's label: call LeakCheck first")
	}
	t.Cleanup(func() {
		out, err := podmanOutput("images", "-q", "--no-trunc", "--filter", "dangling=true", "--filter", "label="+label)
		if err != nil {
			t.Error(err)
			return
		}
		for _, id := range strings.Fields(out) {
			_, _ = podmanOutput("rmi", id)
		}
	})
}

// KilnBinary builds cmd/kiln (CGO_ENABLED=0, as the Makefile does) into the
// test's temp dir and returns its path.
func KilnBinary(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kiln")
	cmd := exec.Command("go", "build", "-tags", "containers_image_openpgp", "-o", path, "./cmd/kiln")
	cmd.Dir = RepoRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/kiln: %v\n%s", err, out)
	}
	return path
}

// Leftovers lists what a run with label left besides the image keep (kiln
// test keeps the builder image) and keep's layers: containers with the
// label or made from a labelled image (build containers included), labelled
// images that are not keep or one of its parents, and kiln's unique tags
// (kiln-build-*, kiln-s2i-*, kiln-test-*) on keep and on base.
func Leftovers(t testing.TB, label, keep, base string) []string {
	t.Helper()
	containers, images := labelled(t, label)
	var left []string
	for _, c := range containers {
		left = append(left, "container "+c)
	}
	chain := map[string]bool{}
	if ImageExists(keep) {
		id, _ := podmanOutput("image", "inspect", "--format", "{{.Id}}", keep)
		for id != "" && !chain[id] {
			chain[id] = true
			id, _ = podmanOutput("image", "inspect", "--format", "{{.Parent}}", id)
			id = strings.TrimPrefix(id, "sha256:")
		}
	}
	for _, id := range images {
		if !chain[id] {
			left = append(left, "image "+id)
		}
	}
	for _, ref := range []string{keep, base} {
		if !ImageExists(ref) {
			continue
		}
		tags, _ := podmanOutput("image", "inspect", "--format", "{{range .RepoTags}}{{println .}}{{end}}", ref)
		for _, tag := range strings.Fields(tags) {
			if strings.Contains(tag, "/kiln-build-") || strings.Contains(tag, "/kiln-s2i-") || strings.Contains(tag, "/kiln-test-") {
				left = append(left, "tag "+tag)
			}
		}
	}
	return left
}

// StorageConf writes a storage.conf for a store of the test's own in a
// temporary directory (vfs driver) and returns its path: podman, buildah
// and kiln use that store when CONTAINERS_STORAGE_CONF names it, and the
// user's store is never touched.
func StorageConf(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "storage.conf")
	text := fmt.Sprintf("[storage]\ndriver = \"vfs\"\ngraphroot = %q\nrunroot = %q\n", filepath.Join(dir, "graph"), filepath.Join(dir, "run"))
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return conf
}

// BrokenCommit puts in the store of conf (StorageConf) what a podman commit
// killed at the wrong moment leaves: base, a real image imported with
// podman, and child, an image made on base's top layer that has no
// manifest; other is a second image without a manifest on a layer of its
// own (another process's interrupted commit). It returns the base's
// reference and the IDs of child and other.
func BrokenCommit(t testing.TB, conf string) (base, child, other string) {
	t.Helper()
	base = "localhost/kiln-e2e-broken-base:1"
	var tarball bytes.Buffer
	tw := tar.NewWriter(&tarball)
	data := []byte("kiln\n")
	if err := tw.WriteHeader(&tar.Header{Name: "hello", Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	_, _ = tw.Write(data)
	tw.Close()
	imp := exec.Command("podman", "import", "-", base)
	imp.Env = append(os.Environ(), "CONTAINERS_STORAGE_CONF="+conf)
	imp.Stdin = &tarball
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("podman import into %s: %v\n%s", conf, err, out)
	}
	dir := filepath.Dir(conf)
	s, err := storage.GetStore(storage.StoreOptions{GraphRoot: filepath.Join(dir, "graph"), RunRoot: filepath.Join(dir, "run"), GraphDriverName: "vfs"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = s.Shutdown(false) }()
	img, err := s.Image(base)
	if err != nil {
		t.Fatal(err)
	}
	// the commit's layer is written first, then the image record; the
	// manifest would come next
	l, err := s.CreateLayer("", img.TopLayer, nil, "", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateImage("", nil, l.ID, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	ol, err := s.CreateLayer("", "", nil, "", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	o, err := s.CreateImage("", nil, ol.ID, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return base, c.ID, o.ID
}
