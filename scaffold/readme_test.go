package scaffold_test

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/kiln-s2i/kiln/scaffold"
)

// readmeHTML renders README.md as GitHub does: CommonMark with the GFM
// extensions (tables, autolinks, strikethrough), raw HTML left out.
func readmeHTML(t testing.TB, readme []byte) string {
	t.Helper()
	var buf bytes.Buffer
	if err := goldmark.New(goldmark.WithExtensions(extension.GFM)).Convert(readme, &buf); err != nil {
		t.Fatalf("README.md does not render: %v", err)
	}
	return buf.String()
}

var (
	readmeH1    = regexp.MustCompile(`(?s)\A<h1>(.*?)</h1>\n<p>(.*?)</p>\n`)
	readmeCells = regexp.MustCompile(`<tr>\n<td><code>([^<]*)</code></td>\n<td>(.*?)</td>\n`)
	readmeLinks = regexp.MustCompile(`<(a|img)\s[^>]*>`)
	autolink    = regexp.MustCompile(`<a href="([^"]*)">([^<]*)</a>`)
)

// withoutAutolinks replaces the links GFM makes of a URL in text, shown
// as itself (as on GitHub: nothing is hidden behind them), by their text.
func withoutAutolinks(out string) string {
	return autolink.ReplaceAllStringFunc(out, func(m string) string {
		text := autolink.FindStringSubmatch(m)[2]
		for _, p := range []string{"http://", "https://", "www."} {
			if strings.HasPrefix(html.UnescapeString(text), p) {
				return text
			}
		}
		return m
	})
}

// mdText is what a reader sees of free text kiln put in README.md:
// Markdown drops the blanks around a paragraph, a heading or a cell.
func mdText(v string) string {
	return strings.Trim(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(v), " \t")
}

// checkReadme renders README.md as HTML and checks that the author's free
// text is text there (issue 10: hostile text passed raw HTML through): no
// raw HTML, no link or image but kiln's own, and the display name,
// description, label values and environment values read back unchanged.
func checkReadme(t *testing.T, s *scaffold.Spec, readme []byte) {
	t.Helper()
	out := withoutAutolinks(readmeHTML(t, readme))
	if strings.Contains(out, "raw HTML omitted") {
		t.Errorf("README.md carries raw HTML:\n%s", readme)
	}
	for _, m := range readmeLinks.FindAllString(out, -1) {
		if m != `<a href="https://github.com/openshift/source-to-image">` && m != `<a href="https://github.com/kiln-s2i/kiln">` {
			t.Errorf("README.md has a link or image kiln did not write: %s", m)
		}
	}
	h := readmeH1.FindStringSubmatch(out)
	if h == nil {
		t.Fatalf("README.md does not start with a heading and a paragraph:\n%s", out)
	}
	if got := html.UnescapeString(h[1]); got != mdText(s.DisplayName) {
		t.Errorf("README.md's heading reads %q, want the display name %q", got, mdText(s.DisplayName))
	}
	if got := html.UnescapeString(h[2]); got != mdText(s.Description) {
		t.Errorf("README.md's first paragraph reads %q, want the description %q", got, mdText(s.Description))
	}
	cells := map[string]string{}
	for _, m := range readmeCells.FindAllStringSubmatch(out, -1) {
		cells[html.UnescapeString(m[1])] = m[2]
	}
	for _, l := range s.Labels {
		if got, ok := cells[l.Key]; !ok || html.UnescapeString(got) != mdText(l.Value) {
			t.Errorf("README.md's label %s reads %q, want %q", l.Key, got, mdText(l.Value))
		}
	}
	for _, e := range s.Env {
		want := "<code>" + html.EscapeString(strings.ReplaceAll(e.Value, "\n", " ")) + "</code>"
		if e.Value == "" {
			want = "(empty)"
		}
		if got := cells[e.Name]; html.UnescapeString(got) != html.UnescapeString(want) {
			t.Errorf("README.md's variable %s reads %q, want %q", e.Name, got, want)
		}
	}
}

// TestReadmeHostileHTML puts HTML and Markdown that would run or load
// something in every free-text field README.md shows: kiln accepts the
// text, and README.md shows it as text.
func TestReadmeHostileHTML(t *testing.T) {
	payloads := []string{
		`<script>alert(1)</script>`, `<img src=x onerror=alert(1)>`, `<a href="javascript:alert(1)">x</a>`,
		`<!-- hidden -->`, `<details open ontoggle=alert(1)>`, "`<script>`", `&lt;script&gt;`, `&#60;img&#62;`,
		`![x](https://tracker.example/p.png)`, `[click](javascript:alert(1))`, `<https://evil.example>`,
		`*bold* _em_ ~~gone~~`, `# heading`, `- item`, `1. item`, `> quote`, `    indented code`, `a | b`, `\<b>`,
	}
	fields := []struct {
		name string
		set  func(s *scaffold.Spec, v string)
	}{
		{"displayName", func(s *scaffold.Spec, v string) { s.DisplayName = v }},
		{"description", func(s *scaffold.Spec, v string) { s.Description = v }},
		{"maintainer", func(s *scaffold.Spec, v string) { s.Maintainer = v }},
		{"env value", func(s *scaffold.Spec, v string) { s.Env[len(s.Env)-1].Value = v }},
		{"label value", func(s *scaffold.Spec, v string) { s.Labels[0].Value = v }},
	}
	for _, f := range fields {
		for i, v := range payloads {
			t.Run(fmt.Sprintf("%s/%02d", f.name, i), func(t *testing.T) {
				s := hostileBase(t)
				f.set(s, v)
				if err := s.Validate(); err != nil {
					t.Fatalf("%q in %s is refused, so the test proves nothing: %v", v, f.name, err)
				}
				readme := renderRepo(t, s).content(t, "README.md")
				checkReadme(t, s, readme)
				if f.name == "maintainer" {
					if out := readmeHTML(t, readme); strings.Contains(out, "<script") || strings.Contains(out, "<img") {
						t.Errorf("the maintainer %q reaches README.md's HTML as HTML", v)
					}
				}
			})
		}
	}
}
