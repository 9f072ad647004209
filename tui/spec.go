package tui

import (
	"errors"
	"path/filepath"

	"github.com/kiln-s2i/kiln/scaffold"
)

// problems returns the spec's validation problems (none when it is valid).
func problems(s *scaffold.Spec) []scaffold.Problem {
	err := s.Validate()
	if err == nil {
		return nil
	}
	var ve *scaffold.ValidationError
	if errors.As(err, &ve) {
		return ve.Problems
	}
	return []scaffold.Problem{{Message: err.Error()}}
}

// startingSpec is the spec the wizard starts from when kiln new gave none.
func startingSpec(dir string) (*scaffold.Spec, error) {
	s, err := scaffold.Defaults("generic")
	if err != nil {
		return nil, err
	}
	s.Name = filepath.Base(filepath.Clean(dir))
	s.FillDefaults()
	return s, nil
}
