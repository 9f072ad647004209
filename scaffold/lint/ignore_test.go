package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"
)

func TestIgnoreComments(t *testing.T) {
	for _, tc := range []struct {
		name, file, src string
		want            []string // "line RULE" of the rules below that remain
		rules           []string
	}{
		{name: "instruction", file: "Dockerfile", rules: []string{"KL001", "KL020"}, src: `FROM a
RUN x
# kiln:ignore=KL020 on purpose
RUN y
RUN z
`, want: []string{"1 KL001", "5 KL020"}},
		{name: "several lines of comments and IDs", file: "Dockerfile", rules: []string{"KL001", "KL002"}, src: `# kiln:ignore=kl001,KL002 pinned elsewhere
# more words
FROM a
FROM b:latest
`, want: []string{"4 KL002"}},
		{name: "a blank line breaks the link", file: "Dockerfile", rules: []string{"KL001"}, src: `# kiln:ignore=KL001 no

FROM a
`, want: []string{"3 KL001"}},
		{name: "whole file", file: "Dockerfile", rules: []string{"KL001", "KL002"}, src: `FROM a
FROM b:latest
# kiln:ignore-file=KL001,KL002 demo
`},
		{name: "multi-line instruction", file: "Dockerfile", rules: []string{"KL010"}, src: `FROM a:1
# kiln:ignore=KL010 cleaned by the base image's hook
RUN yum -y install x && \
    echo done
RUN yum -y install y
`, want: []string{"5 KL010"}},
		{name: "shell statement", file: "run", rules: []string{"KL120", "KL125"}, src: `#!/bin/sh
if [ -n "$A" ]; then
  # kiln:ignore=KL120,KL125 the supervisor forwards signals
  node a.js > /var/log/a.log
else
  node b.js
fi
`, want: []string{"6 KL120"}},
		{name: "shell file-wide", file: "run", rules: []string{"KL120"}, src: `#!/bin/sh
# kiln:ignore-file=KL120 demo
node a.js
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fs []Finding
			var err error
			if tc.file == "Dockerfile" {
				fs, err = lintDockerfileText(tc.file, []byte(tc.src), Options{})
			} else {
				fs, err = lintScriptText(tc.file, []byte(tc.src), 0o755, Options{})
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range fs {
				if slices.Contains(tc.rules, f.Rule) {
					got = append(got, fmt.Sprintf("%d %s", f.Line, f.Rule))
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestParseErrors: a file kiln cannot parse is one KL000 finding naming the
// file and the parser's line, not an error that discards the other files.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, file, src string
		line            int
	}{
		{"unterminated heredoc", "Dockerfile", "FROM a:1\nRUN <<EOF\necho\n", 2},
		{"no instructions", "Dockerfile", "# only a comment\n", 1},
		{"bad escape directive", "Dockerfile", "# escape=x\nFROM a:1\n", 1},
		{"unterminated quote", "run", "#!/bin/sh\necho \"a\n", 2},
		{"unclosed if", "run", "#!/bin/sh\nif true; then\n  echo\n", 2},
		{"bash kiln does not read", "run", "#!/bin/bash\nreadonly -A conf=(\n  [user.name]=\"builder\"\n)\nexec app\n", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []Finding
			var err error
			if tc.file == "Dockerfile" {
				got, err = lintDockerfileText(tc.file, []byte(tc.src), Options{})
			} else {
				got, err = lintScriptText(tc.file, []byte(tc.src), 0o755, Options{})
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Rule != "KL000" || got[0].File != tc.file || got[0].Line < 1 || got[0].Line > tc.line {
				t.Fatalf("want one KL000 finding on %s at or before line %d, got %v", tc.file, tc.line, got)
			}
		})
	}
}

func TestTemplateParseError(t *testing.T) {
	fsys := fstest.MapFS{
		"Dockerfile":              {Data: []byte("FROM a:1\n")},
		"openshift/template.yaml": {Data: []byte("kind: Template\nobjects:\n  - kind: [unclosed\n")},
		"s2i/bin/run":             {Data: []byte("#!/bin/sh\nnode server.js\n"), Mode: 0o755},
	}
	got, err := FS(fsys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var parse, other bool
	for _, f := range got {
		if f.Rule == "KL000" && f.File == "openshift/template.yaml" && f.Line >= 1 {
			parse = true
		}
		if f.Rule == "KL120" {
			other = true
		}
	}
	if !parse || !other {
		t.Fatalf("want KL000 on openshift/template.yaml and the other files' findings (KL120), got %v", got)
	}
}

// TestConfigFoundUpward: kiln.yaml at a repository's root applies to the
// version directories below it.
func TestConfigFoundUpward(t *testing.T) {
	root := t.TempDir()
	for name, data := range map[string]string{
		".git/HEAD":      "ref: refs/heads/main\n",
		"kiln.yaml":      "lint:\n  ignore: [KL002]\n",
		"1.0/Dockerfile": "FROM registry.access.redhat.com/ubi9:latest\n",
	} {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, lint := range []func() ([]Finding, error){
		func() ([]Finding, error) { return Repo(filepath.Join(root, "1.0"), Options{}) },
		func() ([]Finding, error) { return Paths([]string{filepath.Join(root, "1.0", "Dockerfile")}, Options{}) },
	} {
		got, err := lint()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			t.Fatal("no findings at all: the test proves nothing")
		}
		for _, f := range got {
			if f.Rule == "KL002" {
				t.Errorf("kiln.yaml at the root did not apply: %v", f)
			}
		}
	}
	// without the root's kiln.yaml, KL002 is reported
	if err := os.Remove(filepath.Join(root, "kiln.yaml")); err != nil {
		t.Fatal(err)
	}
	got, err := Repo(filepath.Join(root, "1.0"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(got, func(f Finding) bool { return f.Rule == "KL002" }) {
		t.Errorf("KL002 missing without kiln.yaml: %v", got)
	}
}
