package scaffold

import (
	"bytes"
	"fmt"
	"strconv"

	yamlv3 "go.yaml.in/yaml/v3"
)

// Migration is one step of kiln.yaml's schema, from From to From+1.
type Migration struct {
	From   int
	Change string // what the new schema adds or changes, for the author
	apply  func(*Spec)
}

func (m Migration) String() string {
	return fmt.Sprintf("schemaVersion %d → %d: %s", m.From, m.From+1, m.Change)
}

// migrations holds one step per schema version; migrations[i].From == i+1.
var migrations = []Migration{
	{From: 1, Change: "adds kilnVersion, the version of the kiln that last rendered the repo", apply: func(*Spec) {}},
}

// Migrations lists the steps from schema from to SchemaVersion.
func Migrations(from int) []Migration {
	if from < 1 || from >= SchemaVersion {
		return nil
	}
	return migrations[from-1:]
}

func migrate(s *Spec) error {
	if s.SchemaVersion < 1 {
		return fmt.Errorf("schemaVersion %d does not exist: the first is 1", s.SchemaVersion)
	}
	for _, m := range Migrations(s.SchemaVersion) {
		m.apply(s)
		s.SchemaVersion = m.From + 1
	}
	return nil
}

// SchemaVersionOf reads only kiln.yaml's schemaVersion (0 when it has none).
func SchemaVersionOf(data []byte) int {
	var v struct {
		SchemaVersion int `yaml:"schemaVersion"`
	}
	_ = yamlv3.Unmarshal(data, &v)
	return v.SchemaVersion
}

// Restamp rewrites the text of kiln.yaml, the author's file, to the current
// schema and records kilnVersion. Only those two lines change, so the
// author's comments, key order and layout stay as they were. data must
// already Parse. It returns the migrations the text went through.
func Restamp(data []byte, kilnVersion string) ([]byte, []Migration, error) {
	if _, err := Parse(data); err != nil {
		return nil, nil, err
	}
	steps := Migrations(SchemaVersionOf(data))
	var doc yamlv3.Node
	if err := yamlv3.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", SpecFile, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yamlv3.MappingNode {
		return nil, nil, fmt.Errorf("%s is not a YAML mapping", SpecFile)
	}
	root := doc.Content[0]
	var schemaKey, schemaVal, kilnKey, kilnVal *yamlv3.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch k := root.Content[i]; k.Value {
		case "schemaVersion":
			schemaKey, schemaVal = k, root.Content[i+1]
		case "kilnVersion":
			kilnKey, kilnVal = k, root.Content[i+1]
		}
	}
	version := kilnVersion
	if !plainReadsBack(version) {
		version = yamlQuote(version)
	}
	if root.Style&yamlv3.FlowStyle != 0 || schemaKey == nil || schemaVal.Line != schemaKey.Line || (kilnVal != nil && kilnVal.Line != kilnKey.Line) {
		return nil, nil, fmt.Errorf("%s: write it as a block mapping with schemaVersion and kilnVersion each on its own line, so kiln can update them", SpecFile)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	setLine := func(line, col int, key, value string, val *yamlv3.Node) {
		if val != nil && val.LineComment != "" {
			value += " " + val.LineComment // the author's comment stays
		}
		nl := "\n"
		if !bytes.HasSuffix(lines[line-1], []byte("\n")) {
			nl = ""
		}
		lines[line-1] = []byte(string(lines[line-1][:col-1]) + key + ": " + value + nl)
	}
	if kilnKey != nil {
		setLine(kilnKey.Line, kilnKey.Column, "kilnVersion", version, kilnVal)
	}
	setLine(schemaKey.Line, schemaKey.Column, "schemaVersion", strconv.Itoa(SchemaVersion), schemaVal)
	if kilnKey == nil && kilnVersion != "" {
		if !bytes.HasSuffix(lines[schemaKey.Line-1], []byte("\n")) {
			lines[schemaKey.Line-1] = append(lines[schemaKey.Line-1], '\n')
		}
		indent := string(lines[schemaKey.Line-1][:schemaKey.Column-1])
		ins := []byte(indent + "kilnVersion: " + version + "\n")
		lines = append(lines[:schemaKey.Line], append([][]byte{ins}, lines[schemaKey.Line:]...)...)
	}
	out := bytes.Join(lines, nil)
	if _, err := Parse(out); err != nil {
		return nil, nil, fmt.Errorf("%s: updating schemaVersion and kilnVersion broke it (%v): set them by hand to %d and %s", SpecFile, err, SchemaVersion, version)
	}
	return out, steps, nil
}

// newerSchemaError refuses a kiln.yaml written by a newer kiln, naming it.
func newerSchemaError(data []byte, v int) error {
	var by struct {
		KilnVersion string `yaml:"kilnVersion"`
	}
	_ = yamlv3.Unmarshal(data, &by)
	if by.KilnVersion != "" {
		return fmt.Errorf("%s: schemaVersion %d (written by kiln %s) is newer than this kiln understands (%d): upgrade kiln to %s or later", SpecFile, v, by.KilnVersion, SchemaVersion, by.KilnVersion)
	}
	return fmt.Errorf("%s: schemaVersion %d is newer than this kiln understands (%d): upgrade kiln", SpecFile, v, SchemaVersion)
}
