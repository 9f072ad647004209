package tui

import (
	"strings"

	"github.com/kiln-s2i/kiln/scaffold"
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

// screenLayout is the wizard's visual grouping: one screen per section of
// scaffold's field table. The questions themselves come from the table.
var screenLayout = []struct {
	section scaffold.Section
	short   string
	intro   string
	preview []string
}{
	{scaffold.SectionProject, "Project", "What the image is called and who keeps it.", []string{"Dockerfile"}},
	{scaffold.SectionRuntime, "Runtime", "What the builder is based on and what it installs.", []string{"Dockerfile"}},
	{scaffold.SectionPorts, "Ports", "Where the service listens and how OKD knows it is healthy.", []string{"openshift/template.yaml", "template.yaml", "Dockerfile"}},
	{scaffold.SectionUser, "User", "OKD runs the image as an arbitrary UID in the root group.", []string{"Dockerfile"}},
	{scaffold.SectionConfig, "Config", "Configuration comes from the environment; data that must survive goes to volumes.", []string{"Dockerfile"}},
	{scaffold.SectionMetadata, "Metadata", "Labels OKD reads to list, place and size the image.", []string{"Dockerfile"}},
	{scaffold.SectionBuild, "Build", "How the builder builds and which engine runs it.", []string{"s2i/bin/save-artifacts", "s2i/bin/assemble", "Makefile"}},
}

// wizardScreens are the questions of the OKD guide, in the order an author
// meets them, then the review.
func wizardScreens() []screenDef { return screensFor(false) }

// screensFor lays out kiln new's screens, or with edit kiln edit's: only the
// metadata answers of the field table (scaffold.Field.Metadata), a screen
// with none left out. A screen's id is its place in the list, the review last.
func screensFor(edit bool) []screenDef {
	fields := scaffold.Fields()
	var out []screenDef
	for _, l := range screenLayout {
		sd := screenDef{id: screenID(len(out)), title: string(l.section), short: l.short, intro: l.intro, preview: l.preview}
		for _, f := range fields {
			if f.Section == l.section && (!edit || f.Metadata) {
				sd.fields = append(sd.fields, newFieldDef(f))
			}
		}
		if len(sd.fields) > 0 {
			out = append(out, sd)
		}
	}
	review := screenDef{id: screenID(len(out)), title: "Review", short: "Review", intro: "The files kiln will write.", preview: []string{"Dockerfile"}}
	if edit {
		review.intro = "What the change does to each file; nothing is written before you confirm."
	}
	return append(out, review)
}

// newFieldDef shows a field of the table in the wizard. An answer below
// another (certification.vendor) is indented under it.
func newFieldDef(f *scaffold.Field) *fieldDef {
	d := &fieldDef{field: f, id: f.Path, label: f.Label, why: f.Why, hint: f.Hint,
		get: f.Get, set: f.Set, choices: f.Choices, visible: f.Applies, warn: f.Warn}
	if strings.Contains(f.Path, ".") {
		d.label = "  " + d.label
	}
	switch f.Kind {
	case scaffold.KindBool:
		d.kind = kindToggle
	case scaffold.KindChoice:
		d.kind = kindChoice
	default:
		d.kind = kindText
	}
	return d
}
