package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/kiln-s2i/kiln/builder/image"
)

// WriteText prints one line per check and, for each check that did not
// pass, its fix.
func WriteText(w io.Writer, r *Report) error {
	fmt.Fprintf(w, "%s (config %s)\n", r.Image, image.ShortDigest(r.ConfigDigest))
	var fails, warns int
	for _, c := range r.Checks {
		mark := "ok  "
		switch c.Status {
		case Fail:
			mark = "FAIL"
			fails++
		case Warn:
			mark = "warn"
			warns++
		}
		fmt.Fprintf(w, "%s %s [%s] %s: %s\n", mark, c.ID, c.Guideline, c.Title, c.Message)
		if c.Status != Pass {
			fmt.Fprintf(w, "     fix: %s\n", c.Fix)
		}
	}
	verdict := "passed"
	if !r.Passed {
		verdict = "FAILED"
	}
	_, err := fmt.Fprintf(w, "%s: %d checks, %d failed, %d warnings\n", verdict, len(r.Checks), fails, warns)
	return err
}

// WriteJSON prints the report as one JSON object: {"image", "configDigest",
// "checks": [{id, guideline, title, result, message, fix}], "passed"}.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteList prints every check with its guideline, as kiln lint --list does.
func WriteList(w io.Writer, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(checks)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tGUIDELINE\tCHECK")
	for _, c := range checks {
		title := c.Title
		if c.Certification {
			title += " (--certification)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.ID, c.Guideline, title)
	}
	return tw.Flush()
}

// Markdown is docs/verify.md, generated from the check table.
func Markdown() string {
	var b strings.Builder
	b.WriteString(`# kiln verify checks

<!-- Generated from builder/verify/checks.go by "go generate ./builder/verify"; do not edit. -->

` + "`kiln verify IMAGE`" + ` reads a built image through containers/image (local storage, ` + "`oci:`" + `,
` + "`oci-archive:`" + `, ` + "`docker-archive:`" + `, ` + "`docker-daemon:`" + `, ` + "`docker://`" + `) and checks its final filesystem
(the layers applied in order, whiteouts and opaque directories honoured), its config and each layer
against the OKD image guidelines. Each check has an ID, the guideline it serves (see ` + "`kiln lint --list`" + `
for the same IDs), and a result: pass, warn or fail. Any fail makes ` + "`kiln verify`" + ` exit 1; a bad
reference, a missing image or an unreachable registry exits 2 with one line.

| ID | guideline | check |
|---|---|---|
`)
	for _, c := range checks {
		title := c.Title
		if c.Certification {
			title += " (with `--certification`)"
		}
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s |\n", c.ID, strings.ToLower(c.ID), c.Guideline, title)
	}
	for _, c := range checks {
		fmt.Fprintf(&b, "\n## %s\n\n**%s**\n\nGuideline %s: %s.\n\n%s\n\nFix: %s\n", c.ID, c.Title, c.Guideline, GuidelineText(c.Guideline), c.Why, c.Fix)
	}
	fmt.Fprintf(&b, `
## Thresholds and sources

- KV002 checks the directories of `+"`--spec kiln.yaml`"+`'s writableDirs; without it WORKDIR, HOME and the s2i
  destination (io.openshift.s2i.destination, else /tmp).
- KV010 looks in every layer for %s.
- KV011 warns when a layer loses %d bytes or more to later layers; KV012 warns above %d layers.
`, "/"+strings.Join(cacheDirs, ", /")+", and any .cache/pip or .npm/_cacache", WastedLimit, LayerLimit)
	return b.String()
}
