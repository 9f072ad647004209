package scaffold

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kiln-s2i/kiln/scaffold/lint"
	"github.com/kiln-s2i/kiln/scaffold/okd"
)

// Problem is one thing wrong with a spec: which field, its value, what is
// wrong and how to fix it.
type Problem struct {
	Field   string `json:"field"` // the kiln.yaml key path, e.g. "ports[0].number"
	Value   string `json:"value"`
	Message string `json:"message"`
	Fix     string `json:"fix"`
}

func (p Problem) String() string {
	return fmt.Sprintf("%s: %q %s; %s", p.Field, p.Value, p.Message, p.Fix)
}

// ValidationError lists every problem found in a spec.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the spec has %d problem(s):", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// For returns the problems of one field and of everything below it.
func (e *ValidationError) For(field string) []Problem {
	var out []Problem
	for _, p := range e.Problems {
		if p.Field == field || strings.HasPrefix(p.Field, field+".") || strings.HasPrefix(p.Field, field+"[") {
			out = append(out, p)
		}
	}
	return out
}

var (
	dns1123Label = lazyRegexp(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	posixName    = lazyRegexp(`^[A-Za-z_][A-Za-z0-9_]*$`)
	packageName  = lazyRegexp(`^[A-Za-z0-9][A-Za-z0-9+._:@=~/-]*$`)
	safePath     = lazyRegexp(`^/[A-Za-z0-9._@+/-]*$`)
	portName     = lazyRegexp(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	hasLetter    = lazyRegexp(`[a-z]`)
	httpPath     = lazyRegexp(`^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$`)
	lintRuleID   = lazyRegexp(`^KL[0-9]{3}$`)
)

// lazyRegexp compiles on first use: compiling every pattern at package init
// would slow the start of every kiln command, even `kiln version`.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// Names of labels kiln writes itself; extra labels may not set them.
var managedLabels = []string{
	okd.LabelDescription, okd.LabelDisplayName,
	okd.LabelTags, okd.LabelWants, okd.LabelExposeServices,
	okd.LabelNonScalable, okd.LabelMinMemory, okd.LabelMinCPU,
	okd.LabelScriptsURL, okd.LabelAssembleUser,
	"org.opencontainers.image.title", "org.opencontainers.image.description",
	"org.opencontainers.image.version", "org.opencontainers.image.source",
	"org.opencontainers.image.licenses", "maintainer",
}

// Labels kiln writes from the certification fields; extra labels may not set them either.
var certificationLabels = []string{"name", "vendor", "version", "release", "summary", "description"}

// Variables the image's ENV always sets, besides the version.
var imageEnvNames = []string{"APP_ROOT", "HOME", "PORT"}

// The parameters of openshift/template.yaml, besides one per secret.
var templateParameters = []string{"NAME", "SOURCE_REPOSITORY_URL", "SOURCE_REPOSITORY_REF", "CONTEXT_DIR",
	"MEMORY_LIMIT", "APPLICATION_DOMAIN", "GITHUB_WEBHOOK_SECRET"}

// Directories an image must never chgrp or declare as a volume.
var forbiddenDirs = []string{"/", "/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/root", "/run", "/sbin", "/sys", "/usr", "/var"}

type checker struct{ problems []Problem }

func (c *checker) add(field, value, message, fix string) {
	c.problems = append(c.problems, Problem{Field: field, Value: value, Message: message, Fix: fix})
}

// text checks a free-text field: it may hold any printable text (quotes,
// $, backslashes, unicode) but no line breaks or control characters, which
// no label or single-line value can carry.
func (c *checker) text(field, value string, required bool, max int) {
	if value == "" {
		if required {
			c.add(field, value, "is empty", "give it a value")
		}
		return
	}
	if !utf8.ValidString(value) {
		c.add(field, value, "is not valid UTF-8", "write it as UTF-8 text")
		return
	}
	for _, r := range value {
		if r == '\n' || r == '\r' {
			c.add(field, value, "spans several lines", "write it on one line")
			return
		}
		if unicode.IsControl(r) {
			c.add(field, value, fmt.Sprintf("contains the control character %U", r), "remove it")
			return
		}
	}
	if len(value) > max {
		c.add(field, value, fmt.Sprintf("is %d bytes long", len(value)), fmt.Sprintf("keep it under %d bytes", max))
	}
}

// label checks text that becomes a label value: blank text reads as set but
// says nothing, which kiln lint reports (G23, KL088).
func (c *checker) label(field, value string, required bool, max int) {
	if value != "" && strings.TrimSpace(value) == "" {
		c.add(field, value, "is blank", "give it a value, or leave it empty")
		return
	}
	c.text(field, value, required, max)
}

// Validate returns a *ValidationError listing every problem, or nil.
func (s *Spec) Validate() error {
	c := &checker{}
	if s.SchemaVersion != SchemaVersion {
		c.add("schemaVersion", strconv.Itoa(s.SchemaVersion), "is not a schema this kiln writes", fmt.Sprintf("set it to %d", SchemaVersion))
	}
	s.validateProject(c)
	s.validateRuntime(c)
	s.validatePorts(c)
	s.validateUser(c)
	s.validateConfig(c)
	s.validateMetadata(c)
	if !slices.Contains([]string{"", "podman", "buildah", "docker"}, s.Engine) {
		c.add("engine", s.Engine, "is not a known engine", "use podman, buildah or docker, or leave it empty to detect one")
	}
	if s.Lint != nil {
		for i, id := range s.Lint.Ignore {
			// kiln lint refuses a kiln.yaml that ignores an unknown rule, so
			// kiln new must not write one.
			if _, ok := lint.LookupRule(id); !ok {
				c.add(fmt.Sprintf("lint.ignore[%d]", i), id, "is not a lint rule ID", "use an ID like KL001 (see `kiln lint --list`)")
			}
		}
	}
	if len(c.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: c.problems}
}

func (s *Spec) validateProject(c *checker) {
	switch {
	case s.Name == "":
		c.add("name", s.Name, "is empty", "name the image, e.g. python-builder")
	case len(s.Name) > 63 || !dns1123Label().MatchString(s.Name):
		c.add("name", s.Name, "is not a DNS-1123 label", "use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. my-image")
	}
	switch {
	case s.Tag == "":
		c.add("tag", s.Tag, "is empty", "tag the image with its compatibility line, e.g. 1.0 (G03)")
	case !okd.ValidTag(s.Tag):
		c.add("tag", s.Tag, "is not a valid image tag", "use letters, digits, '_', '.' and '-' (at most 128), e.g. 1.0")
	case s.Tag == "latest":
		c.add("tag", s.Tag, "promises no compatibility (G03)", "tag with a version such as 1.0; keep it for compatible updates and move to 2.0 for breaking ones")
	}
	c.label("description", s.Description, true, 1000)
	c.label("displayName", s.DisplayName, true, 200)
	c.label("maintainer", s.Maintainer, false, 200)
	c.label("source", s.Source, false, 500)
	c.label("licenses", s.Licenses, false, 200)
	checkSourceURL(c, s.Source)
	checkLicenses(c, s.Licenses)
	if cert := s.Certification; cert != nil {
		for _, f := range []struct{ key, val string }{
			{"name", cert.Name}, {"vendor", cert.Vendor}, {"version", cert.Version}, {"release", cert.Release},
			{"summary", cert.Summary}, {"description", cert.Description}, {"maintainer", cert.Maintainer},
		} {
			c.label("certification."+f.key, f.val, false, 1000)
		}
	}
}

func (s *Spec) validateRuntime(c *checker) {
	if _, ok := PresetByName(s.Preset); !ok {
		c.add("preset", s.Preset, "is not a preset", "use one of "+strings.Join(PresetNames(), ", "))
	}
	if problem, fix := checkBaseImage(s.From, s.AllowLatest); problem != "" {
		c.add("from", s.From, problem, fix)
	}
	if !slices.Contains(PackageManagers, s.PackageManager) {
		c.add("packageManager", s.PackageManager, "is not a package manager kiln knows", "use one of "+strings.Join(PackageManagers, ", "))
	}
	if s.PackageManager == "none" && len(s.Packages) > 0 {
		c.add("packages", strings.Join(s.Packages, " "), "are listed but the package manager is none", "set packageManager, or remove the packages")
	}
	for i, p := range s.Packages {
		if !packageName().MatchString(p) {
			c.add(fmt.Sprintf("packages[%d]", i), p, "is not a package name", "use the package manager's name for it, e.g. python3.11 or libpq-dev")
		}
	}
}

// checkBaseImage parses FROM as an image reference (G01, G02).
func checkBaseImage(from string, allowLatest bool) (problem, fix string) {
	if from == "" {
		return "is empty", "name a maintained upstream base image with a tag, e.g. registry.access.redhat.com/ubi9/ubi-minimal:9.5"
	}
	if err := okd.ParseImage(from); err != nil {
		return "is not an image reference (" + err.Error() + ")", "write it as [registry/]name:tag, e.g. registry.access.redhat.com/ubi9/ubi-minimal:9.5"
	}
	switch okd.FromTag(from) {
	case okd.Untagged:
		if !allowLatest {
			return "has no tag, so it means latest and can change under you (G02)", "add an explicit tag, e.g. " + from + ":1.0, or pass --allow-latest"
		}
	case okd.Latest:
		if !allowLatest {
			return "uses the tag latest, which can break your image at any update (G02)", "pin a version tag, or pass --allow-latest"
		}
	}
	return "", ""
}

func (s *Spec) validatePorts(c *checker) {
	if len(s.Ports) == 0 {
		c.add("ports", "", "is empty: the image declares no port (G09)", "add the port the software listens on, e.g. 8080/tcp:http")
	}
	seen := map[string]bool{}
	names := map[string]string{}
	for i, p := range s.Ports {
		f := fmt.Sprintf("ports[%d]", i)
		switch {
		case p.Number > 0 && okd.PrivilegedPort(p.Number):
			c.add(f+".number", strconv.Itoa(p.Number), "is below 1024: OKD runs images as an arbitrary non-root UID, which cannot bind privileged ports (G17)", "listen on 1024-65535, e.g. 8080")
		case p.Number < 1 || p.Number > 65535:
			c.add(f+".number", strconv.Itoa(p.Number), "is not a port number", "use 1024-65535, e.g. 8080")
		}
		if p.Protocol != "tcp" && p.Protocol != "udp" {
			c.add(f+".protocol", p.Protocol, "is not a protocol", "use tcp or udp")
		}
		if p.Name != "" {
			// The rules of apimachinery's IsValidPortName (IANA_SVC_NAME),
			// which the API server applies to the Service's ports.
			if len(p.Name) > 15 || !portName().MatchString(p.Name) || !hasLetter().MatchString(p.Name) {
				c.add(f+".name", p.Name, "is not a service port name", "use at most 15 lower-case letters, digits and single '-', with at least one letter, e.g. http")
			}
		}
		// The Service names every port, an unnamed one NUMBER-PROTOCOL; the API
		// server rejects a Service whose port names repeat.
		effective := p.ServiceName()
		if prev, dup := names[effective]; dup {
			c.add(f+".name", p.Name, "names the Service port "+effective+", as "+prev+" does", "give each port its own name")
		}
		names[effective] = f
		key := fmt.Sprintf("%d/%s", p.Number, p.Protocol)
		if seen[key] {
			c.add(f, key, "is listed twice", "remove the duplicate")
		}
		seen[key] = true
	}
	s.validateProbe(c, "readiness", s.Readiness)
	s.validateProbe(c, "liveness", s.Liveness)
}

func (s *Spec) validateProbe(c *checker, field string, p Probe) {
	switch p.Type {
	case "http":
		if !httpPath().MatchString(p.Path) {
			c.add(field+".path", p.Path, "is not an HTTP path", "start it with / and use URL characters only, e.g. /healthz")
		}
	case "tcp":
		if p.Path != "" {
			c.add(field+".path", p.Path, "is set on a tcp probe", "remove it, or make the probe http")
		}
	default:
		c.add(field+".type", p.Type, "is not a probe type (G26)", "use http or tcp")
	}
	port := s.ProbePort(p)
	switch {
	case p.Port != 0 && !slices.ContainsFunc(s.Ports, func(q Port) bool { return q.Number == p.Port }):
		c.add(field+".port", strconv.Itoa(p.Port), "is not one of the image's ports", "use a port listed in ports, or 0 for the first")
	case len(s.Ports) > 0 && !slices.ContainsFunc(s.Ports, func(q Port) bool { return q.Number == port && q.Protocol == "tcp" }):
		c.add(field+".port", strconv.Itoa(p.Port), fmt.Sprintf("makes the probe check port %d, which is not a tcp port: HTTP and TCP probes cannot reach a udp port (G26)", port), "set it to one of the image's tcp ports, or list a tcp port first")
	}
}

func (s *Spec) validateUser(c *checker) {
	if !okd.NonRootUID(s.UID) {
		checkUID(c, s.UID)
	}
	if len(s.WritableDirs) == 0 {
		c.add("writableDirs", "", "is empty: nothing would be writable by an arbitrary UID (G15)", "list the directories the app writes, e.g. /opt/app-root")
	}
	for i, d := range s.WritableDirs {
		checkDir(c, fmt.Sprintf("writableDirs[%d]", i), d)
	}
}

func checkDir(c *checker, field, dir string) {
	switch {
	case !safePath().MatchString(dir):
		c.add(field, dir, "is not an absolute path of plain characters", "use an absolute path of letters, digits and . _ @ + - /, e.g. /opt/app-root")
	case path.Clean(dir) != dir:
		c.add(field, dir, "is not a clean path", "write it as "+path.Clean(dir))
	case slices.Contains(forbiddenDirs, dir) || strings.HasPrefix(dir, "/proc/") || strings.HasPrefix(dir, "/sys/") || strings.HasPrefix(dir, "/dev/") || strings.HasPrefix(dir, "/etc/passwd"):
		c.add(field, dir, "is a system directory; changing its group or mounting over it breaks the image (G16)", "use an application directory such as /opt/app-root or /var/lib/myapp")
	}
}

func (s *Spec) validateConfig(c *checker) {
	switch {
	case !posixName().MatchString(s.Version.Name):
		c.add("version.name", s.Version.Name, "is not an environment variable name (G10)", "use letters, digits and _ not starting with a digit, e.g. PYTHON_VERSION")
	case s.Version.Value == "":
		c.add("version.value", s.Version.Value, "is empty (G10)", "give the version of the software, e.g. 3.11")
	}
	c.text("version.value", s.Version.Value, false, 200)
	names := map[string]string{s.Version.Name: "version.name"}
	for i, e := range s.Env {
		f := fmt.Sprintf("env[%d]", i)
		if !posixName().MatchString(e.Name) {
			c.add(f+".name", e.Name, "is not an environment variable name", "use letters, digits and _ not starting with a digit, e.g. APP_CONFIG")
			continue
		}
		if e.Name == "HOME" || e.Name == "APP_ROOT" {
			c.add(f+".name", e.Name, "is set by kiln: the image prepares "+AppRoot+" and its src/ for an arbitrary UID", "remove it; list other directories the app writes with --writable-dir")
			continue
		}
		if e.Name == "PORT" && len(s.Ports) > 0 && e.Value != strconv.Itoa(s.Ports[0].Number) {
			c.add(f+".value", e.Value, "differs from the first port, so the app would listen where nothing is exposed", "remove it; kiln sets PORT from the first --port")
		}
		if okd.SecretDefault(e.Name, e.Value) {
			c.add(f+".value", e.Name+"="+e.Value, "sets a default for a password, secret, token or key, which users forget to change (G11)", "remove the value and declare it as a required secret (--secret "+e.Name+")")
		}
		c.text(f+".value", e.Value, false, 4000)
		if prev, dup := names[e.Name]; dup {
			c.add(f+".name", e.Name, "is already set by "+prev, "set each variable once")
		}
		names[e.Name] = f + ".name"
	}
	for i, name := range s.Secrets {
		f := fmt.Sprintf("secrets[%d]", i)
		if !posixName().MatchString(name) {
			c.add(f, name, "is not an environment variable name", "use letters, digits and _ not starting with a digit, e.g. DB_PASSWORD")
			continue
		}
		switch prev, dup := names[name]; {
		case dup:
			c.add(f, name, "is already set by "+prev+"; a required secret has no default (G11)", "remove it from env, or from secrets")
		case slices.Contains(imageEnvNames, name):
			c.add(f, name, "is a variable the image sets itself, so it is never missing", "name the secret for what it holds, e.g. DB_PASSWORD")
		case slices.Contains(templateParameters, name):
			c.add(f, name, "is also a parameter of openshift/template.yaml, which oc process rejects twice", "name the secret for what it holds, e.g. APP_"+name)
		}
		names[name] = f
	}
	for i, v := range s.Volumes {
		checkDir(c, fmt.Sprintf("volumes[%d]", i), v)
	}
}

func (s *Spec) validateMetadata(c *checker) {
	if !slices.Contains(s.Tags, "builder") {
		c.add("tags", strings.Join(s.Tags, ","), "does not contain builder, so OKD will not offer this image as an s2i builder (G23)", "add builder to the tags")
	}
	for i, t := range s.Tags {
		if !okd.TagWord(t) {
			c.add(fmt.Sprintf("tags[%d]", i), t, "is not a tag word", "use lower-case letters, digits and . _ + -, e.g. python")
		}
	}
	for i, t := range s.Wants {
		if !okd.TagWord(t) {
			c.add(fmt.Sprintf("wants[%d]", i), t, "is not a tag word", "use lower-case letters, digits and . _ + -, e.g. postgresql")
		}
	}
	checkQuantity(c, "minMemory", s.MinMemory, "e.g. 512Mi or 1Gi")
	checkQuantity(c, "minCPU", s.MinCPU, "e.g. 500m or 1")
	seen := map[string]bool{}
	for i, l := range s.Labels {
		f := fmt.Sprintf("labels[%d]", i)
		switch {
		case okd.LabelKey(l.Key) != "":
			c.add(f+".key", l.Key, okd.LabelKey(l.Key), "use a key such as com.example.team (G23)")
		case slices.Contains(managedLabels, l.Key):
			c.add(f+".key", l.Key, "is written by kiln from its own field", "set it through its field (e.g. --tags, --description) instead")
		case slices.Contains(certificationLabels, l.Key):
			c.add(f+".key", l.Key, "is written by kiln from certification."+l.Key, "set it as certification."+l.Key+" (--cert-"+l.Key+") instead")
		case seen[l.Key]:
			c.add(f+".key", l.Key, "is listed twice", "remove the duplicate")
		}
		seen[l.Key] = true
		c.label(f+".value", l.Value, true, 4000)
	}
}

func checkQuantity(c *checker, field, value, example string) {
	if value == "" {
		return
	}
	q, err := okd.Quantity(value)
	if err != nil {
		c.add(field, value, "is not a Kubernetes quantity (G23)", "write it as a Kubernetes quantity, "+example)
		return
	}
	if q.Sign() <= 0 {
		c.add(field, value, "is not positive", "write a positive quantity, "+example)
	}
}
