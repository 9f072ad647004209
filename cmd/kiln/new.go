package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kiln-s2i/kiln/scaffold"
	"github.com/kiln-s2i/kiln/scaffold/bounded"
	"github.com/kiln-s2i/kiln/scaffold/okd"
)

// newOptions are kiln new's inputs; flags fill it, runNew acts on it.
type newOptions struct {
	dir         string
	answersFile string
	defaults    bool
	yes         bool
	accessible  bool
	write       writeOptions

	// answers holds the value(s) of each answer's flag, from scaffold's field table.
	answers   []*answerFlag
	probeType string
	fromRepo  bool // the answers are DIR's own kiln.yaml
	// edit, when set, makes the wizard kiln edit's: the metadata screens,
	// planned by this function (kiln edit's engine) instead of kiln new's.
	edit     func(spec *scaffold.Spec, files []scaffold.File) (*scaffold.WritePlan, error)
	pmChosen bool // the author chose the package manager (flag or answers)
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// answerFlag is the flag of one answer of scaffold's field table. It keeps
// the text as given; the field's own parser reads it, as the wizard's does.
type answerFlag struct {
	field  *scaffold.Field
	values []string // each time the flag was given; empty: not given
}

func (a *answerFlag) String() string { return strings.Join(a.values, ", ") }

func (a *answerFlag) Set(v string) error {
	if !a.field.Kind.Repeatable() {
		a.values = a.values[:0] // the last one counts
	}
	a.values = append(a.values, v)
	return nil
}

func (a *answerFlag) Type() string {
	switch a.field.Kind {
	case scaffold.KindBool:
		return "bool"
	case scaffold.KindNumber:
		return "int"
	case scaffold.KindList, scaffold.KindPorts, scaffold.KindPairs:
		return "strings"
	}
	return "string"
}

// answered reports whether kiln new was given answers of its own (a flag
// or --answers), which then take the place of a kept draft.
func (o *newOptions) answered() bool {
	if o.answersFile != "" || o.probeType != "" {
		return true
	}
	for _, a := range o.answers {
		if len(a.values) > 0 {
			return true
		}
	}
	return false
}

func (o *newOptions) answer(path string) *answerFlag {
	for _, a := range o.answers {
		if a.field.Path == path {
			return a
		}
	}
	panic("no field " + path) // the table and this file disagree
}

// addAnswerFlags registers one flag per answer of the field table, with the
// help and default the table declares.
func (o *newOptions) addAnswerFlags(f *pflag.FlagSet) {
	aliases := map[string]string{}
	for _, field := range scaffold.Fields() {
		a := &answerFlag{field: field}
		o.answers = append(o.answers, a)
		help := field.Help
		if field.Kind.Repeatable() {
			help += " (repeatable, or comma-separated)"
		}
		if field.Default != "" {
			help += " (default " + field.Default + ")"
		}
		f.Var(a, field.Flag, help)
		if field.Kind == scaffold.KindBool {
			f.Lookup(field.Flag).NoOptDefVal = "true"
		}
		for _, old := range field.Aliases {
			aliases[old] = field.Flag
		}
	}
	// Older flag names read as the field's own flag.
	f.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if to, ok := aliases[name]; ok {
			return pflag.NormalizedName(to)
		}
		return pflag.NormalizedName(name)
	})
}

// writeOptions are shared by kiln new, kiln edit and kiln update.
type writeOptions struct {
	dryRun bool
	force  bool
	prune  bool // kiln new, kiln edit: remove the stale files (kiln update always does)
}

func newNewCmd(fac *factory) *cobra.Command {
	o := &newOptions{}
	cmd := &cobra.Command{
		Use:   "new DIR",
		Short: "Create a builder-image repo: Dockerfile, s2i scripts, tests, template",
		Long: `Create a builder-image repo in DIR.

On a terminal kiln new asks its questions in a wizard. Without one, every
answer comes from flags, an --answers file (a kiln.yaml) and the preset's
defaults, in that order of precedence; --defaults accepts the preset's
defaults for everything not given.

kiln new looks the base image up (local storage, then its registry for at
most 3s) and says in one line on stderr what it found, or why not; it never
fails for it. The package manager follows the image's unless you chose one,
and what the image sets (USER, labels) is recorded in .kiln/base-image.json
for kiln lint.`,
		Example: `  kiln new mybuilder                       # the wizard
  kiln new /tmp/b --preset python --defaults
  kiln new b --defaults --from quay.io/me/base:1.2 --port 8080/tcp:http --secret DB_PASSWORD`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dir = args[0]
			return runNew(fac, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.answersFile, "answers", "", "a kiln.yaml whose answers to use (flags override it)")
	f.BoolVar(&o.defaults, "defaults", false, "accept the preset's defaults for every answer not given")
	f.BoolVarP(&o.yes, "yes", "y", false, "wizard: skip the screens whose answers are complete")
	f.BoolVar(&o.accessible, "accessible", false, "wizard: plain line-by-line prompts (also TERM=dumb or KILN_ACCESSIBLE=1)")
	addWriteFlags(f, &o.write)
	addPruneFlag(f, &o.write)
	o.addAnswerFlags(f)
	f.StringVar(&o.probeType, "probe-type", "", "probe type for both probes: http or tcp")
	return cmd
}

func addWriteFlags(f *pflag.FlagSet, o *writeOptions) {
	f.BoolVar(&o.dryRun, "dry-run", false, "show each file's status and a diff of changes; write nothing")
	f.BoolVar(&o.force, "force", false, "write kiln's render over files you edited (conflicts, merges, and edits kiln has no change for)")
}

// addPruneFlag: kiln new and kiln edit list a file kiln wrote earlier and
// renders no more (the old preset's test app), and remove it only when asked.
func addPruneFlag(f *pflag.FlagSet, o *writeOptions) {
	f.BoolVar(&o.prune, "prune", false, "remove the files kiln wrote earlier and no longer renders, if you did not edit them (listed as stale otherwise)")
}

func runNew(f *factory, o *newOptions) error {
	if !o.write.dryRun && !f.isTerminal() {
		// From reading DIR's kiln.yaml to writing (the wizard locks only to write).
		lock, err := lockRepo(f.streams, o.dir)
		if err != nil {
			return err
		}
		defer lock.Unlock()
	}
	spec, missing, err := o.buildSpec()
	if err != nil {
		return err
	}
	if o.fromRepo {
		fmt.Fprintf(f.err, "kiln new: starting from %s (flags override it); to change metadata only, use kiln edit %s\n", o.answersFile, o.dir)
	}
	// --accessible asks line by line also through a pipe (a screen reader's
	// or a script's input); the full-screen wizard needs a terminal.
	if (f.isTerminal() || o.accessible) && !o.write.dryRun {
		return f.wizard(o, spec)
	}
	if len(missing) > 0 {
		return usageErrorf("these answers are missing: %s\n  give them as flags, in --answers FILE, or pass --defaults to use the preset's defaults", strings.Join(missing, ", "))
	}
	info, looked := lookUpBase(f.streams, spec.From)
	if looked {
		followBase(f.streams, spec, info, o.pmChosen)
	}
	if err := writeSpec(f.streams, o.dir, spec, o.write); err != nil {
		return err
	}
	if looked && !o.write.dryRun {
		recordBase(f.streams, o.dir, info)
	}
	return nil
}

// buildSpec layers preset defaults, the answers file and flags, and lists
// the required answers none of them gave.
func (o *newOptions) buildSpec() (*scaffold.Spec, []string, error) {
	var answers []byte
	answerPreset := ""
	complete := false
	if o.answersFile == "" {
		// A repo kiln wrote starts from its own answers, never silently from
		// the preset's defaults (flags still override them).
		if p := filepath.Join(o.dir, scaffold.SpecFile); fileExists(p) {
			o.answersFile = p
			o.fromRepo = true
		}
	}
	if o.answersFile != "" {
		var err error
		if answers, err = bounded.ReadFile(o.answersFile); err != nil {
			return nil, nil, usageErrorf("--answers %s: %v", o.answersFile, err)
		}
		// Read once on an empty spec to learn the preset the answers start from.
		probe := &scaffold.Spec{}
		if err := scaffold.Overlay(probe, answers); err != nil {
			return nil, nil, usageErrorf("--answers %s: %v", o.answersFile, err)
		}
		answerPreset = probe.Preset
		o.pmChosen = probe.PackageManager != ""
		// schemaVersion marks a whole kiln.yaml as kiln writes it: keys it
		// leaves out are empty, not "the preset's" (packageManager: none
		// with no packages must not get the preset's packages back).
		complete = probe.SchemaVersion != 0
	}
	// The preset is the base the other answers apply to, so it is read first.
	preset := answerPreset
	if pf := o.answer("preset"); len(pf.values) > 0 {
		preset = scaffold.ParseChoice(pf.field.Choices(), pf.values[len(pf.values)-1])
	}
	var missing []string
	if preset == "" {
		if !o.defaults {
			missing = append(missing, "--preset")
		}
		preset = "generic"
	}
	spec, err := scaffold.Defaults(preset)
	if err != nil {
		return nil, nil, usageErrorf("--preset %q: %v", okd.ShowValue(preset), err)
	}
	if answers != nil && complete && preset == answerPreset {
		full, err := scaffold.Parse(answers)
		if err != nil {
			return nil, nil, usageErrorf("--answers %s: %v", o.answersFile, err)
		}
		spec = full
		spec.SchemaVersion = scaffold.SchemaVersion
	} else if answers != nil {
		// Keys in the file replace the preset's; the others stay.
		if err := scaffold.Overlay(spec, answers); err != nil {
			return nil, nil, usageErrorf("--answers %s: %v", o.answersFile, err)
		}
		spec.Preset = preset
		spec.SchemaVersion = scaffold.SchemaVersion
	}
	if len(o.answer("packageManager").values) > 0 {
		o.pmChosen = true
	}
	if err := o.applyFlags(spec); err != nil {
		return nil, nil, err
	}
	if spec.Name == "" {
		spec.Name = filepath.Base(filepath.Clean(o.dir))
	}
	if !o.defaults {
		if spec.Description == "" {
			missing = append(missing, "--description")
		}
		if spec.DisplayName == "" {
			missing = append(missing, "--display-name")
		}
	}
	spec.FillDefaults()
	return spec, missing, nil
}

// applyFlags sets each answer given as a flag through its field, the way
// the wizard sets it.
func (o *newOptions) applyFlags(s *scaffold.Spec) error {
	if o.probeType != "" {
		// --probe-type predates the probe answers: it sets the type of both.
		s.Readiness.Type, s.Liveness.Type = o.probeType, o.probeType
		if o.probeType == "tcp" {
			s.Readiness.Path, s.Liveness.Path = "", ""
		}
	}
	for _, a := range o.answers {
		if len(a.values) == 0 {
			continue
		}
		if err := a.field.Apply(s, a.values); err != nil {
			var ae *scaffold.AnswerError
			if errors.As(err, &ae) {
				return usageErrorf("--%s %q: %v", a.field.Flag, okd.ShowValue(ae.Value), ae.Err)
			}
			return usageErrorf("--%s: %v", a.field.Flag, err)
		}
	}
	return nil
}

// flagFor names what sets a kiln.yaml path, for error messages: the flag of
// the field that owns it, else the key itself.
func flagFor(path string) string {
	if f := scaffold.FieldFor(path); f != nil {
		return "--" + f.Flag
	}
	return "kiln.yaml " + topKey(path)
}

// topKey is the top-level kiln.yaml key of a problem's path (ports[1].name: ports).
func topKey(path string) string {
	head, _, _ := strings.Cut(path, ".")
	head, _, _ = strings.Cut(head, "[")
	return head
}

// validationError turns spec problems into a usage error that names each
// of kiln new's flags.
func validationError(err error) error { return problemsError(err, flagFor) }

// problemsError turns spec problems into a usage error that names, for each,
// what sets it (flagOf: kiln new's or kiln edit's flags); other errors pass.
func problemsError(err error, flagOf func(path string) string) error {
	var ve *scaffold.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem(s), nothing was written:", len(ve.Problems))
	for _, p := range ve.Problems {
		fmt.Fprintf(&b, "\n  %s (%s) %q %s\n      fix: %s", flagOf(p.Field), p.Field, p.Value, p.Message, p.Fix)
	}
	return &exitError{code: exitUsage, err: errors.New(b.String())}
}
