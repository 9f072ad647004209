package main

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kiln-s2i/kiln/scaffold"
)

// newOptions are kiln new's inputs; flags fill it, runNew acts on it.
type newOptions struct {
	dir         string
	preset      string
	answersFile string
	defaults    bool
	yes         bool
	accessible  bool
	write       writeOptions

	name, tag, description, displayName, maintainer, source, licenses string
	from                                                              string
	allowLatest                                                       bool
	pkgManager                                                        string
	packages                                                          []string
	ports                                                             []string
	readinessPath, livenessPath, probeType                            string
	uid                                                               int
	writableDirs                                                      []string
	versionVar                                                        string
	env, secrets, volumes                                             []string
	tags, wants                                                       []string
	nonScalable                                                       bool
	minMemory, minCPU                                                 string
	labels                                                            []string
	incremental                                                       bool
	engine                                                            string
	cert                                                              scaffold.Certification

	changed func(flag string) bool // whether a flag was given
}

// writeOptions are shared by kiln new and kiln render.
type writeOptions struct {
	dryRun bool
	force  bool
}

// runWizard is set by the TUI wiring; nil means no wizard is available.
var runWizard func(s streams, opts *newOptions, spec *scaffold.Spec) error

func newNewCmd(s streams) *cobra.Command {
	o := &newOptions{}
	cmd := &cobra.Command{
		Use:   "new DIR",
		Short: "Create a builder-image repo: Dockerfile, s2i scripts, tests, template",
		Long: `Create a builder-image repo in DIR.

On a terminal kiln new asks its questions in a wizard. Without one, every
answer comes from flags, an --answers file (a kiln.yaml) and the preset's
defaults, in that order of precedence; --defaults accepts the preset's
defaults for everything not given.`,
		Example: `  kiln new mybuilder                       # the wizard
  kiln new /tmp/b --preset python --defaults
  kiln new b --defaults --from quay.io/me/base:1.2 --port 8080/tcp:http --secret DB_PASSWORD`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dir = args[0]
			o.changed = func(name string) bool { return cmd.Flags().Changed(name) }
			return runNew(s, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.preset, "preset", "", "preset: "+strings.Join(scaffold.PresetNames(), ", "))
	f.StringVar(&o.answersFile, "answers", "", "a kiln.yaml whose answers to use (flags override it)")
	f.BoolVar(&o.defaults, "defaults", false, "accept the preset's defaults for every answer not given")
	f.BoolVarP(&o.yes, "yes", "y", false, "wizard: skip the screens whose answers are complete")
	f.BoolVar(&o.accessible, "accessible", false, "wizard: plain line-by-line prompts (also TERM=dumb or KILN_ACCESSIBLE=1)")
	addWriteFlags(f, &o.write)

	f.StringVar(&o.name, "name", "", "image name, a DNS-1123 label (default: DIR's base name)")
	f.StringVar(&o.tag, "tag", "", "image tag; keep it compatible, move to a new tag for breaking changes (default 1.0)")
	f.StringVar(&o.description, "description", "", "what the image does (io.k8s.description)")
	f.StringVar(&o.displayName, "display-name", "", "human-friendly name (io.k8s.display-name)")
	f.StringVar(&o.maintainer, "maintainer", "", "maintainer, e.g. 'Team <team@example.com>'")
	f.StringVar(&o.source, "source", "", "the builder repo's URL (org.opencontainers.image.source)")
	f.StringVar(&o.licenses, "licenses", "", "SPDX license expression (org.opencontainers.image.licenses)")
	f.StringVar(&o.from, "from", "", "base image with an explicit tag (FROM)")
	f.BoolVar(&o.allowLatest, "allow-latest", false, "allow a base image without a tag or tagged latest")
	f.StringVar(&o.pkgManager, "pkg-manager", "", "package manager: "+strings.Join(scaffold.PackageManagers, ", "))
	f.StringArrayVar(&o.packages, "package", nil, "package to install (repeatable)")
	f.StringArrayVar(&o.ports, "port", nil, "port as NUMBER[/PROTOCOL][:NAME], 1024-65535 (repeatable), e.g. 8080/tcp:http")
	f.StringVar(&o.readinessPath, "readiness-path", "", "HTTP path of the readiness probe")
	f.StringVar(&o.livenessPath, "liveness-path", "", "HTTP path of the liveness probe")
	f.StringVar(&o.probeType, "probe-type", "", "probe type for both probes: http or tcp")
	f.IntVar(&o.uid, "uid", 0, "numeric UID the image runs as (default 1001)")
	f.StringArrayVar(&o.writableDirs, "writable-dir", nil, "directory the app writes, made group-0 writable (repeatable)")
	f.StringVar(&o.versionVar, "version-var", "", "version variable as NAME=VALUE, e.g. PYTHON_VERSION=3.11")
	f.StringArrayVar(&o.env, "env", nil, "environment variable as NAME=VALUE (repeatable)")
	f.StringArrayVar(&o.secrets, "secret", nil, "required secret's variable name, never a value (repeatable)")
	f.StringArrayVar(&o.volumes, "volume", nil, "volume for persistent data (repeatable)")
	f.StringSliceVar(&o.tags, "tags", nil, "io.openshift.tags, comma-separated (builder is required)")
	f.StringSliceVar(&o.wants, "wants", nil, "io.openshift.wants, comma-separated")
	f.BoolVar(&o.nonScalable, "non-scalable", false, "mark the image as not scalable (io.openshift.non-scalable)")
	f.StringVar(&o.minMemory, "min-memory", "", "io.openshift.min-memory, a Kubernetes quantity, e.g. 512Mi")
	f.StringVar(&o.minCPU, "min-cpu", "", "io.openshift.min-cpu, a Kubernetes quantity, e.g. 500m")
	f.StringArrayVar(&o.labels, "label", nil, "extra label as KEY=VALUE (repeatable)")
	f.BoolVar(&o.incremental, "incremental", false, "support incremental builds with save-artifacts (default from the preset)")
	f.StringVar(&o.engine, "engine", "", "container engine for builds: podman, buildah or docker")
	f.StringVar(&o.cert.Name, "cert-name", "", "certification label name")
	f.StringVar(&o.cert.Vendor, "cert-vendor", "", "certification label vendor")
	f.StringVar(&o.cert.Version, "cert-version", "", "certification label version")
	f.StringVar(&o.cert.Release, "cert-release", "", "certification label release")
	f.StringVar(&o.cert.Summary, "cert-summary", "", "certification label summary")
	f.StringVar(&o.cert.Description, "cert-description", "", "certification label description")
	f.StringVar(&o.cert.Maintainer, "cert-maintainer", "", "certification label maintainer")
	return cmd
}

func addWriteFlags(f *pflag.FlagSet, o *writeOptions) {
	f.BoolVar(&o.dryRun, "dry-run", false, "show each file's status and a diff of changes; write nothing")
	f.BoolVar(&o.force, "force", false, "write kiln's render over files you edited (conflicts, merges, and edits kiln has no change for)")
}

func runNew(s streams, o *newOptions) error {
	spec, missing, err := o.buildSpec()
	if err != nil {
		return err
	}
	if s.isTerminal() && runWizard != nil && !o.write.dryRun {
		return runWizard(s, o, spec)
	}
	if len(missing) > 0 {
		return usageErrorf("these answers are missing: %s\n  give them as flags, in --answers FILE, or pass --defaults to use the preset's defaults", strings.Join(missing, ", "))
	}
	return writeSpec(s, o.dir, spec, o.write)
}

// buildSpec layers preset defaults, the answers file and flags, and lists
// the required answers none of them gave.
func (o *newOptions) buildSpec() (*scaffold.Spec, []string, error) {
	var answers []byte
	answerPreset := ""
	if o.answersFile != "" {
		var err error
		if answers, err = os.ReadFile(o.answersFile); err != nil {
			return nil, nil, usageErrorf("--answers %s: %v", o.answersFile, err)
		}
		// Read once on an empty spec to learn the preset the answers start from.
		probe := &scaffold.Spec{}
		if err := scaffold.Overlay(probe, answers); err != nil {
			return nil, nil, usageErrorf("--answers %s: %v", o.answersFile, err)
		}
		answerPreset = probe.Preset
	}
	preset := cmp.Or(o.preset, answerPreset)
	var missing []string
	if preset == "" {
		if !o.defaults {
			missing = append(missing, "--preset")
		}
		preset = "generic"
	}
	spec, err := scaffold.Defaults(preset)
	if err != nil {
		return nil, nil, usageErrorf("--preset %s: no such preset: use one of %s (see kiln presets)", preset, strings.Join(scaffold.PresetNames(), ", "))
	}
	if answers != nil {
		// Keys in the file replace the preset's; the others stay.
		if err := scaffold.Overlay(spec, answers); err != nil {
			return nil, nil, usageErrorf("--answers %s: %v", o.answersFile, err)
		}
		spec.Preset = preset
		spec.SchemaVersion = scaffold.SchemaVersion
	}
	if err := o.applyFlags(spec); err != nil {
		return nil, nil, err
	}
	if spec.Name == "" {
		spec.Name = filepath.Base(filepath.Clean(o.dir))
	}
	if !o.defaults {
		if spec.Description == "" {
			missing = append(missing, "--description")
		}
		if spec.DisplayName == "" {
			missing = append(missing, "--display-name")
		}
	}
	spec.FillDefaults()
	return spec, missing, nil
}

func (o *newOptions) applyFlags(s *scaffold.Spec) error {
	set := func(flag string, dst *string, v string) {
		if o.changed(flag) {
			*dst = v
		}
	}
	set("name", &s.Name, o.name)
	set("tag", &s.Tag, o.tag)
	set("description", &s.Description, o.description)
	set("display-name", &s.DisplayName, o.displayName)
	set("maintainer", &s.Maintainer, o.maintainer)
	set("source", &s.Source, o.source)
	set("licenses", &s.Licenses, o.licenses)
	set("from", &s.From, o.from)
	set("pkg-manager", &s.PackageManager, o.pkgManager)
	set("min-memory", &s.MinMemory, o.minMemory)
	set("min-cpu", &s.MinCPU, o.minCPU)
	set("engine", &s.Engine, o.engine)
	if o.changed("allow-latest") {
		s.AllowLatest = o.allowLatest
	}
	if o.changed("package") {
		s.Packages = o.packages
	}
	if o.changed("pkg-manager") && o.pkgManager == "none" && !o.changed("package") {
		s.Packages = nil
	}
	if o.changed("port") {
		s.Ports = nil
		for _, p := range o.ports {
			port, err := parsePort(p)
			if err != nil {
				return usageErrorf("--port %s: %v", p, err)
			}
			s.Ports = append(s.Ports, port)
		}
	}
	if o.changed("probe-type") {
		s.Readiness.Type, s.Liveness.Type = o.probeType, o.probeType
		if o.probeType == "tcp" {
			s.Readiness.Path, s.Liveness.Path = "", ""
		}
	}
	set("readiness-path", &s.Readiness.Path, o.readinessPath)
	set("liveness-path", &s.Liveness.Path, o.livenessPath)
	if o.changed("uid") {
		s.UID = o.uid
	}
	if o.changed("writable-dir") {
		s.WritableDirs = o.writableDirs
	}
	if o.changed("version-var") {
		v, err := parseAssignment(o.versionVar)
		if err != nil {
			return usageErrorf("--version-var %s: %v", o.versionVar, err)
		}
		s.Version = scaffold.EnvVar{Name: v[0], Value: v[1]}
	}
	for _, e := range o.env {
		v, err := parseAssignment(e)
		if err != nil {
			return usageErrorf("--env %s: %v", e, err)
		}
		s.Env = upsertEnv(s.Env, scaffold.EnvVar{Name: v[0], Value: v[1]})
	}
	if o.changed("secret") {
		s.Secrets = o.secrets
	}
	if o.changed("volume") {
		s.Volumes = o.volumes
	}
	if o.changed("tags") {
		s.Tags = o.tags
	}
	if o.changed("wants") {
		s.Wants = o.wants
	}
	if o.changed("non-scalable") {
		s.NonScalable = o.nonScalable
	}
	for _, l := range o.labels {
		v, err := parseAssignment(l)
		if err != nil {
			return usageErrorf("--label %s: %v", l, err)
		}
		s.Labels = append(s.Labels, scaffold.Label{Key: v[0], Value: v[1]})
	}
	if o.changed("incremental") {
		s.Incremental = o.incremental
	}
	if o.cert != (scaffold.Certification{}) {
		if s.Certification == nil {
			s.Certification = &scaffold.Certification{}
		}
		c := s.Certification
		set("cert-name", &c.Name, o.cert.Name)
		set("cert-vendor", &c.Vendor, o.cert.Vendor)
		set("cert-version", &c.Version, o.cert.Version)
		set("cert-release", &c.Release, o.cert.Release)
		set("cert-summary", &c.Summary, o.cert.Summary)
		set("cert-description", &c.Description, o.cert.Description)
		set("cert-maintainer", &c.Maintainer, o.cert.Maintainer)
	}
	return nil
}

func upsertEnv(env []scaffold.EnvVar, v scaffold.EnvVar) []scaffold.EnvVar {
	for i := range env {
		if env[i].Name == v.Name {
			env[i] = v
			return env
		}
	}
	return append(env, v)
}

func parseAssignment(s string) ([2]string, error) {
	k, v, ok := strings.Cut(s, "=")
	if !ok {
		return [2]string{}, errors.New("is not NAME=VALUE: add '=' and a value")
	}
	return [2]string{k, v}, nil
}

// parsePort reads NUMBER[/PROTOCOL][:NAME].
func parsePort(s string) (scaffold.Port, error) {
	rest, name, _ := strings.Cut(s, ":")
	num, proto, ok := strings.Cut(rest, "/")
	if !ok {
		proto = "tcp"
	}
	n, err := strconv.Atoi(num)
	if err != nil {
		return scaffold.Port{}, fmt.Errorf("%q is not a port number: write NUMBER[/PROTOCOL][:NAME], e.g. 8080/tcp:http", num)
	}
	return scaffold.Port{Number: n, Protocol: proto, Name: name}, nil
}

// flagFor names the flag that sets a spec field, for error messages.
func flagFor(field string) string {
	head := field
	if i := strings.IndexAny(head, ".["); i >= 0 {
		head = head[:i]
	}
	switch head {
	case "displayName":
		return "--display-name"
	case "packageManager":
		return "--pkg-manager"
	case "packages":
		return "--package"
	case "ports":
		return "--port"
	case "readiness":
		return "--readiness-path"
	case "liveness":
		return "--liveness-path"
	case "writableDirs":
		return "--writable-dir"
	case "version":
		return "--version-var"
	case "env":
		return "--env"
	case "secrets":
		return "--secret"
	case "volumes":
		return "--volume"
	case "labels":
		return "--label"
	case "minMemory":
		return "--min-memory"
	case "minCPU":
		return "--min-cpu"
	case "nonScalable":
		return "--non-scalable"
	case "allowLatest":
		return "--allow-latest"
	case "certification":
		return "--cert-" + field[strings.LastIndex(field, ".")+1:]
	case "schemaVersion", "kilnVersion", "lint":
		return "kiln.yaml " + head
	}
	return "--" + head
}

// validationError turns spec problems into a usage error that names each flag.
func validationError(err error) error {
	var ve *scaffold.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem(s), nothing was written:", len(ve.Problems))
	for _, p := range ve.Problems {
		fmt.Fprintf(&b, "\n  %s (%s) %q %s\n      fix: %s", flagFor(p.Field), p.Field, p.Value, p.Message, p.Fix)
	}
	return &exitError{code: exitUsage, err: errors.New(b.String())}
}
