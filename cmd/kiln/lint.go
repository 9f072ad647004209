package main

import (
	"os"

	"github.com/kiln-s2i/kiln/scaffold/lint"
	"github.com/spf13/cobra"
)

type lintOptions struct {
	paths    []string
	format   string
	severity string
	explain  string
	list     bool
	ignore   []string
	color    bool
	// inspectBase looks the FROM image up (local storage, then its registry
	// with a short timeout) when a rule needs what it sets; off by default,
	// so lint stays offline and fast.
	inspectBase bool
}

func newLintCmd(s streams) *cobra.Command {
	o := &lintOptions{}
	cmd := &cobra.Command{
		Use:   "lint [PATH...]",
		Short: "Check Dockerfiles, s2i scripts and builder repos against the OKD image guidelines",
		Long: `Check a builder repository (Dockerfile or Containerfile, s2i/bin, wrapper scripts,
test/run, openshift/*.yaml, README.md) or single Dockerfiles and shell scripts
against the OKD image guidelines. Each finding names a rule (kiln lint --list),
the guideline it enforces and a fix.

Exit status: 0 clean, 1 findings at or above --severity, 2 usage errors or
unreadable input.

Ignore a rule with "# kiln:ignore=KL001 reason" on the line before an
instruction or statement, "# kiln:ignore-file=KL001 reason" for a file, or
lint: {ignore: [KL001]} in kiln.yaml.`,
		Example: `  kiln lint                          # the repository in the current directory
  kiln lint path/to/Dockerfile s2i/bin/run
  kiln lint --format sarif > kiln-lint.sarif   # for GitHub code scanning
  kiln lint --severity error         # fail only on errors
  kiln lint --explain KL010`,
		RunE: func(_ *cobra.Command, args []string) error {
			o.paths = args
			o.color = isTTY(s.out) && os.Getenv("NO_COLOR") == ""
			return runLint(s, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "text", "output format: text, json or sarif")
	f.StringVar(&o.severity, "severity", "warning", "lowest severity that fails (exit 1): error, warning or info")
	f.StringVar(&o.explain, "explain", "", "explain a rule (e.g. KL010) and exit")
	f.BoolVar(&o.list, "list", false, "list all rules and exit")
	f.StringSliceVar(&o.ignore, "ignore", nil, "rule IDs to ignore (comma-separated)")
	f.BoolVar(&o.inspectBase, "inspect-base", false, "look the base image up (local storage, then its registry for at most 3s) to judge the USER, labels and scripts-url it passes on; without it lint reads .kiln/base-image.json if kiln new recorded one")
	return cmd
}

func runLint(s streams, o *lintOptions) error {
	switch o.format {
	case "text", "json", "sarif":
	default:
		return usageErrorf("--format %q: use text, json or sarif", o.format)
	}
	threshold, err := lint.ParseSeverity(o.severity)
	if err != nil {
		return usageErrorf("--severity: %v", err)
	}
	for _, id := range o.ignore {
		if _, ok := lint.LookupRule(id); !ok {
			return usageErrorf("--ignore: unknown rule %q (kiln lint --list shows them all)", id)
		}
	}
	if o.list {
		if o.format == "sarif" {
			return usageErrorf("--list prints text or json")
		}
		return lint.WriteList(s.out, o.format == "json")
	}
	if o.explain != "" {
		if err := lint.Explain(s.out, o.explain); err != nil {
			return usageErrorf("--explain: %v", err)
		}
		return nil
	}
	paths := o.paths
	if len(paths) == 0 {
		paths = []string{"."}
	}
	opts := lint.Options{Ignore: o.ignore}
	if o.inspectBase {
		opts.Base = lintBaseLookup()
	}
	findings, err := lint.Paths(paths, opts)
	if err != nil {
		// unreadable or unparsable input (a *lint.ParseError names file and line)
		return &exitError{code: exitUsage, err: err}
	}
	switch o.format {
	case "json":
		err = lint.WriteJSON(s.out, findings)
	case "sarif":
		err = lint.WriteSARIF(s.out, findings, version)
	default:
		err = lint.WriteText(s.out, findings, lint.TextOptions{Color: o.color})
	}
	if err != nil {
		return err
	}
	if n := lint.Count(findings, threshold); n > 0 {
		if o.format == "text" {
			return failedErrorf("%d finding(s) at %s level or above", n, threshold)
		}
		return &exitError{code: exitFailed}
	}
	return nil
}
