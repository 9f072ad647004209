package tui

import (
	"fmt"
	"strings"

	"github.com/kiln-s2i/kiln/scaffold/okd"
)

// screenID names the wizard's screens, in order.
type screenID int

const (
	screenProject screenID = iota
	screenRuntime
	screenPorts
	screenUser
	screenConfig
	screenMetadata
	screenBuild
	screenReview
)

// screenDef is a screen's questions and the rendered file it affects most.
type screenDef struct {
	id      screenID
	title   string
	short   string // for the header's list of screens
	intro   string
	fields  []*fieldDef
	preview []string // preferred preview files, first match wins
}

var engines = []choice{
	{value: "", label: "auto", description: "use the engine kiln finds: podman, then buildah, then docker"},
	{value: "podman", description: "daemonless and rootless"},
	{value: "buildah", description: "builds without a daemon; tests still need podman"},
	{value: "docker", description: "the Docker engine"},
}

func presetChoices() []choice {
	var cs []choice
	for _, p := range presets() {
		cs = append(cs, choice{value: p.Name, description: p.Description})
	}
	return cs
}

func textField(id, label, why string, paths []string, get func(*Spec) string, set func(*Spec, string)) *fieldDef {
	return &fieldDef{id: id, label: label, why: why, paths: paths, get: get,
		set: func(s *Spec, v string) error { set(s, strings.TrimSpace(v)); return nil }}
}

func listField(id, label, why, hint string, paths []string, get func(*Spec) []string, set func(*Spec, []string)) *fieldDef {
	return &fieldDef{id: id, label: label, why: why, paths: paths, hint: hint,
		get: func(s *Spec) string { return joinList(get(s)) },
		set: func(s *Spec, v string) error { set(s, splitList(v)); return nil }}
}

func toggleField(id, label, why string, paths []string, get func(*Spec) bool, set func(*Spec, bool)) *fieldDef {
	return &fieldDef{id: id, label: label, why: why, paths: paths, kind: kindToggle,
		get: func(s *Spec) string { return yesNo(get(s)) },
		set: func(s *Spec, v string) error {
			b, err := parseYesNo(v)
			if err == nil {
				set(s, b)
			}
			return err
		}}
}

func pairsField(id, label, why, hint, what string, paths []string, get func(*Spec) [][2]string, set func(*Spec, [][2]string)) *fieldDef {
	return &fieldDef{id: id, label: label, why: why, paths: paths, hint: hint,
		get: func(s *Spec) string {
			var items []string
			for _, kv := range get(s) {
				items = append(items, kv[0]+"="+kv[1])
			}
			return joinList(items)
		},
		set: func(s *Spec, v string) error {
			kvs, err := parsePairs(v, what)
			if err == nil {
				set(s, kvs)
			}
			return err
		}}
}

func hasCert(s *Spec) bool { return s.Certification != nil }

func cert(s *Spec) *Certification {
	if s.Certification == nil {
		s.Certification = &Certification{}
	}
	return s.Certification
}

func certField(id, label string, get func(*Certification) *string) *fieldDef {
	d := textField(id, label, "Certification labels are optional; they describe the image to catalogues that certify it.",
		[]string{"certification." + id[len("cert-"):]},
		func(s *Spec) string {
			if s.Certification == nil {
				return ""
			}
			return *get(s.Certification)
		},
		func(s *Spec, v string) { *get(cert(s)) = v })
	d.visible = hasCert
	return d
}

// wizardScreens are the questions of the OKD guide, in the order an author meets them.
func wizardScreens() []screenDef {
	return []screenDef{
		{id: screenProject, title: "Project", short: "Project", intro: "What the image is called and who keeps it.",
			preview: []string{"Dockerfile"},
			fields: []*fieldDef{
				textField("name", "Image name", "The name users pull: a DNS-1123 label (lower case letters, digits, -).", []string{"name"},
					func(s *Spec) string { return s.Name }, func(s *Spec, v string) { s.Name = v }),
				textField("tag", "Tag", "G03: keep a tag compatible; ship a breaking change under a new tag.", []string{"tag"},
					func(s *Spec) string { return s.Tag }, func(s *Spec, v string) { s.Tag = v }),
				textField("description", "Description", "G23: io.k8s.description tells users what the image does.", []string{"description"},
					func(s *Spec) string { return s.Description }, func(s *Spec, v string) { s.Description = v }),
				textField("display-name", "Display name", "G23: io.k8s.display-name is the name the console shows.", []string{"displayName"},
					func(s *Spec) string { return s.DisplayName }, func(s *Spec, v string) { s.DisplayName = v }),
				withHint(textField("maintainer", "Maintainer", "Who to contact about the image (name <email>).", []string{"maintainer"},
					func(s *Spec) string { return s.Maintainer }, func(s *Spec, v string) { s.Maintainer = v }), "Name <email>"),
				withHint(textField("source", "Source URL", "Optional: the builder repo's URL (org.opencontainers.image.source).", []string{"source"},
					func(s *Spec) string { return s.Source }, func(s *Spec, v string) { s.Source = v }), "https://…"),
				withHint(textField("licenses", "Licenses", "Optional: an SPDX expression (org.opencontainers.image.licenses).", []string{"licenses"},
					func(s *Spec) string { return s.Licenses }, func(s *Spec, v string) { s.Licenses = v }), "Apache-2.0"),
			}},
		{id: screenRuntime, title: "Runtime", short: "Runtime", intro: "What the builder is based on and what it installs.",
			preview: []string{"Dockerfile"},
			fields: []*fieldDef{
				{id: "preset", label: "Preset", kind: kindChoice, paths: []string{"preset"},
					why:     "G20: a builder carries its platform's common libraries; a preset starts you with them.",
					choices: presetChoices,
					get:     func(s *Spec) string { return s.Preset },
					set:     applyPreset},
				{id: "from", label: "Base image", paths: []string{"from", "allowLatest"}, hint: "registry/image:tag",
					why:  "G01/G02: base on a maintained image, by an explicit tag, so fixes flow and nothing shifts.",
					get:  func(s *Spec) string { return s.From },
					set:  func(s *Spec, v string) error { s.From = strings.TrimSpace(v); return nil },
					warn: baseTagWarning},
				{id: "package-manager", label: "Package manager", kind: kindChoice, paths: []string{"packageManager"},
					why:     "G06: kiln installs and cleans the cache in the same RUN, so no cache stays in a layer.",
					choices: packageManagers,
					get:     func(s *Spec) string { return s.PackageManager },
					set:     func(s *Spec, v string) error { s.PackageManager = v; return nil }},
				listField("packages", "Packages", "G20: the libraries builds of your platform need (drivers, headers).", "pkg, pkg", []string{"packages"},
					func(s *Spec) []string { return s.Packages }, func(s *Spec, v []string) { s.Packages = v }),
				{id: "version", label: "Version variable", paths: []string{"version"}, hint: "NAME=value",
					why: "G10: an ENV with the runtime's version lets users and scripts see what they run.",
					get: func(s *Spec) string {
						if s.Version.Name == "" {
							return ""
						}
						return s.Version.Name + "=" + s.Version.Value
					},
					set: func(s *Spec, v string) error {
						v = strings.TrimSpace(v)
						if v == "" {
							s.Version = EnvVar{}
							return nil
						}
						k, val, ok := strings.Cut(v, "=")
						if !ok {
							return fmt.Errorf("version %q: write it as NAME=value, e.g. PYTHON_VERSION=3.12", v)
						}
						s.Version = EnvVar{Name: strings.TrimSpace(k), Value: strings.TrimSpace(val)}
						return nil
					}},
			}},
		{id: screenPorts, title: "Ports and probes", short: "Ports", intro: "Where the service listens and how OKD knows it is healthy.",
			preview: []string{"openshift/template.yaml", "template.yaml", "Dockerfile"},
			fields: []*fieldDef{
				{id: "ports", label: "Ports", paths: []string{"ports"}, hint: "8080:http, 8443:https",
					why: "G09/G17: EXPOSE each port; OKD runs as a non-root UID, which cannot bind below 1024.",
					get: func(s *Spec) string { return formatPorts(s.Ports) },
					set: func(s *Spec, v string) error {
						ps, err := parsePorts(v)
						if err == nil {
							s.Ports = ps
						}
						return err
					}},
				probeField("readiness", "Readiness probe", "G26: readiness tells OKD when to send traffic (/path, :PORT/path or tcp).",
					func(s *Spec) *Probe { return &s.Readiness }),
				probeField("liveness", "Liveness probe", "G26: liveness tells OKD when to restart the container.",
					func(s *Spec) *Probe { return &s.Liveness }),
			}},
		{id: screenUser, title: "User and permissions", short: "User", intro: "OKD runs the image as an arbitrary UID in the root group.",
			preview: []string{"Dockerfile"},
			fields: []*fieldDef{
				{id: "uid", label: "UID", paths: []string{"uid"}, hint: "1001",
					why: "G18: a numeric USER lets OKD check it is not root; any UID it picks must work.",
					get: func(s *Spec) string { return fmt.Sprint(s.UID) },
					set: func(s *Spec, v string) error {
						n, err := parseInt(v, "UID")
						if err == nil {
							s.UID = n
						}
						return err
					}},
				listField("writable-dirs", "Writable dirs", "G15: these get group 0 and g=u, so an arbitrary UID in the root group can write.", "/opt/app-root", []string{"writableDirs"},
					func(s *Spec) []string { return s.WritableDirs }, func(s *Spec, v []string) { s.WritableDirs = v }),
			}},
		{id: screenConfig, title: "Configuration", short: "Config", intro: "Configuration comes from the environment; data that must survive goes to volumes.",
			preview: []string{"Dockerfile"},
			fields: []*fieldDef{
				pairsField("env", "Env vars", "G21: configure through environment variables, with defaults that work.", "NAME=value, NAME=value", "env var", []string{"env"},
					func(s *Spec) [][2]string {
						var kvs [][2]string
						for _, e := range s.Env {
							kvs = append(kvs, [2]string{e.Name, e.Value})
						}
						return kvs
					},
					func(s *Spec, kvs [][2]string) {
						s.Env = nil
						for _, kv := range kvs {
							s.Env = append(s.Env, EnvVar{Name: kv[0], Value: kv[1]})
						}
					}),
				listField("secrets", "Required secrets", "G11: no default passwords; the image refuses to start until these are set.", "DB_PASSWORD", []string{"secrets"},
					func(s *Spec) []string { return s.Secrets }, func(s *Spec, v []string) { s.Secrets = v }),
				listField("volumes", "Volumes", "G13: data to keep goes to a declared VOLUME, nowhere else.", "/var/lib/data", []string{"volumes"},
					func(s *Spec) []string { return s.Volumes }, func(s *Spec, v []string) { s.Volumes = v }),
			}},
		{id: screenMetadata, title: "Metadata", short: "Metadata", intro: "Labels OKD reads to list, place and size the image.",
			preview: []string{"Dockerfile"},
			fields: []*fieldDef{
				listField("tags", "Tags", "G23: io.openshift.tags; `builder` marks an s2i builder in the catalogue.", "builder, python", []string{"tags"},
					func(s *Spec) []string { return s.Tags }, func(s *Spec, v []string) { s.Tags = v }),
				listField("wants", "Wants", "G23: io.openshift.wants names images this one needs (e.g. a database).", "postgresql", []string{"wants"},
					func(s *Spec) []string { return s.Wants }, func(s *Spec, v []string) { s.Wants = v }),
				toggleField("non-scalable", "Non-scalable", "G24: say so if a second replica would break it (no dynamic clustering).", []string{"nonScalable"},
					func(s *Spec) bool { return s.NonScalable }, func(s *Spec, b bool) { s.NonScalable = b }),
				textField("min-memory", "Min memory", "G23: io.openshift.min-memory, e.g. 512Mi.", []string{"minMemory"},
					func(s *Spec) string { return s.MinMemory }, func(s *Spec, v string) { s.MinMemory = v }),
				textField("min-cpu", "Min CPU", "G23: io.openshift.min-cpu, e.g. 500m or 1.", []string{"minCPU"},
					func(s *Spec) string { return s.MinCPU }, func(s *Spec, v string) { s.MinCPU = v }),
				pairsField("labels", "Extra labels", "Any other labels, as key=value.", "key=value", "label", []string{"labels"},
					func(s *Spec) [][2]string {
						var kvs [][2]string
						for _, l := range s.Labels {
							kvs = append(kvs, [2]string{l.Key, l.Value})
						}
						return kvs
					},
					func(s *Spec, kvs [][2]string) {
						s.Labels = nil
						for _, kv := range kvs {
							s.Labels = append(s.Labels, Label{Key: kv[0], Value: kv[1]})
						}
					}),
				toggleField("certification", "Certification", "Optional: name, vendor, version, release… labels for certified images.", []string{"certification"},
					hasCert, func(s *Spec, b bool) {
						if !b {
							s.Certification = nil
						} else {
							cert(s)
						}
					}),
				certField("cert-name", "  Name", func(c *Certification) *string { return &c.Name }),
				certField("cert-vendor", "  Vendor", func(c *Certification) *string { return &c.Vendor }),
				certField("cert-version", "  Version", func(c *Certification) *string { return &c.Version }),
				certField("cert-release", "  Release", func(c *Certification) *string { return &c.Release }),
				certField("cert-summary", "  Summary", func(c *Certification) *string { return &c.Summary }),
				certField("cert-description", "  Description", func(c *Certification) *string { return &c.Description }),
				certField("cert-maintainer", "  Maintainer", func(c *Certification) *string { return &c.Maintainer }),
			}},
		{id: screenBuild, title: "Build", short: "Build", intro: "How the builder builds and which engine runs it.",
			preview: []string{"s2i/bin/save-artifacts", "s2i/bin/assemble", "Makefile"},
			fields: []*fieldDef{
				toggleField("incremental", "Incremental builds", "G29: save-artifacts streams a tar of reusable files; assemble restores it first.", []string{"incremental"},
					func(s *Spec) bool { return s.Incremental }, func(s *Spec, b bool) { s.Incremental = b }),
				{id: "engine", label: "Engine", kind: kindChoice, paths: []string{"engine"},
					why:     "G31: the Makefile builds and tests with this engine.",
					choices: func() []choice { return engines },
					get:     func(s *Spec) string { return s.Engine },
					set:     func(s *Spec, v string) error { s.Engine = v; return nil }},
			}},
		{id: screenReview, title: "Review", short: "Review", intro: "The files kiln will write.", preview: []string{"Dockerfile"}},
	}
}

func withHint(d *fieldDef, hint string) *fieldDef {
	d.hint = hint
	return d
}

func probeField(id, label, why string, get func(*Spec) *Probe) *fieldDef {
	return &fieldDef{id: id, label: label, why: why, paths: []string{id}, hint: "/healthz",
		get: func(s *Spec) string { return formatProbe(*get(s)) },
		set: func(s *Spec, v string) error {
			p, err := parseProbe(v)
			if err == nil {
				*get(s) = p
			}
			return err
		}}
}

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

// applyPreset switches the runtime answers to the preset's defaults; the
// project answers stay.
func applyPreset(s *Spec, name string) error {
	if name == s.Preset {
		return nil
	}
	d, err := defaults(name)
	if err != nil {
		return err
	}
	if s.Description == "" || s.Description == presetDescription(s, s.Preset) {
		s.Description = presetDescription(s, name)
	}
	s.Preset = name
	s.From, s.AllowLatest = d.From, d.AllowLatest
	s.PackageManager, s.Packages = d.PackageManager, d.Packages
	s.Version, s.Tags, s.Env = d.Version, d.Tags, d.Env
	s.Ports, s.Readiness, s.Liveness = d.Ports, d.Readiness, d.Liveness
	s.Incremental = d.Incremental
	return nil
}
