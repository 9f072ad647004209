package dockeredit

import (
	"bytes"
	"os"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// big is a 500-line Dockerfile: the sclorg-style fixture's body repeated,
// every block a comment, continued RUN, ENV and LABEL.
func big(tb testing.TB) []byte {
	src, err := os.ReadFile("testdata/sclorg.Dockerfile")
	if err != nil {
		tb.Fatal(err)
	}
	var b bytes.Buffer
	b.Write(src)
	body := src[bytes.Index(src, []byte("ENV PYTHON_VERSION")):bytes.Index(src, []byte("COPY <<EOF"))]
	for bytes.Count(b.Bytes(), []byte("\n")) < 500 {
		b.Write(body)
	}
	lines := bytes.SplitAfter(b.Bytes(), []byte("\n"))
	return bytes.Join(lines[:500], nil)
}

func TestBigParses(t *testing.T) {
	src := big(t)
	if n := bytes.Count(src, []byte("\n")); n != 500 {
		t.Fatalf("%d lines", n)
	}
	f, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	edit(t, f.Bytes(), parseOps("set-label io.k8s.display-name=Python 3.13", "add-port 8443", "unset-env PYTHONUNBUFFERED"))
}

// BenchmarkParseOnly is the baseline: buildkit's parser alone on the file.
func BenchmarkParseOnly(b *testing.B) {
	src := big(b)
	for b.Loop() {
		if _, err := parser.Parse(bytes.NewReader(src)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEdit500 is one `kiln edit` of a 500-line Dockerfile: read, set a
// label, add a port, unset an ENV key (goal: under 20 ms).
func BenchmarkEdit500(b *testing.B) {
	src := big(b)
	for b.Loop() {
		f, err := Parse(src)
		if err != nil {
			b.Fatal(err)
		}
		if err := f.SetLabel("io.k8s.display-name", "Python 3.13"); err != nil {
			b.Fatal(err)
		}
		if err := f.AddPort("8443"); err != nil {
			b.Fatal(err)
		}
		if err := f.UnsetEnv("PYTHONUNBUFFERED"); err != nil {
			b.Fatal(err)
		}
	}
}
