package lint

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestDecodeWorkload holds decodeWorkload to yaml's own decoder on every
// document of templates shaped as OKD writes them and as they go wrong.
func TestDecodeWorkload(t *testing.T) {
	srcs := []struct {
		src  string
		fast bool // every document takes the fast path
	}{
		{string(benchRepo(t)["openshift/template.yaml"].Data), true},
		{"kind: Template\nobjects:\n- kind: Deployment\n  metadata: {name: app}\n  spec: {template: {spec: {containers: [{name: a, readinessProbe: {}}]}}}\n", true},
		{"kind: Template\nobjects: []\n---\nkind: Deployment\nspec:\n  replicas: 1\n---\nkind: Service\n", true},
		{`{"kind": "Template", "objects": [{"kind": "DeploymentConfig", "spec": {"template": {"spec": {"containers": [{"name": "x", "livenessProbe": null}]}}}}]}`, true},
		{"kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        readinessProbe:\n        livenessProbe: ~\n", true},
		{"kind: Deployment\nspec: {template: {metadata: {labels: {a: b}}}}\n", true},
		// shapes the fast path leaves to yaml's decoder
		{"kind: 123\n", false},
		{"kind: ~\nmetadata: ~\n", false},
		{"kind: Template\nkind: Deployment\n", false},
		{"kind: Template\nextra: 1\nextra: 2\n", false},
		{"base: &b {kind: Deployment}\n<<: *b\n", false},
		{"kind: !!str Template\nobjects: !custom []\n", false},
		{"kind: Template\nobjects: {a: b}\n", false},
		{"kind: Template\nobjects: [1, 2]\n", false},
		{"kind: Template\nobjects:\n- &o {kind: Deployment}\n- *o\n", false},
		{"metadata: {name: [a]}\n", false},
		{"spec: {template: {spec: {containers: {name: a}}}}\n", false},
		{"spec: {template: {spec: {containers: [a, b]}}}\n", false},
		{"spec: {template: [1]}\n", false},
		{"spec: 3\n", false},
		{"? [a, b]\n: c\nkind: Template\n", false},
		{"- a\n- b\n", false},
		{"just a string\n", false},
		{"---\n", false},
	}
	for _, c := range srcs {
		dec := yaml.NewDecoder(bytes.NewReader([]byte(c.src)))
		ref := yaml.NewDecoder(bytes.NewReader([]byte(c.src)))
		for i := 0; ; i++ {
			var doc yaml.Node
			err := dec.Decode(&doc)
			var want workload
			wantErr := ref.Decode(&want)
			if errors.Is(err, io.EOF) {
				if !errors.Is(wantErr, io.EOF) {
					t.Errorf("%q: document %d: EOF, yaml decodes %v", c.src, i, wantErr)
				}
				break
			}
			if err != nil {
				t.Fatalf("%q: %v", c.src, err)
			}
			var fastW workload
			fast := doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 && readWorkload(doc.Content[0], &fastW)
			if c.fast && !fast {
				t.Errorf("%q: document %d takes the slow path", c.src, i)
			}
			got, gotErr := decodeWorkload(&doc)
			if !reflect.DeepEqual(got, want) || (gotErr == nil) != (wantErr == nil) ||
				(gotErr != nil && gotErr.Error() != wantErr.Error()) {
				t.Errorf("%q: document %d:\n got %+v, %v\nwant %+v, %v", c.src, i, got, gotErr, want, wantErr)
			}
		}
	}
}
