package tui

import (
	"errors"

	scaffold "github.com/kiln-s2i/kiln/tui/internal/specstub"
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

func planStatus(e scaffold.PlanEntry) string { return e.Status.String() }
func isConflict(e scaffold.PlanEntry) bool  { return e.Status == scaffold.Conflict }
