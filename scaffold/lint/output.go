package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/kiln-s2i/kiln/scaffold/okd"
)

// TextOptions style the text report.
type TextOptions struct {
	Color bool // ANSI colours: the caller decides (TTY and no NO_COLOR)
}

const (
	ansiReset  = "\x1b[0m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiBlue   = "\x1b[34m"
	ansiDim    = "\x1b[2m"
)

// WriteText prints "file:line:col severity ID message" with the fix on the
// next line, indented.
func WriteText(w io.Writer, fs []Finding, o TextOptions) error {
	for _, f := range fs {
		sev := f.Severity.String()
		fix := f.Fix
		if o.Color {
			c := ansiBlue
			switch f.Severity {
			case Error:
				c = ansiRed
			case Warning:
				c = ansiYellow
			}
			sev = c + sev + ansiReset
			fix = ansiDim + fix + ansiReset
		}
		if _, err := fmt.Fprintf(w, "%s:%d:%d %s %s %s\n    fix: %s\n", f.File, f.Line, f.Column, sev, f.Rule, f.Message, fix); err != nil {
			return err
		}
	}
	return nil
}

// WriteJSON prints the findings as a JSON array (never null).
func WriteJSON(w io.Writer, fs []Finding) error {
	if fs == nil {
		fs = []Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(fs)
}

// SARIF 2.1.0, the subset GitHub code scanning reads.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
}

func sarifLevel(s Severity) string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "note"
}

// WriteSARIF prints a SARIF 2.1.0 log fit for GitHub code-scanning uploads.
func WriteSARIF(w io.Writer, fs []Finding, toolVersion string) error {
	driver := sarifDriver{Name: "kiln lint", InformationURI: "https://github.com/kiln-s2i/kiln/blob/main/docs/lint.md", Version: toolVersion}
	index := map[string]int{}
	for i, r := range rules {
		index[r.ID] = i
		driver.Rules = append(driver.Rules, sarifRule{
			ID:                   r.ID,
			Name:                 ruleName(r.Title),
			ShortDescription:     sarifText{Text: r.Title},
			FullDescription:      sarifText{Text: r.Why},
			Help:                 sarifText{Text: r.Fix, Markdown: explainMarkdown(r)},
			DefaultConfiguration: sarifConfig{Level: sarifLevel(r.Severity)},
			Properties: map[string]any{
				"guideline": r.Guideline,
				"severity":  r.Severity.String(),
				"tags":      []string{"okd", r.Guideline},
			},
		})
	}
	results := []sarifResult{}
	for _, f := range fs {
		results = append(results, sarifResult{
			RuleID:    f.Rule,
			RuleIndex: index[f.Rule],
			Level:     sarifLevel(f.Severity),
			Message:   sarifText{Text: f.Message + ". Fix: " + f.Fix},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: sarifURI(f.File)},
				Region:           sarifRegion{StartLine: max(f.Line, 1), StartColumn: max(f.Column, 1)},
			}}},
		})
	}
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{{Tool: sarifTool{Driver: driver}, Results: results}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

// sarifURI is a relative, slash-separated path, as code scanning wants.
func sarifURI(file string) string {
	u := filepath.ToSlash(file)
	if filepath.IsAbs(file) {
		return (&url.URL{Scheme: "file", Path: u}).String()
	}
	return (&url.URL{Path: strings.TrimPrefix(u, "./")}).String()
}

// ruleName turns a title into a PascalCase SARIF rule name.
func ruleName(title string) string {
	var b strings.Builder
	up := true
	for _, r := range title {
		switch {
		case r >= 'a' && r <= 'z':
			if up {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			up = false
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			up = false
		default:
			up = true
		}
	}
	return b.String()
}

// Explain writes a rule's guideline, why it matters on OKD, the fix and an
// example, for kiln lint --explain.
func Explain(w io.Writer, id string) error {
	r, ok := LookupRule(id)
	if !ok {
		return fmt.Errorf("unknown rule %q (kiln lint --list shows them all)", id)
	}
	g := guidelineText(r)
	_, err := fmt.Fprintf(w, "%s (%s, %s): %s\n\n%s\n\nWhy it matters on OKD:\n  %s\n\nFix:\n  %s\n\nBefore:\n%s\n\nAfter:\n%s\n",
		r.ID, r.Severity, r.Confidence, r.Title, strings.ToUpper(g[:1])+g[1:], r.Why, r.Fix, indent(r.Before), indent(r.After))
	return err
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// WriteList prints every rule: ID, severity, guideline, title.
func WriteList(w io.Writer, asJSON bool) error {
	if asJSON {
		type row struct {
			ID        string `json:"id"`
			Severity  string `json:"severity"`
			Guideline string `json:"guideline"`
			Title     string `json:"title"`
			Fix       string `json:"fix"`
		}
		var rows []row
		for _, r := range rules {
			rows = append(rows, row{r.ID, r.Severity.String(), r.Guideline, r.Title, r.Fix})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	for _, r := range rules {
		if _, err := fmt.Fprintf(w, "%s  %-7s  %s  %s\n", r.ID, r.Severity, r.Guideline, r.Title); err != nil {
			return err
		}
	}
	return nil
}

func explainMarkdown(r Rule) string {
	return fmt.Sprintf("**%s** (%s)\n\n%s\n\n**Fix:** %s\n\nBefore:\n```\n%s\n```\nAfter:\n```\n%s\n```\n",
		r.Title, guidelineText(r), r.Why, r.Fix, r.Before, r.After)
}

// guidelineText names the guideline a rule serves; KL000 and KL004 are
// about kiln's own reading of the files.
func guidelineText(r Rule) string {
	if r.Guideline == "" {
		return "no guideline: kiln's own checking"
	}
	return "guideline " + r.Guideline + ": " + okd.Summary(r.Guideline)
}

// Markdown renders docs/lint.md from the rule table.
func Markdown() string {
	var b strings.Builder
	b.WriteString("# kiln lint rules\n\n")
	b.WriteString("<!-- Generated from scaffold/lint/rules.go by `go generate ./scaffold/lint`; do not edit. -->\n\n")
	b.WriteString("`kiln lint [PATH...]` checks Dockerfiles (or Containerfiles), s2i scripts, wrapper scripts, test/run, ")
	b.WriteString("the OKD template and README.md against the OKD image guidelines ([docs/guidelines.md](guidelines.md), G01-G31), ")
	b.WriteString("including repositories kiln did not write.\n\n")
	b.WriteString("- `--format text|json|sarif` (SARIF 2.1.0 uploads to GitHub code scanning)\n")
	b.WriteString("- `--severity error|warning|info`: findings at or above it exit 1 (default warning); usage errors and unreadable input exit 2\n")
	b.WriteString("- `kiln lint --explain KL010` explains a rule; `kiln lint --list [--format json]` lists them\n")
	b.WriteString("- Ignore a rule for one instruction or statement with `# kiln:ignore=KL001,KL004 reason` on the line(s) directly before it, ")
	b.WriteString("for a whole file with `# kiln:ignore-file=KL010 reason`, or for the repository in kiln.yaml: `lint: {ignore: [KL001]}`.\n")
	b.WriteString("  Findings about missing files (test/run, the template) sit on line 1 of the Dockerfile, so `kiln:ignore-file` there silences them.\n")
	b.WriteString("  kiln.yaml is also found upward from the linted path, up to the repository root, so one file configures every version directory. ")
	b.WriteString("An ignore comment naming an unknown rule is itself an error (KL004).\n")
	b.WriteString("- A directory is linted with every `Dockerfile`, `Dockerfile.*`, `Containerfile`, `Containerfile.*` and `*.Dockerfile` in it ")
	b.WriteString("(not templates such as `Dockerfile.tpl`); a directory that is no builder itself is searched for builder directories below it. ")
	b.WriteString("Each Dockerfile's build context is its directory or the one above it from which its COPY sources exist; scripts are found through ")
	b.WriteString("COPY and ADD (directories with or without a trailing slash, ARG and ENV defaults, and `$STI_SCRIPTS_PATH` of the s2i base images), ")
	b.WriteString("through CMD and ENTRYPOINT, and count as present and executable when a RUN creates them (`ln -s`, `cp`, `install`) or makes them executable (`chmod +x`).\n")
	b.WriteString("- A file kiln cannot parse is one KL000 finding with the parser's message and line; everything else is still linted.\n")
	b.WriteString("- Every rule states its confidence. Errors are only for what is certain; rules about what the image inherits (labels, EXPOSE, USER, ")
	b.WriteString("the version variable, run) report at most info when the base image is not a plain OS image, since it may set them.\n")
	b.WriteString("- Lint is offline: it never looks the base image up unless asked. When it knows the base image's config, the rules about what the Dockerfile ")
	b.WriteString("leaves to it judge the inherited value instead: USER (KL070-KL072: a numeric USER passes, none or root or a name is reported at full severity), ")
	b.WriteString("the OKD labels (KL080-KL082) and io.openshift.s2i.scripts-url (KL085: scripts copied elsewhere than the inherited URL). It knows it from ")
	b.WriteString("`.kiln/base-image.json`, which `kiln new` and the wizard write when they find the base image (its ref, USER and labels; used only while ")
	b.WriteString("the Dockerfile's FROM names that ref; commit it with `.kiln/`, delete it to make lint guess again), or from `--inspect-base`, which ")
	b.WriteString("looks the FROM image up in local storage, then in its registry for at most 3 s, only when such a rule needs it.\n")
	b.WriteString("- Speed: the parsers do most of the work (buildkit's for Dockerfiles, mvdan.cc/sh, yaml.v3). While a lint call runs, kiln raises ")
	b.WriteString("Go's garbage-collector target from 100 to 400 (as `GOGC=400` would): lint allocates much and keeps little, and this saves about a tenth of its CPU time for about 10 MB more memory at peak on a large tree; ")
	b.WriteString("a `GOGC` set in the environment is left alone. The benchmark measures the same setting ([docs/benchmarks.md](benchmarks.md)).\n\n")
	b.WriteString("Note: OCI-format builds (podman's default) drop HEALTHCHECK, and OKD never runs it: document readiness and liveness probes ")
	b.WriteString("and put them in the example template instead (KL112, KL131).\n\n")
	b.WriteString(realWorldReport)
	b.WriteString("## Rules\n\n| ID | severity | guideline | title |\n|---|---|---|---|\n")
	for _, r := range rules {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s |\n", r.ID, strings.ToLower(r.ID), r.Severity, r.Guideline, mdEscape(r.Title))
	}
	for _, r := range rules {
		fmt.Fprintf(&b, "\n## %s\n\n**%s** · %s · %s\n\nConfidence: %s.\n\n%s\n\n**Fix:** %s\n\nBefore:\n\n```\n%s\n```\n\nAfter:\n\n```\n%s\n```\n",
			r.ID, mdEscape(r.Title), r.Severity, guidelineText(r), r.Confidence, r.Why, r.Fix, r.Before, r.After)
	}
	return b.String()
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
