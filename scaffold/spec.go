// Package scaffold holds the spec of a builder image (kiln.yaml), its
// validation, the presets, and the renderer and writer of a builder repo.
package scaffold

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"

	yamlv2 "go.yaml.in/yaml/v2"
	yamlv3 "go.yaml.in/yaml/v3"

	"github.com/kiln-s2i/kiln/scaffold/bounded"
)

// SchemaVersion is the kiln.yaml format this kiln writes. It reads older
// ones, migrating them (see Migrations), and refuses newer ones.
//
// 2: kilnVersion records the kiln that last rendered the repo.
const SchemaVersion = 2

// SpecFile is the name of the spec at the root of a builder repo.
const SpecFile = "kiln.yaml"

// Spec is every answer about one builder image. It is saved as kiln.yaml.
type Spec struct {
	SchemaVersion int    `json:"schemaVersion"`
	KilnVersion   string `json:"kilnVersion,omitempty"` // the kiln that last rendered the repo

	// Project.
	Name          string         `json:"name"`
	Tag           string         `json:"tag"`
	Description   string         `json:"description"`
	DisplayName   string         `json:"displayName"`
	Maintainer    string         `json:"maintainer,omitempty"`
	Source        string         `json:"source,omitempty"`   // the builder repo's URL (org.opencontainers.image.source)
	Licenses      string         `json:"licenses,omitempty"` // SPDX expression (org.opencontainers.image.licenses)
	Certification *Certification `json:"certification,omitempty"`

	// Runtime.
	Preset         string   `json:"preset"`
	From           string   `json:"from"`
	AllowLatest    bool     `json:"allowLatest,omitempty"`
	PackageManager string   `json:"packageManager"`
	Packages       []string `json:"packages,omitempty"`

	// Ports and probes.
	Ports     []Port `json:"ports"`
	Readiness Probe  `json:"readiness"`
	Liveness  Probe  `json:"liveness"`

	// User and permissions.
	UID          int      `json:"uid"`
	WritableDirs []string `json:"writableDirs"`

	// Configuration.
	Version EnvVar   `json:"version"`
	Env     []EnvVar `json:"env,omitempty"`
	Secrets []string `json:"secrets,omitempty"`
	Volumes []string `json:"volumes,omitempty"`

	// Metadata.
	Tags        []string `json:"tags"`
	Wants       []string `json:"wants,omitempty"`
	NonScalable bool     `json:"nonScalable,omitempty"`
	MinMemory   string   `json:"minMemory,omitempty"`
	MinCPU      string   `json:"minCPU,omitempty"`
	Labels      []Label  `json:"labels,omitempty"`

	// Build.
	Incremental bool   `json:"incremental"`
	Engine      string `json:"engine,omitempty"`

	// Lint settings, read by kiln lint.
	Lint *LintConfig `json:"lint,omitempty"`
}

// Port is one port the image's software listens on.
type Port struct {
	Number   int    `json:"number"`
	Protocol string `json:"protocol"`
	Name     string `json:"name,omitempty"`
}

// ServiceName is the port's name in the example template's Service: its
// own, else NUMBER-PROTOCOL.
func (p Port) ServiceName() string {
	if p.Name != "" {
		return p.Name
	}
	return fmt.Sprintf("%d-%s", p.Number, p.Protocol)
}

// Probe is a readiness or liveness probe: an HTTP GET of Path, or a TCP connect.
type Probe struct {
	Type string `json:"type"` // "http" or "tcp"
	Path string `json:"path,omitempty"`
	Port int    `json:"port,omitempty"` // 0: the first port
}

// EnvVar is one environment variable with its default value.
type EnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Label is one extra image label.
type Label struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Certification holds the optional labels that certification programs read.
type Certification struct {
	Name        string `json:"name,omitempty"`
	Vendor      string `json:"vendor,omitempty"`
	Version     string `json:"version,omitempty"`
	Release     string `json:"release,omitempty"`
	Summary     string `json:"summary,omitempty"`
	Description string `json:"description,omitempty"`
	Maintainer  string `json:"maintainer,omitempty"`
}

// LintConfig holds repo-wide kiln lint settings.
type LintConfig struct {
	Ignore []string `json:"ignore,omitempty"`
}

// ImageRef is the builder image's name:tag.
func (s *Spec) ImageRef() string { return s.Name + ":" + s.Tag }

// UIDString is the UID as text, for templates and engines.
func (s *Spec) UIDString() string { return fmt.Sprint(s.UID) }

// ProbePort is the port a probe checks: its own, else the first port.
func (s *Spec) ProbePort(p Probe) int {
	if p.Port != 0 {
		return p.Port
	}
	if len(s.Ports) > 0 {
		return s.Ports[0].Number
	}
	return 0
}

// Clone returns a deep copy, so a wizard can edit without touching the original.
func (s *Spec) Clone() *Spec {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // a Spec always marshals
	}
	var c Spec
	if err := json.Unmarshal(b, &c); err != nil {
		panic(err)
	}
	return &c
}

// Marshal renders the spec as kiln.yaml, with a header saying what it is.
func (s *Spec) Marshal() ([]byte, error) {
	// JSON keeps the struct's field order; yaml.v3 keeps it through a Node,
	// so kiln.yaml reads in the order the wizard asks.
	j, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	var doc yamlv3.Node
	if err := yamlv3.Unmarshal(j, &doc); err != nil {
		return nil, err
	}
	plainStyle(&doc)
	var buf bytes.Buffer
	enc := yamlv3.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	header := "# kiln.yaml: the spec of this builder image. Edit it, then run `kiln update` to update the files: your own edits to them are kept.\n"
	return append([]byte(header), b...), nil
}

// plainStyle drops JSON's quotes, but keeps a string quoted when its plain
// form reads back as something else in YAML 1.1 (yaml.v2), as older kiln and
// other YAML tools read it: there yes, no, on and off are booleans, while the
// YAML 1.2 encoder writes them plain. Parse itself keeps literal text.
func plainStyle(n *yamlv3.Node) {
	n.Style = 0
	if n.Kind == yamlv3.ScalarNode && n.Tag == "!!str" && !plainReadsBack(n.Value) {
		n.Style = yamlv3.DoubleQuotedStyle
	}
	for _, c := range n.Content {
		plainStyle(c)
	}
}

// Parse reads kiln.yaml text strictly: unknown keys and a newer schema are
// errors; an older schema is migrated (Migrations says how). It does not
// validate; call Validate.
func Parse(data []byte) (*Spec, error) {
	// The version first: a newer kiln.yaml may hold keys this kiln does not know.
	if v := SchemaVersionOf(data); v > SchemaVersion {
		return nil, newerSchemaError(data, v)
	}
	var s Spec
	j, err := specJSON(data)
	if err == nil {
		err = decodeSpecJSON(j, &s)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", SpecFile, err)
	}
	if s.SchemaVersion == 0 {
		return nil, fmt.Errorf("%s: schemaVersion is missing: add `schemaVersion: %d`", SpecFile, SchemaVersion)
	}
	if err := migrate(&s); err != nil {
		return nil, fmt.Errorf("%s: %w", SpecFile, err)
	}
	return &s, nil
}

func plainReadsBack(s string) bool {
	var v any
	if err := yamlv2.Unmarshal([]byte(s), &v); err != nil {
		return false
	}
	got, ok := v.(string)
	return ok && got == s
}

// Overlay applies the keys of a kiln.yaml (or a partial answers file) onto
// base: keys present replace base's values, others stay. Unknown keys and a
// newer schema are errors; a missing schemaVersion is fine for answers.
func Overlay(base *Spec, data []byte) error {
	j, err := specJSON(data)
	if err != nil {
		return err
	}
	over := base.Clone()
	clearListsIn(over, j)
	if err := decodeSpecJSON(j, over); err != nil {
		return err
	}
	if over.SchemaVersion > SchemaVersion {
		return fmt.Errorf("schemaVersion %d is newer than this kiln understands (%d): upgrade kiln", over.SchemaVersion, SchemaVersion)
	}
	*base = *over
	return nil
}

// clearListsIn empties the lists of s that data sets. encoding/json decodes
// an array into the elements a slice already holds, so an entry the file gives
// without a key would keep the base's value for it: a port without a name got
// the preset's "http", a variable without a value the preset's first value.
func clearListsIn(s *Spec, j []byte) {
	var keys map[string]json.RawMessage
	if json.Unmarshal(j, &keys) != nil {
		return
	}
	v := reflect.ValueOf(s).Elem()
	for i := range v.NumField() {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		if _, ok := keys[name]; ok && v.Field(i).Kind() == reflect.Slice {
			v.Field(i).SetZero()
		}
	}
}

// Load reads and validates DIR/kiln.yaml.
func Load(dir string) (*Spec, error) {
	path := filepath.Join(dir, SpecFile)
	data, err := bounded.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s has no %s: run `kiln new %s` first, or pass the repo's directory", dir, SpecFile, dir)
	}
	var be *bounded.Error
	if errors.As(err, &be) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err != nil {
		return nil, err
	}
	s, err := Parse(data)
	if err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}
