package builder

import (
	"archive/tar"
	"bytes"
	"github.com/charmbracelet/x/exp/golden"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// writeTree creates files (path -> content; a trailing "*" in the path marks
// it executable) under a new temp dir.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, content := range files {
		mode := os.FileMode(0o644)
		if strings.HasSuffix(p, "*") {
			p, mode = strings.TrimSuffix(p, "*"), 0o755
		}
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func img(user string, labels map[string]string) *ImageConfig {
	if labels == nil {
		labels = map[string]string{}
	}
	return &ImageConfig{User: user, Labels: labels}
}

func TestS2IDockerfileGolden(t *testing.T) {
	git := SourceInfo{Location: "https://example.com/app.git", Git: true, CommitID: "0123456789abcdef0123456789abcdef01234567",
		CommitRef: "main", CommitAuthor: "Ada <ada@example.com>", CommitDate: "Sat, 28 Nov 2026 20:00:00 +0000", CommitMessage: `Say "hi" for $5`}
	tests := []struct {
		name  string
		opts  S2IOptions
		img   *ImageConfig
		files map[string]string
		src   SourceInfo
		incr  bool
	}{
		{name: "defaults", img: img("1001", nil)},
		{name: "user-with-group", img: img("1001:0", nil)},
		{name: "user-from-label", img: img("1001", map[string]string{LabelAssembleUser: "2002:0"})},
		{name: "user-from-flag", opts: S2IOptions{AssembleUser: "3003"}, img: img("1001", map[string]string{LabelAssembleUser: "2002"})},
		{name: "allowed-uids-ok", opts: S2IOptions{AllowedUIDs: "1-"}, img: img("1001", nil)},
		{name: "scripts-from-label", img: img("1001", map[string]string{LabelScriptsURL: "image:///opt/s2i/bin"})},
		{name: "scripts-from-legacy-label", img: img("1001", map[string]string{LabelLegacyScriptsURL: "image:///usr/local/s2i"})},
		{name: "scripts-label-precedence", img: img("1001", map[string]string{LabelScriptsURL: "image:///new", LabelLegacyScriptsURL: "image:///old"})},
		{name: "scripts-from-source", img: img("1001", map[string]string{LabelScriptsURL: "image:///opt/s2i"}),
			files: map[string]string{".s2i/bin/assemble*": "#!/bin/sh\n", ".s2i/bin/run": "#!/bin/sh\n"}},
		{name: "scripts-url-flag-overrides-all", opts: S2IOptions{ScriptsURL: "image:///flag/scripts"},
			img: img("1001", map[string]string{LabelScriptsURL: "image:///opt/s2i"}), files: map[string]string{".s2i/bin/assemble*": "#!/bin/sh\n"}},
		{name: "destination-label", img: img("1001", map[string]string{LabelDestination: "/opt/app-root/"}),
			files: map[string]string{".s2i/bin/run*": "#!/bin/sh\n"}},
		{name: "env", opts: S2IOptions{Env: []string{"FROM_FLAG=1", "OVERRIDDEN=flag wins"}}, img: img("1001", nil),
			files: map[string]string{".s2i/environment": "# comment\n\nPLAIN=value\nOVERRIDDEN=file\nTRICKY=\"quoted\" $HOME ${X} \\n back\\slash 'single' `tick`\nEMPTY=\nSPACES=  a  b  \n"}},
		{name: "git-labels", img: img("1001", nil), src: git},
		{name: "incremental", img: img("1001", map[string]string{LabelDestination: "/opt/s2i-dest"}), incr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			o.Source = writeTree(t, tt.files)
			o.Builder, o.Output = "localhost/builder:1.0", "localhost/app:latest"
			p, err := ResolveS2I(o, tt.img, tt.src)
			if err != nil {
				t.Fatal(err)
			}
			p.Incremental = tt.incr
			df := p.Dockerfile()
			golden.RequireEqual(t, []byte(df)) // go test -update refreshes testdata/TestS2IDockerfileGolden/
			checkParses(t, df, p)
		})
	}
}

// checkParses parses the Dockerfile with BuildKit's parser and checks that
// every ENV and LABEL value reads back exactly as the plan says.
func checkParses(t *testing.T, df string, p *S2IPlan) {
	t.Helper()
	res, err := parser.Parse(bytes.NewReader([]byte(df)))
	if err != nil {
		t.Fatalf("BuildKit cannot parse the Dockerfile: %v", err)
	}
	stages, _, err := instructions.Parse(res.AST, nil)
	if err != nil {
		t.Fatalf("BuildKit rejects the Dockerfile: %v", err)
	}
	lex := shell.NewLex('\\')
	words := map[string]string{}
	for _, cmd := range stages[0].Commands {
		var kvs []instructions.KeyValuePair
		switch c := cmd.(type) {
		case *instructions.EnvCommand:
			kvs = c.Env
		case *instructions.LabelCommand:
			kvs = c.Labels
		}
		for _, kv := range kvs {
			k, _, err := lex.ProcessWord(kv.Key, shell.EnvsFromSlice(nil))
			if err != nil {
				t.Fatal(err)
			}
			v, _, err := lex.ProcessWord(kv.Value, shell.EnvsFromSlice([]string{"HOME=/wrong", "X=wrong"}))
			if err != nil {
				t.Fatal(err)
			}
			words[k] = v
		}
	}
	for _, e := range p.Env {
		if words[e.Name] != e.Value {
			t.Errorf("ENV %s reads back as %q, want %q", e.Name, words[e.Name], e.Value)
		}
	}
	for k, v := range p.Labels {
		if words[k] != v {
			t.Errorf("LABEL %s reads back as %q, want %q", k, words[k], v)
		}
	}
}

func TestS2IResolveErrors(t *testing.T) {
	tests := []struct {
		name string
		opts S2IOptions
		img  *ImageConfig
		env  string
		want string
	}{
		{"named user", S2IOptions{AllowedUIDs: "1-"}, img("app", nil), "", `assemble user "app" (from the image's USER) is not a numeric UID, so it cannot be checked against the allowed UIDs (1-)`},
		{"named user without ranges", S2IOptions{}, img("app:app", nil), "", `assemble user "app" (from the image's USER) is not a numeric UID`},
		{"named label user", S2IOptions{}, img("1001", map[string]string{LabelAssembleUser: "builder"}), "", `from label io.openshift.s2i.assemble-user`},
		{"root outside ranges", S2IOptions{AllowedUIDs: "1-"}, img("", nil), "", "assemble user 0 (from the image, which sets no USER (root)) is not within the allowed UIDs 1-"},
		{"uid above range", S2IOptions{AllowedUIDs: "-999"}, img("1001", nil), "", "assemble user 1001 (from the image's USER) is not within the allowed UIDs -999"},
		{"uid between ranges", S2IOptions{AllowedUIDs: "10-20,30-"}, img("25", nil), "", "is not within the allowed UIDs 10-20,30-"},
		{"bad range", S2IOptions{AllowedUIDs: "1-x"}, img("1001", nil), "", `--allowed-uids "1-x": range "1-x" is not N, N-M, N- or -M`},
		{"lone dash", S2IOptions{AllowedUIDs: "-"}, img("1001", nil), "", `range "-" is not N, N-M, N- or -M`},
		{"reversed range", S2IOptions{AllowedUIDs: "20-10"}, img("15", nil), "", "ends before it starts"},
		{"http scripts", S2IOptions{ScriptsURL: "https://example.com/s2i"}, img("1001", nil), "", `scripts URL "https://example.com/s2i" (from --scripts-url) is not image:///absolute/path`},
		{"file label scripts", S2IOptions{}, img("1001", map[string]string{LabelScriptsURL: "file:///x"}), "", "from label io.openshift.s2i.scripts-url"},
		{"relative destination", S2IOptions{}, img("1001", map[string]string{LabelDestination: "tmp"}), "", "is not an absolute path"},
		{"bad env name", S2IOptions{Env: []string{"1BAD=x"}}, img("1001", nil), "", `--env: "1BAD" is not a valid environment variable name`},
		{"env without =", S2IOptions{Env: []string{"NOVALUE"}}, img("1001", nil), "", `--env "NOVALUE" is not KEY=VALUE`},
		{"env file line", S2IOptions{}, img("1001", nil), "A=1\njunk\n", `environment:2: "junk" is not KEY=VALUE`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{}
			if tt.env != "" {
				files[".s2i/environment"] = tt.env
			}
			o := tt.opts
			o.Source = writeTree(t, files)
			o.Builder, o.Output = "b", "o"
			_, err := ResolveS2I(o, tt.img, SourceInfo{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestAllowedUIDRanges(t *testing.T) {
	tests := []struct {
		ranges string
		uid    int
		want   bool
	}{
		{"1-", 0, false}, {"1-", 1, true}, {"1-", 1000870000, true},
		{"-999", 999, true}, {"-999", 1000, false},
		{"1000-2000", 999, false}, {"1000-2000", 1000, true}, {"1000-2000", 2000, true}, {"1000-2000", 2001, false},
		{"5", 5, true}, {"5", 6, false},
		{"5, 10-12", 11, true}, {"5,10-12", 9, false},
	}
	for _, tt := range tests {
		r, err := ParseAllowedUIDs(tt.ranges)
		if err != nil {
			t.Fatalf("%q: %v", tt.ranges, err)
		}
		if got := uidAllowed(tt.uid, r); got != tt.want {
			t.Errorf("uid %d in %q = %v, want %v", tt.uid, tt.ranges, got, tt.want)
		}
	}
}

func TestWriteContextExcludes(t *testing.T) {
	src := writeTree(t, map[string]string{
		"app.py":              "print(1)\n",
		"start*":              "#!/bin/sh\n",
		".git/HEAD":           "ref: refs/heads/main\n",
		".s2iignore":          "# comment\n*.log\nsecret\ndocs/*.tmp\n",
		"debug.log":           "x",
		"nested/keep.log":     "glob is relative to the root, so this stays",
		"secret/key":          "x",
		"docs/a.tmp":          "x",
		"docs/a.md":           "x",
		".s2i/bin/assemble*":  "#!/bin/sh\n",
		".s2i/environment":    "A=1\n",
		".s2i/bin/other-tool": "stays: not an s2i script",
	})
	p, err := ResolveS2I(S2IOptions{Source: src, Builder: "b", Output: "o"}, img("1001", nil), SourceInfo{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := writeContext(src, dir, p); err != nil {
		t.Fatal(err)
	}
	var got []string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if !fi.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			got = append(got, rel)
		}
		return nil
	})
	want := []string{
		"upload/scripts/assemble",
		"upload/src/.s2i/bin/other-tool",
		"upload/src/.s2i/environment",
		"upload/src/.s2iignore",
		"upload/src/app.py",
		"upload/src/docs/a.md",
		"upload/src/nested/keep.log",
		"upload/src/start",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("context files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if fi, _ := os.Stat(filepath.Join(dir, "upload/src/start")); fi.Mode().Perm() != 0o755 {
		t.Errorf("start lost its exec bit: %v", fi.Mode())
	}
}

func TestCheckTar(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "deps/", Typeflag: tar.TypeDir, Mode: 0o755})
	tw.WriteHeader(&tar.Header{Name: "deps/x", Typeflag: tar.TypeReg, Mode: 0o644, Size: 1})
	tw.Write([]byte("x"))
	tw.Close()
	tests := []struct {
		name    string
		data    []byte
		entries int
		bad     bool
	}{
		{"two entries", buf.Bytes(), 2, false},
		{"empty archive", make([]byte, 10240), 0, false},
		{"nothing at all", nil, 0, false},
		{"a log line instead of a tar", []byte("---> save-artifacts: saving deps\n"), 0, true},
		{"truncated", buf.Bytes()[:700], 0, true},
	}
	for _, tt := range tests {
		n, err := checkTar(write(strings.ReplaceAll(tt.name, " ", "-"), tt.data))
		if (err != nil) != tt.bad || (!tt.bad && n != tt.entries) {
			t.Errorf("%s: %d entries, err %v; want %d, bad=%v", tt.name, n, err, tt.entries, tt.bad)
		}
	}
}
