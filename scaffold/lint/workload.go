package lint

import "go.yaml.in/yaml/v3"

// workload is what KL131 reads of a Template, Deployment or
// DeploymentConfig; yaml.Node fields keep their line for the report.
type workload struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Objects []workload `yaml:"objects"`
	Spec    struct {
		Template struct {
			Spec struct {
				Containers []container `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type container struct {
	Name           yaml.Node `yaml:"name"`
	ReadinessProbe yaml.Node `yaml:"readinessProbe"`
	LivenessProbe  yaml.Node `yaml:"livenessProbe"`
}

// decodeWorkload is doc.Decode(&w) without reflection for the documents
// templates are made of: string keys, no aliases, merges or tags where
// workload has fields. Anything else takes yaml's own decoder, so the
// result (type errors included) is always Decode's; TestDecodeWorkload
// holds the two equal.
func decodeWorkload(doc *yaml.Node) (workload, error) {
	var w workload
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 && readWorkload(doc.Content[0], &w) {
		return w, nil
	}
	w = workload{}
	return w, doc.Decode(&w)
}

// plainMapping reports whether n is a mapping that yaml decodes into a
// struct with no surprise: untagged, plain string keys, none repeated (a
// repeated key is a type error).
func plainMapping(n *yaml.Node) bool {
	if n.Kind != yaml.MappingNode || n.ShortTag() != "!!map" || len(n.Content)%2 != 0 {
		return false
	}
	for i := 0; i < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
			return false
		}
		for j := i + 2; j < len(n.Content); j += 2 {
			if n.Content[j].Value == k.Value {
				return false
			}
		}
	}
	return true
}

func plainString(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str"
}

func readWorkload(n *yaml.Node, w *workload) bool {
	if !plainMapping(n) {
		return false
	}
	for i := 0; i < len(n.Content); i += 2 {
		v := n.Content[i+1]
		switch n.Content[i].Value {
		case "kind":
			if !plainString(v) {
				return false
			}
			w.Kind = v.Value
		case "metadata":
			if !plainMapping(v) {
				return false
			}
			for j := 0; j < len(v.Content); j += 2 {
				if v.Content[j].Value == "name" {
					if !plainString(v.Content[j+1]) {
						return false
					}
					w.Metadata.Name = v.Content[j+1].Value
				}
			}
		case "objects":
			if v.Kind != yaml.SequenceNode || v.ShortTag() != "!!seq" {
				return false
			}
			w.Objects = make([]workload, len(v.Content))
			for j, o := range v.Content {
				if !readWorkload(o, &w.Objects[j]) {
					return false
				}
			}
		case "spec":
			if !readPodSpec(v, w) {
				return false
			}
		}
	}
	return true
}

// readPodSpec reads spec.template.spec.containers.
func readPodSpec(spec *yaml.Node, w *workload) bool {
	tmpl := mappingValue(spec, "template")
	if tmpl == nil {
		return plainMapping(spec)
	}
	podSpec := mappingValue(tmpl, "spec")
	if podSpec == nil {
		return plainMapping(tmpl)
	}
	cs := mappingValue(podSpec, "containers")
	if cs == nil {
		return plainMapping(podSpec)
	}
	if cs.Kind != yaml.SequenceNode || cs.ShortTag() != "!!seq" {
		return false
	}
	out := make([]container, len(cs.Content))
	for i, c := range cs.Content {
		if !plainMapping(c) {
			return false
		}
		for j := 0; j < len(c.Content); j += 2 {
			switch v := c.Content[j+1]; c.Content[j].Value {
			case "name":
				out[i].Name = *v
			case "readinessProbe":
				out[i].ReadinessProbe = *v
			case "livenessProbe":
				out[i].LivenessProbe = *v
			}
		}
	}
	w.Spec.Template.Spec.Containers = out
	return true
}

// mappingValue is the value of key in the plain mapping m; nil when m is
// no plain mapping or lacks the key.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if !plainMapping(m) {
		return nil
	}
	for i := 0; i < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
