package builder

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// buildParser turns an engine's build output, line by line, into events:
// each Dockerfile instruction becomes a sub-step (StepStarted/StepFinished
// with Index/Total and Parent set to the enclosing kiln step), other lines
// become StepLog events of the current sub-step, and engine error lines
// become StepError events.
//
// Formats understood:
//   - podman and buildah: "STEP 2/4: RUN ..." (with "[1/2] " before it in
//     multi-stage builds), "--> 1a2b3c", "COMMIT", "Error: ...".
//   - docker legacy builder: "Step 2/4 : RUN ...", " ---> Running in ...",
//     "The command '...' returned a non-zero code: 1".
//   - docker BuildKit plain progress: "#6 [2/4] RUN ...", "#6 0.241 text",
//     "#6 DONE 0.3s", "#6 CACHED", "#6 ERROR: ...", "ERROR: failed to solve: ...".
type buildParser struct {
	r      *reporter
	parent string
	now    func() time.Time

	cur     *subStep         // podman/buildah/legacy: the running instruction
	vertex  map[int]*subStep // BuildKit: vertex number to its instruction
	stage   string           // podman multi-stage prefix of the current step, e.g. "[1/2]"
	errSeen bool
	errs    []string // the engine's error lines, for a failed FROM's reason
	failed  string   // BuildKit: the instruction that reported ERROR
}

type subStep struct {
	name         string
	index, total int
	started      time.Time
	done         bool
}

// buildRE holds the patterns of the build output formats, compiled on first
// use so that commands which build nothing do not pay for them at start.
var buildRE = sync.OnceValue(func() struct {
	podmanStep, legacyStep, bkVertex, bkStep, bkLog, bkDone, legacyError *regexp.Regexp
} {
	return struct {
		podmanStep, legacyStep, bkVertex, bkStep, bkLog, bkDone, legacyError *regexp.Regexp
	}{
		podmanStep:  regexp.MustCompile(`^(\[\d+/\d+\] )?STEP (\d+)/(\d+): (.*)$`),
		legacyStep:  regexp.MustCompile(`^Step (\d+)/(\d+) : (.*)$`),
		bkVertex:    regexp.MustCompile(`^#(\d+) (.*)$`),
		bkStep:      regexp.MustCompile(`^\[(?:[^\]]* )?(\d+)/(\d+)\] (.*)$`),
		bkLog:       regexp.MustCompile(`^\d+\.\d+ (.*)$`),
		bkDone:      regexp.MustCompile(`^DONE \d+(\.\d+)?s$`),
		legacyError: regexp.MustCompile(`^The command '.*' returned a non-zero code: \d+`),
	}
})

func newBuildParser(r *reporter, parent string) *buildParser {
	return &buildParser{r: r, parent: parent, now: time.Now, vertex: map[int]*subStep{}}
}

// Line consumes one output line.
func (p *buildParser) Line(stream, line string) {
	re := buildRE()
	if m := re.podmanStep.FindStringSubmatch(line); m != nil {
		p.begin(&p.cur, strings.TrimSpace(m[1]+m[4]), atoi(m[2]), atoi(m[3]))
		return
	}
	if m := re.legacyStep.FindStringSubmatch(line); m != nil {
		p.begin(&p.cur, m[3], atoi(m[1]), atoi(m[2]))
		return
	}
	if m := re.bkVertex.FindStringSubmatch(line); m != nil {
		p.buildkit(stream, atoi(m[1]), m[2])
		return
	}
	if strings.HasPrefix(line, "Error: ") || strings.HasPrefix(line, "ERROR: ") || strings.HasPrefix(line, "error: ") || re.legacyError.MatchString(line) {
		p.errSeen = true
		p.errs = append(p.errs, line)
		p.r.emit(Event{Kind: StepError, Step: p.stepName(p.cur), Parent: p.parent, Stream: stream, Line: line})
		return
	}
	p.r.emit(Event{Kind: StepLog, Step: p.stepName(p.cur), Parent: p.parent, Stream: stream, Line: line})
}

func (p *buildParser) stepName(s *subStep) string {
	if s == nil || s.done {
		return p.parent
	}
	return s.name
}

func (p *buildParser) begin(cur **subStep, name string, index, total int) {
	if *cur != nil {
		p.end(*cur, "")
	}
	*cur = &subStep{name: name, index: index, total: total, started: p.now()}
	p.r.emit(Event{Kind: StepStarted, Step: name, Parent: p.parent, Index: index, Total: total})
}

func (p *buildParser) end(s *subStep, errMsg string) {
	if s == nil || s.done {
		return
	}
	s.done = true
	p.r.emit(Event{Kind: StepFinished, Step: s.name, Parent: p.parent, Index: s.index, Total: s.total,
		Duration: p.now().Sub(s.started), Err: errMsg})
}

func (p *buildParser) buildkit(stream string, n int, rest string) {
	re := buildRE()
	s := p.vertex[n]
	if m := re.bkStep.FindStringSubmatch(rest); m != nil && s == nil {
		var ns *subStep
		p.begin(&ns, m[3], atoi(m[1]), atoi(m[2]))
		p.vertex[n] = ns
		return
	}
	switch {
	case re.bkDone.MatchString(rest) || rest == "CACHED":
		if s != nil {
			if rest == "CACHED" {
				p.r.emit(Event{Kind: StepLog, Step: s.name, Parent: p.parent, Stream: stream, Line: "CACHED"})
			}
			p.end(s, "")
		}
		return
	case strings.HasPrefix(rest, "ERROR: "):
		p.errSeen = true
		p.errs = append(p.errs, rest)
		p.r.emit(Event{Kind: StepError, Step: p.stepName(s), Parent: p.parent, Stream: stream, Line: strings.TrimPrefix(rest, "ERROR: ")})
		if s != nil {
			p.failed = s.name
			p.end(s, strings.TrimPrefix(rest, "ERROR: "))
		}
		return
	}
	if m := re.bkLog.FindStringSubmatch(rest); m != nil {
		rest = m[1]
	}
	p.r.emit(Event{Kind: StepLog, Step: p.stepName(s), Parent: p.parent, Stream: stream, Line: rest})
}

// Finish ends the sub-step still running: failed when the build failed.
func (p *buildParser) Finish(err error) {
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	p.end(p.cur, msg)
	for _, s := range p.vertex {
		p.end(s, msg)
	}
}

// lastStep names the instruction a failed build failed in: the one BuildKit
// reported an error for, else the last one started.
func (p *buildParser) lastStep() string {
	if p.failed != "" {
		return p.failed
	}
	if p.cur != nil {
		return p.cur.name
	}
	return ""
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
