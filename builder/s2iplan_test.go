package builder

import (
	"archive/tar"
	"bytes"
	"fmt"
	"github.com/charmbracelet/x/exp/golden"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
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
	secret := writeTree(t, map[string]string{"token": "x"})
	tests := []struct {
		name  string
		opts  S2IOptions
		img   *ImageConfig
		files map[string]string
		src   SourceInfo
		incr  bool
		meta  bool
		// stream: the artifacts come through a named pipe (podman)
		stream bool
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
		{name: "name-and-description", opts: S2IOptions{DisplayName: "My App", Description: `It's "the" app, $5`}, img: img("1001", nil)},
		{name: "incremental", img: img("1001", map[string]string{LabelDestination: "/opt/s2i-dest"}), incr: true},
		// the tar, the scripts and the source in one COPY of upload/
		{name: "incremental-with-source-scripts", img: img("1001", nil), incr: true,
			files: map[string]string{".s2i/bin/assemble*": "#!/bin/sh\n"}},
		// injections go elsewhere than the destination: a COPY each
		{name: "incremental-with-injections", opts: S2IOptions{Injections: []Injection{{Source: secret, Dest: "/run/secrets/db"}}},
			img: img("1001", nil), incr: true},
		{name: "image-metadata", img: img("1001", nil), meta: true},
		// podman: the artifacts come through a named pipe bound into the RUN
		{name: "incremental-streamed", img: img("1001", nil), incr: true, stream: true,
			files: map[string]string{".s2i/bin/assemble*": "#!/bin/sh\n"}},
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
			p.Incremental, p.ReadMetadata, p.StreamArtifacts = tt.incr, tt.meta, tt.stream
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
		{"http scripts unreachable", S2IOptions{ScriptsURL: "http://127.0.0.1:1/s2i"}, img("1001", nil), "", `scripts URL "http://127.0.0.1:1/s2i" (from --scripts-url)`},
		{"ftp label scripts", S2IOptions{}, img("1001", map[string]string{LabelScriptsURL: "ftp://host/x"}), "", `scripts URL "ftp://host/x" (from label io.openshift.s2i.scripts-url) is not image://, file:// or http(s)://`},
		{"relative destination", S2IOptions{}, img("1001", map[string]string{LabelDestination: "tmp"}), "", "is not an absolute path"},
		{"bad env name", S2IOptions{Env: []string{"1BAD=x"}}, img("1001", nil), "", `--env: "1BAD" is not a valid environment variable name`},
		{"env without =", S2IOptions{Env: []string{"NOVALUE"}}, img("1001", nil), "", `--env "NOVALUE" is not KEY=VALUE`},
		{"env file line", S2IOptions{}, img("1001", nil), "A=1\njunk\n", `environment:2: "junk" is not KEY=VALUE`},
		// With allowed UIDs the image's USER and every ONBUILD USER count too (s2i's CheckAllowedUser).
		{"label user ok, image root", S2IOptions{AllowedUIDs: "1-"}, img("0", map[string]string{LabelAssembleUser: "1001"}), "", `its USER "0" is not a numeric UID within the allowed UIDs 1-`},
		{"flag user ok, image named", S2IOptions{AllowedUIDs: "1-", AssembleUser: "1001"}, img("app", nil), "", `its USER "app" is not a numeric UID within the allowed UIDs 1-`},
		{"assemble-user label 0", S2IOptions{AllowedUIDs: "1-"}, img("1001", map[string]string{LabelAssembleUser: "0"}), "", "assemble user 0 (from label io.openshift.s2i.assemble-user) is not within the allowed UIDs 1-"},
		{"onbuild root", S2IOptions{AllowedUIDs: "1-"}, &ImageConfig{User: "1001", Labels: map[string]string{}, OnBuild: []string{"RUN id", "USER 0"}}, "", `its ONBUILD instruction "USER 0" would run the build as a user outside the allowed UIDs 1-`},
		{"onbuild named", S2IOptions{AllowedUIDs: "1-"}, &ImageConfig{User: "1001", Labels: map[string]string{}, OnBuild: []string{"user root:0"}}, "", `ONBUILD instruction "user root:0"`},
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
		"app.py":               "print(1)\n",
		"start*":               "#!/bin/sh\n",
		".git/HEAD":            "ref: refs/heads/main\n",
		"vendor/lib/.git/HEAD": "a nested repository's .git goes too (s2i's default --exclude)",
		"vendor/lib/lib.py":    "x",
		".s2iignore":           "# comment\n*.log\nsecret\ndocs/*.tmp\n!keep.log\n",
		"debug.log":            "x",
		"keep.log":             "! keeps what *.log left out",
		"nested/keep.log":      "glob is relative to the root, so this stays",
		"secret/key":           "x",
		"docs/a.tmp":           "x",
		"docs/a.md":            "x",
		".s2i/bin/assemble*":   "#!/bin/sh\n",
		".s2i/environment":     "A=1\n",
		".s2i/bin/other-tool":  "stays: not an s2i script",
	})
	p, err := ResolveS2I(S2IOptions{Source: src, Builder: "b", Output: "o"}, img("1001", nil), SourceInfo{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := writeContext(src, dir, p, nil, false, nil); err != nil {
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
		"upload/src/keep.log",
		"upload/src/nested/keep.log",
		"upload/src/start",
		"upload/src/vendor/lib/lib.py",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("context files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if fi, _ := os.Stat(filepath.Join(dir, "upload/src/start")); fi.Mode().Perm() != 0o755 {
		t.Errorf("start lost its exec bit: %v", fi.Mode())
	}
}

func TestCountTar(t *testing.T) {
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
		n, err := countTar(bytes.NewReader(tt.data))
		if (err != nil) != tt.bad || (!tt.bad && n != tt.entries) {
			t.Errorf("%s: %d entries, err %v; want %d, bad=%v", tt.name, n, err, tt.entries, tt.bad)
		}
	}
}

// A hostile builder's values never become instructions: each label kiln
// reads either reads back exactly or fails with an error naming it.
func TestS2IHostileBuilderValues(t *testing.T) {
	hostile := []string{"/x\nRUN id", "/x\rRUN id", "/a b", `/a"b`, "/a$(id)", "/a`id`", "/a'b", "/a\\b", "/a\x00b"}
	labels := []string{LabelDestination, LabelScriptsURL, LabelLegacyScriptsURL, LabelAssembleUser}
	for _, l := range labels {
		for _, v := range hostile {
			if l == LabelScriptsURL || l == LabelLegacyScriptsURL {
				v = "image://" + v
			}
			t.Run(l+"="+strconv.Quote(v), func(t *testing.T) {
				o := S2IOptions{Source: writeTree(t, nil), Builder: "b", Output: "o", AllowedUIDs: "1-"}
				p, err := ResolveS2I(o, img("1001", map[string]string{l: v}), SourceInfo{})
				if err != nil {
					if !strings.Contains(err.Error(), l) {
						t.Errorf("the error does not name the label %s: %v", l, err)
					}
					return
				}
				df := p.Dockerfile()
				checkParses(t, df, p)
				checkInstructions(t, df)
			})
		}
	}
	t.Run("USER", func(t *testing.T) {
		for _, u := range []string{"1001\nRUN id", "1001 0", "$(id)"} {
			_, err := ResolveS2I(S2IOptions{Source: writeTree(t, nil), Builder: "b", Output: "o", AssembleUser: "1001"}, img(u, nil), SourceInfo{})
			if err == nil || !strings.Contains(err.Error(), "USER") {
				t.Errorf("USER %q: err = %v, want one naming USER", u, err)
			}
		}
	})
	t.Run("source labels", func(t *testing.T) {
		src := SourceInfo{Git: true, CommitID: "abc", CommitMessage: "fix\nRUN id"}
		_, err := ResolveS2I(S2IOptions{Source: writeTree(t, nil), Builder: "b", Output: "o"}, img("1001", nil), src)
		if err == nil || !strings.Contains(err.Error(), LabelCommitMessage) {
			t.Errorf("a newline in the commit message: err = %v", err)
		}
	})
}

// checkInstructions requires the generated Dockerfile to hold only the
// instructions kiln writes, with exactly one RUN: nothing was injected.
func checkInstructions(t *testing.T, df string) {
	t.Helper()
	res, err := parser.Parse(bytes.NewReader([]byte(df)))
	if err != nil {
		t.Fatal(err)
	}
	runs := 0
	for _, n := range res.AST.Children {
		switch strings.ToUpper(n.Value) {
		case "FROM", "LABEL", "ENV", "COPY", "USER", "CMD":
		case "RUN":
			runs++
		default:
			t.Errorf("unexpected instruction %s in\n%s", n.Original, df)
		}
	}
	if runs != 1 {
		t.Errorf("%d RUN instructions, want 1:\n%s", runs, df)
	}
}

// The output image runs as the builder's USER, whatever the assemble user.
func TestS2IRunUserIsTheBuildersUser(t *testing.T) {
	tests := []struct {
		user, label, want string
	}{
		{"1001", "", ""},         // the same: no second USER
		{"1001:0", "", "1001:0"}, // the group is kept
		{"1001", "0", "1001"},    // assemble as root, run as the builder's user
		{"", "1001", "0"},        // no USER in the builder: root, as before
	}
	for _, tt := range tests {
		labels := map[string]string{}
		if tt.label != "" {
			labels[LabelAssembleUser] = tt.label
		}
		p, err := ResolveS2I(S2IOptions{Source: writeTree(t, nil), Builder: "b", Output: "o"}, img(tt.user, labels), SourceInfo{})
		if err != nil {
			t.Fatal(err)
		}
		df := strings.TrimSpace(p.Dockerfile())
		lines := strings.Split(df, "\n")
		after := lines[len(lines)-2] // the line before CMD
		got := ""
		if u, ok := strings.CutPrefix(after, "USER "); ok {
			got = u
		}
		if got != tt.want {
			t.Errorf("USER %q, assemble-user %q: final USER %q, want %q\n%s", tt.user, tt.label, got, tt.want, df)
		}
	}
}

// .s2i/bin scripts and .s2i/environment must not lead out of the source
// through a symbolic link; links inside the source are fine.
func TestS2IRefusesSymlinksOutOfTheSource(t *testing.T) {
	outside := writeTree(t, map[string]string{"secret": "TOKEN=host-secret\n", "bin/assemble*": "#!/bin/sh\n"})
	tests := []struct {
		name, link, target, want string
	}{
		{"environment", ".s2i/environment", filepath.Join(outside, "secret"), ".s2i/environment leads to"},
		{"script", ".s2i/bin/assemble", filepath.Join(outside, "bin", "assemble"), ".s2i/bin/assemble leads to"},
		{"bin dir", ".s2i/bin", filepath.Join(outside, "bin"), ".s2i/bin/assemble leads to"},
		{"relative", ".s2i/environment", "../../" + filepath.Base(outside) + "/secret", ".s2i/environment leads to"},
		{"inside", ".s2i/environment", "env.txt", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			src := filepath.Join(root, "src")
			if err := os.MkdirAll(filepath.Join(src, filepath.Dir(tt.link)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(src, ".s2i", "env.txt"), []byte("A=1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			target := tt.target
			if tt.name == "relative" { // a relative link climbing out of root/src/.s2i
				if err := os.Symlink(outside, filepath.Join(root, filepath.Base(outside))); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Symlink(target, filepath.Join(src, tt.link)); err != nil {
				t.Fatal(err)
			}
			p, err := ResolveS2I(S2IOptions{Source: src, Builder: "b", Output: "o"}, img("1001", nil), SourceInfo{})
			if tt.want == "" {
				if err != nil || len(p.Env) != 1 || p.Env[0].Value != "1" {
					t.Fatalf("a link inside the source: %v, env %v", err, p)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "outside the source") {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// --as-dockerfile as s2i reads it: DIR/ is DIR/Dockerfile, and a path in
// the source (also through a link) is refused.
func TestCheckAsDockerfile(t *testing.T) {
	root := t.TempDir()
	src := filepath.Join(root, "src")
	if err := os.MkdirAll(filepath.Join(src, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(src, "sub"), filepath.Join(root, "into-src")); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want, err string }{
		{filepath.Join(root, "out") + "/", filepath.Join(root, "out", "Dockerfile"), ""},
		{filepath.Join(root, "new", "deeper", "Dockerfile.s2i"), filepath.Join(root, "new", "deeper", "Dockerfile.s2i"), ""},
		{filepath.Join(src, "Dockerfile"), "", "is inside the source"},
		{filepath.Join(src, "sub", "missing") + "/", "", "is inside the source"},
		{filepath.Join(root, "into-src", "x", "Dockerfile"), "", "is inside the source"},
	}
	for _, tt := range tests {
		o := S2IOptions{Source: src, AsDockerfile: tt.path}
		err := checkAsDockerfile(&o)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err = %v, want %q", tt.path, err, tt.err)
			}
			continue
		}
		if err != nil || o.AsDockerfile != tt.want {
			t.Errorf("%s: %q, %v; want %q", tt.path, o.AsDockerfile, err, tt.want)
		}
	}
}

// --exclude replaces the default: an empty expression keeps .git, another
// one leaves out what it matches.
func TestWriteContextExcludeFlag(t *testing.T) {
	src := writeTree(t, map[string]string{".git/HEAD": "x", "app.py": "x", "tmp/cache.bin": "x"})
	p, err := ResolveS2I(S2IOptions{Source: src, Builder: "b", Output: "o"}, img("1001", nil), SourceInfo{})
	if err != nil {
		t.Fatal(err)
	}
	for expr, want := range map[string]string{
		"":             "upload/src/.git/HEAD upload/src/app.py upload/src/tmp/cache.bin",
		`^tmp(/|$)`:    "upload/src/.git/HEAD upload/src/app.py",
		`\.py$|^\.git`: "upload/src/tmp/cache.bin",
	} {
		dir := t.TempDir()
		if err := writeContext(src, dir, p, regexp.MustCompile(expr), false, nil); err != nil {
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
		if strings.Join(got, " ") != want {
			t.Errorf("--exclude %q: %v, want %s", expr, got, want)
		}
	}
}

// -E/--environment-file comes after .s2i/environment and before --env.
func TestEnvironmentFileOrder(t *testing.T) {
	src := writeTree(t, map[string]string{".s2i/environment": "A=source\nB=source\nC=source\n"})
	envFile := filepath.Join(t.TempDir(), "env")
	if err := os.WriteFile(envFile, []byte("# from -E\nB=file\nC=file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := ResolveS2I(S2IOptions{Source: src, Builder: "b", Output: "o", EnvFile: envFile, Env: []string{"C=flag"}}, img("1001", nil), SourceInfo{})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(p.Env) != "[{A source} {B file} {C flag}]" {
		t.Errorf("env %v", p.Env)
	}
	_, err = ResolveS2I(S2IOptions{Source: src, Builder: "b", Output: "o", EnvFile: envFile + ".missing"}, img("1001", nil), SourceInfo{})
	if err == nil || !strings.Contains(err.Error(), "--environment-file") {
		t.Errorf("a missing -E file: %v", err)
	}
}

// Scripts URLs of every kind: each script from the first of --scripts-url,
// .s2i/bin, the label and the default that has it; a file:// or http(s)://
// URL without a script falls through; a label kiln cannot read does not
// matter when the source overrides every script.
func TestS2IScriptsURLs(t *testing.T) {
	var mu sync.Mutex
	var served []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		served = append(served, r.URL.Path)
		mu.Unlock()
		switch r.URL.Path {
		case "/s2i/assemble":
			fmt.Fprint(w, "#!/bin/sh\necho assemble from http\n")
		case "/broken/assemble":
			http.Error(w, "boom", http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	fileDir := writeTree(t, map[string]string{"run*": "#!/bin/sh\necho run from file\n"})
	allScripts := map[string]string{".s2i/bin/assemble*": "#!/bin/sh\n", ".s2i/bin/run*": "#!/bin/sh\n", ".s2i/bin/save-artifacts*": "#!/bin/sh\n"}
	tests := []struct {
		name      string
		flag      string
		label     string
		files     map[string]string
		scripts   string // assemble run save-artifacts
		downloads string
		err       string
	}{
		{name: "http flag, the rest from the label", flag: srv.URL + "/s2i", label: "image:///opt/s2i",
			scripts: "/tmp/scripts/assemble /opt/s2i/run /opt/s2i/save-artifacts", downloads: "assemble"},
		{name: "file flag over the source", flag: "file://" + fileDir, files: map[string]string{".s2i/bin/run*": "#!/bin/sh\n", ".s2i/bin/assemble*": "#!/bin/sh\n"},
			scripts: "/tmp/scripts/assemble /tmp/scripts/run /usr/libexec/s2i/save-artifacts", downloads: "run"},
		{name: "http label after the source", label: srv.URL + "/s2i", files: map[string]string{".s2i/bin/run*": "#!/bin/sh\n"},
			scripts: "/tmp/scripts/assemble /tmp/scripts/run /usr/libexec/s2i/save-artifacts", downloads: "assemble"},
		{name: "unreachable label, source overrides all", label: "http://127.0.0.1:1/never", files: allScripts,
			scripts: "/tmp/scripts/assemble /tmp/scripts/run /tmp/scripts/save-artifacts"},
		{name: "server error", flag: srv.URL + "/broken", err: "500 Internal Server Error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			labels := map[string]string{}
			if tt.label != "" {
				labels[LabelScriptsURL] = tt.label
			}
			src := writeTree(t, tt.files)
			p, err := ResolveS2I(S2IOptions{Source: src, Builder: "b", Output: "o", ScriptsURL: tt.flag}, img("1001", labels), SourceInfo{})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Scripts["assemble"] + " " + p.Scripts["run"] + " " + p.Scripts["save-artifacts"]; got != tt.scripts {
				t.Errorf("scripts %s, want %s", got, tt.scripts)
			}
			if got := strings.Join(slices.Sorted(maps.Keys(p.Downloads)), " "); got != tt.downloads {
				t.Errorf("downloaded %q, want %q", got, tt.downloads)
			}
			dir := t.TempDir()
			if err := writeContext(src, dir, p, nil, false, nil); err != nil {
				t.Fatal(err)
			}
			for name := range p.Downloads {
				if fi, err := os.Stat(filepath.Join(dir, "upload", "scripts", name)); err != nil || fi.Mode().Perm() != 0o755 {
					t.Errorf("upload/scripts/%s: %v", name, err)
				}
			}
			checkParses(t, p.Dockerfile(), p)
		})
	}
}

// --inject: a relative destination is under the builder's WORKDIR; the
// files are copied before assemble and emptied in assemble's RUN.
func TestS2IInjections(t *testing.T) {
	secret := writeTree(t, map[string]string{"token": "x"})
	image := &ImageConfig{User: "1001", WorkingDir: "/opt/app-root/src", Labels: map[string]string{}}
	o := S2IOptions{Source: writeTree(t, nil), Builder: "b", Output: "o",
		Injections: []Injection{{Source: secret, Dest: "/run/secrets/db"}, {Source: filepath.Join(secret, "token"), Dest: "creds/token"}}}
	p, err := ResolveS2I(o, image, SourceInfo{})
	if err != nil {
		t.Fatal(err)
	}
	df := p.Dockerfile()
	for _, want := range []string{
		"COPY --chown=1001:0 upload/injections/0 /run/secrets/db\n",
		"COPY --chown=1001:0 upload/injections/1 /opt/app-root/src/creds/token\n",
		`RUN /usr/libexec/s2i/assemble && find /run/secrets/db /opt/app-root/src/creds/token -type f -exec sh -c 'for f; do : > "$f"; done' sh {} +` + "\n",
	} {
		if !strings.Contains(df, want) {
			t.Errorf("the Dockerfile lacks %q:\n%s", want, df)
		}
	}
	checkParses(t, df, p)
	for _, bad := range []struct {
		in  Injection
		err string
	}{
		{Injection{Source: secret, Dest: "/a b"}, "only destinations of letters"},
		{Injection{Source: filepath.Join(secret, "missing"), Dest: "/x"}, "no such file"},
	} {
		o.Injections = []Injection{bad.in}
		if _, err := ResolveS2I(o, image, SourceInfo{}); err == nil || !strings.Contains(err.Error(), bad.err) || !strings.Contains(err.Error(), "--inject") {
			t.Errorf("%v: err = %v, want %q", bad.in, err, bad.err)
		}
	}
	if _, err := ParseInjection("nocolon"); err == nil || !strings.Contains(err.Error(), "SOURCE:DESTINATION") {
		t.Errorf("ParseInjection(nocolon): %v", err)
	}
}
