package builder

import (
	"bufio"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/kiln-s2i/kiln/scaffold"
)

// s2i label names and defaults, as OKD's s2i reads them.
const (
	LabelScriptsURL       = "io.openshift.s2i.scripts-url"
	LabelLegacyScriptsURL = "io.s2i.scripts-url"
	LabelAssembleUser     = "io.openshift.s2i.assemble-user"
	LabelDestination      = "io.openshift.s2i.destination"
	LabelBuildImage       = "io.openshift.s2i.build.image"
	LabelDisplayName      = "io.k8s.display-name"
	LabelCommitAuthor     = "io.openshift.s2i.build.commit.author"
	LabelCommitDate       = "io.openshift.s2i.build.commit.date"
	LabelCommitID         = "io.openshift.s2i.build.commit.id"
	LabelCommitRef        = "io.openshift.s2i.build.commit.ref"
	LabelCommitMessage    = "io.openshift.s2i.build.commit.message"
	LabelSourceLocation   = "io.openshift.s2i.build.source-location"

	DefaultScriptsDir  = "/usr/libexec/s2i"
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
	Env          []string // --env KEY=VALUE, applied after .s2i/environment
	Incremental  bool
	AsDockerfile string // --as-dockerfile PATH: write Dockerfile and context, do not build
	NoCache      bool
}

// SourceInfo is what the build records about its source (git metadata).
type SourceInfo struct {
	Location                                                     string // the source's location: its git remote, else its path
	Git                                                          bool
	CommitID, CommitRef, CommitAuthor, CommitDate, CommitMessage string
}

// EnvVar is one environment variable of the built image.
type EnvVar struct{ Name, Value string }

// S2IPlan is the resolved s2i build: everything the generated Dockerfile says.
type S2IPlan struct {
	Builder     string
	User        string // numeric UID the assemble and run scripts run as
	UserSource  string // where User came from, for messages
	Destination string
	// Scripts maps each script name to its path inside the image.
	Scripts map[string]string
	// Overrides are the scripts taken from the source's .s2i/bin, copied into
	// the context's upload/scripts and out of upload/src.
	Overrides   []string
	Env         []EnvVar
	Labels      map[string]string
	Incremental bool // the context holds upload/artifacts.tar to restore
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
		bad := fmt.Errorf("--allowed-uids %q: range %q is not N, N-M, N- or -M (e.g. 1- or 1000-2000)", s, part)
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
// group. It must be numeric (OKD cannot check a name against allowed UIDs)
// and within the allowed ranges when given.
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
	if ranges != nil && !uidAllowed(n, ranges) {
		return "", "", fmt.Errorf("builder %s: assemble user %d (from %s) is not within the allowed UIDs %s: use a USER in that range (OKD runs builds as non-root, e.g. USER 1001)",
			o.Builder, n, source, o.AllowedUIDs)
	}
	return user, source, nil
}

// imageScriptsDir turns an image:// URL into a path inside the image.
func imageScriptsDir(url, from string) (string, error) {
	p, ok := strings.CutPrefix(url, "image://")
	if !ok || !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("scripts URL %q (from %s) is not image:///absolute/path: kiln builds offline and reads scripts only from the image or the source's .s2i/bin", url, from)
	}
	return path.Clean(p), nil
}

// ResolveS2I resolves the s2i build plan from the options, the builder's
// config and the source tree (its .s2i/bin and .s2i/environment). It does no
// I/O on images, so it is what the golden tests exercise.
func ResolveS2I(o S2IOptions, img *ImageConfig, src SourceInfo) (*S2IPlan, error) {
	p := &S2IPlan{Builder: o.Builder, Scripts: map[string]string{}, Labels: map[string]string{}}
	var err error
	if p.User, p.UserSource, err = resolveUser(o, img); err != nil {
		return nil, err
	}
	p.Destination = DefaultDestination
	if d := img.Labels[LabelDestination]; d != "" {
		if !strings.HasPrefix(d, "/") {
			return nil, fmt.Errorf("builder %s: label %s=%q is not an absolute path", o.Builder, LabelDestination, d)
		}
		p.Destination = path.Clean(d)
	}

	// Scripts: an image:// --scripts-url overrides all; else .s2i/bin in the
	// source per script; else the image's label; else the default.
	if o.ScriptsURL != "" {
		dir, err := imageScriptsDir(o.ScriptsURL, "--scripts-url")
		if err != nil {
			return nil, err
		}
		for _, s := range s2iScripts {
			p.Scripts[s] = path.Join(dir, s)
		}
	} else {
		imageDir := DefaultScriptsDir
		for _, l := range []string{LabelScriptsURL, LabelLegacyScriptsURL} {
			if u := img.Labels[l]; u != "" {
				if imageDir, err = imageScriptsDir(u, "label "+l); err != nil {
					return nil, fmt.Errorf("builder %s: %w", o.Builder, err)
				}
				break
			}
		}
		for _, s := range s2iScripts {
			fi, err := os.Stat(filepath.Join(o.Source, ".s2i", "bin", s))
			if err == nil && fi.Mode().IsRegular() {
				p.Overrides = append(p.Overrides, s)
				p.Scripts[s] = path.Join(p.ScriptsDir(), s)
				continue
			}
			p.Scripts[s] = path.Join(imageDir, s)
		}
	}

	if p.Env, err = loadEnv(o); err != nil {
		return nil, err
	}

	p.Labels[LabelBuildImage] = o.Builder
	p.Labels[LabelDisplayName] = o.Output
	if src.Git {
		p.Labels[LabelCommitID] = src.CommitID
		p.Labels[LabelCommitRef] = src.CommitRef
		p.Labels[LabelCommitAuthor] = src.CommitAuthor
		p.Labels[LabelCommitDate] = src.CommitDate
		p.Labels[LabelCommitMessage] = src.CommitMessage
		p.Labels[LabelSourceLocation] = src.Location
	}
	return p, nil
}

var envNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })

// loadEnv reads SRC/.s2i/environment (KEY=VALUE lines, # comments) and then
// --env; a later value for the same name replaces the earlier one in place.
func loadEnv(o S2IOptions) ([]EnvVar, error) {
	var env []EnvVar
	set := func(name, value, from string) error {
		if !envNameRE().MatchString(name) {
			return fmt.Errorf("%s: %q is not a valid environment variable name (letters, digits and _, not starting with a digit)", from, name)
		}
		if strings.ContainsAny(value, "\n\r\x00") {
			return fmt.Errorf("%s: the value of %s contains a newline or NUL, which an image's environment cannot hold", from, name)
		}
		for i := range env {
			if env[i].Name == name {
				env[i].Value = value
				return nil
			}
		}
		env = append(env, EnvVar{name, value})
		return nil
	}
	envFile := filepath.Join(o.Source, ".s2i", "environment")
	if f, err := os.Open(envFile); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		n := 0
		for sc.Scan() {
			n++
			line := strings.TrimRight(sc.Text(), "\r")
			if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "#") {
				continue
			}
			name, value, ok := strings.Cut(line, "=")
			name = strings.TrimSpace(name)
			from := fmt.Sprintf("%s:%d", envFile, n)
			if !ok {
				return nil, fmt.Errorf("%s: %q is not KEY=VALUE", from, line)
			}
			if err := set(name, value, from); err != nil {
				return nil, err
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("reading %s: %w", envFile, err)
		}
	} else if !os.IsNotExist(err) {
		return nil, err
	}
	for _, kv := range o.Env {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("--env %q is not KEY=VALUE", kv)
		}
		if err := set(name, value, "--env"); err != nil {
			return nil, err
		}
	}
	return env, nil
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
// the context laid out as upload/src, upload/scripts and upload/artifacts.tar.
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
	if p.Incremental {
		fmt.Fprintf(&b, "# Incremental build: the previous image's save-artifacts output.\n")
		fmt.Fprintf(&b, "COPY %s upload/artifacts.tar %s.tar\n", chown, p.ArtifactsDir())
	}
	if len(p.Overrides) > 0 {
		fmt.Fprintf(&b, "# Scripts from the source's .s2i/bin: %s.\n", strings.Join(p.Overrides, ", "))
		fmt.Fprintf(&b, "COPY %s upload/scripts %s\n", chown, p.ScriptsDir())
	}
	fmt.Fprintf(&b, "COPY %s upload/src %s\n", chown, p.SourceDir())
	fmt.Fprintf(&b, "USER %s\n", p.User)
	assemble := p.Scripts["assemble"]
	if p.Incremental {
		a := p.ArtifactsDir()
		fmt.Fprintf(&b, "RUN mkdir -p %s && tar -C %s -xf %s.tar && rm -f %s.tar && %s\n", a, a, a, a, assemble)
	} else {
		fmt.Fprintf(&b, "RUN %s\n", assemble)
	}
	fmt.Fprintf(&b, "CMD %s\n", jsonArgs(p.Scripts["run"]))
	return b.String()
}
