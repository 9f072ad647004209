package lint

import (
	"errors"
	"fmt"
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
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.file == "Dockerfile" {
				_, err = lintDockerfileText(tc.file, []byte(tc.src), Options{})
			} else {
				_, err = lintScriptText(tc.file, []byte(tc.src), 0o755, Options{})
			}
			pe, ok := err.(*ParseError)
			if !ok {
				t.Fatalf("want a *ParseError, got %v", err)
			}
			if pe.File != tc.file || pe.Line < 1 || pe.Line > tc.line {
				t.Errorf("error %q: file %q line %d, want %q line <= %d", pe, pe.File, pe.Line, tc.file, tc.line)
			}
		})
	}
}

func TestTemplateParseError(t *testing.T) {
	fsys := fstest.MapFS{
		"Dockerfile":              {Data: []byte("FROM a:1\n")},
		"openshift/template.yaml": {Data: []byte("kind: Template\nobjects:\n  - kind: [unclosed\n")},
	}
	_, err := FS(fsys, Options{})
	var pe *ParseError
	if !errors.As(err, &pe) || pe.File != "openshift/template.yaml" || pe.Line < 1 {
		t.Fatalf("want a ParseError naming openshift/template.yaml and a line, got %v", err)
	}
}
