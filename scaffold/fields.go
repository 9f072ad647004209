package scaffold

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/kiln-s2i/kiln/scaffold/okd"
)

// Kind is the shape of an answer, which decides how it is typed and read.
type Kind int

const (
	KindText   Kind = iota // one line of text
	KindNumber             // a whole number
	KindBool               // yes or no
	KindChoice             // one of Choices
	KindList               // items separated by commas
	KindPairs              // KEY=VALUE items separated by commas
	KindPair               // one KEY=VALUE
	KindPorts              // NUMBER[/PROTOCOL][:NAME] items separated by commas
	KindProbe              // /path, :PORT/path, tcp or tcp :PORT
)

// Repeatable reports whether the answer is a list, so a flag may be given several times.
func (k Kind) Repeatable() bool { return k == KindList || k == KindPairs || k == KindPorts }

// Section groups the answers the way kiln.yaml and the wizard do.
type Section string

const (
	SectionProject  Section = "Project"
	SectionRuntime  Section = "Runtime"
	SectionPorts    Section = "Ports and probes"
	SectionUser     Section = "User and permissions"
	SectionConfig   Section = "Configuration"
	SectionMetadata Section = "Metadata"
	SectionBuild    Section = "Build"
)

// Choice is one value a choice answer takes.
type Choice struct {
	Value       string
	Label       string // shown instead of Value when set (e.g. "auto" for "")
	Description string
}

// Name is how the choice is shown.
func (c Choice) Name() string {
	if c.Label != "" {
		return c.Label
	}
	return c.Value
}

// Field is one answer of kiln.yaml: where it lives, how kiln new's flag and
// the wizard ask for it, and how its text form reads and writes the spec.
// Every source of answers goes through Set, so they accept the same values.
type Field struct {
	Path    string   // kiln.yaml key; problems at it or below it belong to the field
	Flag    string   // kiln new's flag, without the dashes
	Aliases []string // older flag names that still work
	Label   string
	Why     string // one line: why it is asked, with the guideline it serves
	Help    string // the flag's help
	Default string // said in the flag's help when the default is not obvious
	Hint    string // an example answer
	Kind    Kind
	Section Section
	Choices func() []Choice
	// Merge: a flag's items join the entries the spec already has (from the
	// preset or --answers), replacing one with the same key, instead of
	// replacing the list.
	Merge bool

	Get func(*Spec) string        // the answer in its text form
	Set func(*Spec, string) error // parse the text form into the spec
	add func(*Spec, string) error // lists: add items to those the spec has
	// Applies reports whether the question matters for this spec (nil: always).
	Applies func(*Spec) bool
	// Warn gives advice that does not block (nil: none).
	Warn func(*Spec) string
	// Metadata: the answer describes the image rather than how it is built,
	// and changes over the image's life; kiln edit asks only these.
	Metadata bool
}

// metadataPaths are the answers kiln edit's wizard asks: what an image's
// users read and OKD schedules by (G09, G14, G18, G21-G26), not the preset,
// base image, packages or build choices, which change what kiln renders
// wholesale and belong to kiln new.
var metadataPaths = map[string]bool{
	"description": true, "displayName": true, "maintainer": true, "source": true, "licenses": true,
	"ports": true, "readiness": true, "liveness": true, "uid": true, "writableDirs": true,
	"env": true, "secrets": true, "volumes": true, "tags": true, "wants": true, "nonScalable": true,
	"minMemory": true, "minCPU": true, "labels": true, "certification": true,
}

// Owns returns how much of path the field's path covers (0: none), so the
// most specific field owns a problem.
func (f *Field) Owns(path string) int {
	if path == f.Path || strings.HasPrefix(path, f.Path+"[") || strings.HasPrefix(path, f.Path+".") {
		return len(f.Path)
	}
	return 0
}

// Asked reports whether the question applies to s.
func (f *Field) Asked(s *Spec) bool { return f.Applies == nil || f.Applies(s) }

// AnswerError is an answer that could not be read.
type AnswerError struct {
	Field *Field
	Value string
	Err   error
}

func (e *AnswerError) Error() string { return e.Err.Error() }
func (e *AnswerError) Unwrap() error { return e.Err }

// Apply sets the field from answers given one or more times, e.g. a
// repeated flag: the items of a list add up; a Merge list adds them to what
// the spec holds. Anything else takes the last answer.
func (f *Field) Apply(s *Spec, values []string) error {
	for i, v := range values {
		var err error
		if f.add != nil && (i > 0 || f.Merge) {
			err = f.add(s, v)
		} else {
			err = f.Set(s, v)
		}
		if err != nil {
			return &AnswerError{Field: f, Value: v, Err: err}
		}
	}
	return nil
}

// Fields returns the table of answers, in the order the wizard asks them.
func Fields() []*Field { return fieldTable() }

// FieldFor returns the field that owns a kiln.yaml path, or nil.
func FieldFor(path string) *Field {
	var best *Field
	n := 0
	for _, f := range fieldTable() {
		if m := f.Owns(path); m > n {
			best, n = f, m
		}
	}
	return best
}

// FieldByPath returns the field whose path is exactly path, or nil.
func FieldByPath(path string) *Field {
	for _, f := range fieldTable() {
		if f.Path == path {
			return f
		}
	}
	return nil
}

func fieldTable() []*Field {
	t := fields()
	for _, f := range t {
		top, _, _ := strings.Cut(f.Path, ".")
		f.Metadata = metadataPaths[top]
	}
	return t
}

func fields() []*Field {
	certWhy := "Optional: certification programs and catalogues read these labels."
	return []*Field{
		// Project.
		{Path: "name", Flag: "name", Label: "Image name", Kind: KindText, Section: SectionProject,
			Why:  "The name users pull: a DNS-1123 label (lower case letters, digits, -).",
			Help: "image name, a DNS-1123 label", Default: "DIR's base name",
			Get: func(s *Spec) string { return s.Name },
			Set: func(s *Spec, v string) error {
				old := s.Name
				s.Name = ParseText(v)
				s.followName(old)
				return nil
			}},
		textField(SectionProject, "tag", "tag", "Tag",
			"G03: keep a tag compatible; ship a breaking change under a new tag.",
			"image tag; keep it compatible, move to a new tag for breaking changes", func(s *Spec) *string { return &s.Tag }).withDefault("1.0"),
		textField(SectionProject, "description", "description", "Description",
			"G23: io.k8s.description tells users what the image does.",
			"what the image does (io.k8s.description)", func(s *Spec) *string { return &s.Description }),
		textField(SectionProject, "displayName", "display-name", "Display name",
			"G23: io.k8s.display-name is the name the console shows.",
			"human-friendly name (io.k8s.display-name)", func(s *Spec) *string { return &s.DisplayName }),
		textField(SectionProject, "maintainer", "maintainer", "Maintainer",
			"Who to contact about the image (name <email>).",
			"maintainer, e.g. 'Team <team@example.com>'", func(s *Spec) *string { return &s.Maintainer }).withHint("Name <email>"),
		textField(SectionProject, "source", "source", "Source URL",
			"Optional: the builder repo's URL (org.opencontainers.image.source).",
			"the builder repo's URL (org.opencontainers.image.source)", func(s *Spec) *string { return &s.Source }).withHint("https://…"),
		textField(SectionProject, "licenses", "licenses", "Licenses",
			"Optional: an SPDX expression (org.opencontainers.image.licenses).",
			"SPDX license expression (org.opencontainers.image.licenses)", func(s *Spec) *string { return &s.Licenses }).withHint("Apache-2.0"),

		// Runtime.
		{Path: "preset", Flag: "preset", Label: "Preset", Kind: KindChoice, Section: SectionRuntime,
			Why:     "G20: a builder carries its platform's common libraries; a preset starts you with them.",
			Help:    "preset: " + strings.Join(PresetNames(), ", "),
			Choices: presetChoices,
			Get:     func(s *Spec) string { return s.Preset },
			Set: func(s *Spec, v string) error {
				return s.UsePreset(ParseChoice(presetChoices(), v))
			}},
		textField(SectionRuntime, "from", "from", "Base image",
			"G01/G02: base on a maintained image, by an explicit tag, so fixes flow and nothing shifts.",
			"base image with an explicit tag (FROM)", func(s *Spec) *string { return &s.From }).withHint("registry/image:tag").withWarn(baseTagWarning),
		boolField(SectionRuntime, "allowLatest", "allow-latest", "Allow latest",
			"G02: an untagged or latest base changes under you; say yes only if you rebuild and test on every change.",
			"allow a base image without a tag or tagged latest", func(s *Spec) *bool { return &s.AllowLatest }).withApplies(
			func(s *Spec) bool { return s.AllowLatest || baseTagWarning(s) != "" }),
		{Path: "packageManager", Flag: "pkg-manager", Label: "Package manager", Kind: KindChoice, Section: SectionRuntime,
			Why:     "G06: kiln installs and cleans the cache in the same RUN, so no cache stays in a layer.",
			Help:    "package manager: " + strings.Join(PackageManagers, ", "),
			Choices: packageManagerChoices,
			Get:     func(s *Spec) string { return s.PackageManager },
			Set: func(s *Spec, v string) error {
				s.PackageManager = ParseChoice(packageManagerChoices(), v)
				if s.PackageManager == "none" {
					s.Packages = nil // nothing installs them
				}
				return nil
			}},
		listField(SectionRuntime, "packages", "package", "Packages",
			"G20: the libraries builds of your platform need (drivers, headers).",
			"package to install", func(s *Spec) *[]string { return &s.Packages }).withHint("pkg, pkg"),
		{Path: "version", Flag: "version-var", Label: "Version variable", Kind: KindPair, Section: SectionRuntime,
			Why:  "G10: an ENV with the runtime's version lets users and scripts see what they run.",
			Help: "version variable as NAME=VALUE, e.g. PYTHON_VERSION=3.11", Hint: "NAME=value",
			Get: func(s *Spec) string { return FormatPair(Pair{s.Version.Name, s.Version.Value}) },
			Set: func(s *Spec, v string) error {
				p, err := ParsePair(v)
				if err == nil {
					s.Version = EnvVar{Name: p.Key, Value: p.Value}
				}
				return err
			}},

		// Ports and probes.
		{Path: "ports", Flag: "port", Label: "Ports", Kind: KindPorts, Section: SectionPorts,
			Why:  "G09/G17: EXPOSE each port; OKD runs as a non-root UID, which cannot bind below 1024.",
			Help: "port as NUMBER[/PROTOCOL][:NAME], 1024-65535, e.g. 8080/tcp:http", Hint: "8080/tcp:http, 8443/tcp:https",
			Get: func(s *Spec) string { return FormatPorts(s.Ports) },
			Set: func(s *Spec, v string) error {
				ps, err := ParsePorts(v)
				if err == nil {
					s.Ports = ps
				}
				return err
			},
			add: func(s *Spec, v string) error {
				ps, err := ParsePorts(v)
				if err == nil {
					s.Ports = append(s.Ports, ps...)
				}
				return err
			}},
		probeField("readiness", "Readiness probe",
			"G26: readiness tells OKD when to send traffic (/path, :PORT/path or tcp).",
			func(s *Spec) *Probe { return &s.Readiness }),
		probeField("liveness", "Liveness probe",
			"G26: liveness tells OKD when to restart the container.",
			func(s *Spec) *Probe { return &s.Liveness }),

		// User and permissions.
		{Path: "uid", Flag: "uid", Label: "UID", Kind: KindNumber, Section: SectionUser, Hint: "1001",
			Why:  "G18: a numeric USER lets OKD check it is not root; any UID it picks must work.",
			Help: "numeric UID the image runs as", Default: "1001",
			Get: func(s *Spec) string { return fmt.Sprint(s.UID) },
			Set: func(s *Spec, v string) error {
				n, err := ParseNumber(v)
				if err == nil {
					s.UID = n
				}
				return err
			}},
		listField(SectionUser, "writableDirs", "writable-dir", "Writable dirs",
			"G15: these get group 0 and g=u, so an arbitrary UID in the root group can write.",
			"directory the app writes, made group-0 writable", func(s *Spec) *[]string { return &s.WritableDirs }).withHint(AppRoot),

		// Configuration.
		pairsField(SectionConfig, "env", "env", "Env vars",
			"G21: configure through environment variables, with defaults that work.",
			"environment variable as NAME=VALUE", "NAME=value, NAME=value",
			func(s *Spec) []Pair {
				var ps []Pair
				for _, e := range s.Env {
					ps = append(ps, Pair{e.Name, e.Value})
				}
				return ps
			},
			func(s *Spec, ps []Pair) {
				s.Env = nil
				for _, p := range ps {
					s.Env = append(s.Env, EnvVar{Name: p.Key, Value: p.Value})
				}
			}),
		listField(SectionConfig, "secrets", "secret", "Required secrets",
			"G11: no default passwords; the image refuses to start until these are set.",
			"required secret's variable name, never a value", func(s *Spec) *[]string { return &s.Secrets }).withHint("DB_PASSWORD"),
		listField(SectionConfig, "volumes", "volume", "Volumes",
			"G13: data to keep goes to a declared VOLUME, nowhere else.",
			"volume for persistent data", func(s *Spec) *[]string { return &s.Volumes }).withHint("/var/lib/data"),

		// Metadata.
		listField(SectionMetadata, "tags", "tags", "Tags",
			"G23: io.openshift.tags; `builder` marks an s2i builder in the catalogue.",
			"io.openshift.tags (builder is required)", func(s *Spec) *[]string { return &s.Tags }).withHint("builder, python"),
		listField(SectionMetadata, "wants", "wants", "Wants",
			"G23: io.openshift.wants names images this one needs (e.g. a database).",
			"io.openshift.wants", func(s *Spec) *[]string { return &s.Wants }).withHint("postgresql"),
		boolField(SectionMetadata, "nonScalable", "non-scalable", "Non-scalable",
			"G24: say so if a second replica would break it (no dynamic clustering).",
			"mark the image as not scalable (io.openshift.non-scalable)", func(s *Spec) *bool { return &s.NonScalable }),
		textField(SectionMetadata, "minMemory", "min-memory", "Min memory",
			"G23: io.openshift.min-memory, e.g. 512Mi.",
			"io.openshift.min-memory, a Kubernetes quantity, e.g. 512Mi", func(s *Spec) *string { return &s.MinMemory }),
		textField(SectionMetadata, "minCPU", "min-cpu", "Min CPU",
			"G23: io.openshift.min-cpu, e.g. 500m or 1.",
			"io.openshift.min-cpu, a Kubernetes quantity, e.g. 500m", func(s *Spec) *string { return &s.MinCPU }),
		pairsField(SectionMetadata, "labels", "label", "Extra labels",
			"Any other labels, as key=value.",
			"extra label as KEY=VALUE", "key=value",
			func(s *Spec) []Pair {
				var ps []Pair
				for _, l := range s.Labels {
					ps = append(ps, Pair{l.Key, l.Value})
				}
				return ps
			},
			func(s *Spec, ps []Pair) {
				s.Labels = nil
				for _, p := range ps {
					s.Labels = append(s.Labels, Label{Key: p.Key, Value: p.Value})
				}
			}),
		{Path: "certification", Flag: "certification", Label: "Certification", Kind: KindBool, Section: SectionMetadata,
			Why:  "Optional: name, vendor, version, release… labels for certified images.",
			Help: "add the certification labels (any --cert-* flag adds them too)",
			Get:  func(s *Spec) string { return FormatBool(s.Certification != nil) },
			Set: func(s *Spec, v string) error {
				b, err := ParseBool(v)
				switch {
				case err != nil:
				case !b:
					s.Certification = nil
				case s.Certification == nil:
					s.Certification = &Certification{}
				}
				return err
			}},
		certField("name", "Name", certWhy, func(c *Certification) *string { return &c.Name }),
		certField("vendor", "Vendor", certWhy, func(c *Certification) *string { return &c.Vendor }),
		certField("version", "Version", certWhy, func(c *Certification) *string { return &c.Version }),
		certField("release", "Release", certWhy, func(c *Certification) *string { return &c.Release }),
		certField("summary", "Summary", certWhy, func(c *Certification) *string { return &c.Summary }),
		certField("description", "Description", certWhy, func(c *Certification) *string { return &c.Description }),
		certField("maintainer", "Maintainer", certWhy, func(c *Certification) *string { return &c.Maintainer }),

		// Build.
		boolField(SectionBuild, "incremental", "incremental", "Incremental builds",
			"G29: save-artifacts streams a tar of reusable files; assemble restores it first.",
			"support incremental builds with save-artifacts", func(s *Spec) *bool { return &s.Incremental }).withDefault("from the preset"),
		{Path: "engine", Flag: "engine", Label: "Engine", Kind: KindChoice, Section: SectionBuild,
			Why:     "G31: the Makefile builds and tests with this engine.",
			Help:    "container engine for builds: podman, buildah or docker",
			Choices: engineChoices,
			Get:     func(s *Spec) string { return s.Engine },
			Set:     func(s *Spec, v string) error { s.Engine = ParseChoice(engineChoices(), v); return nil }},
	}
}

func (f *Field) withHint(h string) *Field              { f.Hint = h; return f }
func (f *Field) withDefault(d string) *Field           { f.Default = d; return f }
func (f *Field) withWarn(w func(*Spec) string) *Field  { f.Warn = w; return f }
func (f *Field) withApplies(a func(*Spec) bool) *Field { f.Applies = a; return f }

func textField(sec Section, path, flag, label, why, help string, p func(*Spec) *string) *Field {
	return &Field{Path: path, Flag: flag, Label: label, Why: why, Help: help, Kind: KindText, Section: sec,
		Get: func(s *Spec) string { return *p(s) },
		Set: func(s *Spec, v string) error { *p(s) = ParseText(v); return nil }}
}

func boolField(sec Section, path, flag, label, why, help string, p func(*Spec) *bool) *Field {
	return &Field{Path: path, Flag: flag, Label: label, Why: why, Help: help, Kind: KindBool, Section: sec,
		Get: func(s *Spec) string { return FormatBool(*p(s)) },
		Set: func(s *Spec, v string) error {
			b, err := ParseBool(v)
			if err == nil {
				*p(s) = b
			}
			return err
		}}
}

func listField(sec Section, path, flag, label, why, help string, p func(*Spec) *[]string) *Field {
	return &Field{Path: path, Flag: flag, Label: label, Why: why, Help: help, Kind: KindList, Section: sec,
		Get: func(s *Spec) string { return JoinList(*p(s)) },
		Set: func(s *Spec, v string) error { *p(s) = SplitList(v); return nil },
		add: func(s *Spec, v string) error { *p(s) = append(*p(s), SplitList(v)...); return nil }}
}

func pairsField(sec Section, path, flag, label, why, help, hint string, get func(*Spec) []Pair, set func(*Spec, []Pair)) *Field {
	return &Field{Path: path, Flag: flag, Label: label, Why: why, Help: help, Hint: hint, Kind: KindPairs, Section: sec, Merge: true,
		Get: func(s *Spec) string { return FormatPairs(get(s)) },
		Set: func(s *Spec, v string) error {
			ps, err := ParsePairs(v)
			if err == nil {
				set(s, ps)
			}
			return err
		},
		add: func(s *Spec, v string) error {
			ps, err := ParsePairs(v)
			if err != nil {
				return err
			}
			have := get(s)
		next:
			for _, p := range ps {
				for i := range have {
					if have[i].Key == p.Key {
						have[i] = p
						continue next
					}
				}
				have = append(have, p)
			}
			set(s, have)
			return nil
		}}
}

func probeField(path, label, why string, p func(*Spec) *Probe) *Field {
	return &Field{Path: path, Flag: path, Aliases: []string{path + "-path"}, Label: label, Why: why, Kind: KindProbe, Section: SectionPorts,
		Help: "the " + path + " probe: /path (HTTP GET on the first port), :PORT/path, tcp or tcp :PORT",
		Hint: "/healthz",
		Get:  func(s *Spec) string { return p(s).String() },
		Set: func(s *Spec, v string) error {
			pr, err := ParseProbe(v)
			if err == nil {
				*p(s) = pr
			}
			return err
		}}
}

func certField(key, label, why string, p func(*Certification) *string) *Field {
	return &Field{Path: "certification." + key, Flag: "cert-" + key, Label: label, Why: why, Kind: KindText, Section: SectionMetadata,
		Help:    "certification label " + key,
		Applies: func(s *Spec) bool { return s.Certification != nil },
		Get: func(s *Spec) string {
			if s.Certification == nil {
				return ""
			}
			return *p(s.Certification)
		},
		Set: func(s *Spec, v string) error {
			if s.Certification == nil {
				s.Certification = &Certification{}
			}
			*p(s.Certification) = ParseText(v)
			return nil
		}}
}

func presetChoices() []Choice {
	var cs []Choice
	for _, p := range presets {
		cs = append(cs, Choice{Value: p.Name, Description: p.Description})
	}
	return cs
}

func packageManagerChoices() []Choice {
	about := map[string]string{
		"dnf":      "Fedora, RHEL, UBI",
		"microdnf": "UBI minimal images",
		"yum":      "older RHEL and CentOS",
		"apt":      "Debian and Ubuntu",
		"apk":      "Alpine",
		"none":     "install nothing",
	}
	var cs []Choice
	for _, m := range PackageManagers {
		cs = append(cs, Choice{Value: m, Description: about[m]})
	}
	return cs
}

func engineChoices() []Choice {
	return []Choice{
		{Value: "", Label: "auto", Description: "use the engine kiln finds: podman, then buildah, then docker"},
		{Value: "podman", Description: "daemonless and rootless"},
		{Value: "buildah", Description: "builds without a daemon; tests still need podman"},
		{Value: "docker", Description: "the Docker engine"},
	}
}

// baseTagWarning advises on a base image that is untagged or latest (G02),
// which --allow-latest (or the Allow latest answer) lets through.
func baseTagWarning(s *Spec) string {
	if s.From == "" {
		return ""
	}
	switch okd.FromTag(s.From) {
	case okd.Untagged:
		return "no tag means latest: the base can change under you (G02)"
	case okd.Latest:
		return "latest can change under you; name the tag you tested (G02)"
	}
	return ""
}

// UsePreset switches the spec to a preset. An answer still at the old
// preset's default takes the new preset's; an answer the author changed
// stays, and so do the project answers. A description kiln generated
// follows the preset.
func (s *Spec) UsePreset(name string) error {
	if name == s.Preset {
		return nil
	}
	d, err := Defaults(name)
	if err != nil {
		return err
	}
	old, err := Defaults(s.Preset)
	if err != nil {
		old = &Spec{} // an unknown preset: every answer is the author's
	}
	if s.Description == "" || s.Description == presetDescription(s.Name, s.Preset) {
		s.Description = presetDescription(s.Name, name)
	}
	s.Preset = name
	follow(&s.From, old.From, d.From)
	follow(&s.AllowLatest, old.AllowLatest, d.AllowLatest)
	follow(&s.PackageManager, old.PackageManager, d.PackageManager)
	follow(&s.Packages, old.Packages, d.Packages)
	follow(&s.Version, old.Version, d.Version)
	follow(&s.Tags, old.Tags, d.Tags)
	follow(&s.Env, old.Env, d.Env)
	follow(&s.Ports, old.Ports, d.Ports)
	follow(&s.Readiness, old.Readiness, d.Readiness)
	follow(&s.Liveness, old.Liveness, d.Liveness)
	follow(&s.Incremental, old.Incremental, d.Incremental)
	return nil
}

// follow sets *v to now when it still holds was, the default it came from.
func follow[T any](v *T, was, now T) {
	if reflect.DeepEqual(*v, was) || (isEmpty(*v) && isEmpty(was)) {
		*v = now
	}
}

func isEmpty(v any) bool {
	r := reflect.ValueOf(v)
	return r.Kind() == reflect.Slice && r.Len() == 0
}

// followName keeps the answers kiln derives from the name (display name,
// description, and the labels made of them) in step with a new name, as
// long as the author has not written their own.
func (s *Spec) followName(old string) {
	if old == s.Name {
		return
	}
	was := &Spec{Name: old, Preset: s.Preset}
	was.FillDefaults()
	now := &Spec{Name: s.Name, Preset: s.Preset}
	now.FillDefaults()
	if s.DisplayName == was.DisplayName {
		s.DisplayName = now.DisplayName
	}
	if s.Description == was.Description {
		s.Description = now.Description
	}
}

// presetDescription is the description FillDefaults writes for a name and preset.
func presetDescription(name, preset string) string {
	c := &Spec{Name: name, Preset: preset}
	c.FillDefaults()
	return c.Description
}
