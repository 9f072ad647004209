package builder

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// parseRecorded feeds a recorded build output through the parser and
// renders the events compactly.
func parseRecorded(t *testing.T, file string, buildErr error) []string {
	evs, _ := parseRecordedStep(t, file, buildErr)
	return evs
}

// parseRecordedStep also returns the instruction the parser says failed.
func parseRecordedStep(t *testing.T, file string, buildErr error) ([]string, string) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "build-output", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []string
	r := newReporter(SinkFunc(func(e Event) {
		s := fmt.Sprintf("%s %s", e.Kind, e.Step)
		if e.Index > 0 {
			s += fmt.Sprintf(" %d/%d", e.Index, e.Total)
		}
		if e.Line != "" {
			s += " | " + e.Line
		}
		if e.Err != "" {
			s += " ! " + e.Err
		}
		// An instruction's events name the build as their parent; output
		// between instructions is the build step's own, with no parent (a
		// step is never its own sub-step).
		switch {
		case e.Step == "build" && e.Parent != "":
			t.Errorf("event %v of the build itself has parent %q, want none", e, e.Parent)
		case e.Step != "build" && e.Parent != "build":
			t.Errorf("event %v has parent %q, want build", e, e.Parent)
		}
		got = append(got, s)
	}))
	p := newBuildParser(r, "build")
	p.now = func() time.Time { return time.Unix(0, 0) }
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p.Line("stderr", sc.Text())
	}
	p.Finish(buildErr)
	return got, p.lastStep()
}

// filter keeps the events of the given kinds.
func filter(evs []string, kinds ...EventKind) []string {
	var out []string
	for _, e := range evs {
		for _, k := range kinds {
			if strings.HasPrefix(e, string(k)+" ") {
				out = append(out, e)
			}
		}
	}
	return out
}

func TestParseRecordedBuilds(t *testing.T) {
	exit3 := fmt.Errorf("exit status 3")
	failSteps := []string{
		"step-started FROM * 1/4",
		"step-finished FROM * 1/4",
		"step-started RUN echo building && echo to-stderr >&2 2/4",
		"step-finished RUN echo building && echo to-stderr >&2 2/4",
		"step-started COPY x /x 3/4",
		"step-finished COPY x /x 3/4",
		"step-started RUN echo assembling; exit 3 4/4",
		"step-finished RUN echo assembling; exit 3 4/4 ! *",
	}
	tests := []struct {
		file      string
		err       error
		steps     []string
		logs      []string // log lines that must appear, attributed to their step
		errorLine string   // the StepError line expected
		lastStep  string
	}{
		{file: "podman-fail.txt", err: exit3, steps: failSteps,
			logs:      []string{"log RUN echo building && echo to-stderr >&2 | building", "log RUN echo assembling; exit 3 | assembling"},
			errorLine: `error RUN echo assembling; exit 3 | Error: building at STEP "RUN echo assembling; exit 3": while running runtime: exit status 3`,
			lastStep:  "RUN echo assembling; exit 3"},
		{file: "buildah-fail.txt", err: exit3, steps: failSteps,
			logs:      []string{"log RUN echo building && echo to-stderr >&2 | to-stderr"},
			errorLine: `error RUN echo assembling; exit 3 | Error: building at STEP "RUN echo assembling; exit 3": while running runtime: exit status 3`,
			lastStep:  "RUN echo assembling; exit 3"},
		{file: "docker-legacy-fail.txt", err: exit3, steps: failSteps,
			logs:      []string{"log RUN echo building && echo to-stderr >&2 | building", "log RUN echo assembling; exit 3 | assembling"},
			errorLine: "error RUN echo assembling; exit 3 | The command '/bin/sh -c echo assembling; exit 3' returned a non-zero code: 3",
			lastStep:  "RUN echo assembling; exit 3"},
		{file: "docker-buildkit-fail.txt", err: exit3, steps: failSteps,
			logs:      []string{"log RUN echo building && echo to-stderr >&2 | building", "log RUN echo assembling; exit 3 | assembling", "log FROM * | CACHED"},
			errorLine: `error RUN echo assembling; exit 3 | process "/bin/sh -c echo assembling; exit 3" did not complete successfully: exit code: 3`,
			lastStep:  "RUN echo assembling; exit 3"},
		{file: "buildah-ok.txt", steps: []string{
			"step-started FROM * 1/4", "step-finished FROM * 1/4",
			"step-started RUN echo building && echo to-stderr >&2 2/4", "step-finished RUN echo building && echo to-stderr >&2 2/4",
			"step-started COPY x /x 3/4", "step-finished COPY x /x 3/4",
			"step-started RUN echo assembling; true 4/4", "step-finished RUN echo assembling; true 4/4"},
			logs:     []string{"log RUN echo assembling; true | COMMIT localhost/rec:2", "log RUN echo building && echo to-stderr >&2 | --> ca5651d06ea"},
			lastStep: "RUN echo assembling; true"},
		{file: "podman-multistage.txt", steps: []string{
			"step-started [1/2] FROM * 1/2", "step-finished [1/2] FROM * 1/2",
			"step-started [1/2] RUN echo building deps && echo to-stderr >&2 2/2", "step-finished [1/2] RUN echo building deps && echo to-stderr >&2 2/2",
			"step-started [2/2] FROM * 1/4", "step-finished [2/2] FROM * 1/4",
			"step-started [2/2] COPY --from=deps /bin/busybox /x 2/4", "step-finished [2/2] COPY --from=deps /bin/busybox /x 2/4",
			"step-started [2/2] COPY x /x2 3/4", "step-finished [2/2] COPY x /x2 3/4",
			"step-started [2/2] USER 1001 4/4", "step-finished [2/2] USER 1001 4/4"},
			logs: []string{"log [1/2] RUN echo building deps && echo to-stderr >&2 | building deps"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			evs, last := parseRecordedStep(t, tt.file, tt.err)
			if tt.lastStep != "" && last != tt.lastStep {
				t.Errorf("failed step = %q, want %q", last, tt.lastStep)
			}
			steps := filter(evs, StepStarted, StepFinished)
			if len(steps) != len(tt.steps) {
				t.Fatalf("sub-step events:\n%s\nwant:\n%s", strings.Join(steps, "\n"), strings.Join(tt.steps, "\n"))
			}
			for i := range steps {
				if !wildMatch(tt.steps[i], steps[i]) {
					t.Errorf("event %d = %q, want %q", i, steps[i], tt.steps[i])
				}
			}
			for _, want := range tt.logs {
				if !containsMatch(evs, want) {
					t.Errorf("no event %q in:\n%s", want, strings.Join(evs, "\n"))
				}
			}
			errs := filter(evs, StepError)
			if tt.errorLine == "" && len(errs) > 0 {
				t.Errorf("unexpected error events: %v", errs)
			}
			if tt.errorLine != "" && !containsMatch(errs, tt.errorLine) {
				t.Errorf("error events %q, want %q", errs, tt.errorLine)
			}
		})
	}
}

// wildMatch compares with "*" matching any run of characters.
func wildMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, part := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(s, part)
		}
		j := strings.Index(s, part)
		if j < 0 {
			return false
		}
		s = s[j+len(part):]
	}
	return s == ""
}

func containsMatch(evs []string, pattern string) bool {
	for _, e := range evs {
		if e == pattern || wildMatch(pattern, e) {
			return true
		}
	}
	return false
}
