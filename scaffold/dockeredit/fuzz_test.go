package dockeredit

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// fragments are pieces of real-world-style Dockerfiles; the fuzzer strings
// them together. A line ending in `\` continues (rewritten for escape=`).
var fragments = []string{
	"# a comment\n",
	"\n",
	"LABEL a=1\n",
	"LABEL summary=\"$SUMMARY\" \\\n      # inside\n      io.k8s.display-name=\"Py 3\" \\\n      name='x y'\n",
	"label version=1.0 release=7    vendor='Example Corp'\n",
	"LABEL legacy value with spaces\n",
	"ENV PATH=$HOME/bin:$PATH \\\n    A=1\n",
	"env OLD value\n",
	"ENV D=\"multi \\\nline\"\n",
	"EXPOSE 8080\n",
	"expose 8080/tcp 9000\n",
	"VOLUME /data\n",
	"VOLUME [\"/a\", \"/b\"]\n",
	"USER 1001\n",
	"  user   nobody\n",
	"RUN a && \\\n    # inside run\n    b\n",
	"RUN <<EOF\nEXPOSE 1\nLABEL x=y\nEOF\n",
	"ARG V=1\n",
	"FROM base:${V} AS b2\n",
	"CMD [\"run\"]\n",
}

func gen(data []byte) []byte {
	var b strings.Builder
	escape := len(data) > 0 && data[0]&1 == 1
	crlf := len(data) > 0 && data[0]&2 == 2
	if escape {
		b.WriteString("# escape=`\n")
	}
	b.WriteString("FROM base:1\n")
	for _, c := range data[min(1, len(data)):] {
		b.WriteString(fragments[int(c)%len(fragments)])
	}
	s := b.String()
	if escape {
		s = strings.ReplaceAll(s, "\\\n", "`\n")
	}
	if crlf {
		s = strings.ReplaceAll(s, "\n", "\r\n")
	}
	return []byte(s)
}

var fuzzKeys = []string{"a", "io.k8s.display-name", "name", "summary", "NEW", "PATH", "OLD", "legacy", "with space"}

func FuzzEdit(f *testing.F) {
	f.Add([]byte{0, 3, 6, 9, 13, 15, 19}, uint8(0), uint8(1), "Python 3.13")
	f.Add([]byte{3, 4, 5, 7, 8, 10, 12, 16}, uint8(4), uint8(2), `a"b$c\d`)
	f.Add([]byte{1, 2, 3}, uint8(1), uint8(3), "")
	f.Add([]byte{2, 14, 11, 12, 17, 18, 2, 9}, uint8(7), uint8(0), "x")
	f.Fuzz(func(t *testing.T, data []byte, verb, key uint8, val string) {
		if len(data) > 64 || !utf8.ValidString(val) || strings.ContainsAny(val, "\r\n\x00") {
			return
		}
		src := gen(data)
		if _, err := parser.Parse(bytes.NewReader(src)); err != nil {
			return
		}
		file, err := Parse(src)
		if err != nil {
			t.Fatalf("buildkit parses it, Parse does not: %v\n%s", err, src)
		}
		k := fuzzKeys[int(key)%len(fuzzKeys)]
		ports := []string{"8080", "9000", "8443/udp", "1"}
		vols := []string{"/data", "/a", "/b", "/new"}
		ops := []op{
			{"set-label", k + "=" + val}, {"unset-label", k},
			{"set-env", k + "=" + val}, {"unset-env", k},
			{"add-port", ports[int(key)%4]}, {"remove-port", strings.TrimSuffix(ports[int(key)%4], "/udp")},
			{"user", []string{"1001", "1002:0", "app"}[int(key)%3]},
			{"add-volume", vols[int(key)%4]}, {"remove-volume", vols[int(key)%4]},
		}
		o := ops[int(verb)%len(ops)]
		if err := o.do(file); err != nil {
			if !bytes.Equal(file.Bytes(), src) {
				t.Fatalf("%v failed (%v) but changed the file", o, err)
			}
			if strings.HasPrefix(o.verb, "set-") && k == "with space" || o.verb == "set-env" && strings.ContainsAny(k, " ") {
				return
			}
			t.Fatalf("%v: %v\n%s", o, err, src)
		}
		out := file.Bytes()
		o.check(t, out)
		if a, b := untouched(t, src, o.kw()), untouched(t, out, o.kw()); !slices.Equal(a, b) {
			t.Fatalf("%v changed lines outside the %s instructions:\n--- before\n%s\n--- after\n%s", o, o.kw(), src, out)
		}
		if bytes.Contains(src, []byte("\r\n")) && bytes.Count(out, []byte("\n")) != bytes.Count(out, []byte("\r\n")) {
			t.Fatalf("bare LF in a CRLF file:\n%q", out)
		}
	})
}
