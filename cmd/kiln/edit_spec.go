package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"

	udiff "github.com/aymanbagabas/go-udiff"
	yamlv3 "go.yaml.in/yaml/v3"

	"github.com/kiln-s2i/kiln/scaffold"
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

// writeSpecEdit renders the edited spec through kiln render's write plan.
// kiln.yaml is the author's: when it was edited by hand, the change is
// merged into it (see mergeSpecYAML) and written last, atomically, only
// after the plan has written the other files.
func writeSpecEdit(s streams, dir string, spec *scaffold.Spec, w writeOptions) error {
	files, err := scaffold.Render(spec)
	if err != nil {
		return failedErrorf("%v", err)
	}
	specPath := filepath.Join(dir, scaffold.SpecFile)
	old, err := os.ReadFile(specPath)
	if err != nil {
		return failedErrorf("%v", err)
	}
	i := slices.IndexFunc(files, func(f scaffold.File) bool { return f.Path == scaffold.SpecFile })
	merged, err := mergeSpecYAML(old, files[i].Content)
	if err != nil {
		return failedErrorf("%v", err)
	}
	handEdited := !bytes.Equal(merged, files[i].Content)
	if !handEdited {
		return writeFiles(s, dir, spec, w, nil)
	}
	if w.dryRun {
		if err := writeFiles(s, dir, spec, w, func(f scaffold.File) bool { return f.Path != scaffold.SpecFile }); err != nil {
			return err
		}
		fmt.Fprint(s.out, "\n", udiff.Unified("a/"+scaffold.SpecFile, "b/"+scaffold.SpecFile, string(old), string(merged)))
		return nil
	}
	if err := writeFiles(s, dir, spec, w, func(f scaffold.File) bool { return f.Path != scaffold.SpecFile }); err != nil {
		return err
	}
	if err := writeEdits(dir, []editedFile{{path: scaffold.SpecFile, old: old, new: merged, mode: 0o644}}); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			return failedErrorf("the other files were written, but %v", ee.err)
		}
		return err
	}
	fmt.Fprintf(s.out, "%-9s %s (your edits kept)\n", "update", scaffold.SpecFile)
	return nil
}
