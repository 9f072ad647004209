package tui

import (
	"errors"
	"path/filepath"

	"github.com/kiln-s2i/kiln/scaffold"
)

// The wizard edits a scaffold.Spec; these names keep the rest of the package
// independent of where the scaffold API lives.
type (
	Spec          = scaffold.Spec
	Port          = scaffold.Port
	EnvVar        = scaffold.EnvVar
	Label         = scaffold.Label
	Probe         = scaffold.Probe
	Certification = scaffold.Certification
	File          = scaffold.File
	WritePlan     = scaffold.WritePlan
	Problem       = scaffold.Problem
)

var (
	presets  = scaffold.Presets
	defaults = scaffold.Defaults
	render   = scaffold.Render
	plan     = scaffold.Plan
)

// problems returns the spec's validation problems (none when it is valid).
func problems(s *Spec) []Problem {
	err := s.Validate()
	if err == nil {
		return nil
	}
	var ve *scaffold.ValidationError
	if errors.As(err, &ve) {
		return ve.Problems
	}
	return []Problem{{Message: err.Error()}}
}

func planStatus(e scaffold.PlannedFile) string { return string(e.Status) }
func isConflict(e scaffold.PlannedFile) bool   { return e.Status == scaffold.Conflict }

// packageManagers are the managers scaffold renders install-and-clean RUNs for.
func packageManagers() []choice {
	about := map[string]string{
		"dnf":      "Fedora, RHEL, UBI",
		"microdnf": "UBI minimal images",
		"yum":      "older RHEL and CentOS",
		"apt":      "Debian and Ubuntu",
		"apk":      "Alpine",
		"none":     "install nothing",
	}
	var cs []choice
	for _, m := range scaffold.PackageManagers {
		cs = append(cs, choice{value: m, description: about[m]})
	}
	return cs
}

// startingSpec is the spec the wizard starts from when kiln new gave none.
func startingSpec(dir string) (*Spec, error) {
	s, err := scaffold.Defaults("generic")
	if err != nil {
		return nil, err
	}
	s.Name = filepath.Base(filepath.Clean(dir))
	s.FillDefaults()
	return s, nil
}

// presetDescription is the description FillDefaults writes for a preset, so a
// preset change can replace it when the author did not write their own.
func presetDescription(s *Spec, preset string) string {
	c := &Spec{Name: s.Name, Preset: preset}
	c.FillDefaults()
	return c.Description
}
