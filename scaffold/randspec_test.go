package scaffold_test

import (
	"fmt"
	"math/rand"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-s2i/kiln/scaffold"
	"github.com/kiln-s2i/kiln/scaffold/okd"
)

// specGen makes random valid specs from a seed, so a failure reproduces.
type specGen struct{ r *rand.Rand }

func (g specGen) pick(list ...string) string { return list[g.r.Intn(len(list))] }
func (g specGen) chance(p float64) bool      { return g.r.Float64() < p }

// textPieces are the bits random free text is made of: plain words, every
// character a shell, a Dockerfile or YAML treats specially, and unicode.
var textPieces = []string{
	"builder", "Python", "app", " ", " ", "-", "1.0", "x",
	`'`, `"`, `\`, "$", "${X}", "$X", "`id`", "$(rm -rf /)", "'; rm -rf / #", "#", "# escape=`", "%s", "%",
	"{{.Name}}", "&&", "|", ";", "<", ">", "*", "?", "!", "~", "=", ":", ": ", "- ", "[", "]", "{", "}", ",", "@", "&",
	"EOF", "yes", "no", "null", "~", "0x1F", "1e3", "010", "3.10", "true",
	"é", "Straße", "日本語", "עברית", "العربية", "\u200f", "\u202e", "\u2028", "\ufeff", "😀", "👩‍💻", "\u00a0",
}

func (g specGen) text(maxPieces int) string {
	var b strings.Builder
	for n := 1 + g.r.Intn(maxPieces); n > 0; n-- {
		b.WriteString(textPieces[g.r.Intn(len(textPieces))])
	}
	if strings.TrimSpace(b.String()) == "" {
		b.WriteString("x") // blank text is refused where it becomes a label
	}
	return b.String()
}

func (g specGen) word(alphabet string, min, max int) string {
	n := min + g.r.Intn(max-min+1)
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.Intn(len(alphabet))]
	}
	return string(b)
}

const lower = "abcdefghijklmnopqrstuvwxyz"

func (g specGen) dir() string {
	return g.pick("/opt/app-root", "/opt/app-root/data", "/srv", "/data", "/var/lib/"+g.word(lower, 2, 8), "/opt/"+g.word(lower, 1, 6)+"/"+g.word(lower, 1, 1)+g.word(lower+"0123456789._-", 0, 6))
}

func (g specGen) envName(prefix string) string {
	return prefix + g.word("ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789", 1, 10)
}

// spec returns a random spec that must pass Validate.
func (g specGen) spec() *scaffold.Spec {
	preset := g.pick(scaffold.PresetNames()...)
	s, err := scaffold.Defaults(preset)
	if err != nil {
		panic(err)
	}
	s.Name = g.word(lower, 1, 1) + g.word(lower+"0123456789-", 0, 20) + g.word(lower, 1, 1)
	switch {
	case g.chance(0.1):
		s.Name = g.word("0123456789", 1, 1) + s.Name
	case g.chance(0.1):
		s.Name = g.word(lower, 63, 63)
	case g.chance(0.1):
		s.Name = g.word(lower, 57, 57) + "-" + g.word(lower, 5, 5)
	}
	s.Tag = g.pick("1.0", "2", "3.11-ubi9", "v1.2.3", "1_0", "20.18")
	s.Description = g.text(12)
	s.DisplayName = g.text(5)
	if g.chance(0.5) {
		s.Maintainer = g.text(4)
	}
	if g.chance(0.5) {
		s.Source = "https://example.com/" + url.PathEscape(g.text(3))
	}
	if g.chance(0.5) {
		s.Licenses = g.pick("Apache-2.0", "MIT OR GPL-2.0-only", "BSD-3-Clause AND MIT")
	}
	if g.chance(0.4) {
		c := &scaffold.Certification{}
		for _, f := range []*string{&c.Name, &c.Vendor, &c.Version, &c.Release, &c.Summary, &c.Description, &c.Maintainer} {
			if g.chance(0.7) {
				*f = g.text(4)
			}
		}
		s.Certification = c
	}
	s.From = g.pick("registry.access.redhat.com/ubi9/ubi-minimal:9.5", "docker.io/library/debian:12-slim", "alpine:3.20",
		"quay.io/me/base:1.2", "localhost:5000/x/y:2", "registry.example.com/base@sha256:"+strings.Repeat("ab", 32))
	s.PackageManager = g.pick(scaffold.PackageManagers...)
	s.Packages = nil
	if s.PackageManager != "none" {
		for n := g.r.Intn(4); n > 0; n-- {
			s.Packages = append(s.Packages, g.pick("curl", "libpq-dev", "python3.11", "gcc-c++", "openssl-libs", "nodejs:20", "pkg@1", "a~b", "x=1.2", "lib/x"))
		}
		s.Packages = slices.Compact(s.Packages)
	}
	s.Ports = nil
	used := map[int]bool{}
	for n := 1 + g.r.Intn(3); n > 0; n-- {
		p := scaffold.Port{Number: 1024 + g.r.Intn(65535-1024+1), Protocol: "tcp"}
		if used[p.Number] {
			continue
		}
		used[p.Number] = true
		if len(s.Ports) > 0 && g.chance(0.3) {
			p.Protocol = "udp"
		}
		if g.chance(0.6) {
			p.Name = fmt.Sprintf("%s%d", g.pick("http", "metrics", "p", "grpc-x"), len(s.Ports))
		}
		s.Ports = append(s.Ports, p)
	}
	s.Readiness = g.probe(s)
	s.Liveness = g.probe(s)
	s.UID = 1 + g.r.Intn(2147483647)
	s.WritableDirs = []string{g.dir()}
	if g.chance(0.3) {
		s.WritableDirs = append(s.WritableDirs, g.dir())
		s.WritableDirs = slices.Compact(s.WritableDirs)
	}
	names := map[string]bool{}
	if g.chance(0.5) {
		s.Version = scaffold.EnvVar{Name: g.envName("V_"), Value: g.text(3)}
	}
	names[s.Version.Name] = true
	for _, e := range s.Env {
		names[e.Name] = true
	}
	for n := g.r.Intn(4); n > 0; n-- {
		e := scaffold.EnvVar{Name: g.envName("APP_")}
		if g.chance(0.8) {
			e.Value = g.text(6)
		}
		if names[e.Name] || okd.LooksSecret(e.Name) {
			continue
		}
		names[e.Name] = true
		s.Env = append(s.Env, e)
	}
	if g.chance(0.1) && !names["PORT"] {
		// The author's variables win over the image's own (G21).
		names["PORT"] = true
		s.Env = append(s.Env, scaffold.EnvVar{Name: "PORT", Value: fmt.Sprint(s.Ports[0].Number)})
	}
	if len(s.Env) == 0 {
		s.Env = nil
	}
	for n := g.r.Intn(3); n > 0; n-- {
		name := g.pick("DB_PASSWORD", "API_TOKEN", "SECRET_KEY", g.envName("S_"))
		if !names[name] {
			names[name] = true
			s.Secrets = append(s.Secrets, name)
		}
	}
	for n := g.r.Intn(3); n > 0; n-- {
		if d := g.dir(); !slices.Contains(s.Volumes, d) {
			s.Volumes = append(s.Volumes, d)
		}
	}
	for n := g.r.Intn(3); n > 0; n-- {
		if w := g.word(lower+"0123456789", 1, 8); !slices.Contains(s.Tags, w) {
			s.Tags = append(s.Tags, w)
		}
	}
	for n := g.r.Intn(2); n > 0; n-- {
		s.Wants = append(s.Wants, g.pick("postgresql", "redis", "mongodb"))
	}
	s.Wants = slices.Compact(s.Wants)
	s.NonScalable = g.chance(0.2)
	if g.chance(0.4) {
		s.MinMemory = g.pick("256Mi", "1Gi", "512M", "2G")
	}
	if g.chance(0.4) {
		s.MinCPU = g.pick("500m", "1", "0.25", "2")
	}
	keys := map[string]bool{}
	for n := g.r.Intn(4); n > 0; n-- {
		k := "com.example." + g.word(lower, 1, 6) + g.pick("", "/"+g.word(lower, 1, 5), "-x.y")
		if !keys[k] {
			keys[k] = true
			s.Labels = append(s.Labels, scaffold.Label{Key: k, Value: g.text(6)})
		}
	}
	s.Incremental = g.chance(0.5)
	s.Engine = g.pick("", "podman", "buildah", "docker")
	if g.chance(0.2) {
		s.Lint = &scaffold.LintConfig{Ignore: []string{"KL001", "KL022"}}
	}
	return s
}

func (g specGen) probe(s *scaffold.Spec) scaffold.Probe {
	p := scaffold.Probe{Type: "tcp"}
	if g.chance(0.6) {
		p = scaffold.Probe{Type: "http", Path: g.pick("/", "/healthz", "/api/v1/health", "/a;b=c", "/%20", "/$x", "/'q'", "/~user/(1)")}
	}
	if q := s.Ports[g.r.Intn(len(s.Ports))]; q.Protocol == "tcp" && g.chance(0.5) {
		p.Port = q.Number
	}
	return p
}

// randomSpecs returns n random valid specs from seed; an invalid one is a bug
// in the generator or in Validate.
func randomSpecs(t testing.TB, n int, seed int64) []*scaffold.Spec {
	t.Helper()
	g := specGen{r: rand.New(rand.NewSource(seed))}
	var specs []*scaffold.Spec
	for range n {
		s := g.spec()
		if err := s.Validate(); err != nil {
			t.Fatalf("random spec (seed %d) is not valid: %v\n%+v", seed, err, s)
		}
		specs = append(specs, s)
	}
	return specs
}

// TestRandomSpecs renders many random valid specs and checks every file.
func TestRandomSpecs(t *testing.T) {
	const seed = 20261128
	n := 150
	if testing.Short() {
		n = 30
	}
	// shellcheck takes ~25 ms a script, so it sees the first specs' scripts;
	// every spec's scripts are still parsed, and usage run.
	const shellchecked = 40
	var sc shellcheckBatch
	for i, s := range randomSpecs(t, n, seed) {
		t.Run(fmt.Sprintf("%03d-%s-%s", i, s.Preset, s.PackageManager), func(t *testing.T) {
			batch := &sc
			if i >= shellchecked {
				batch = nil
			}
			checkRepo(t, s, renderRepo(t, s), batch)
		})
	}
	sc.run(t)
}
