package scaffold

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParsePorts(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []Port
		back string
	}{
		{"8080:http, 8443/tcp:https, 9000/udp", []Port{{8080, "tcp", "http"}, {8443, "tcp", "https"}, {9000, "udp", ""}}, "8080/tcp:http, 8443/tcp:https, 9000/udp"},
		// the protocol is read in any case and kept in lower case
		{"8080/TCP", []Port{{8080, "tcp", ""}}, "8080/tcp"},
		{" 8080 / Udp : dns ", []Port{{8080, "udp", "dns"}}, "8080/udp:dns"},
		{"", nil, ""},
	} {
		got, err := ParsePorts(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParsePorts(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		if back := FormatPorts(got); back != tc.back {
			t.Errorf("FormatPorts(%+v) = %q, want %q", got, back, tc.back)
		}
	}
	for in, want := range map[string]string{
		"http":                `"http" is not a port number`,
		"8080:http, web/tcp":  `item 2: "web" is not a port number`,
		"8080:http,, 1x, 900": `item 2: "1x" is not a port number`,
	} {
		if _, err := ParsePorts(in); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("ParsePorts(%q) error = %v, want it to start %q", in, err, want)
		}
	}
}

func TestParseProbe(t *testing.T) {
	for in, want := range map[string]Probe{
		"/ready":       {Type: "http", Path: "/ready"},
		":9000/health": {Type: "http", Path: "/health", Port: 9000},
		"tcp":          {Type: "tcp"},
		"tcp :8443":    {Type: "tcp", Port: 8443},
	} {
		got, err := ParseProbe(in)
		if err != nil || got != want {
			t.Errorf("ParseProbe(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if back := got.String(); back != in {
			t.Errorf("%+v.String() = %q, want %q", got, back, in)
		}
	}
	if got, err := ParseProbe("TCP :8081"); err != nil || got != (Probe{Type: "tcp", Port: 8081}) {
		t.Errorf("ParseProbe(TCP :8081) = %+v, %v", got, err)
	}
	for _, bad := range []string{"ready", "tcp x", ":x/ready"} {
		if _, err := ParseProbe(bad); err == nil {
			t.Errorf("ParseProbe(%q) accepted", bad)
		}
	}
}

func TestParsePairs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []Pair
	}{
		{"A=1, B=2", []Pair{{"A", "1"}, {"B", "2"}}},
		// a comma that does not start a new pair belongs to the value
		{"JAVA_OPTS=-Xms1g,-Xmx2g", []Pair{{"JAVA_OPTS", "-Xms1g,-Xmx2g"}}},
		{"GREETING=hello, world, B=2", []Pair{{"GREETING", "hello, world"}, {"B", "2"}}},
		{"OPTS=--a=b,--c=d", []Pair{{"OPTS", "--a=b,--c=d"}}},
		// an escaped comma never splits
		{`X=a\,B=2`, []Pair{{"X", "a,B=2"}}},
		{`P=C:\dir`, []Pair{{"P", `C:\dir`}}},
		{"E=", []Pair{{"E", ""}}},
		{"", nil},
	} {
		got, err := ParsePairs(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParsePairs(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		// formatting and reading again gives the same pairs
		again, err := ParsePairs(FormatPairs(got))
		if err != nil || !reflect.DeepEqual(again, tc.want) {
			t.Errorf("ParsePairs(FormatPairs(%+v)) = %+v, %v (formatted %q)", got, again, err, FormatPairs(got))
		}
	}
	for in, want := range map[string]string{
		"NOVALUE":        `"NOVALUE" is not NAME=VALUE`,
		"=x":             `"=x" is not NAME=VALUE`,
		"A=1, BAD KEY=v": "", // a key with a space is an item; Validate names it
	} {
		_, err := ParsePairs(in)
		if (err == nil) != (want == "") || (err != nil && !strings.HasPrefix(err.Error(), want)) {
			t.Errorf("ParsePairs(%q) error = %v, want %q", in, err, want)
		}
	}
}

func TestListRoundTrip(t *testing.T) {
	for _, items := range [][]string{nil, {"a"}, {"a", "b"}, {"a,b", `c\`, `d\,e`}} {
		if got := SplitList(JoinList(items)); !reflect.DeepEqual(got, items) {
			t.Errorf("SplitList(JoinList(%q)) = %q (joined %q)", items, got, JoinList(items))
		}
	}
	if got := SplitList(" a ,, b,"); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("SplitList dropped nothing: %q", got)
	}
}

// TestFieldTable checks the table is usable by every side: unique paths and
// flags, a reason and a label for each, and the text form of every answer of
// every preset reads back to the same spec.
func TestFieldTable(t *testing.T) {
	paths, flags := map[string]bool{}, map[string]bool{}
	for _, f := range Fields() {
		if paths[f.Path] || flags[f.Flag] {
			t.Errorf("%s/--%s appears twice", f.Path, f.Flag)
		}
		paths[f.Path], flags[f.Flag] = true, true
		if f.Label == "" || f.Why == "" || f.Help == "" || f.Get == nil || f.Set == nil || f.Section == "" {
			t.Errorf("%s lacks a label, reason, help, section or accessor", f.Path)
		}
		if (f.Kind == KindChoice) != (f.Choices != nil) {
			t.Errorf("%s: choices and kind disagree", f.Path)
		}
	}
	for _, p := range Presets() {
		s, err := Defaults(p.Name)
		if err != nil {
			t.Fatal(err)
		}
		s.Name, s.Maintainer = "b", "Me <me@example.com>"
		s.Env = append(s.Env, EnvVar{"JAVA_OPTS", "-Xms1g,-Xmx2g"}, EnvVar{"GREETING", "hello, world"})
		s.Labels = []Label{{"com.example.team", "a,b=c"}}
		s.Certification = &Certification{Vendor: "ACME"}
		s.FillDefaults()
		for _, f := range Fields() {
			c := s.Clone()
			if err := f.Set(c, f.Get(s)); err != nil {
				t.Errorf("%s: %s: its own text %q does not read back: %v", p.Name, f.Path, f.Get(s), err)
				continue
			}
			if !reflect.DeepEqual(c, s) {
				t.Errorf("%s: %s: %q reads back as another spec", p.Name, f.Path, f.Get(s))
			}
		}
	}
}

func TestFieldFor(t *testing.T) {
	for path, flag := range map[string]string{
		"readiness.port": "readiness", "liveness.type": "liveness", "ports[0].protocol": "port",
		"certification.vendor": "cert-vendor", "certification": "certification", "env[2].value": "env",
		"displayName": "display-name", "packages[0]": "package", "version.name": "version-var",
	} {
		if f := FieldFor(path); f == nil || f.Flag != flag {
			t.Errorf("FieldFor(%q) = %v, want --%s", path, f, flag)
		}
	}
	if f := FieldFor("lint.ignore[0]"); f != nil {
		t.Errorf("lint settings are not an answer, got %s", f.Path)
	}
}

// TestDerivedAnswersFollowTheName: the display name and description kiln
// made from the name follow a new name until the author writes their own.
func TestDerivedAnswersFollowTheName(t *testing.T) {
	s, _ := Defaults("python")
	s.Name = "b1"
	s.FillDefaults()
	name := FieldByPath("name")
	if err := name.Set(s, "my-image"); err != nil {
		t.Fatal(err)
	}
	if s.DisplayName != "my-image builder" || !strings.HasPrefix(s.Description, "my-image: ") {
		t.Fatalf("derived answers stayed: %q, %q", s.DisplayName, s.Description)
	}
	s.DisplayName = "Mine"
	if err := name.Set(s, "other"); err != nil {
		t.Fatal(err)
	}
	if s.DisplayName != "Mine" || !strings.HasPrefix(s.Description, "other: ") {
		t.Fatalf("an author's display name was replaced, or the description stayed: %q, %q", s.DisplayName, s.Description)
	}
}

// TestUsePresetKeepsTheAuthorsAnswers: a preset change replaces the answers
// still at the old preset's defaults and keeps those the author changed;
// switching back restores the defaults, so browsing presets loses nothing.
func TestUsePresetKeepsTheAuthorsAnswers(t *testing.T) {
	s, _ := Defaults("generic")
	s.Name = "b1"
	s.FillDefaults()
	s.From = "quay.io/me/base:2.0"
	s.Env = []EnvVar{{"GREETING", "hello"}}
	start := s.Clone()
	if err := s.UsePreset("python"); err != nil {
		t.Fatal(err)
	}
	py, _ := Defaults("python")
	if s.From != "quay.io/me/base:2.0" || !reflect.DeepEqual(s.Env, start.Env) {
		t.Errorf("the author's answers were replaced: from %q, env %v", s.From, s.Env)
	}
	if !reflect.DeepEqual(s.Packages, py.Packages) || s.Version != py.Version || !reflect.DeepEqual(s.Tags, py.Tags) {
		t.Errorf("the defaults did not follow the preset: %v %v %v", s.Packages, s.Version, s.Tags)
	}
	if err := s.UsePreset("generic"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s, start) {
		t.Errorf("python then generic is not where it started:\n%+v\n%+v", s, start)
	}
}

// TestSourceLicensesAndUIDChecks: the source is a URL, the licenses an SPDX
// expression from the SPDX list, and a UID problem says which way it is wrong.
func TestSourceLicensesAndUIDChecks(t *testing.T) {
	for _, tc := range []struct {
		set  func(*Spec)
		want string // in the problem of the field; "" for valid
	}{
		{func(s *Spec) { s.Source = "https://github.com/me/b" }, ""},
		{func(s *Spec) { s.Source = "ssh://git@example.com/me/b.git" }, ""},
		{func(s *Spec) { s.Source = "not a url" }, "source: \"not a url\" is not a URL"},
		{func(s *Spec) { s.Source = "github.com/me/b" }, "is not a URL"},
		{func(s *Spec) { s.Licenses = "Apache-2.0" }, ""},
		{func(s *Spec) { s.Licenses = "MIT OR Apache-2.0" }, ""},
		{func(s *Spec) { s.Licenses = "Apache 2" }, "licenses: \"Apache 2\" is not an SPDX license expression"},
		{func(s *Spec) { s.UID = 0 }, "uid: \"0\" is root"},
		{func(s *Spec) { s.UID = -5 }, "is negative"},
		{func(s *Spec) { s.UID = 123456789012 }, "is above 2147483647, the largest UID"},
	} {
		s, _ := Defaults("generic")
		s.Name = "b"
		s.FillDefaults()
		tc.set(s)
		err := s.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v", err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
}

func TestDraftRoundTrip(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := filepath.Join(t.TempDir(), "b")
	if s, _, err := LoadDraft(dir); s != nil || err != nil {
		t.Fatalf("a draft before any: %v, %v", s, err)
	}
	s, _ := Defaults("python")
	s.Name, s.Tag = "b", "2.0"
	s.FillDefaults()
	if err := SaveDraft(dir, s); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatal("the draft touched the target directory")
	}
	got, when, err := LoadDraft(dir)
	if err != nil || !reflect.DeepEqual(got, s) || when.IsZero() {
		t.Fatalf("LoadDraft = %+v, %v, %v", got, when, err)
	}
	if err := RemoveDraft(dir); err != nil {
		t.Fatal(err)
	}
	if s, _, _ := LoadDraft(dir); s != nil {
		t.Fatal("the draft survived RemoveDraft")
	}
}
