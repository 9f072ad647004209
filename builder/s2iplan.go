package builder

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	neturl "net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kiln-s2i/kiln/scaffold"
	"github.com/kiln-s2i/kiln/scaffold/bounded"
	"github.com/kiln-s2i/kiln/scaffold/okd"
)

// s2i label names and defaults, as OKD's s2i reads them.
const (
	LabelScriptsURL       = "io.openshift.s2i.scripts-url"
	LabelLegacyScriptsURL = "io.s2i.scripts-url"
	LabelAssembleUser     = "io.openshift.s2i.assemble-user"
	LabelDestination      = "io.openshift.s2i.destination"
	LabelBuildImage       = "io.openshift.s2i.build.image"
	LabelDisplayName      = "io.k8s.display-name"
	LabelDescription      = "io.k8s.description"
	LabelCommitAuthor     = "io.openshift.s2i.build.commit.author"
	LabelCommitDate       = "io.openshift.s2i.build.commit.date"
	LabelCommitID         = "io.openshift.s2i.build.commit.id"
	LabelCommitRef        = "io.openshift.s2i.build.commit.ref"
	LabelCommitMessage    = "io.openshift.s2i.build.commit.message"
	LabelSourceLocation   = "io.openshift.s2i.build.source-location"
	LabelSourceContextDir = "io.openshift.s2i.build.source-context-dir"

	DefaultScriptsDir = "/usr/libexec/s2i"
	// MetadataFile is where assemble may write labels for the output
	// image, as s2i reads them: {"labels": [{"key": "value"}, ...]}.
	MetadataDir        = "/tmp/.s2i"
	MetadataFile       = MetadataDir + "/image_metadata.json"
	DefaultDestination = "/tmp"
)

// The s2i scripts a build uses, in the order they are resolved.
var s2iScripts = []string{"assemble", "run", "save-artifacts"}

// S2IOptions are the inputs of `kiln s2i build SRC BUILDER OUT`.
type S2IOptions struct {
	Source       string
	Builder      string
	Output       string
	AssembleUser string   // --assemble-user
	AllowedUIDs  string   // --allowed-uids, e.g. "1-" or "1000-2000,5000"
	ScriptsURL   string   // --scripts-url; only image:// is supported
	Env          []string // --env KEY=VALUE, applied after .s2i/environment and EnvFile
	EnvFile      string   // -E/--environment-file: KEY=VALUE lines, applied after .s2i/environment
	// Exclude (--exclude) is a regular expression of source paths (relative,
	// slash-separated) left out of the build; nil means s2i's default, every
	// .git directory, nested ones too. An empty expression excludes nothing.
	Exclude     *regexp.Regexp
	Incremental bool
	// RemovePrevious (--rm) removes the previous image of an incremental
	// build once the new one has its tag; s2i keeps it otherwise.
	RemovePrevious bool
	AsDockerfile   string
	Ref            string // --ref: the git branch, tag or commit to build
	ContextDir     string // --context-dir: the directory of the source to build
	Copy           bool   // --copy: build a local directory as it is, not its git HEAD
	DisplayName    string // -n/--application-name: io.k8s.display-name (default: OUT)
	Description    string // --description: io.k8s.description
	// Injections (--inject SRC:DEST) are files or directories present
	// while assemble runs and emptied after it (build-time secrets).
	Injections []Injection
	Network    string   // --network of the build's RUN steps
	AddHosts   []string // --add-host host:IP
	// PullPolicy says when the builder is pulled: "always", "never", or
	// "if-not-present" (the default, also for "").
	PullPolicy string
	// IncrementalPullPolicy (--incremental-pull-policy) says the same of
	// the previous image of an incremental build; a failed pull means a
	// clean build, as in s2i.
	IncrementalPullPolicy string
	// Volumes (-v/--volume HOST:DEST[:ro]) are bind-mounted into the
	// assemble run only: what assemble writes there stays on the host and
	// out of the image (s2i's docker Binds).
	Volumes []Volume
	// KeepSymlinks (--keep-symlinks) copies the symbolic links of a
	// directory source as links. Without it, as s2i's --copy, a link is
	// followed and its target's content copied, but only when the target
	// is inside the source; a link leading out of it (or into a loop) is
	// kept as a link, never followed. A cloned git source keeps its links,
	// as git checked them out.
	KeepSymlinks bool
	NoCache      bool
}

// SourceInfo is what the build records about its source (git metadata).
type SourceInfo struct {
	Location                                                     string // the source's location: its git remote, else its path
	ContextDir                                                   string // --context-dir, when given
	Cloned                                                       bool   // the source is a git clone: its links stay links, as git checked them out
	Git                                                          bool
	CommitID, CommitRef, CommitAuthor, CommitDate, CommitMessage string
}

// Injection is one --inject: a local file or directory and where it goes
// in the image (a relative DEST is relative to the builder's WORKDIR).
type Injection struct{ Source, Dest string }

// ParseInjection reads --inject SRC:DEST.
func ParseInjection(v string) (Injection, error) {
	src, dest, ok := strings.Cut(v, ":")
	if !ok || src == "" || dest == "" {
		return Injection{}, fmt.Errorf("--inject %q is not SOURCE:DESTINATION", v)
	}
	return Injection{Source: src, Dest: dest}, nil
}

// Volume is one -v/--volume: a host directory or file bind-mounted at Dest
// while assemble runs.
type Volume struct {
	Host, Dest string
	ReadOnly   bool
}

// String is the engine's --volume value.
func (v Volume) String() string {
	if v.ReadOnly {
		return v.Host + ":" + v.Dest + ":ro"
	}
	return v.Host + ":" + v.Dest
}

// ParseVolume reads -v/--volume HOST:DEST[:ro|rw] as s2i passes it to the
// engine, and refuses what would be unsafe or mean something else: a named
// volume (HOST must be a path), a HOST that does not exist or is a socket
// or device (a container engine's socket would hand assemble the host), the
// host's root or system directories (/etc, /usr, /proc, /var/lib ...), a
// DEST that is not a clean absolute path or is a system directory of the
// image, and mount options other than ro and rw (z, Z and U relabel or
// chown the host's files).
func ParseVolume(v string) (Volume, error) {
	bad := func(why string) error {
		return fmt.Errorf("--volume %q: %s", okd.ShowValue(v), why)
	}
	if r := controlChar(v); r >= 0 {
		return Volume{}, bad(fmt.Sprintf("holds the control character %q", r))
	}
	parts := strings.Split(v, ":")
	var vol Volume
	switch {
	case len(parts) == 3 && (parts[2] == "ro" || parts[2] == "rw"):
		vol.ReadOnly = parts[2] == "ro"
	case len(parts) == 3:
		return Volume{}, bad(fmt.Sprintf("option %q is not ro or rw (kiln refuses z, Z, U and the others: they relabel or chown the host's files)", okd.Cap(parts[2])))
	case len(parts) != 2:
		return Volume{}, bad("is not HOST:DEST or HOST:DEST:ro (HOST and DEST cannot hold a colon)")
	}
	host, dest := parts[0], parts[1]
	if host == "" || dest == "" {
		return Volume{}, bad("is not HOST:DEST or HOST:DEST:ro")
	}
	if !strings.ContainsAny(host, "/.") {
		return Volume{}, bad(fmt.Sprintf("%q is not a path: kiln mounts host directories, not named volumes (write ./%s for a directory here)", okd.Cap(host), okd.Cap(host)))
	}
	abs, err := filepath.Abs(host)
	if err != nil {
		return Volume{}, bad(err.Error())
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return Volume{}, bad(fmt.Sprintf("the host path %s does not exist: create it first", okd.Cap(abs)))
	}
	fi, err := os.Stat(real)
	if err != nil {
		return Volume{}, bad(err.Error())
	}
	if !fi.IsDir() && !fi.Mode().IsRegular() {
		return Volume{}, bad(fmt.Sprintf("the host path %s is a %s, not a directory or file: kiln never hands a build a socket or device (an engine's socket would give assemble the host)", okd.Cap(real), fileKind(fi.Mode())))
	}
	if okd.SystemDir(real) {
		return Volume{}, bad(fmt.Sprintf("the host path %s is (inside) a system directory of the host: mount a directory of your own", okd.Cap(real)))
	}
	if !path.IsAbs(dest) || path.Clean(dest) != dest || !safePath().MatchString(dest) {
		return Volume{}, bad(fmt.Sprintf("the destination %q must be a clean absolute path of letters, digits and ._+@=,-/", okd.Cap(dest)))
	}
	if okd.SystemDir(dest) {
		return Volume{}, bad(fmt.Sprintf("the destination %s is a system directory of the image: a mount would hide what the builder installed there", dest))
	}
	if len(real) > okd.MaxDirLen || len(dest) > okd.MaxDirLen {
		return Volume{}, bad(fmt.Sprintf("a path is longer than %d bytes", okd.MaxDirLen))
	}
	if strings.ContainsAny(real, ":,") {
		return Volume{}, bad(fmt.Sprintf("the host path %s holds a colon or comma, which the engine's --volume cannot take", okd.Cap(real)))
	}
	vol.Host, vol.Dest = real, dest
	return vol, nil
}

func fileKind(m os.FileMode) string {
	switch {
	case m&os.ModeSocket != 0:
		return "socket"
	case m&os.ModeDevice != 0:
		return "device"
	case m&os.ModeNamedPipe != 0:
		return "named pipe"
	}
	return "special file"
}

// PullPolicies are the values of --pull-policy and --incremental-pull-policy.
var PullPolicies = []string{"always", "never", "if-not-present"}

// Validate checks what can be checked before any engine runs: the flags'
// syntax, the source's existence and the image names. kiln s2i build turns
// its error into a usage error (exit 2).
func (o S2IOptions) Validate() error {
	if !isGitURL(o.Source) {
		if fi, err := os.Stat(o.Source); err != nil || !fi.IsDir() {
			return fmt.Errorf("source %q is not a directory or a git URL", okd.Cap(o.Source))
		}
	}
	for _, ref := range []struct{ what, v string }{{"BUILDER", o.Builder}, {"OUT", o.Output}} {
		if err := okd.ParseImage(ref.v); err != nil {
			return fmt.Errorf("%s %q is not an image name ([registry/]name[:tag], lower case): %v", ref.what, okd.Cap(ref.v), err)
		}
	}
	if o.AssembleUser != "" {
		if n, err := strconv.Atoi(o.AssembleUser); err != nil || n < 0 {
			return fmt.Errorf("--assemble-user %q is not a numeric UID: kiln checks the assemble user against --allowed-uids, which only a number allows (e.g. --assemble-user 1001)", okd.Cap(o.AssembleUser))
		}
	}
	if _, err := ParseAllowedUIDs(o.AllowedUIDs); err != nil {
		return err
	}
	if o.ScriptsURL != "" {
		if err := checkScriptsURL(o.ScriptsURL, "--scripts-url"); err != nil {
			return err
		}
	}
	if _, err := loadEnvFlags(nil, o.Env); err != nil {
		return err
	}
	if o.EnvFile != "" {
		if _, err := readEnvFile(o.EnvFile, false); err != nil {
			return fmt.Errorf("--environment-file: %w", err)
		}
	}
	for _, p := range []struct{ flag, v string }{{"--pull-policy", o.PullPolicy}, {"--incremental-pull-policy", o.IncrementalPullPolicy}} {
		if p.v != "" && !slices.Contains(PullPolicies, p.v) {
			return fmt.Errorf("%s %q is not always, never or if-not-present", p.flag, okd.Cap(p.v))
		}
	}
	if len(o.Volumes) > 0 && o.AsDockerfile != "" {
		return errors.New("--volume cannot be written into a Dockerfile (a Dockerfile cannot bind-mount a host directory): build without --as-dockerfile, or drop --volume")
	}
	return nil
}

// checkScriptsURL checks a scripts URL's form: image:///path, file:///path
// or http(s)://host/path.
func checkScriptsURL(url, from string) error {
	if strings.HasPrefix(url, "image://") {
		_, err := imageScriptsDir(url, from)
		return err
	}
	u, err := neturl.Parse(url)
	if err != nil {
		return fmt.Errorf("scripts URL %q (from %s): %v", okd.ShowValue(url), from, err)
	}
	switch u.Scheme {
	case "file":
		if u.Path == "" {
			return fmt.Errorf("scripts URL %q (from %s) names no directory: write file:///path/to/scripts", okd.ShowValue(url), from)
		}
	case "http", "https":
		if u.Host == "" {
			return fmt.Errorf("scripts URL %q (from %s) names no host: write %s://host/path", okd.ShowValue(url), from, u.Scheme)
		}
	default:
		return fmt.Errorf("scripts URL %q (from %s) is not image://, file:// or http(s)://", okd.ShowValue(url), from)
	}
	return nil
}

// EnvVar is one environment variable of the built image.
type EnvVar struct{ Name, Value string }

// S2IPlan is the resolved s2i build: everything the generated Dockerfile says.
type S2IPlan struct {
	Builder    string
	User       string // numeric UID the assemble script runs as
	UserSource string // where User came from, for messages
	// RunUser is the output image's USER: the builder's own USER, as s2i
	// commits it ("" when the builder sets none, which is root).
	RunUser     string
	Destination string
	// Scripts maps each script name to its path inside the image.
	Scripts map[string]string
	// Overrides are the scripts taken from the source's .s2i/bin, copied into
	// the context's upload/scripts and out of upload/src.
	Overrides []string
	// Downloads are the scripts read from a file:// or http(s):// scripts
	// URL, written to the context's upload/scripts.
	Downloads map[string][]byte
	// Injections are --inject's, with absolute destinations; their sources
	// go to the context's upload/injections/N.
	Injections []Injection
	// Volumes are bind-mounted into the assemble run (the engine's
	// --volume), never into the image.
	Volumes     []Volume
	Env         []EnvVar
	Labels      map[string]string
	Incremental bool // the context holds upload/artifacts.tar to restore
	// StreamArtifacts: upload/artifacts.tar is a named pipe kiln writes
	// the saved artifacts into while the build runs, bound into the
	// assemble RUN instead of copied into the image (podman only).
	StreamArtifacts bool
	// ReadMetadata makes the assemble RUN print the metadata file assemble
	// wrote (MetadataFile) between kiln's markers, for its labels.
	ReadMetadata bool
}

// SourceDir, ScriptsDir and ArtifactsDir are where the plan puts things in the image.
func (p *S2IPlan) SourceDir() string    { return path.Join(p.Destination, "src") }
func (p *S2IPlan) ScriptsDir() string   { return path.Join(p.Destination, "scripts") }
func (p *S2IPlan) ArtifactsDir() string { return path.Join(p.Destination, "artifacts") }

// UIDRange is one allowed UID range; Max < 0 means unbounded.
type UIDRange struct{ Min, Max int }

var uidRangeRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d*)-(\d*)$`) })

// ParseAllowedUIDs parses --allowed-uids: comma-separated N, N-M, N- or -M.
func ParseAllowedUIDs(s string) ([]UIDRange, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []UIDRange
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		bad := fmt.Errorf("--allowed-uids %q: range %q is not N, N-M, N- or -M (e.g. 1- or 1000-2000)", okd.Cap(s), okd.Cap(part))
		if n, err := strconv.Atoi(part); err == nil && !strings.HasPrefix(part, "-") {
			out = append(out, UIDRange{n, n})
			continue
		}
		m := uidRangeRE().FindStringSubmatch(part)
		if m == nil || (m[1] == "" && m[2] == "") {
			return nil, bad
		}
		r := UIDRange{0, -1}
		if m[1] != "" {
			r.Min, _ = strconv.Atoi(m[1])
		}
		if m[2] != "" {
			r.Max, _ = strconv.Atoi(m[2])
			if r.Max < r.Min {
				return nil, fmt.Errorf("--allowed-uids %q: range %q ends before it starts", s, part)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func uidAllowed(uid int, ranges []UIDRange) bool {
	for _, r := range ranges {
		if uid >= r.Min && (r.Max < 0 || uid <= r.Max) {
			return true
		}
	}
	return false
}

// resolveUser picks the assemble user: --assemble-user, else the
// io.openshift.s2i.assemble-user label, else the image USER, without its
// group. It must be numeric (OKD cannot check a name against allowed UIDs).
// With allowed UIDs, as s2i checks them: the assemble user, the image's own
// USER (the ONBUILD triggers and the output image run as it) and every
// ONBUILD USER must be inside the ranges.
func resolveUser(o S2IOptions, img *ImageConfig) (uid, source string, err error) {
	user, source := o.AssembleUser, "--assemble-user"
	if user == "" {
		user, source = img.Labels[LabelAssembleUser], "label "+LabelAssembleUser
	}
	if user == "" {
		user, source = img.User, "the image's USER"
	}
	user, _, _ = strings.Cut(user, ":")
	if user == "" {
		user, source = "0", "the image, which sets no USER (root)"
	}
	ranges, err := ParseAllowedUIDs(o.AllowedUIDs)
	if err != nil {
		return "", "", err
	}
	n, convErr := strconv.Atoi(user)
	if convErr != nil || n < 0 {
		allowed := o.AllowedUIDs
		if allowed == "" {
			allowed = "any"
		}
		return "", "", fmt.Errorf("builder %s: assemble user %q (from %s) is not a numeric UID, so it cannot be checked against the allowed UIDs (%s): set a numeric USER in the builder's Dockerfile, e.g. USER 1001 (G18), or pass --assemble-user 1001",
			o.Builder, user, source, allowed)
	}
	if ranges == nil {
		return user, source, nil
	}
	if !uidAllowed(n, ranges) {
		return "", "", fmt.Errorf("builder %s: assemble user %d (from %s) is not within the allowed UIDs %s: use a USER in that range (OKD runs builds as non-root, e.g. USER 1001)",
			o.Builder, n, source, o.AllowedUIDs)
	}
	// The image's own USER: its ONBUILD triggers run as it, and so does the
	// output image.
	imageUser, _, _ := strings.Cut(img.User, ":")
	if imageUser == "" {
		imageUser = "0"
	}
	if u, err := strconv.Atoi(imageUser); err != nil || !uidAllowed(u, ranges) {
		return "", "", fmt.Errorf("builder %s: its USER %q is not a numeric UID within the allowed UIDs %s: the ONBUILD instructions and the built image run as it; set USER 1001 (or another allowed UID) in the builder's Dockerfile",
			o.Builder, img.User, o.AllowedUIDs)
	}
	for _, ins := range img.OnBuild {
		f := strings.Fields(ins)
		if len(f) < 2 || !strings.EqualFold(f[0], "USER") {
			continue
		}
		u, _, _ := strings.Cut(f[1], ":")
		if n, err := strconv.Atoi(u); err != nil || !uidAllowed(n, ranges) {
			return "", "", fmt.Errorf("builder %s: its ONBUILD instruction %q would run the build as a user outside the allowed UIDs %s: remove it from the builder, or build with a numeric USER in the range",
				o.Builder, ins, o.AllowedUIDs)
		}
	}
	return user, source, nil
}

// safePath matches the paths kiln writes into the generated Dockerfile and
// its RUN lines unquoted: absolute, without spaces, quotes, $ or control
// characters, so no value can end an instruction or be expanded.
var safePath = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^/[A-Za-z0-9._+@=,:/-]*$`) })

// safeUser matches a USER value: a name or UID, optionally :group.
var safeUser = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*(:[A-Za-z0-9_][A-Za-z0-9._-]*)?$`)
})

// controlChar returns the first control character of s (a newline ends a
// Dockerfile instruction and starts another), or -1.
func controlChar(s string) rune {
	for _, r := range s {
		if unicode.IsControl(r) {
			return r
		}
	}
	return -1
}

// checkBuilderValues refuses the builder image's values kiln would put into
// the generated Dockerfile when one holds a control character: a hostile
// builder could otherwise inject instructions (a RUN as root). Every label
// kiln reads is named, so the fix is plain.
func checkBuilderValues(builder string, img *ImageConfig) error {
	check := func(what, v string) error {
		if r := controlChar(v); r >= 0 {
			return fmt.Errorf("builder %s: %s=%q holds the control character %q: kiln refuses it, since it would end the generated Dockerfile's instruction and inject others; fix the builder image", builder, what, v, r)
		}
		return nil
	}
	for _, l := range []string{LabelScriptsURL, LabelLegacyScriptsURL, LabelAssembleUser, LabelDestination} {
		if err := check("label "+l, img.Labels[l]); err != nil {
			return err
		}
	}
	if err := check("USER", img.User); err != nil {
		return err
	}
	if img.User != "" && !safeUser().MatchString(img.User) {
		return fmt.Errorf("builder %s: USER %q is not a user name or UID (with an optional :group)", builder, img.User)
	}
	return nil
}

// maxScript bounds a downloaded script.
const maxScript = 1 << 20

// fetchScript reads script name from a file:// or http(s):// scripts URL:
// nil, nil when it is not there (s2i then tries the next source).
func fetchScript(url, name, from string) ([]byte, error) {
	u, err := neturl.Parse(url)
	if err != nil {
		return nil, fmt.Errorf("scripts URL %q (from %s): %v", okd.ShowValue(url), from, err)
	}
	switch u.Scheme {
	case "file":
		data, err := os.ReadFile(filepath.Join(u.Path, name))
		if os.IsNotExist(err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("scripts URL %q (from %s): %v", okd.ShowValue(url), from, err)
		}
		return data, nil
	case "http", "https":
		u.Path = path.Join(u.Path, name)
		client := &http.Client{Timeout: 30 * time.Second}
		resp, err := client.Get(u.String())
		if err != nil {
			return nil, fmt.Errorf("scripts URL %q (from %s): %v", okd.ShowValue(url), from, err)
		}
		defer resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusNotFound:
			return nil, nil
		case resp.StatusCode != http.StatusOK:
			return nil, fmt.Errorf("scripts URL %q (from %s): GET %s: %s", okd.ShowValue(url), from, u.Redacted(), resp.Status)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxScript+1))
		if err != nil {
			return nil, fmt.Errorf("scripts URL %q (from %s): GET %s: %v", okd.ShowValue(url), from, u.Redacted(), err)
		}
		if len(data) > maxScript {
			return nil, fmt.Errorf("scripts URL %q (from %s): %s is larger than 1 MiB", okd.ShowValue(url), from, u.Redacted())
		}
		return data, nil
	}
	return nil, fmt.Errorf("scripts URL %q (from %s) is not image://, file:// or http(s)://", okd.ShowValue(url), from)
}

// imageScriptsDir turns an image:// URL into a path inside the image.
func imageScriptsDir(url, from string) (string, error) {
	p, ok := strings.CutPrefix(url, "image://")
	if !ok || !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("scripts URL %q (from %s) is not image:///absolute/path: kiln builds offline and reads scripts only from the image or the source's .s2i/bin", okd.ShowValue(url), from)
	}
	if !safePath().MatchString(p) {
		return "", fmt.Errorf("scripts URL %q (from %s): kiln takes only paths of letters, digits and ._+@=,:/- (no spaces, quotes, $ or control characters)", okd.ShowValue(url), from)
	}
	return path.Clean(p), nil
}

// ResolveS2I resolves the s2i build plan from the options, the builder's
// config and the source tree (its .s2i/bin and .s2i/environment). It does no
// I/O on images, so it is what the golden tests exercise.
func ResolveS2I(o S2IOptions, img *ImageConfig, src SourceInfo) (*S2IPlan, error) {
	p := &S2IPlan{Builder: o.Builder, Scripts: map[string]string{}, Labels: map[string]string{}}
	if err := checkBuilderValues(o.Builder, img); err != nil {
		return nil, err
	}
	var err error
	if p.User, p.UserSource, err = resolveUser(o, img); err != nil {
		return nil, err
	}
	p.RunUser = img.User
	p.Destination = DefaultDestination
	if d := img.Labels[LabelDestination]; d != "" {
		if !strings.HasPrefix(d, "/") {
			return nil, fmt.Errorf("builder %s: label %s=%q is not an absolute path", o.Builder, LabelDestination, d)
		}
		if !safePath().MatchString(d) {
			return nil, fmt.Errorf("builder %s: label %s=%q: kiln takes only paths of letters, digits and ._+@=,:/- (no spaces, quotes, $ or control characters)", o.Builder, LabelDestination, d)
		}
		p.Destination = path.Clean(d)
	}

	// Scripts, each from the first of: --scripts-url, the source's .s2i/bin,
	// the image's label, /usr/libexec/s2i (s2i's order). An image:// URL is
	// taken to hold every script; from a file:// or http(s):// URL a script
	// that is not there falls through to the next. A label is read only when
	// a script comes to it, so one kiln cannot use does not block a source
	// that overrides every script.
	type candidate struct{ url, from string }
	var cands []candidate
	if o.ScriptsURL != "" {
		cands = append(cands, candidate{o.ScriptsURL, "--scripts-url"})
	}
	cands = append(cands, candidate{"", "source"})
	for _, l := range []string{LabelScriptsURL, LabelLegacyScriptsURL} {
		if u := img.Labels[l]; u != "" {
			cands = append(cands, candidate{u, "label " + l})
			break
		}
	}
	cands = append(cands, candidate{"image://" + DefaultScriptsDir, "the default"})
	for _, s := range s2iScripts {
		for _, c := range cands {
			if c.from == "source" {
				f := filepath.Join(o.Source, ".s2i", "bin", s)
				if err := insideSource(o.Source, f); err != nil {
					return nil, err
				}
				if fi, err := os.Stat(f); err == nil && fi.Mode().IsRegular() {
					p.Overrides = append(p.Overrides, s)
					p.Scripts[s] = path.Join(p.ScriptsDir(), s)
					break
				}
				continue
			}
			if !strings.HasPrefix(c.url, "image://") {
				data, err := fetchScript(c.url, s, c.from)
				if err != nil {
					return nil, fmt.Errorf("builder %s: %w", o.Builder, err)
				}
				if data == nil {
					continue // not there: the next source
				}
				if p.Downloads == nil {
					p.Downloads = map[string][]byte{}
				}
				p.Downloads[s] = data
				p.Scripts[s] = path.Join(p.ScriptsDir(), s)
				break
			}
			dir, err := imageScriptsDir(c.url, c.from)
			if err != nil {
				return nil, fmt.Errorf("builder %s: %w", o.Builder, err)
			}
			p.Scripts[s] = path.Join(dir, s)
			break
		}
	}
	for _, s := range []string{"assemble", "run"} {
		if p.Scripts[s] == "" {
			var from []string
			for _, c := range cands {
				from = append(from, c.from)
			}
			return nil, fmt.Errorf("builder %s: no %s script in any of %s", o.Builder, s, strings.Join(from, ", "))
		}
	}

	for _, in := range o.Injections {
		dest := in.Dest
		if !path.IsAbs(dest) {
			wd := img.WorkingDir
			if wd == "" {
				wd = "/"
			}
			dest = path.Join(wd, dest)
		}
		if !safePath().MatchString(dest) {
			return nil, fmt.Errorf("--inject %s:%s: kiln takes only destinations of letters, digits and ._+@=,:/- (no spaces, quotes, $ or control characters)", in.Source, in.Dest)
		}
		if fi, err := os.Stat(in.Source); err != nil {
			return nil, fmt.Errorf("--inject %s:%s: %w", in.Source, in.Dest, err)
		} else if !fi.IsDir() && !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("--inject %s:%s: the source is not a file or directory", in.Source, in.Dest)
		}
		p.Injections = append(p.Injections, Injection{Source: in.Source, Dest: path.Clean(dest)})
	}

	// A volume must hide nothing the build puts into the image: the
	// destination's source, scripts and artifacts, an injection, or the
	// metadata file assemble writes.
	for _, v := range o.Volumes {
		hidden := []string{p.SourceDir(), p.ScriptsDir(), p.ArtifactsDir(), MetadataDir}
		for _, in := range p.Injections {
			hidden = append(hidden, in.Dest)
		}
		for _, h := range hidden {
			if within(h, v.Dest) || within(v.Dest, h) {
				return nil, fmt.Errorf("--volume %s: the destination %s overlaps %s, where the build puts the source, the scripts, the artifacts, an injection or assemble's image metadata: mount it elsewhere", v, v.Dest, h)
			}
		}
		p.Volumes = append(p.Volumes, v)
	}

	if p.Env, err = loadEnv(o); err != nil {
		return nil, err
	}

	p.Labels[LabelBuildImage] = o.Builder
	p.Labels[LabelDisplayName] = o.Output
	if o.DisplayName != "" {
		p.Labels[LabelDisplayName] = o.DisplayName
	}
	if o.Description != "" {
		p.Labels[LabelDescription] = o.Description
	}
	if src.Git {
		p.Labels[LabelCommitID] = src.CommitID
		p.Labels[LabelCommitRef] = src.CommitRef
		p.Labels[LabelCommitAuthor] = src.CommitAuthor
		p.Labels[LabelCommitDate] = src.CommitDate
		p.Labels[LabelCommitMessage] = src.CommitMessage
		p.Labels[LabelSourceLocation] = src.Location
		if src.ContextDir != "" {
			p.Labels[LabelSourceContextDir] = src.ContextDir
		}
	}
	for k, v := range p.Labels {
		if r := controlChar(v); r >= 0 {
			return nil, fmt.Errorf("the output image's label %s=%q would hold the control character %q, which a Dockerfile cannot: fix the value it comes from", k, v, r)
		}
	}
	return p, nil
}

// within reports whether p is dir or below it (slash paths).
func within(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}

// insideSource refuses a file of the source's .s2i that is (or lies under)
// a symbolic link leading out of the source: kiln would read a host file
// into the build (a script, or an ENV value). A missing file is fine.
func insideSource(src, file string) error {
	real, err := filepath.EvalSymlinks(file)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("source %s: %w", src, err)
	}
	root, err := filepath.EvalSymlinks(src)
	if err != nil {
		return fmt.Errorf("source %s: %w", src, err)
	}
	if rel, err := filepath.Rel(root, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		relFile, _ := filepath.Rel(src, file)
		return fmt.Errorf("source %s: %s leads to %s, outside the source, through a symbolic link: kiln does not read files from outside the source into a build; copy the file into the source instead", src, relFile, real)
	}
	return nil
}

var envNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })

// MaxEnvVar bounds one NAME=VALUE: Linux refuses to exec a program whose
// environment holds a longer string (MAX_ARG_STRLEN, 128 KiB with its NUL),
// so every command of the image would fail with "argument list too long".
const MaxEnvVar = 128<<10 - 1

// setEnv sets name to value in env, a later value replacing an earlier one
// in place; from names where it comes from (file:line, --env).
func setEnv(env []EnvVar, name, value, from string) ([]EnvVar, error) {
	if !envNameRE().MatchString(name) {
		return nil, fmt.Errorf("%s: %q is not a valid environment variable name (letters, digits and _, not starting with a digit)", from, okd.Cap(name))
	}
	if strings.ContainsAny(value, "\n\r\x00") {
		return nil, fmt.Errorf("%s: the value of %s contains a newline or NUL, which an image's environment cannot hold", from, name)
	}
	if !utf8.ValidString(value) {
		return nil, fmt.Errorf("%s: the value of %s is not valid UTF-8 (byte %d): save the file as UTF-8", from, name, invalidUTF8At(value))
	}
	if n := len(name) + 1 + len(value); n > MaxEnvVar {
		return nil, fmt.Errorf("%s: %s=... is %d bytes, over the %d bytes Linux allows one environment variable (MAX_ARG_STRLEN): every command in the image would fail; keep large data in a file of the source", from, name, n, MaxEnvVar)
	}
	for i := range env {
		if env[i].Name == name {
			env[i].Value = value
			return env, nil
		}
	}
	return append(env, EnvVar{name, value}), nil
}

// invalidUTF8At is the offset of the first byte of s that is not UTF-8.
func invalidUTF8At(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n <= 1 {
				return i
			}
		}
	}
	return len(s)
}

// ParseEnvFile reads s2i's environment file format (.s2i/environment,
// -E): KEY=VALUE lines, blank lines and # comments, a CR before the newline
// dropped. The value is everything after the first '=', verbatim. name is
// the file's name for messages, which say file:line and repeat a value only
// escaped and capped (okd.ShowValue and %q): the file may hold secrets and
// control characters.
func ParseEnvFile(name string, data []byte) ([]EnvVar, error) {
	var env []EnvVar
	for n, line := range strings.Split(string(data), "\n") {
		from := fmt.Sprintf("%s:%d", name, n+1)
		line = strings.TrimSuffix(line, "\r")
		if !utf8.ValidString(line) {
			return nil, fmt.Errorf("%s: not valid UTF-8 (byte %d of the line): save the file as UTF-8", from, invalidUTF8At(line)+1)
		}
		if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if len(line) > MaxEnvVar {
			return nil, fmt.Errorf("%s: the line is %d bytes, over the %d bytes Linux allows one environment variable (MAX_ARG_STRLEN): keep large data in a file of the source", from, len(line), MaxEnvVar)
		}
		k, value, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s: %q is not KEY=VALUE", from, okd.ShowValue(line))
		}
		var err error
		if env, err = setEnv(env, strings.TrimSpace(k), value, from); err != nil {
			return nil, err
		}
	}
	return env, nil
}

// readEnvFile reads an environment file (a regular file, at most
// bounded.MaxSize); a missing optional one is empty.
func readEnvFile(file string, optional bool) ([]EnvVar, error) {
	data, err := bounded.ReadFile(file)
	if optional && os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return ParseEnvFile(file, data)
}

// loadEnvFlags applies --env KEY=VALUE flags to env.
func loadEnvFlags(env []EnvVar, flags []string) ([]EnvVar, error) {
	for _, kv := range flags {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("--env %q is not KEY=VALUE", okd.ShowValue(kv))
		}
		var err error
		if env, err = setEnv(env, name, value, "--env"); err != nil {
			return nil, err
		}
	}
	return env, nil
}

// loadEnv reads SRC/.s2i/environment, then -E/--environment-file, then
// --env: a later value for the same name replaces the earlier one in place,
// as in s2i.
func loadEnv(o S2IOptions) ([]EnvVar, error) {
	envFile := filepath.Join(o.Source, ".s2i", "environment")
	if err := insideSource(o.Source, envFile); err != nil {
		return nil, err
	}
	env, err := readEnvFile(envFile, true)
	if err != nil {
		return nil, err
	}
	if o.EnvFile != "" {
		more, err := readEnvFile(o.EnvFile, false)
		if err != nil {
			return nil, fmt.Errorf("--environment-file: %w", err)
		}
		for _, v := range more {
			if env, err = setEnv(env, v.Name, v.Value, o.EnvFile); err != nil {
				return nil, err
			}
		}
	}
	return loadEnvFlags(env, o.Env)
}

// jsonArgs renders an exec-form instruction argument list.
func jsonArgs(args ...string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = strconv.Quote(a)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// Dockerfile renders the plan as the Dockerfile handed to the engine, with
// the context laid out as upload/src, upload/scripts, upload/artifacts.tar
// and upload/injections.
func (p *S2IPlan) Dockerfile() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Generated by kiln s2i build: the builder image, the source and the s2i scripts.\n")
	fmt.Fprintf(&b, "FROM %s\n", p.Builder)
	keys := make([]string, 0, len(p.Labels))
	for k := range p.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) > 0 {
		b.WriteString("LABEL ")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(" \\\n      ")
			}
			fmt.Fprintf(&b, "%s=%s", scaffold.DockerfileQuote(k), scaffold.DockerfileQuote(p.Labels[k]))
		}
		b.WriteString("\n")
	}
	if len(p.Env) > 0 {
		b.WriteString("ENV ")
		for i, e := range p.Env {
			if i > 0 {
				b.WriteString(" \\\n    ")
			}
			fmt.Fprintf(&b, "%s=%s", e.Name, scaffold.DockerfileQuote(e.Value))
		}
		b.WriteString("\n")
	}
	chown := fmt.Sprintf("--chown=%s:0", p.User)
	scriptsFrom := func() {
		if len(p.Overrides) > 0 {
			fmt.Fprintf(&b, "# Scripts from the source's .s2i/bin: %s.\n", strings.Join(p.Overrides, ", "))
		}
		if len(p.Downloads) > 0 {
			fmt.Fprintf(&b, "# Scripts from the scripts URL: %s.\n", strings.Join(slices.Sorted(maps.Keys(p.Downloads)), ", "))
		}
	}
	if p.Incremental && !p.StreamArtifacts && len(p.Injections) == 0 {
		// upload/ is laid out as the destination is (src, scripts,
		// artifacts.tar): one COPY puts them all in place. Each COPY step
		// costs buildah about 0.2 s, as much as a small dependency
		// install saves (issue 16). The tar is extracted and removed in
		// the assemble RUN, so no layer holds it (--layers=false).
		b.WriteString("# Incremental build: the previous image's save-artifacts output (artifacts.tar), the scripts and the source.\n")
		scriptsFrom()
		fmt.Fprintf(&b, "COPY %s upload %s\n", chown, p.Destination)
	} else {
		if p.Incremental && !p.StreamArtifacts {
			b.WriteString("# Incremental build: the previous image's save-artifacts output.\n")
			fmt.Fprintf(&b, "COPY %s upload/artifacts.tar %s.tar\n", chown, p.ArtifactsDir())
		}
		if len(p.Overrides) > 0 || len(p.Downloads) > 0 {
			scriptsFrom()
			fmt.Fprintf(&b, "COPY %s upload/scripts %s\n", chown, p.ScriptsDir())
		}
		fmt.Fprintf(&b, "COPY %s upload/src %s\n", chown, p.SourceDir())
		for i, in := range p.Injections {
			if i == 0 {
				b.WriteString("# Injected files (--inject): there for assemble, emptied after it.\n")
			}
			fmt.Fprintf(&b, "COPY %s upload/injections/%d %s\n", chown, i, in.Dest)
		}
	}
	fmt.Fprintf(&b, "USER %s\n", p.User)
	assemble := p.Scripts["assemble"]
	if len(p.Injections) > 0 {
		// Emptied in the same RUN as assemble: the build commits once
		// (--layers=false), so no layer ever holds their content.
		dests := make([]string, len(p.Injections))
		for i, in := range p.Injections {
			dests[i] = in.Dest
		}
		assemble += " && find " + strings.Join(dests, " ") + " -type f -exec sh -c 'for f; do : > \"$f\"; done' sh {} +"
	}
	if p.ReadMetadata {
		// s2i applies the labels assemble wrote there to the image.
		assemble += fmt.Sprintf(" && if [ -f %[1]s ]; then echo '%[2]s' && cat %[1]s && echo && echo '%[3]s'; fi", MetadataFile, metadataBegin, metadataEnd)
	}
	switch a := p.ArtifactsDir(); {
	case p.Incremental && p.StreamArtifacts:
		// A bind mount leaves nothing in the image; kiln writes the pipe
		// as soon as save-artifacts is done, while the build starts.
		b.WriteString("# Incremental build: the previous image's save-artifacts output, through a named pipe.\n")
		fmt.Fprintf(&b, "RUN --mount=type=bind,source=upload/artifacts.tar,target=%s.tar mkdir -p %s && tar -C %s -xf %s.tar && %s\n", a, a, a, a, assemble)
	case p.Incremental:
		fmt.Fprintf(&b, "RUN mkdir -p %s && tar -C %s -xf %s.tar && rm -f %s.tar && %s\n", a, a, a, a, assemble)
	default:
		fmt.Fprintf(&b, "RUN %s\n", assemble)
	}
	// The image runs as the builder's USER, as s2i commits it (OKD then
	// runs it as an arbitrary UID anyway).
	if run := p.RunUser; run != p.User {
		if run == "" {
			run = "0" // the builder sets none: root, as before assemble
		}
		fmt.Fprintf(&b, "USER %s\n", run)
	}
	fmt.Fprintf(&b, "CMD %s\n", jsonArgs(p.Scripts["run"]))
	return b.String()
}
