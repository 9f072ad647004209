package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing/fstest"

	"github.com/spf13/cobra"

	"github.com/kiln-s2i/kiln/scaffold"
	"github.com/kiln-s2i/kiln/scaffold/bounded"
	"github.com/kiln-s2i/kiln/scaffold/dockeredit"
	"github.com/kiln-s2i/kiln/scaffold/lint"
	"github.com/kiln-s2i/kiln/scaffold/mdedit"
	"github.com/kiln-s2i/kiln/scaffold/okdedit"
)

// editOptions are kiln edit's inputs. List flags are string arrays, not
// comma lists: an env value may hold commas (JAVA_OPTS=-Xms1g,-Xmx2g).
type editOptions struct {
	dir   string
	file  string
	adopt bool
	write writeOptions

	setLabels, unsetLabels    []string
	addPorts, removePorts     []string
	setEnv, unsetEnv          []string
	addSecrets, removeSecrets []string
	addVolumes, removeVolumes []string
	description, displayName  string
	tag, tags, minMemory      string
	minCPU, uid               string
	given                     func(flag string) bool
}

func newEditCmd(fac *factory) *cobra.Command {
	o := &editOptions{dir: "."}
	cmd := &cobra.Command{
		Use:   "edit [DIR]",
		Short: "Change a builder repo's metadata: labels, ports, env, secrets, volumes, tags",
		Long: `Change the metadata of the builder repo in DIR (default .).

With a kiln.yaml, kiln edit changes it and re-renders the repo (a file you
edited by hand is not overwritten without --force). Without one, it edits
the Dockerfile (and every Dockerfile.* variant, or the one --file names)
surgically: only the instructions concerned change, every comment and
style choice stays. --adopt then writes a kiln.yaml describing the repo.

Without kiln.yaml, the change also reaches the OKD template and imagestream
(openshift/*.yaml, imagestreams/*.yaml): ports, the env the template sets,
description, display name and tags, with comments and order kept; and
the rows of README.md's ports, environment and labels tables, if it has any.

On a terminal with no change flag, kiln edit opens the wizard's metadata
screens pre-filled from kiln.yaml; its review shows the diff of every file
the change touches before anything is written, and cancelling writes nothing.

An edit that would add a kiln lint finding at warning or above is refused
unless --force; findings that were there before are reported only. A file
kiln wrote earlier and renders no more is listed as stale and removed only
with --prune.`,
		Example: `  kiln edit --set-label io.k8s.display-name="Python 3.13" --add-port 8443/tcp:https
  kiln edit mybuilder --set-env JAVA_OPTS=-Xms1g,-Xmx2g --dry-run
  kiln edit sclorg-python --file Dockerfile.rhel9 --uid 1001 --adopt`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.dir = args[0]
			}
			o.given = cmd.Flags().Changed
			return runEdit(fac, o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.setLabels, "set-label", nil, "set an image label, KEY=VALUE (repeatable)")
	f.StringArrayVar(&o.unsetLabels, "unset-label", nil, "remove an image label KEY (repeatable)")
	f.StringArrayVar(&o.addPorts, "add-port", nil, "add a port, NUMBER[/PROTOCOL][:NAME] (repeatable)")
	f.StringArrayVar(&o.removePorts, "remove-port", nil, "remove port NUMBER (repeatable)")
	f.StringArrayVar(&o.setEnv, "set-env", nil, "set an environment variable, NAME=VALUE (repeatable)")
	f.StringArrayVar(&o.unsetEnv, "unset-env", nil, "remove environment variable NAME (repeatable)")
	f.StringArrayVar(&o.addSecrets, "add-secret", nil, "add a required secret's variable NAME (repeatable; needs kiln.yaml)")
	f.StringArrayVar(&o.removeSecrets, "remove-secret", nil, "remove a required secret NAME (repeatable; needs kiln.yaml)")
	f.StringArrayVar(&o.addVolumes, "add-volume", nil, "add a VOLUME path (repeatable)")
	f.StringArrayVar(&o.removeVolumes, "remove-volume", nil, "remove a VOLUME path (repeatable)")
	f.StringVar(&o.description, "description", "", "the image's description (io.k8s.description)")
	f.StringVar(&o.displayName, "display-name", "", "the image's display name (io.k8s.display-name)")
	f.StringVar(&o.tag, "tag", "", "the image tag (needs kiln.yaml)")
	f.StringVar(&o.tags, "tags", "", "io.openshift.tags, comma-separated (builder is required)")
	f.StringVar(&o.minMemory, "min-memory", "", "io.openshift.min-memory, e.g. 512Mi")
	f.StringVar(&o.minCPU, "min-cpu", "", "io.openshift.min-cpu, e.g. 500m")
	f.StringVar(&o.uid, "uid", "", "numeric UID the image runs as (USER)")
	f.StringVar(&o.file, "file", "", "without kiln.yaml: edit only this Dockerfile (default: Dockerfile and every Dockerfile.*)")
	f.BoolVar(&o.adopt, "adopt", false, "without kiln.yaml: write a kiln.yaml describing the repo, re-rendering nothing")
	f.BoolVar(&o.write.dryRun, "dry-run", false, "print the diff of every file the edit changes; write nothing")
	f.BoolVar(&o.write.force, "force", false, "write even over hand-edited files or when the edit adds a lint finding")
	addPruneFlag(f, &o.write)
	return cmd
}

func runEdit(f *factory, o *editOptions) error {
	if !o.write.dryRun && !(o.empty() && !o.adopt && f.isTerminal()) {
		lock, err := lockRepo(f.streams, o.dir)
		if err != nil {
			return err
		}
		defer lock.Unlock()
	}
	if _, err := os.Stat(filepath.Join(o.dir, scaffold.SpecFile)); err == nil {
		if o.adopt || o.file != "" {
			return usageErrorf("%s has a %s: --adopt and --file are for repos without one", o.dir, scaffold.SpecFile)
		}
		if o.empty() && f.isTerminal() && !o.write.dryRun {
			return editWizard(f, o)
		}
		return editSpecRepo(f.streams, o)
	}
	return editForeignRepo(f.streams, o)
}

// editWizard is kiln edit on a terminal with nothing to change given: the
// wizard's metadata screens pre-filled from the repo's kiln.yaml, planned
// by kiln edit's engine, so the review shows the diff of every file the
// change touches before anything is written. An answer that adds a lint
// finding at warning or above shows as the review's error (unless --force).
func editWizard(f *factory, o *editOptions) error {
	old, err := scaffold.Load(o.dir)
	if err != nil {
		if ve := validationError(err); ve != err {
			return ve
		}
		return usageErrorf("%v", err)
	}
	before, err := scaffold.Render(old)
	if err != nil {
		return failedErrorf("%v", err)
	}
	no := &newOptions{dir: o.dir, write: o.write}
	no.edit = func(_ *scaffold.Spec, files []scaffold.File) (*scaffold.WritePlan, error) {
		if err := lintGate(streams{out: io.Discard, err: io.Discard}, mapFS(before), mapFS(files), o.write.force); err != nil {
			return nil, err
		}
		return planSpecEdit(o.dir, old, files, o.write.force)
	}
	return f.wizard(no, old.Clone())
}

// scalar is one single-valued flag and the kiln.yaml field it sets.
type scalar struct {
	flag, path string
	value      *string
}

func (o *editOptions) scalars() []scalar {
	return []scalar{
		{"description", "description", &o.description},
		{"display-name", "displayName", &o.displayName},
		{"tag", "tag", &o.tag},
		{"tags", "tags", &o.tags},
		{"min-memory", "minMemory", &o.minMemory},
		{"min-cpu", "minCPU", &o.minCPU},
		{"uid", "uid", &o.uid},
	}
}

func (o *editOptions) empty() bool {
	for _, s := range o.scalars() {
		if o.given(s.flag) {
			return false
		}
	}
	return len(slices.Concat(o.setLabels, o.unsetLabels, o.addPorts, o.removePorts, o.setEnv, o.unsetEnv,
		o.addSecrets, o.removeSecrets, o.addVolumes, o.removeVolumes)) == 0
}

func flagError(flag, value string, err error) error {
	return usageErrorf("--%s %q: %v", flag, value, err)
}

// applySpec applies the flags to a kiln.yaml spec through the field table,
// the parsers and setters kiln new's flags and the wizard use.
func (o *editOptions) applySpec(s *scaffold.Spec) error {
	for _, sc := range o.scalars() {
		if !o.given(sc.flag) {
			continue
		}
		if err := scaffold.FieldByPath(sc.path).Set(s, *sc.value); err != nil {
			return flagError(sc.flag, *sc.value, err)
		}
	}
	for _, v := range o.setLabels {
		p, err := pair(v)
		if err != nil {
			return flagError("set-label", v, err)
		}
		i := slices.IndexFunc(s.Labels, func(l scaffold.Label) bool { return l.Key == p.Key })
		if i < 0 {
			s.Labels = append(s.Labels, scaffold.Label{Key: p.Key, Value: p.Value})
		} else {
			s.Labels[i].Value = p.Value
		}
	}
	for _, k := range o.unsetLabels {
		n := len(s.Labels)
		s.Labels = slices.DeleteFunc(s.Labels, func(l scaffold.Label) bool { return l.Key == k })
		if n == len(s.Labels) {
			return flagError("unset-label", k, errors.New("kiln.yaml has no such extra label; the labels kiln manages follow their answers (--description, --tags, ...)"))
		}
	}
	for _, v := range o.addPorts {
		p, err := scaffold.ParsePort(v)
		if err != nil {
			return flagError("add-port", v, err)
		}
		if i := slices.IndexFunc(s.Ports, func(q scaffold.Port) bool { return q.Number == p.Number }); i >= 0 {
			s.Ports[i] = p
		} else {
			s.Ports = append(s.Ports, p)
		}
	}
	for _, v := range o.removePorts {
		n, err := scaffold.ParseNumber(v)
		if err != nil {
			return flagError("remove-port", v, err)
		}
		before := len(s.Ports)
		s.Ports = slices.DeleteFunc(s.Ports, func(p scaffold.Port) bool { return p.Number == n })
		if before == len(s.Ports) {
			return flagError("remove-port", v, fmt.Errorf("kiln.yaml has no port %d; its ports are %s", n, scaffold.FormatPorts(s.Ports)))
		}
	}
	for _, v := range o.setEnv {
		p, err := pair(v)
		if err != nil {
			return flagError("set-env", v, err)
		}
		i := slices.IndexFunc(s.Env, func(e scaffold.EnvVar) bool { return e.Name == p.Key })
		if i < 0 {
			s.Env = append(s.Env, scaffold.EnvVar{Name: p.Key, Value: p.Value})
		} else {
			s.Env[i].Value = p.Value
		}
	}
	for _, k := range o.unsetEnv {
		n := len(s.Env)
		s.Env = slices.DeleteFunc(s.Env, func(e scaffold.EnvVar) bool { return e.Name == k })
		if n == len(s.Env) {
			return flagError("unset-env", k, errors.New("kiln.yaml has no such env var"))
		}
	}
	addTo := func(list *[]string, flag string, vals []string) {
		for _, v := range vals {
			if !slices.Contains(*list, v) {
				*list = append(*list, strings.TrimSpace(v))
			}
		}
	}
	removeFrom := func(list *[]string, flag string, vals []string) error {
		for _, v := range vals {
			n := len(*list)
			*list = slices.DeleteFunc(*list, func(x string) bool { return x == v })
			if n == len(*list) {
				return flagError(flag, v, fmt.Errorf("not in kiln.yaml (%s)", strings.Join(*list, ", ")))
			}
		}
		return nil
	}
	addTo(&s.Secrets, "add-secret", o.addSecrets)
	addTo(&s.Volumes, "add-volume", o.addVolumes)
	if err := removeFrom(&s.Secrets, "remove-secret", o.removeSecrets); err != nil {
		return err
	}
	return removeFrom(&s.Volumes, "remove-volume", o.removeVolumes)
}

// pair reads KEY=VALUE as the field table's pairs do; the value is kept
// whole, commas included.
func pair(v string) (scaffold.Pair, error) {
	p, err := scaffold.ParsePair(v)
	if err == nil && p.Key == "" {
		err = errors.New("empty: write KEY=VALUE")
	}
	return p, err
}

// editFlags names kiln edit's flag for a kiln.yaml path in problems.
var editFlags = map[string]string{
	"labels": "--set-label", "env": "--set-env", "ports": "--add-port", "secrets": "--add-secret",
	"volumes": "--add-volume", "description": "--description", "displayName": "--display-name",
	"tag": "--tag", "tags": "--tags", "minMemory": "--min-memory", "minCPU": "--min-cpu", "uid": "--uid",
}

func editValidationError(err error) error {
	return problemsError(err, func(path string) string {
		if flag, ok := editFlags[topKey(path)]; ok {
			return flag
		}
		return "kiln.yaml " + topKey(path)
	})
}

// editSpecRepo changes kiln.yaml and re-renders through kiln render's write plan.
func editSpecRepo(s streams, o *editOptions) error {
	if o.empty() {
		return usageErrorf("nothing to change: give a flag such as --set-label KEY=VALUE (see kiln edit --help)")
	}
	old, err := scaffold.Load(o.dir)
	if err != nil {
		if ve := validationError(err); ve != err {
			return ve
		}
		return usageErrorf("%v", err)
	}
	spec := old.Clone()
	if err := o.applySpec(spec); err != nil {
		return err
	}
	if err := spec.Validate(); err != nil {
		return editValidationError(err)
	}
	before, err := scaffold.Render(old)
	if err != nil {
		return failedErrorf("%v", err)
	}
	after, err := scaffold.Render(spec)
	if err != nil {
		return failedErrorf("%v", err)
	}
	if err := lintGate(s, mapFS(before), mapFS(after), o.write.force); err != nil {
		return err
	}
	return writeSpecEdit(s, o.dir, old, spec, o.write)
}

func mapFS(files []scaffold.File) fstest.MapFS {
	m := fstest.MapFS{}
	for _, f := range files {
		m[f.Path] = &fstest.MapFile{Data: f.Content, Mode: f.Mode}
	}
	return m
}

// overlayFS is the repo on disk with some files replaced, so lint sees an
// edit before it is written.
type overlayFS struct {
	base fs.FS
	over fstest.MapFS
}

func (o overlayFS) Open(name string) (fs.File, error) {
	if _, ok := o.over[name]; ok {
		return o.over.Open(name)
	}
	return o.base.Open(name)
}

// lintGate refuses an edit that adds a finding at warning or above (unless
// force); findings already there are reported, not blocking. Lines move
// with an edit, so a finding is known by file, rule and message.
func lintGate(s streams, before, after fs.FS, force bool) error {
	key := func(f lint.Finding) string { return f.File + "\x00" + f.Rule + "\x00" + f.Message }
	old, err := lint.FS(before, lint.Options{})
	if err != nil {
		return failedErrorf("kiln lint before the edit: %v", err)
	}
	now, err := lint.FS(after, lint.Options{})
	if err != nil {
		return failedErrorf("kiln lint after the edit: %v", err)
	}
	had := map[string]bool{}
	for _, f := range old {
		had[key(f)] = true
	}
	var added []string
	pre := 0
	for _, f := range now {
		if f.Severity < lint.Warning {
			continue
		}
		if had[key(f)] {
			pre++
			continue
		}
		added = append(added, fmt.Sprintf("%s:%d: %s %s: %s", f.File, f.Line, f.Severity, f.Rule, f.Message))
	}
	if pre > 0 {
		fmt.Fprintf(s.err, "note: %d kiln lint finding(s) at warning or above were there before this edit (kiln lint shows them)\n", pre)
	}
	if len(added) == 0 {
		return nil
	}
	if force {
		fmt.Fprintf(s.err, "warning: --force: the edit adds %d kiln lint finding(s):\n  %s\n", len(added), strings.Join(added, "\n  "))
		return nil
	}
	return failedErrorf("the edit would add %d kiln lint finding(s), nothing was written:\n  %s\n  fix the values, or pass --force to write anyway", len(added), strings.Join(added, "\n  "))
}

// okdFiles are where a builder repo keeps its OKD objects: kiln's
// openshift/template.yaml and imagestream.yaml, and the layouts of
// hand-written repos.
var okdFiles = []string{"openshift/*.yaml", "openshift/*.yml", "openshift/*/*.yaml", "openshift/*/*.yml", "imagestreams/*.yaml", "imagestreams/*.yml"}

// okdEdits carries the change into a foreign repo's OKD Template and
// ImageStream files (okdedit: through YAML's node tree, so comments and
// order stay): ports reach the Services and containers (probes and Routes
// that pointed at a removed port follow it, or are warned about), env the
// containers that set it, description, display name and tags the
// catalogue's annotations. A file that does not read as YAML is left
// alone and named on stderr. JSON files are not edited (written back as
// YAML they would change wholesale).
func (o *editOptions) okdEdits(s streams) ([]editedFile, error) {
	type yamlOp func(*okdedit.File)
	var ops []yamlOp
	for _, v := range o.addPorts {
		p, err := scaffold.ParsePort(v)
		if err != nil {
			return nil, flagError("add-port", v, err)
		}
		ops = append(ops, func(f *okdedit.File) { f.AddPort(p.Number, p.Protocol, p.Name) })
	}
	for _, v := range o.removePorts {
		n, err := scaffold.ParseNumber(v)
		if err != nil {
			return nil, flagError("remove-port", v, err)
		}
		ops = append(ops, func(f *okdedit.File) { f.RemovePort(n) })
	}
	for _, v := range o.setEnv {
		p, err := pair(v)
		if err != nil {
			return nil, flagError("set-env", v, err)
		}
		ops = append(ops, func(f *okdedit.File) { f.SetEnv(p.Key, p.Value) })
	}
	for _, k := range o.unsetEnv {
		ops = append(ops, func(f *okdedit.File) { f.UnsetEnv(k) })
	}
	scratch, err := scaffold.Defaults("generic")
	if err != nil {
		return nil, err
	}
	for _, a := range []struct {
		flag, path, key string
		tags            bool
	}{
		{"description", "description", "description", true},
		{"display-name", "displayName", "openshift.io/display-name", false},
		{"tags", "tags", "tags", true},
	} {
		if !o.given(a.flag) {
			continue
		}
		field := scaffold.FieldByPath(a.path)
		v := *o.scalarValue(a.flag)
		if err := field.Set(scratch, v); err != nil {
			return nil, flagError(a.flag, v, err)
		}
		value := field.Get(scratch)
		if a.path == "tags" {
			value = strings.Join(scratch.Tags, ",")
		}
		ops = append(ops, func(f *okdedit.File) { f.SetAnnotation(a.key, value, a.tags) })
	}
	if len(ops) == 0 {
		return nil, nil
	}
	var out []editedFile
	seen := map[string]bool{}
	for _, pat := range okdFiles {
		matches, _ := filepath.Glob(filepath.Join(o.dir, filepath.FromSlash(pat)))
		for _, p := range matches {
			rel, _ := filepath.Rel(o.dir, p)
			rel = filepath.ToSlash(rel)
			fi, err := os.Lstat(p)
			if err != nil || !fi.Mode().IsRegular() || seen[rel] {
				continue
			}
			seen[rel] = true
			src, err := bounded.ReadFile(p)
			if err != nil {
				return nil, failedErrorf("%s: %v", rel, err)
			}
			f, err := okdedit.Parse(src)
			if err != nil {
				fmt.Fprintf(s.err, "note: %s not edited: %v\n", rel, err)
				continue
			}
			for _, op := range ops {
				op(f)
			}
			for _, n := range f.Notes() {
				fmt.Fprintf(s.err, "warning: %s: %s\n", rel, n)
			}
			if !f.Changed() {
				continue
			}
			b, err := f.Bytes()
			if err != nil {
				return nil, failedErrorf("%s: %v", rel, err)
			}
			out = append(out, editedFile{path: rel, old: src, new: b, mode: fi.Mode().Perm()})
		}
	}
	return out, nil
}

// readmeEdit carries the change into the tables of a foreign repo's
// README.md (mdedit: only the rows concerned change). Labels and env
// follow what the edit did to the (first) Dockerfile, so a description or
// port flag's labels are in step too; ports follow the flags. A README
// without such tables is left as it is.
func (o *editOptions) readmeEdit(before, after *dockeredit.File) (*editedFile, error) {
	const name = "README.md"
	path := filepath.Join(o.dir, name)
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return nil, nil
	}
	src, err := bounded.ReadFile(path)
	if err != nil {
		return nil, failedErrorf("%s: %v", name, err)
	}
	f := mdedit.Parse(src)
	// A new key gets a row; a changed one changes the row the README has,
	// and a key the author left out of the README stays out.
	diff := func(old, now []dockeredit.KV, set, update, unset func(k, v string)) {
		was := map[string]string{}
		for _, kv := range old {
			was[kv.Key] = kv.Value
		}
		is := map[string]bool{}
		for _, kv := range now {
			is[kv.Key] = true
			switch v, ok := was[kv.Key]; {
			case !ok:
				set(kv.Key, kv.Value)
			case v != kv.Value:
				update(kv.Key, kv.Value)
			}
		}
		for _, kv := range old {
			if !is[kv.Key] {
				unset(kv.Key, "")
			}
		}
	}
	if before != nil && after != nil {
		diff(before.Labels(), after.Labels(), f.SetLabel, f.UpdateLabel, func(k, _ string) { f.UnsetLabel(k) })
		diff(before.Env(), after.Env(), f.SetEnv, f.UpdateEnv, func(k, _ string) { f.UnsetEnv(k) })
	}
	for _, v := range o.addPorts {
		p, err := scaffold.ParsePort(v)
		if err != nil {
			return nil, flagError("add-port", v, err)
		}
		f.AddPort(p.Number, p.Protocol, p.Name)
	}
	for _, v := range o.removePorts {
		n, err := scaffold.ParseNumber(v)
		if err != nil {
			return nil, flagError("remove-port", v, err)
		}
		f.RemovePort(n)
	}
	if !f.Changed() || bytes.Equal(f.Bytes(), src) {
		return nil, nil
	}
	return &editedFile{path: name, old: src, new: f.Bytes(), mode: fi.Mode().Perm()}, nil
}

// scalarValue is the value of a single-valued flag.
func (o *editOptions) scalarValue(flag string) *string {
	for _, s := range o.scalars() {
		if s.flag == flag {
			return s.value
		}
	}
	panic("no flag " + flag)
}

// dockerfiles lists the Dockerfiles a foreign repo's edit applies to.
func (o *editOptions) dockerfiles() ([]string, error) {
	if o.file != "" {
		return []string{o.file}, nil
	}
	var out []string
	for _, pat := range []string{"Dockerfile", "Dockerfile.*", "Containerfile", "Containerfile.*"} {
		m, _ := filepath.Glob(filepath.Join(o.dir, pat))
		for _, p := range m {
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				out = append(out, filepath.Base(p))
			}
		}
	}
	if len(out) == 0 {
		return nil, usageErrorf("%s has no %s and no Dockerfile: run `kiln new %s` to create a builder repo", o.dir, scaffold.SpecFile, o.dir)
	}
	return out, nil
}

// dockerOps turns the flags into Dockerfile edits, each value read by the
// field table's parser first so errors are the same as kiln new's.
func (o *editOptions) dockerOps() ([]func(*dockeredit.File) error, error) {
	var ops []func(*dockeredit.File) error
	for _, flag := range []string{"tag", "add-secret", "remove-secret"} {
		if o.given(flag) {
			return nil, usageErrorf("--%s: the image tag and required secrets live in kiln.yaml, which %s does not have; run kiln edit --adopt first, or kiln new", flag, o.dir)
		}
	}
	label := func(k, v string) { ops = append(ops, func(f *dockeredit.File) error { return f.SetLabel(k, v) }) }
	for _, v := range o.setLabels {
		p, err := pair(v)
		if err != nil {
			return nil, flagError("set-label", v, err)
		}
		label(p.Key, p.Value)
	}
	for _, k := range o.unsetLabels {
		ops = append(ops, func(f *dockeredit.File) error { return f.UnsetLabel(k) })
	}
	for _, v := range o.setEnv {
		p, err := pair(v)
		if err != nil {
			return nil, flagError("set-env", v, err)
		}
		ops = append(ops, func(f *dockeredit.File) error { return f.SetEnv(p.Key, p.Value) })
	}
	for _, k := range o.unsetEnv {
		ops = append(ops, func(f *dockeredit.File) error { return f.UnsetEnv(k) })
	}
	for _, v := range o.addPorts {
		p, err := scaffold.ParsePort(v)
		if err != nil {
			return nil, flagError("add-port", v, err)
		}
		ops = append(ops, func(f *dockeredit.File) error {
			word := strconv.Itoa(p.Number)
			if p.Protocol != "tcp" {
				word += "/" + p.Protocol
			}
			if err := f.AddPort(word); err != nil {
				return err
			}
			// Keep io.openshift.expose-services in step when the repo has it (G09).
			if es, ok := f.Label("io.openshift.expose-services"); ok {
				entry := fmt.Sprintf("%d:%s", p.Number, cmp(p.Name, "http"))
				if p.Protocol != "tcp" || strings.Contains(es, "/") {
					entry = p.String()
				}
				if !slices.ContainsFunc(strings.Split(es, ","), func(e string) bool { return portOf(e) == p.Number }) {
					return f.SetLabel("io.openshift.expose-services", strings.Trim(es+","+entry, ","))
				}
			}
			return nil
		})
	}
	for _, v := range o.removePorts {
		n, err := scaffold.ParseNumber(v)
		if err != nil {
			return nil, flagError("remove-port", v, err)
		}
		ops = append(ops, func(f *dockeredit.File) error {
			if err := f.RemovePort(strconv.Itoa(n)); err != nil {
				return err
			}
			if es, ok := f.Label("io.openshift.expose-services"); ok {
				rest := slices.DeleteFunc(strings.Split(es, ","), func(e string) bool { return portOf(e) == n })
				if len(rest) == 0 {
					return f.UnsetLabel("io.openshift.expose-services")
				}
				return f.SetLabel("io.openshift.expose-services", strings.Join(rest, ","))
			}
			return nil
		})
	}
	for _, v := range o.addVolumes {
		ops = append(ops, func(f *dockeredit.File) error { return f.AddVolume(v) })
	}
	for _, v := range o.removeVolumes {
		ops = append(ops, func(f *dockeredit.File) error { return f.RemoveVolume(v) })
	}
	// The scalars go through a scratch spec: the field's own parser and
	// validation, then the labels kiln would render for them (G14, G23).
	scratch, err := scaffold.Defaults("generic")
	if err != nil {
		return nil, err
	}
	labels := map[string][]string{
		"description": {"io.k8s.description", "org.opencontainers.image.description"},
		"displayName": {"io.k8s.display-name", "org.opencontainers.image.title"},
		"tags":        {"io.openshift.tags"},
		"minMemory":   {"io.openshift.min-memory"},
		"minCPU":      {"io.openshift.min-cpu"},
	}
	for _, sc := range o.scalars() {
		if !o.given(sc.flag) || sc.path == "tag" {
			continue
		}
		field := scaffold.FieldByPath(sc.path)
		if err := field.Set(scratch, *sc.value); err != nil {
			return nil, flagError(sc.flag, *sc.value, err)
		}
		if err := scratch.Validate(); err != nil {
			var ve *scaffold.ValidationError
			if errors.As(err, &ve) {
				if ps := ve.For(sc.path); len(ps) > 0 {
					return nil, flagError(sc.flag, *sc.value, fmt.Errorf("%s; fix: %s", ps[0].Message, ps[0].Fix))
				}
			}
		}
		value := field.Get(scratch)
		if sc.path == "uid" {
			ops = append(ops, func(f *dockeredit.File) error { return f.SetUser(value) })
			continue
		}
		if sc.path == "tags" {
			value = strings.Join(scratch.Tags, ",")
		}
		keys := labels[sc.path]
		ops = append(ops, func(f *dockeredit.File) error {
			// The first key always; the others where the repo has them.
			for i, k := range keys {
				if _, ok := f.Label(k); ok || i == 0 {
					if err := f.SetLabel(k, value); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	return ops, nil
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// portOf reads the number of an expose-services entry (8080:http, 8080/tcp:http).
func portOf(entry string) int {
	num, _, _ := strings.Cut(strings.TrimSpace(entry), ":")
	num, _, _ = strings.Cut(num, "/")
	n, _ := strconv.Atoi(num)
	return n
}

type editedFile struct {
	path     string // inside the repo
	old, new []byte
	mode     fs.FileMode
}

// editForeignRepo edits the Dockerfiles of a repo kiln did not write.
func editForeignRepo(s streams, o *editOptions) error {
	if o.empty() && !o.adopt {
		return usageErrorf("nothing to change: give a flag such as --set-label KEY=VALUE, or --adopt (see kiln edit --help)")
	}
	names, err := o.dockerfiles()
	if err != nil {
		return err
	}
	ops, err := o.dockerOps()
	if err != nil {
		return err
	}
	var edits []editedFile
	var first, firstOld *dockeredit.File
	for _, name := range names {
		path := filepath.Join(o.dir, name)
		src, err := os.ReadFile(path)
		if err != nil {
			return usageErrorf("--file %s: %v", name, err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			return failedErrorf("%v", err)
		}
		df, err := dockeredit.Parse(src)
		if err != nil {
			return failedErrorf("%s: %v", name, err)
		}
		for _, op := range ops {
			if err := op(df); err != nil {
				return usageErrorf("%s: %v", name, err)
			}
		}
		if first == nil {
			first = df
			firstOld, _ = dockeredit.Parse(src)
		}
		if !bytes.Equal(src, df.Bytes()) {
			edits = append(edits, editedFile{path: filepath.ToSlash(name), old: src, new: df.Bytes(), mode: fi.Mode().Perm()})
		}
	}
	okd, err := o.okdEdits(s)
	if err != nil {
		return err
	}
	edits = append(edits, okd...)
	readme, err := o.readmeEdit(firstOld, first)
	if err != nil {
		return err
	}
	if readme != nil {
		edits = append(edits, *readme)
	}
	var adopted []byte
	if o.adopt {
		if adopted, err = adoptSpec(o.dir, first); err != nil {
			return err
		}
	}
	if len(edits) > 0 {
		over := fstest.MapFS{}
		for _, e := range edits {
			over[e.path] = &fstest.MapFile{Data: e.new, Mode: e.mode}
		}
		base := os.DirFS(o.dir)
		if err := lintGate(s, base, overlayFS{base, over}, o.write.force); err != nil {
			return err
		}
	}
	if o.write.dryRun {
		for _, e := range edits {
			fmt.Fprint(s.out, scaffold.Unified("a/"+e.path, "b/"+e.path, e.old, e.new))
		}
		if adopted != nil {
			fmt.Fprint(s.out, scaffold.Unified("/dev/null", "b/"+scaffold.SpecFile, nil, adopted))
		}
		return nil
	}
	if adopted != nil {
		edits = append(edits, editedFile{path: scaffold.SpecFile, new: adopted, mode: 0o644})
	}
	if err := writeEdits(o.dir, edits); err != nil {
		return err
	}
	for _, e := range edits {
		fmt.Fprintf(s.out, "%-9s %s\n", map[bool]string{true: "create", false: "update"}[e.old == nil], e.path)
	}
	if len(edits) == 0 {
		fmt.Fprintf(s.out, "%s: nothing to change\n", o.dir)
	}
	return nil
}

// writeEdits writes the files as one transaction (scaffold.WriteFiles):
// if any changed on disk since kiln read it, nothing is written, and a kiln
// killed meanwhile leaves a journal the next kiln finishes.
func writeEdits(dir string, edits []editedFile) error {
	var changes []scaffold.Change
	for _, e := range edits {
		changes = append(changes, scaffold.Change{Path: e.path, Old: e.old, New: e.new, Mode: e.mode})
	}
	err := scaffold.WriteFiles(dir, changes)
	var ce *scaffold.ChangedError
	switch {
	case errors.As(err, &ce):
		return failedErrorf("%s changed on disk since kiln read it; nothing was written: run kiln edit again", ce.Path)
	case err != nil:
		return failedErrorf("%v", err)
	}
	return nil
}

// adoptSpec describes a foreign repo as a kiln.yaml from what its
// Dockerfile says; values that use build variables are left out (said on
// stderr by the caller's validation) since kiln.yaml holds literal values.
func adoptSpec(dir string, df *dockeredit.File) ([]byte, error) {
	s, err := scaffold.Defaults("generic")
	if err != nil {
		return nil, err
	}
	abs, _ := filepath.Abs(dir)
	s.Name = filepath.Base(abs)
	s.From = df.From()
	s.Labels, s.Env, s.Secrets, s.Volumes = nil, nil, nil, df.Volumes()
	services := map[int]string{}
	for _, kv := range df.Labels() {
		if strings.Contains(kv.Raw, "$") {
			continue // a build variable: not a literal kiln.yaml can hold
		}
		switch kv.Key {
		case "io.k8s.description":
			s.Description = kv.Value
		case "io.k8s.display-name":
			s.DisplayName = kv.Value
		case "io.openshift.tags":
			s.Tags = scaffold.SplitList(kv.Value)
		case "io.openshift.min-memory":
			s.MinMemory = kv.Value
		case "io.openshift.min-cpu":
			s.MinCPU = kv.Value
		case "maintainer":
			s.Maintainer = kv.Value
		case "org.opencontainers.image.source":
			s.Source = kv.Value
		case "org.opencontainers.image.licenses":
			s.Licenses = kv.Value
		case "io.openshift.expose-services":
			for _, e := range strings.Split(kv.Value, ",") {
				_, name, _ := strings.Cut(e, ":")
				services[portOf(e)] = name
			}
		case "io.openshift.s2i.scripts-url", "io.openshift.s2i.assemble-user", "io.openshift.non-scalable",
			"org.opencontainers.image.title", "org.opencontainers.image.description", "org.opencontainers.image.version":
			// kiln renders these from other answers
		default:
			s.Labels = append(s.Labels, scaffold.Label{Key: kv.Key, Value: kv.Value})
		}
	}
	s.Ports = nil
	for _, w := range df.Ports() {
		p, err := scaffold.ParsePort(w)
		if err != nil {
			continue
		}
		p.Name = services[p.Number]
		s.Ports = append(s.Ports, p)
	}
	for _, kv := range df.Env() {
		if kv.Key == "APP_ROOT" || kv.Key == "HOME" || kv.Key == "PORT" || strings.Contains(kv.Raw, "$") {
			continue
		}
		s.Env = append(s.Env, scaffold.EnvVar{Name: kv.Key, Value: kv.Value})
	}
	if uid, err := strconv.Atoi(df.User()); err == nil {
		s.UID = uid
	}
	return s.Marshal()
}
