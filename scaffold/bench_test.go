package scaffold_test

import (
	"testing"

	"github.com/kiln-s2i/kiln/scaffold"
)

// BenchmarkRender renders each preset's repo in process; the goal is under
// 5 ms each (make bench).
func BenchmarkRender(b *testing.B) {
	for _, preset := range scaffold.PresetNames() {
		s := presetSpec(b, preset, "bench")
		b.Run(preset, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := scaffold.Render(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkValidate validates a spec with every kind of field in use.
func BenchmarkValidate(b *testing.B) {
	s := hostileBase(b)
	s.Secrets = []string{"DB_PASSWORD", "API_TOKEN"}
	s.Volumes = []string{"/opt/app-root/data"}
	s.MinMemory, s.MinCPU = "512Mi", "500m"
	s.Lint = &scaffold.LintConfig{Ignore: []string{"KL001", "KL002"}}
	if err := s.Validate(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}
