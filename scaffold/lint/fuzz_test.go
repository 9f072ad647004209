package lint

import (
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/rogpeppe/go-internal/txtar"
)

// FuzzLint feeds arbitrary Dockerfile and script text through every entry
// point: no input may panic or hang. The seed corpus is in
// testdata/fuzz/FuzzLint; the fixtures add more seeds.
func FuzzLint(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.txtar"))
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			continue
		}
		var df, script string
		for _, af := range ar.Files {
			switch {
			case af.Name == "Dockerfile":
				df = string(af.Data)
			case strings.HasPrefix(af.Name, "s2i/bin/") || strings.HasSuffix(af.Name, ".sh"):
				if script == "" {
					script = string(af.Data)
				}
			}
		}
		f.Add(df, script)
	}
	f.Fuzz(func(t *testing.T, dockerfile, script string) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			lintAll(t, dockerfile, script)
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("lint hangs on\n--- Dockerfile:\n%s\n--- script:\n%s", dockerfile, script)
		}
	})
}

func lintAll(t *testing.T, dockerfile, script string) {
	{
		_, _ = lintDockerfileText("Dockerfile", []byte(dockerfile), Options{})
		for _, name := range []string{"s2i/bin/run", "s2i/bin/save-artifacts", "s2i/bin/assemble", "entrypoint.sh"} {
			_, _ = lintScriptText(name, []byte(script), 0o644, Options{})
		}
		fsys := fstest.MapFS{
			"Dockerfile":             {Data: []byte(dockerfile), Mode: 0o644},
			"s2i/bin/run":            {Data: []byte(script), Mode: 0o755},
			"s2i/bin/assemble":       {Data: []byte(script), Mode: 0o755},
			"s2i/bin/save-artifacts": {Data: []byte(script), Mode: 0o755},
			"start.sh":               {Data: []byte(script), Mode: 0o755},
			"openshift/template.yaml": {Data: []byte("kind: Template\nobjects:\n- kind: Deployment\n  spec: {template: {spec: {containers: [{name: a}]}}}\n"),
				Mode: 0o644},
		}
		fs, err := FS(fsys, Options{})
		if err != nil {
			return
		}
		for _, x := range fs {
			if x.Line < 1 || x.Rule == "" || x.Fix == "" || (x.Guideline == "" && !toolRule(x.Rule)) {
				t.Errorf("malformed finding %+v", x)
			}
		}
	}
}
