package okdedit_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kiln-s2i/kiln/scaffold/okdedit"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
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

// web has probes and a Route that point at port 8080 by number and by name.
const web = `apiVersion: template.openshift.io/v1
kind: Template
metadata:
  name: web
objects:
- apiVersion: v1
  kind: Service
  metadata:
    name: web
  spec:
    ports:
    - name: http
      port: 80
      targetPort: 8080
    - name: metrics
      port: 9090
      targetPort: 9090
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
  spec:
    template:
      spec:
        containers:
        - name: web
          image: web
          ports:
          - containerPort: 8080
            name: http
          - containerPort: 9090
            name: metrics
          readinessProbe:
            httpGet:
              path: /healthz
              port: 8080
          livenessProbe:
            tcpSocket:
              port: http
- apiVersion: route.openshift.io/v1
  kind: Route
  metadata:
    name: web
  spec:
    to:
      kind: Service
      name: web
    port:
      targetPort: http
`

// route is the part of a route.openshift.io/v1 Route the edits touch, with
// the API's own IntOrString for the port.
type route struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		To struct {
			Kind string `json:"kind"`
			Name string `json:"name"`
		} `json:"to"`
		Port struct {
			TargetPort intstr.IntOrString `json:"targetPort"`
		} `json:"port"`
	} `json:"spec"`
}

// decodeWeb reads the edited template back through the Kubernetes types.
func decodeWeb(t *testing.T, b []byte) (corev1.Service, appsv1.Deployment, route) {
	t.Helper()
	var tmpl struct {
		Objects []map[string]any `json:"objects"`
	}
	if err := yaml.Unmarshal(b, &tmpl); err != nil {
		t.Fatal(err)
	}
	var svc corev1.Service
	var dep appsv1.Deployment
	var rt route
	for _, o := range tmpl.Objects {
		raw, _ := yaml.Marshal(o)
		var err error
		switch o["kind"] {
		case "Service":
			err = yaml.UnmarshalStrict(raw, &svc)
		case "Deployment":
			err = yaml.UnmarshalStrict(raw, &dep)
		case "Route":
			err = yaml.UnmarshalStrict(raw, &rt)
		}
		if err != nil {
			t.Fatalf("%s: %v\n%s", o["kind"], err, b)
		}
	}
	return svc, dep, rt
}

func TestRemovedPortMovesProbesAndRoute(t *testing.T) {
	for _, tc := range []struct {
		name                string
		edit                func(*okdedit.File)
		svc                 []string // Service ports as name:port>target
		readiness, liveness intstr.IntOrString
		routePort           intstr.IntOrString
		notes               []string // substrings, one a note
	}{
		{"changed port: follows the added one",
			func(f *okdedit.File) { f.AddPort(8443, "tcp", "https"); f.RemovePort(8080) },
			[]string{"http:80>8443", "metrics:9090>9090", "https:8443>8443"},
			intstr.FromInt32(8443), intstr.FromInt32(8443), intstr.FromString("http"), nil},
		{"a Route by number and a dropped Service port",
			func(f *okdedit.File) { f.AddPort(8443, "tcp", "https"); f.RemovePort(80) },
			[]string{"metrics:9090>9090", "https:8443>8443"},
			intstr.FromInt32(8080), intstr.FromString("http"), intstr.FromString("https"), nil},
		{"removed port: the first port left",
			func(f *okdedit.File) { f.RemovePort(8080) },
			[]string{"http:80>9090", "metrics:9090>9090"},
			intstr.FromInt32(9090), intstr.FromString("metrics"), intstr.FromString("http"), nil},
		{"an unrelated port stays",
			func(f *okdedit.File) { f.RemovePort(9090) },
			[]string{"http:80>8080"},
			intstr.FromInt32(8080), intstr.FromString("http"), intstr.FromString("http"), nil},
		{"no port left: reported",
			func(f *okdedit.File) { f.RemovePort(8080); f.RemovePort(9090) },
			nil,
			// 8080's removal moved them to 9090, 9090's has nowhere to go
			intstr.FromInt32(9090), intstr.FromString("metrics"), intstr.FromString("http"),
			[]string{"Deployment web, container web: readinessProbe.httpGet.port 9090 is the removed port",
				"Deployment web, container web: livenessProbe.tcpSocket.port metrics is the removed port",
				"Route web: spec.port.targetPort http is the removed port"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := okdedit.Parse([]byte(web))
			if err != nil {
				t.Fatal(err)
			}
			tc.edit(f)
			b, err := f.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			svc, dep, rt := decodeWeb(t, b)
			var got []string
			for _, p := range svc.Spec.Ports {
				got = append(got, fmt.Sprintf("%s:%d>%s", p.Name, p.Port, p.TargetPort.String()))
			}
			if strings.Join(got, " ") != strings.Join(tc.svc, " ") {
				t.Errorf("Service ports %v, want %v", got, tc.svc)
			}
			c := dep.Spec.Template.Spec.Containers[0]
			if c.ReadinessProbe.HTTPGet.Port != tc.readiness {
				t.Errorf("readiness port %s, want %s", c.ReadinessProbe.HTTPGet.Port.String(), tc.readiness.String())
			}
			if c.LivenessProbe.TCPSocket.Port != tc.liveness {
				t.Errorf("liveness port %s, want %s", c.LivenessProbe.TCPSocket.Port.String(), tc.liveness.String())
			}
			if rt.Spec.Port.TargetPort != tc.routePort {
				t.Errorf("Route targetPort %s, want %s", rt.Spec.Port.TargetPort.String(), tc.routePort.String())
			}
			// A named probe port must name a container port, a Route's a
			// Service port.
			names := map[string]bool{}
			for _, p := range c.Ports {
				names[p.Name] = true
			}
			if tc.notes == nil {
				if p := c.LivenessProbe.TCPSocket.Port; p.Type == intstr.String && !names[p.StrVal] {
					t.Errorf("liveness names %q, not a container port", p.StrVal)
				}
				svcNames := map[string]bool{}
				for _, p := range svc.Spec.Ports {
					svcNames[p.Name] = true
				}
				if p := rt.Spec.Port.TargetPort; p.Type == intstr.String && !svcNames[p.StrVal] {
					t.Errorf("Route names %q, not a Service port", p.StrVal)
				}
			}
			notes := strings.Join(f.Notes(), "\n")
			if len(f.Notes()) != len(tc.notes) {
				t.Errorf("notes:\n%s\nwant %d", notes, len(tc.notes))
			}
			for _, n := range tc.notes {
				if !strings.Contains(notes, n) {
					t.Errorf("notes lack %q:\n%s", n, notes)
				}
			}
		})
	}
}
