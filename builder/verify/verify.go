package verify

import (
	"context"
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kiln-s2i/kiln/builder/image"
	"github.com/kiln-s2i/kiln/scaffold"
	"github.com/kiln-s2i/kiln/scaffold/lint"
	"github.com/kiln-s2i/kiln/scaffold/okd"
)

// Status is a check's result.
type Status string

const (
	Pass Status = "pass"
	Warn Status = "warn"
	Fail Status = "fail"
)

// Result is one check's outcome on one image.
type Result struct {
	ID        string `json:"id"`
	Guideline string `json:"guideline"`
	Title     string `json:"title"`
	Status    Status `json:"result"`
	Message   string `json:"message"`
	Fix       string `json:"fix,omitempty"`
}

// Report is every check's outcome on one image.
type Report struct {
	Image        string   `json:"image"`
	ConfigDigest string   `json:"configDigest"`
	Checks       []Result `json:"checks"`
	Passed       bool     `json:"passed"`
}

// Options tune a verify run.
type Options struct {
	// WritableDirs are the directories the image declares writable (from
	// kiln.yaml with --spec); when empty, WORKDIR, HOME and the s2i
	// destination.
	WritableDirs []string
	// Certification adds the certification checks.
	Certification bool
}

// SpecDirs are the directories a kiln.yaml makes group 0 and g=u, which
// KV002 checks: HOME, writableDirs and volumes (G15).
func SpecDirs(s *scaffold.Spec) []string {
	return append(append([]string{scaffold.Home}, s.WritableDirs...), s.Volumes...)
}

// Thresholds of the warning checks.
const (
	// WastedLimit is the bytes a layer may lose to later layers before KV011 warns.
	WastedLimit = 1 << 20
	// LayerLimit is the layer count above which KV012 warns.
	LayerLimit = 30
)

// cacheDirs are package-manager caches (G06), without a leading slash.
var cacheDirs = []string{
	"var/cache/dnf", "var/cache/yum", "var/cache/apt/archives", "var/lib/apt/lists",
	"var/cache/apk", "root/.cache/pip", "root/.npm/_cacache",
}

// cacheOf returns the cache directory p lies in, or "". Caches of other
// users' homes (pip, npm) count too.
func cacheOf(p string) string {
	for _, d := range cacheDirs {
		if strings.HasPrefix(p, d+"/") {
			return d
		}
	}
	for _, marker := range []string{"/.cache/pip/", "/.npm/_cacache/"} {
		if i := strings.Index(p, marker); i >= 0 {
			return p[:i+len(marker)-1]
		}
	}
	return ""
}

// sshdPaths show an installed OpenSSH server (G12).
var sshdPaths = []string{
	"usr/sbin/sshd", "sbin/sshd", "usr/bin/sshd", "usr/libexec/openssh/sshd-session",
	"var/lib/dpkg/info/openssh-server.list", "usr/share/doc/openssh-server", "etc/ssh/sshd_config",
}

// Run reads img's layers and config and runs every check.
func Run(ctx context.Context, img *image.Image, o Options) (*Report, error) {
	scripts := scriptsDir(img.Config.Config.Labels)
	caches := map[int]map[string]int64{}
	fsys, err := img.ReadFS(ctx, image.WalkOptions{
		Keep: func(p string) bool {
			return scripts != "" && path.Dir(p) == scripts
		},
		Visit: func(layer int, e *image.Entry) {
			if e.Size == 0 {
				return
			}
			if c := cacheOf(e.Path); c != "" {
				if caches[layer] == nil {
					caches[layer] = map[string]int64{}
				}
				caches[layer][c] += e.Size
			}
		},
	})
	if err != nil {
		return nil, err
	}
	v := &verifier{img: img, fs: fsys, o: o, caches: caches, scripts: scripts}
	r := &Report{Image: img.Ref, ConfigDigest: img.ConfigDigest.String(), Passed: true}
	for _, c := range checks {
		if c.Certification && !o.Certification {
			continue
		}
		st, msg := v.run(c.ID)
		res := Result{ID: c.ID, Guideline: c.Guideline, Title: c.Title, Status: st, Message: msg}
		if st != Pass {
			res.Fix = c.Fix
		}
		if st == Fail {
			r.Passed = false
		}
		r.Checks = append(r.Checks, res)
	}
	return r, nil
}

type verifier struct {
	img     *image.Image
	fs      *image.FS
	o       Options
	caches  map[int]map[string]int64
	scripts string // the scripts-url directory inside the image, "" if none
}

func (v *verifier) run(id string) (Status, string) {
	switch id {
	case "KV001":
		return v.user()
	case "KV002":
		return v.writableDirs()
	case "KV003":
		return v.passwd()
	case "KV004":
		return v.sshd()
	case "KV005":
		return v.lowPorts()
	case "KV006":
		return v.exposeServices()
	case "KV007":
		return v.labels()
	case "KV008":
		return v.scriptFiles()
	case "KV009":
		return v.runLint()
	case "KV010":
		return v.cacheLayers()
	case "KV011":
		return v.wasted()
	case "KV012":
		return v.layerCount()
	case "KV013":
		return v.tag()
	case "KV014":
		return v.secretEnv()
	case "KV015":
		return v.certLabels()
	case "KV016":
		return v.licenses()
	}
	panic("verify: no implementation of " + id)
}

func (v *verifier) labels0() map[string]string { return v.img.Config.Config.Labels }

func (v *verifier) user() (Status, string) {
	u := v.img.Config.Config.User
	if u == "" {
		return Fail, "no USER: the image runs as root"
	}
	switch okd.User(u) {
	case okd.Root:
		return Fail, fmt.Sprintf("USER %s is root", u)
	case okd.Named:
		return Fail, fmt.Sprintf("USER %q is a name, not a numeric UID", u)
	}
	return Pass, "USER " + u
}

// envValue returns the config's value of name.
func (v *verifier) envValue(name string) (string, bool) {
	for _, kv := range v.img.Config.Config.Env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == name {
			return val, true
		}
	}
	return "", false
}

// declaredDirs are the directories the image says the app writes.
func (v *verifier) declaredDirs() []string {
	var dirs []string
	if len(v.o.WritableDirs) > 0 {
		dirs = append(dirs, v.o.WritableDirs...)
	} else {
		dirs = v.configDirs()
	}
	for i, d := range dirs {
		dirs[i] = "/" + image.CleanPath(d)
	}
	slices.Sort(dirs)
	return slices.Compact(dirs)
}

// configDirs are WORKDIR, HOME and the s2i destination.
func (v *verifier) configDirs() []string {
	var dirs []string
	if w := v.img.Config.Config.WorkingDir; w != "" {
		dirs = append(dirs, w)
	}
	if h, ok := v.envValue("HOME"); ok && h != "" {
		dirs = append(dirs, h)
	}
	dest := v.labels0()["io.openshift.s2i.destination"]
	if dest == "" {
		dest = "/tmp"
	}
	return append(dirs, dest)
}

func (v *verifier) writableDirs() (Status, string) {
	var bad, ok []string
	for _, d := range v.declaredDirs() {
		if d == "/" {
			continue // WORKDIR / says nothing about where the app writes
		}
		e, found := v.fs.Lookup(d, true)
		switch {
		case !found:
			bad = append(bad, d+" does not exist")
		case !e.IsDir():
			bad = append(bad, d+" is not a directory")
		case e.GID != 0 && e.Mode&0o002 == 0:
			bad = append(bad, fmt.Sprintf("%s is group %d (%s), not group 0", d, e.GID, modeString(e)))
		case e.Mode&0o020 == 0 && e.Mode&0o002 == 0:
			bad = append(bad, fmt.Sprintf("%s is not group-writable (%s)", d, modeString(e)))
		default:
			ok = append(ok, d)
		}
	}
	if len(bad) > 0 {
		return Fail, strings.Join(bad, "; ")
	}
	if len(ok) == 0 {
		return Pass, "no writable directory declared"
	}
	return Pass, strings.Join(ok, ", ") + ": group 0, group-writable"
}

func modeString(e *image.Entry) string {
	return fmt.Sprintf("%d:%d %04o", e.UID, e.GID, uint32(e.Mode.Perm()))
}

func (v *verifier) passwd() (Status, string) {
	e, ok := v.fs.Lookup("etc/passwd", true)
	if !ok {
		return Pass, "no /etc/passwd"
	}
	if e.Mode&0o022 != 0 {
		return Fail, fmt.Sprintf("/etc/passwd is %04o: group- or world-writable", uint32(e.Mode.Perm()))
	}
	return Pass, fmt.Sprintf("/etc/passwd is %04o", uint32(e.Mode.Perm()))
}

func (v *verifier) sshd() (Status, string) {
	var found []string
	seen := map[string]bool{}
	for _, p := range sshdPaths {
		// Lookup follows /sbin -> usr/sbin in merged-/usr images.
		if e, ok := v.fs.Lookup(p, false); ok && !seen[e.Path] {
			seen[e.Path] = true
			found = append(found, "/"+p)
		}
	}
	if len(found) > 0 {
		return Fail, "OpenSSH server found: " + strings.Join(found, ", ")
	}
	return Pass, "no sshd"
}

// ports returns the exposed ports as "8080/tcp", sorted.
func (v *verifier) ports() []string {
	var out []string
	for p := range v.img.Config.Config.ExposedPorts {
		if !strings.Contains(p, "/") {
			p += "/tcp"
		}
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func portNumber(p string) int {
	n, _ := strconv.Atoi(strings.SplitN(p, "/", 2)[0])
	return n
}

func (v *verifier) lowPorts() (Status, string) {
	ports := v.ports()
	var low []string
	for _, p := range ports {
		if okd.PrivilegedPort(portNumber(p)) {
			low = append(low, p)
		}
	}
	switch {
	case len(low) > 0:
		return Fail, "privileged port(s) exposed: " + strings.Join(low, ", ")
	case len(ports) == 0:
		return Pass, "no port exposed"
	}
	return Pass, "exposed: " + strings.Join(ports, ", ")
}

// labelPorts reads io.openshift.expose-services: "8080:http,8443/tcp:https".
func labelPorts(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		port, _, _ := strings.Cut(item, ":")
		if !strings.Contains(port, "/") {
			port += "/tcp"
		}
		out = append(out, port)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

func (v *verifier) exposeServices() (Status, string) {
	ports := v.ports()
	label, has := v.labels0()["io.openshift.expose-services"]
	switch {
	case len(ports) == 0 && !has:
		return Warn, "the image exposes no port and has no io.openshift.expose-services label"
	case !has:
		return Warn, "no io.openshift.expose-services label for " + strings.Join(ports, ", ")
	}
	named := labelPorts(label)
	var onlyLabel, onlyExpose []string
	for _, p := range named {
		if !slices.Contains(ports, p) {
			onlyLabel = append(onlyLabel, p)
		}
	}
	for _, p := range ports {
		if !slices.Contains(named, p) {
			onlyExpose = append(onlyExpose, p)
		}
	}
	var msgs []string
	if len(onlyLabel) > 0 {
		msgs = append(msgs, "in io.openshift.expose-services but not exposed: "+strings.Join(onlyLabel, ", "))
	}
	if len(onlyExpose) > 0 {
		msgs = append(msgs, "exposed but not in io.openshift.expose-services: "+strings.Join(onlyExpose, ", "))
	}
	if len(msgs) > 0 {
		return Fail, strings.Join(msgs, "; ")
	}
	return Pass, "EXPOSE and the label agree: " + strings.Join(ports, ", ")
}

var okdLabels = []string{"io.k8s.description", "io.k8s.display-name", "io.openshift.tags", "io.openshift.s2i.scripts-url"}

func (v *verifier) labels() (Status, string) {
	l := v.labels0()
	var missing []string
	for _, k := range okdLabels {
		if strings.TrimSpace(l[k]) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return Fail, "missing: " + strings.Join(missing, ", ")
	}
	if !slices.Contains(okd.SplitList(l["io.openshift.tags"]), "builder") {
		return Fail, fmt.Sprintf("io.openshift.tags %q does not contain builder", l["io.openshift.tags"])
	}
	return Pass, "io.k8s.description, io.k8s.display-name, io.openshift.tags (builder), io.openshift.s2i.scripts-url"
}

// scriptsDir is the image path of io.openshift.s2i.scripts-url (image://DIR),
// cleaned, or "".
func scriptsDir(labels map[string]string) string {
	u := labels["io.openshift.s2i.scripts-url"]
	if u == "" {
		u = labels["io.s2i.scripts-url"]
	}
	if d, ok := strings.CutPrefix(u, "image://"); ok {
		return image.CleanPath(d)
	}
	return ""
}

// groupExecutable reports whether the arbitrary UID (group 0) can run e.
func groupExecutable(e *image.Entry) bool {
	return (e.GID == 0 && e.Mode&0o010 != 0) || e.Mode&0o001 != 0
}

func (v *verifier) scriptFiles() (Status, string) {
	u := v.labels0()["io.openshift.s2i.scripts-url"]
	if u == "" {
		u = v.labels0()["io.s2i.scripts-url"]
	}
	if u == "" {
		return Fail, "no io.openshift.s2i.scripts-url label: s2i cannot find assemble and run"
	}
	if v.scripts == "" {
		return Warn, fmt.Sprintf("scripts-url %s is outside the image: its scripts cannot be checked here", u)
	}
	var bad []string
	for _, name := range []string{"assemble", "run"} {
		p := path.Join(v.scripts, name)
		e, ok := v.fs.Lookup(p, true)
		switch {
		case !ok:
			bad = append(bad, "/"+p+" is missing")
		case !e.IsRegular():
			bad = append(bad, "/"+p+" is not a file")
		case !groupExecutable(e):
			bad = append(bad, fmt.Sprintf("/%s is not executable by group 0 (%s)", p, modeString(e)))
		}
	}
	if len(bad) > 0 {
		return Fail, strings.Join(bad, "; ")
	}
	return Pass, fmt.Sprintf("/%s/assemble and /%s/run are executable", v.scripts, v.scripts)
}

func (v *verifier) runLint() (Status, string) {
	if v.scripts == "" {
		return Warn, "no scripts-url in the image: run cannot be read"
	}
	p := path.Join(v.scripts, "run")
	e, ok := v.fs.Lookup(p, true)
	if !ok || !e.IsRegular() {
		return Warn, "/" + p + " is missing (see KV008)"
	}
	if e.Data == nil && e.Size > 0 {
		// a hardlink or symlink to a file outside the scripts directory
		if t, ok := v.fs.Entries[e.Link]; ok && t.Data != nil {
			e = t
		} else {
			return Warn, "/" + p + " is too big or not kept to lint"
		}
	}
	findings, err := lint.Script("run", e.Data, e.Mode.Perm(), lint.Options{}) // a lone script: no kiln.yaml is read
	if err != nil {
		return Fail, fmt.Sprintf("/%s does not parse as a shell script: %v", p, err)
	}
	if len(findings) == 0 {
		return Pass, "/" + p + " passes kiln lint"
	}
	st := Warn
	var ids []string
	for _, f := range findings {
		if f.Severity == lint.Error {
			st = Fail
		}
		ids = append(ids, fmt.Sprintf("%s line %d: %s", f.Rule, f.Line, f.Message))
	}
	return st, "/" + p + ": " + strings.Join(ids, "; ")
}

func (v *verifier) cacheLayers() (Status, string) {
	var msgs []string
	for n := range v.fs.Layers {
		c := v.caches[n]
		dirs := make([]string, 0, len(c))
		for d := range c {
			dirs = append(dirs, d)
		}
		sort.Strings(dirs)
		for _, d := range dirs {
			msgs = append(msgs, fmt.Sprintf("layer %d (%s) holds %s in /%s", n+1, image.ShortDigest(v.fs.Layers[n].Digest), image.HumanBytes(c[d]), d))
		}
	}
	if len(msgs) > 0 {
		return Fail, strings.Join(msgs, "; ")
	}
	return Pass, "no package-manager cache in any layer"
}

func (v *verifier) wasted() (Status, string) {
	var total int64
	var msgs []string
	for n, l := range v.fs.Layers {
		total += l.Wasted
		if l.Wasted >= WastedLimit {
			msgs = append(msgs, fmt.Sprintf("layer %d (%s): %s removed or overwritten later (%s)", n+1, image.ShortDigest(l.Digest), image.HumanBytes(l.Wasted), strings.Join(l.WastedPaths, ", ")))
		}
	}
	if len(msgs) > 0 {
		return Warn, strings.Join(msgs, "; ")
	}
	return Pass, fmt.Sprintf("%s wasted in all", image.HumanBytes(total))
}

func (v *verifier) layerCount() (Status, string) {
	n := len(v.fs.Layers)
	if n > LayerLimit {
		return Warn, fmt.Sprintf("%d layers (more than %d)", n, LayerLimit)
	}
	return Pass, fmt.Sprintf("%d layers", n)
}

func (v *verifier) tag() (Status, string) {
	switch v.img.Tag {
	case "":
		return Pass, "no tag in the reference"
	case "latest":
		return Fail, "the image is tagged latest"
	}
	return Pass, "tag " + v.img.Tag
}

func (v *verifier) secretEnv() (Status, string) {
	var bad []string
	for _, kv := range v.img.Config.Config.Env {
		k, val, _ := strings.Cut(kv, "=")
		if okd.SecretDefault(k, val) {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		// Name the variables, never their values.
		return Fail, "ENV sets a value for " + strings.Join(bad, ", ")
	}
	return Pass, "no secret-looking variable has a value"
}

var certLabels = []string{"name", "vendor", "version", "release", "summary", "description", "maintainer"}

func (v *verifier) certLabels() (Status, string) {
	var missing []string
	for _, k := range certLabels {
		if strings.TrimSpace(v.labels0()[k]) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return Fail, "missing: " + strings.Join(missing, ", ")
	}
	return Pass, strings.Join(certLabels, ", ")
}

func (v *verifier) licenses() (Status, string) {
	e, ok := v.fs.Lookup("licenses", true)
	if !ok || !e.IsDir() {
		return Fail, "no /licenses directory"
	}
	n := 0
	for _, f := range v.fs.List("/" + image.CleanPath(e.Path)) {
		if f.IsRegular() && f.Size > 0 {
			n++
		}
	}
	if n == 0 {
		return Fail, "/licenses holds no license file"
	}
	return Pass, fmt.Sprintf("/licenses holds %d file(s)", n)
}
