package okdedit_test

import (
	"strings"
	"testing"

	"github.com/kiln-s2i/kiln/scaffold/okdedit"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// A hand-written template in the author's style (comments, loose sequence
// indentation, quoted names) and an ImageStream in kiln's compact style.
const template = `# Example: build and deploy an app with the builder.
apiVersion: template.openshift.io/v1
kind: Template
metadata:
  name: example
  annotations:
    openshift.io/display-name: "My Builder" # shown in the catalogue
    tags: builder,python
objects:
  # the app's service
  - apiVersion: v1
    kind: Service
    metadata:
      name: app
    spec:
      ports:
        - name: "http"
          port: 8080
          targetPort: 8080
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: app
    spec:
      template:
        spec:
          containers:
            - name: app
              image: app
              env:
                - name: WORKERS # how many
                  value: "2"
                - name: DEBUG
                  value: "0"
              ports:
                - containerPort: 8080
`

const imagestream = `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: mine
  annotations:
    openshift.io/display-name: "Mine"
spec:
  tags:
  - name: "1.0"
    annotations:
      description: "Old text"
      openshift.io/display-name: "Mine 1.0"
      tags: "builder,python"
    from:
      kind: DockerImage
      name: "mine:1.0"
`

func TestEdits(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		edit      func(*okdedit.File)
		want      []string // lines the result holds
		gone      []string // lines it no longer holds
	}{
		{"add port", template, func(f *okdedit.File) { f.AddPort(8443, "tcp", "https") },
			[]string{`        - name: "https"`, "          port: 8443", "          targetPort: 8443", "                - containerPort: 8443"}, nil},
		{"add udp port", template, func(f *okdedit.File) { f.AddPort(9000, "udp", "") },
			[]string{"          protocol: UDP", "                  protocol: UDP"}, nil},
		{"add existing port", template, func(f *okdedit.File) { f.AddPort(8080, "tcp", "http") }, nil, nil},
		{"remove port", template, func(f *okdedit.File) { f.RemovePort(8080) }, []string{"      ports: []"}, []string{"          port: 8080", "                - containerPort: 8080"}},
		{"set env", template, func(f *okdedit.File) { f.SetEnv("WORKERS", "4") }, []string{`                  value: "4"`, "                - name: WORKERS # how many"}, []string{`value: "2"`}},
		{"set env not in the template", template, func(f *okdedit.File) { f.SetEnv("OTHER", "1") }, nil, nil},
		{"unset env", template, func(f *okdedit.File) { f.UnsetEnv("DEBUG") }, nil, []string{"DEBUG"}},
		{"display name", template, func(f *okdedit.File) { f.SetAnnotation("openshift.io/display-name", "Your Builder", false) },
			[]string{`    openshift.io/display-name: "Your Builder" # shown in the catalogue`}, nil},
		{"tags", imagestream, func(f *okdedit.File) { f.SetAnnotation("tags", "builder,python,web", true) },
			[]string{`      tags: "builder,python,web"`}, nil},
		{"description", imagestream, func(f *okdedit.File) { f.SetAnnotation("description", "New text", true) },
			[]string{`      description: "New text"`}, []string{"Old text"}},
		{"annotation the file lacks", imagestream, func(f *okdedit.File) { f.SetAnnotation("iconClass", "icon-x", true) }, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := okdedit.Parse([]byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			tc.edit(f)
			got, err := f.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == nil && tc.gone == nil {
				if string(got) != tc.src || f.Changed() {
					t.Errorf("an edit with nothing to do changed the file:\n%s", got)
				}
				return
			}
			lines := strings.Split(string(got), "\n")
			for _, w := range tc.want {
				if !contains(lines, w) {
					t.Errorf("result lacks the line %q:\n%s", w, got)
				}
			}
			for _, g := range tc.gone {
				if strings.Contains(string(got), g) {
					t.Errorf("result still holds %q:\n%s", g, got)
				}
			}
			// Everything else stays: the comments, and each line of the
			// source that the edit did not concern.
			for _, c := range []string{"# Example: build and deploy an app with the builder.", "  # the app's service"} {
				if strings.Contains(tc.src, c) && !contains(lines, c) {
					t.Errorf("the comment %q was lost:\n%s", c, got)
				}
			}
			if d := lineChanges(tc.src, string(got)); d > 8 {
				t.Errorf("%d lines changed for one edit: the author's layout was not kept:\n%s", d, got)
			}
			checkObjects(t, got)
		})
	}
}

func contains(lines []string, l string) bool {
	for _, x := range lines {
		if x == l {
			return true
		}
	}
	return false
}

// lineChanges counts the source's lines missing from the result and the
// result's lines missing from the source.
func lineChanges(a, b string) int {
	count := map[string]int{}
	for _, l := range strings.Split(a, "\n") {
		count[l]++
	}
	n := 0
	for _, l := range strings.Split(b, "\n") {
		if count[l] > 0 {
			count[l]--
		} else {
			n++
		}
	}
	for _, c := range count {
		n += c
	}
	return n
}

// checkObjects decodes the template's objects strictly into the
// Kubernetes types, so an edit never writes what the API server refuses.
func checkObjects(t *testing.T, b []byte) {
	t.Helper()
	var tmpl struct {
		Objects []map[string]any `json:"objects"`
	}
	if err := yaml.Unmarshal(b, &tmpl); err != nil {
		t.Fatal(err)
	}
	for _, o := range tmpl.Objects {
		raw, _ := yaml.Marshal(o)
		var err error
		switch o["kind"] {
		case "Service":
			err = yaml.UnmarshalStrict(raw, &corev1.Service{})
		case "Deployment":
			err = yaml.UnmarshalStrict(raw, &appsv1.Deployment{})
		}
		if err != nil {
			t.Errorf("%s: %v", o["kind"], err)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, src := range []string{"a: 1\n---\nb: 2\n", "- a\n", "{"} {
		if _, err := okdedit.Parse([]byte(src)); err == nil {
			t.Errorf("Parse(%q) accepted it", src)
		}
	}
}
