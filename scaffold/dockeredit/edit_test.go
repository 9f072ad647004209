package dockeredit

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Refresh with: go test ./scaffold/dockeredit -run TestGolden -update
var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// op is one edit as "verb arg"; the same spelling drives the goldens and
// the fuzz target.
type op struct{ verb, arg string }

func (o op) kw() string {
	switch o.verb {
	case "set-label", "unset-label":
		return "label"
	case "set-env", "unset-env":
		return "env"
	case "add-port", "remove-port":
		return "expose"
	case "user":
		return "user"
	}
	return "volume"
}

func (o op) do(f *File) error {
	k, v, _ := strings.Cut(o.arg, "=")
	switch o.verb {
	case "set-label":
		return f.SetLabel(k, v)
	case "unset-label":
		return f.UnsetLabel(o.arg)
	case "set-env":
		return f.SetEnv(k, v)
	case "unset-env":
		return f.UnsetEnv(o.arg)
	case "add-port":
		return f.AddPort(o.arg)
	case "remove-port":
		return f.RemovePort(o.arg)
	case "user":
		return f.SetUser(o.arg)
	case "add-volume":
		return f.AddVolume(o.arg)
	case "remove-volume":
		return f.RemoveVolume(o.arg)
	}
	return fmt.Errorf("unknown op %q", o.verb)
}

// check re-reads the edited field from a fresh parse.
func (o op) check(t *testing.T, out []byte) {
	t.Helper()
	g, err := Parse(out)
	if err != nil {
		t.Fatalf("%v: result does not parse: %v\n%s", o, err, out)
	}
	k, v, _ := strings.Cut(o.arg, "=")
	switch o.verb {
	case "set-label":
		if got, ok := g.Label(k); !ok || got != v {
			t.Errorf("%v: label %q reads back %q, %v\n%s", o, k, got, ok, out)
		}
	case "unset-label":
		if _, ok := g.Label(o.arg); ok {
			t.Errorf("%v: label still there\n%s", o, out)
		}
	case "set-env":
		if got, ok := g.EnvValue(k); !ok || got != v {
			t.Errorf("%v: env %q reads back %q, %v\n%s", o, k, got, ok, out)
		}
	case "unset-env":
		if _, ok := g.EnvValue(o.arg); ok {
			t.Errorf("%v: env still there\n%s", o, out)
		}
	case "add-port":
		if !slices.ContainsFunc(g.Ports(), func(p string) bool { return portKey(p) == portKey(o.arg) }) {
			t.Errorf("%v: port missing: %v\n%s", o, g.Ports(), out)
		}
	case "remove-port":
		if slices.ContainsFunc(g.Ports(), func(p string) bool { return strings.SplitN(p, "/", 2)[0] == o.arg }) {
			t.Errorf("%v: port still there: %v\n%s", o, g.Ports(), out)
		}
	case "user":
		if g.User() != o.arg {
			t.Errorf("%v: user reads back %q\n%s", o, g.User(), out)
		}
	case "add-volume":
		if !slices.Contains(g.Volumes(), o.arg) {
			t.Errorf("%v: volume missing: %v\n%s", o, g.Volumes(), out)
		}
	case "remove-volume":
		if slices.Contains(g.Volumes(), o.arg) {
			t.Errorf("%v: volume still there: %v\n%s", o, g.Volumes(), out)
		}
	}
}

// untouched lists the lines outside every instruction with keyword kw,
// comment lines inside those instructions included: an edit of kw must
// leave this sequence byte-for-byte the same.
func untouched(t *testing.T, src []byte, kw string) []string {
	t.Helper()
	f, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	skip := map[int]bool{}
	for _, in := range f.instrs {
		if in.kw != kw {
			continue
		}
		for i := in.node.StartLine - 1; i < in.node.EndLine; i++ {
			if !isCommentLine(f.lineText(i)) || i == in.node.StartLine-1 {
				skip[i] = true
			}
		}
	}
	var out []string
	for i, l := range f.lines {
		if !skip[i] {
			out = append(out, strings.TrimRight(string(src[l.s:l.e]), "\r\n"))
		}
	}
	return out
}

func edit(t *testing.T, src []byte, ops []op) []byte {
	t.Helper()
	f, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range ops {
		before := slices.Clone(f.Bytes())
		if err := o.do(f); err != nil {
			t.Fatalf("%v: %v", o, err)
		}
		o.check(t, f.Bytes())
		if a, b := untouched(t, before, o.kw()), untouched(t, f.Bytes(), o.kw()); !slices.Equal(a, b) {
			t.Errorf("%v changed lines outside the %s instructions:\n%s", o, o.kw(), f.Bytes())
		}
	}
	return f.Bytes()
}

func parseOps(s ...string) []op {
	var ops []op
	for _, x := range s {
		v, a, _ := strings.Cut(x, " ")
		ops = append(ops, op{v, a})
	}
	return ops
}

func TestGolden(t *testing.T) {
	sclorg := []string{
		"set-label io.k8s.display-name=Python 3.13",
		"set-label io.openshift.s2i.scripts-url=image:///usr/libexec/s2i/bin",
		"set-label io.openshift.tags=builder,python",
		"set-label org.opencontainers.image.source=https://example.com/$repo",
		"unset-label maintainer",
		"unset-label io.k8s.description",
		"set-env PIP_NO_CACHE_DIR=on",
		"set-env JAVA_OPTS=-Xms1g,-Xmx2g",
		"unset-env PYTHONUNBUFFERED",
		"add-port 8443",
		"remove-port 8080",
		"add-port 9000/udp",
		"user 1002",
		"add-volume /opt/app-root/data",
	}
	cases := []struct {
		name string
		ops  []string
	}{
		{"sclorg", sclorg},
		{"crlf", sclorg},
		{"lower", []string{
			"set-label release=8",
			"set-label vendor=Example, Inc.",
			"unset-label version",
			"set-env APP_ROOT=/srv/app",
			"set-env NEW=1",
			"remove-port 8443",
			"add-volume /cache",
			"remove-volume /var/log/app",
			"user 1001",
		}},
		{"escape", []string{
			"set-label path=D:\\app",
			"set-label url=https://example.com",
			"unset-label release",
			"set-env HOME=C:\\Users\\kiln",
			"add-port 8080",
		}},
		{"heredoc", []string{
			"user 1001",
			"set-label c=3",
			"unset-label b",
			"add-port 8080",
		}},
		{"multistage", []string{
			"set-label name=app",
			"set-env MODE=prod",
			"add-port 8080",
			"user 1001",
			"add-volume /data",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", c.name+".Dockerfile"))
			if err != nil {
				t.Fatal(err)
			}
			out := edit(t, src, parseOps(c.ops...))
			golden := filepath.Join("testdata", c.name+".golden")
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("%s differs from %s:\n%s", c.name, golden, out)
			}
			if bytes.Contains(src, []byte("\r\n")) && bytes.Count(out, []byte("\n")) != bytes.Count(out, []byte("\r\n")) {
				t.Errorf("a CRLF file got a bare LF line ending")
			}
		})
	}
}

func TestReads(t *testing.T) {
	src, err := os.ReadFile("testdata/sclorg.Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := f.Label("io.k8s.display-name"); got != "Python 3.12" {
		t.Errorf("display name %q", got)
	}
	if got, _ := f.EnvValue("PATH"); got != "/.local/bin/:" {
		t.Errorf("PATH %q: variables expand to nothing without an environment", got)
	}
	if got := f.Ports(); !slices.Equal(got, []string{"8080"}) {
		t.Errorf("ports %v", got)
	}
	if f.User() != "1001" || f.From() != "${BASE_IMAGE}" {
		t.Errorf("user %q from %q", f.User(), f.From())
	}
}

func TestRefused(t *testing.T) {
	src := []byte("FROM x\nLABEL a=b\n")
	for _, o := range parseOps("set-label a=line\nbreak", "add-port http", "user root;rm", "add-volume relative/path") {
		f, _ := Parse(src)
		if err := o.do(f); err == nil {
			t.Errorf("%v accepted", o)
		} else if !bytes.Equal(f.Bytes(), src) {
			t.Errorf("%v: refused but changed the file", o)
		}
	}
}
