package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"

	yamlv3 "go.yaml.in/yaml/v3"

	"github.com/kiln-s2i/kiln/scaffold"
	"github.com/kiln-s2i/kiln/scaffold/dockeredit"
)

// mergeSpecYAML carries an edit into the author's kiln.yaml: top-level keys
// whose value did not change keep their nodes (and the author's comments,
// order and spelling), changed keys get kiln's new value, new keys are
// appended, dropped keys removed. The result must read back as the edited
// spec, else kiln's own rendering is used.
func mergeSpecYAML(old, rendered []byte) ([]byte, error) {
	var o, n yamlv3.Node
	if err := yamlv3.Unmarshal(old, &o); err != nil {
		return rendered, nil
	}
	if err := yamlv3.Unmarshal(rendered, &n); err != nil {
		return nil, err
	}
	if len(o.Content) != 1 || o.Content[0].Kind != yamlv3.MappingNode || len(n.Content) != 1 {
		return rendered, nil
	}
	om, nm := o.Content[0], n.Content[0]
	index := func(m *yamlv3.Node, key string) int {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				return i
			}
		}
		return -1
	}
	for i := 0; i+1 < len(nm.Content); i += 2 {
		key, val := nm.Content[i].Value, nm.Content[i+1]
		j := index(om, key)
		if j < 0 {
			// After the key kiln writes before it, so kiln.yaml keeps the
			// wizard's order.
			at := len(om.Content)
			if i > 0 {
				if p := index(om, nm.Content[i-2].Value); p >= 0 {
					at = p + 2
				}
			}
			om.Content = slices.Insert(om.Content, at, nm.Content[i], val)
			continue
		}
		if !sameValue(om.Content[j+1], val) {
			val.LineComment = om.Content[j+1].LineComment
			om.Content[j+1] = val
		}
	}
	for j := 0; j+1 < len(om.Content); {
		if index(nm, om.Content[j].Value) < 0 {
			om.Content = slices.Delete(om.Content, j, j+2)
			continue
		}
		j += 2
	}
	var buf bytes.Buffer
	enc := yamlv3.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&o); err != nil {
		return rendered, nil
	}
	want, err1 := scaffold.Parse(rendered)
	got, err2 := scaffold.Parse(buf.Bytes())
	if err1 != nil || err2 != nil || !reflect.DeepEqual(want, got) {
		return rendered, nil
	}
	return buf.Bytes(), nil
}

func sameValue(a, b *yamlv3.Node) bool {
	var x, y any
	if a.Decode(&x) != nil || b.Decode(&y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// writeSpecEdit renders the edited spec through kiln update's engine: files
// the author did not touch are replaced, edited ones (a Dockerfile tuned by
// hand) merged three-way, so the edit reaches them without losing a line.
// kiln.yaml is the author's: the change is merged into it key by key,
// keeping comments and order (mergeSpecYAML). Where the line merge of the
// Dockerfile collides (an author's comment beside a changed USER), the
// metadata change is applied surgically instead (surgicalDockerfile).
func writeSpecEdit(s streams, dir string, oldSpec, spec *scaffold.Spec, w writeOptions) error {
	files, err := scaffold.Render(spec)
	if err != nil {
		return failedErrorf("%v", err)
	}
	plan, err := planSpecEdit(dir, oldSpec, files, w.force)
	if err != nil {
		return err
	}
	if !w.prune {
		plan.KeepStale()
	}
	return applyPlan(s, plan, spec, w)
}

// planSpecEdit plans writing files, the render of the edited spec, over dir,
// whose answers were oldSpec: writeSpecEdit's engine, which kiln edit's
// wizard plans with too.
func planSpecEdit(dir string, oldSpec *scaffold.Spec, files []scaffold.File, force bool) (*scaffold.WritePlan, error) {
	specPath := filepath.Join(dir, scaffold.SpecFile)
	old, err := os.ReadFile(specPath)
	if err != nil {
		return nil, failedErrorf("%v", err)
	}
	i := slices.IndexFunc(files, func(f scaffold.File) bool { return f.Path == scaffold.SpecFile })
	merged, err := mergeSpecYAML(old, files[i].Content)
	if err != nil {
		return nil, failedErrorf("%v", err)
	}
	mode := fs.FileMode(0o644)
	if info, err := os.Stat(specPath); err == nil {
		mode = info.Mode().Perm()
	}
	plan, err := scaffold.PlanRender(dir, files, scaffold.File{Path: scaffold.SpecFile, Content: merged, Mode: mode})
	if err != nil {
		return nil, failedErrorf("%v", err)
	}
	if i := slices.IndexFunc(plan.Files, func(f scaffold.PlannedFile) bool { return f.Path == "Dockerfile" }); i >= 0 && !force && plan.Files[i].Status == scaffold.Conflict {
		pf := &plan.Files[i]
		disk, result, err := surgicalDockerfile(dir, oldSpec, pf.Content)
		if err != nil {
			return nil, err
		}
		pf.Status, pf.Result, pf.Marked = scaffold.Merged, result, false
		pf.Diff = scaffold.Unified("a/"+pf.Path, "b/"+pf.Path, disk, result)
	}
	return plan, nil
}

// surgicalDockerfile applies to the author's Dockerfile the LABEL, ENV,
// EXPOSE, USER and VOLUME differences between what kiln renders before the
// edit and after it (rendered), by dockeredit: only those instructions' bytes
// change. It returns the file on disk and the result.
func surgicalDockerfile(dir string, oldSpec *scaffold.Spec, rendered []byte) (disk, result []byte, err error) {
	const name = "Dockerfile"
	oldFiles, err := scaffold.Render(oldSpec)
	if err != nil {
		return nil, nil, failedErrorf("%v", err)
	}
	j := slices.IndexFunc(oldFiles, func(f scaffold.File) bool { return f.Path == name })
	if j < 0 {
		return nil, nil, failedErrorf("%s: kiln renders none", name)
	}
	before, err1 := dockeredit.Parse(oldFiles[j].Content)
	after, err2 := dockeredit.Parse(rendered)
	disk, err3 := os.ReadFile(filepath.Join(dir, name))
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, nil, failedErrorf("%s: %v", name, err)
	}
	df, err := dockeredit.Parse(disk)
	if err != nil {
		return nil, nil, failedErrorf("%s: %v", name, err)
	}
	if err := applyDiff(df, before, after); err != nil {
		return nil, nil, failedErrorf("%s: %v", name, err)
	}
	return disk, df.Bytes(), nil
}

// applyDiff applies to df what changed from before to after.
func applyDiff(df, before, after *dockeredit.File) error {
	kv := func(get func(*dockeredit.File) []dockeredit.KV, set func(k, v string) error, unset func(string) error) error {
		old := map[string]string{}
		for _, x := range get(before) {
			old[x.Key] = x.Value
		}
		for _, x := range get(after) {
			if v, ok := old[x.Key]; !ok || v != x.Value {
				if err := set(x.Key, x.Value); err != nil {
					return err
				}
			}
			delete(old, x.Key)
		}
		for k := range old {
			if err := unset(k); err != nil {
				return err
			}
		}
		return nil
	}
	if err := kv((*dockeredit.File).Labels, df.SetLabel, df.UnsetLabel); err != nil {
		return err
	}
	if err := kv((*dockeredit.File).Env, df.SetEnv, df.UnsetEnv); err != nil {
		return err
	}
	list := func(get func(*dockeredit.File) []string, add, remove func(string) error) error {
		was, now := get(before), get(after)
		for _, x := range now {
			if !slices.Contains(was, x) {
				if err := add(x); err != nil {
					return err
				}
			}
		}
		for _, x := range was {
			if !slices.Contains(now, x) {
				if err := remove(x); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := list((*dockeredit.File).Ports, df.AddPort, df.RemovePort); err != nil {
		return err
	}
	if err := list((*dockeredit.File).Volumes, df.AddVolume, df.RemoveVolume); err != nil {
		return err
	}
	if u := after.User(); u != before.User() {
		return df.SetUser(u)
	}
	return nil
}
