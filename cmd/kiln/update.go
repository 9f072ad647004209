package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kiln-s2i/kiln/scaffold"
)

type updateOptions struct {
	dir   string
	write writeOptions
}

func newUpdateCmd(s streams) *cobra.Command {
	o := &updateOptions{dir: "."}
	cmd := &cobra.Command{
		Use: "update [DIR]",
		// render is its first name: the same engine, kept for scripts that call it.
		Aliases: []string{"render"},
		Short:   "Bring a builder repo up to date with its kiln.yaml and this kiln's templates, keeping your edits",
		Long: `Re-render the builder repo in DIR (default .) from DIR/kiln.yaml with this
kiln's templates, and carry your edits over, three-way, from what kiln rendered
last time (kept in .kiln/): a file you did not touch is replaced, a file you
edited is merged, a file you deleted stays deleted, and a file kiln no longer
renders is removed only if you did not touch it.

Edits that collide with kiln's changes are written between conflict markers
(<<<<<<< yours, =======, >>>>>>> kiln), listed, and kiln exits 1. An older
kiln.yaml schema is migrated; --dry-run shows every file's status and diff.`,
		Example: `  kiln update --dry-run    # what would change, file by file
  kiln update              # apply it`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.dir = args[0]
			}
			return runUpdate(s, o)
		},
	}
	addWriteFlags(cmd.Flags(), &o.write)
	return cmd
}

func runUpdate(s streams, o *updateOptions) error {
	if !o.write.dryRun {
		lock, err := lockRepo(s, o.dir)
		if err != nil {
			return err
		}
		defer lock.Unlock()
	}
	path := filepath.Join(o.dir, scaffold.SpecFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return usageErrorf("%s has no %s: run `kiln new %s` first, or pass the repo's directory", o.dir, scaffold.SpecFile, o.dir)
	}
	if err != nil {
		return failedErrorf("%v", err)
	}
	// kiln.yaml is the author's: only its schemaVersion and kilnVersion lines change.
	stamped, steps, err := scaffold.Restamp(data, scaffold.KilnVersion)
	if err != nil {
		return usageErrorf("%v", err)
	}
	spec, err := scaffold.Parse(stamped)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if err := spec.Validate(); err != nil {
		return validationError(err)
	}
	for _, m := range steps {
		fmt.Fprintf(s.out, "%s: migrated %s\n", scaffold.SpecFile, m)
	}
	files, err := scaffold.Render(spec)
	if err != nil {
		return failedErrorf("%v", err)
	}
	mode := fs.FileMode(0o644)
	if info, err := os.Stat(path); err == nil {
		mode = info.Mode().Perm()
	}
	plan, err := scaffold.PlanRender(o.dir, files, scaffold.File{Path: scaffold.SpecFile, Content: stamped, Mode: mode})
	if err != nil {
		return failedErrorf("%v", err)
	}
	return applyPlan(s, plan, spec, o.write)
}

// lockRepo takes dir's lock for a command that writes into it, before it
// reads anything there (issue 10: concurrent writers), and says what taking
// it repaired. Another live kiln holding it is a failure (exit 1).
func lockRepo(s streams, dir string) (*scaffold.RepoLock, error) {
	l, err := scaffold.Lock(dir)
	if err != nil {
		return nil, failedErrorf("%v", err)
	}
	for _, n := range l.Notices {
		fmt.Fprintln(s.err, "kiln:", n)
	}
	return l, nil
}

// writeSpec renders spec into dir (kiln new), honouring dry-run and force;
// the caller holds dir's lock to write.
func writeSpec(s streams, dir string, spec *scaffold.Spec, w writeOptions) error {
	if err := spec.Validate(); err != nil {
		return validationError(err)
	}
	files, err := scaffold.Render(spec)
	if err != nil {
		return err
	}
	plan, err := scaffold.Plan(dir, files)
	if err != nil {
		return failedErrorf("%v", err)
	}
	if !w.prune {
		plan.KeepStale()
	}
	if err := applyPlan(s, plan, spec, w); err != nil {
		return err
	}
	if !w.dryRun && plan.Count(scaffold.Create) == len(plan.Files) {
		fmt.Fprintf(s.out, "next: cd %s && kiln test   (or: make test)\n", dir)
	}
	return nil
}

// applyPlan prints a dry run, or applies the plan and reports what it did.
func applyPlan(s streams, plan *scaffold.WritePlan, spec *scaffold.Spec, w writeOptions) error {
	if w.dryRun {
		printPlan(s, plan, true)
		return nil
	}
	err := plan.Apply(w.force)
	var ce *scaffold.ConflictError
	switch {
	case errors.As(err, &ce) && !ce.Marked:
		printPlan(s, plan, false)
		return &exitError{code: exitFailed, err: err}
	case errors.As(err, &ce):
		printPlan(s, plan, false)
		fmt.Fprintln(s.out, summary(plan, spec, w.force))
		return &exitError{code: exitFailed, err: err}
	case err != nil:
		return failedErrorf("%v", err)
	}
	if plan.Count(scaffold.Merged)+plan.Count(scaffold.DeletedByYou)+plan.Count(scaffold.Kept)+plan.Count(scaffold.Removed)+plan.Count(scaffold.Stale) > 0 {
		printPlan(s, plan, false)
	}
	fmt.Fprintln(s.out, summary(plan, spec, w.force))
	return nil
}

// summary is the one line that says what a write did.
func summary(plan *scaffold.WritePlan, spec *scaffold.Spec, force bool) string {
	overwritten := 0
	if force {
		for _, f := range plan.Files {
			if f.Overwrites() {
				overwritten++
			}
		}
	}
	line := fmt.Sprintf("%s: %d created, %d updated, %d unchanged, %d overwritten", plan.Dir,
		plan.Count(scaffold.Create), plan.Count(scaffold.Update), plan.Count(scaffold.Identical), overwritten)
	for _, c := range []struct {
		s    scaffold.Status
		name string
	}{
		{scaffold.Merged, "merged"},
		{scaffold.Conflict, "with conflicts"},
		{scaffold.DeletedByYou, "deleted by you"},
		{scaffold.Removed, "removed"},
		{scaffold.Kept, "kept (no longer rendered, edited)"},
		{scaffold.Stale, "stale (no longer rendered; --prune removes)"},
	} {
		if n := plan.Count(c.s); n > 0 && !(force && c.s == scaffold.Conflict) {
			line += fmt.Sprintf(", %d %s", n, c.name)
		}
	}
	return line + " (" + spec.ImageRef() + ")"
}

// printPlan lists each file's status, then, with diffs, the unified diffs.
func printPlan(s streams, plan *scaffold.WritePlan, diffs bool) {
	for _, f := range plan.Files {
		note := ""
		switch {
		case f.Status == scaffold.Conflict && !f.Marked:
			note = "  (edited, and kiln has no record of its last render to merge from)"
		case f.Status == scaffold.Conflict:
			note = "  (markers: <<<<<<< " + scaffold.OursLabel + " / >>>>>>> " + scaffold.TheirsLabel + ")"
		case f.Status == scaffold.Kept:
			note = "  (kiln no longer renders it; you edited it, so it stays: delete it if unused)"
		case f.Status == scaffold.Stale:
			note = "  (kiln wrote it earlier and no longer renders it; --prune removes it)"
		}
		fmt.Fprintf(s.out, "%-14s %s%s\n", f.Status, f.Path, note)
	}
	if !diffs {
		return
	}
	for _, f := range plan.Files {
		if f.Diff != "" && f.Status != scaffold.Stale {
			fmt.Fprint(s.out, "\n", strings.TrimSuffix(f.Diff, "\n")+"\n")
		}
	}
}
