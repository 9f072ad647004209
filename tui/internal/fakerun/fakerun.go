// Package fakerun produces a builder event stream that looks like a podman
// build and test, with delays and chosen failures, so the progress view is
// tested deterministically without an engine.
package fakerun

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kiln-s2i/kiln/builder"
)

// Step is one scripted step.
type Step struct {
	Name  string
	Lines []string      // output, one event each
	Delay time.Duration // between lines
	Fail  string        // when set, the step fails with this error
	Skip  string        // when set, the step is skipped with this reason
	Hang  bool          // the step waits until the context is cancelled
}

// Script is a scripted run. Cleanups are reported when the run ends in
// failure or cancellation, as the builder does.
type Script struct {
	Steps    []Step
	Cleanups []string
	// Clock, when set, stamps events instead of the wall clock (for goldens).
	Clock func() time.Time
}

// podmanLines is what each step of kiln test prints in a typical run.
var podmanLines = map[builder.TestStep][]string{
	builder.StepLint: {"0 findings"},
	builder.StepBuildBuilder: {
		"STEP 1/9: FROM registry.access.redhat.com/ubi9/ubi-minimal:9.4",
		"STEP 2/9: LABEL io.openshift.s2i.scripts-url=image:///usr/libexec/s2i",
		"--> Using cache 3f1e2d",
		"STEP 3/9: RUN microdnf install -y python3.12 && microdnf clean all",
		"Installing: python3.12-3.12.1-1.el9.x86_64",
		"Complete!",
		"STEP 9/9: USER 1001",
		"COMMIT kiln-test/python:3.12",
		"--> 9a8b7c6d5e4f",
		"Successfully tagged localhost/kiln-test/python:3.12",
	},
	builder.StepUsage: {"This is the python 3.12 builder: kiln s2i build ./app kiln-test/python:3.12 myapp"},
	builder.StepS2IBuild: {
		"---> Installing application source...",
		"---> Installing dependencies...",
		"Collecting flask==3.0.0",
		"Successfully installed flask-3.0.0",
	},
	builder.StepIncremental: {
		"---> Restoring build artifacts...",
		"---> Installing application source...",
	},
	builder.StepRun: {
		"a1b2c3d4e5f6",
		"[app] * Serving Flask app 'app'",
		"[app] * Running on http://0.0.0.0:8080",
	},
	builder.StepReadiness: {"GET /: 200 OK after 3 attempts"},
	builder.StepStop:      {"exited with code 0 after 120ms"},
	builder.StepLogs:      {"2 lines on stdout, 0 on stderr"},
}

// PodmanBuild is a typical s2i build and kiln test as podman prints it, with
// kiln test's own steps; the step named failAt fails ("" for none).
func PodmanBuild(failAt string) Script {
	s := Script{Cleanups: []string{"container kiln-test-run-1", "image localhost/kiln-test/app:latest"}}
	for _, id := range builder.TestSteps() {
		if id == builder.StepCleanup {
			continue // reported as the Cleanups
		}
		st := Step{Name: id.String(), Lines: podmanLines[id]}
		if st.Name == failAt {
			st.Fail = "exit status 1"
			st.Lines = append(st.Lines, "Error: building at STEP \"RUN false\": exit status 1")
		}
		s.Steps = append(s.Steps, st)
	}
	return s
}

// Run plays the script into sink. It honours ctx: a cancelled run stops the
// current step, reports the cleanups and returns ctx's error.
func (s Script) Run(ctx context.Context, sink builder.Sink) error {
	now := s.Clock
	if now == nil {
		now = time.Now
	}
	start := now()
	emit := func(e builder.Event) {
		e.Time = now()
		sink.Event(e)
	}
	finish := func(err error) error {
		if err != nil {
			for _, c := range s.Cleanups {
				emit(builder.Event{Kind: builder.Cleanup, Message: c})
			}
		}
		e := builder.Event{Kind: builder.RunFinished, Duration: now().Sub(start)}
		if err != nil {
			e.Err = err.Error()
		}
		emit(e)
		return err
	}
	total := len(s.Steps)
	for i, st := range s.Steps {
		if st.Skip != "" {
			emit(builder.Event{Kind: builder.StepSkipped, Step: st.Name, Index: i + 1, Total: total, Message: st.Skip})
			continue
		}
		stepStart := now()
		emit(builder.Event{Kind: builder.StepStarted, Step: st.Name, Index: i + 1, Total: total})
		for _, l := range st.Lines {
			if err := sleep(ctx, st.Delay); err != nil {
				emit(builder.Event{Kind: builder.StepFinished, Step: st.Name, Duration: now().Sub(stepStart), Err: "cancelled"})
				return finish(err)
			}
			emit(builder.Event{Kind: builder.StepLog, Step: st.Name, Line: l, Stream: "stdout"})
		}
		if st.Hang {
			<-ctx.Done()
			emit(builder.Event{Kind: builder.StepFinished, Step: st.Name, Duration: now().Sub(stepStart), Err: "cancelled"})
			return finish(ctx.Err())
		}
		e := builder.Event{Kind: builder.StepFinished, Step: st.Name, Duration: now().Sub(stepStart), Err: st.Fail}
		emit(e)
		if st.Fail != "" {
			return finish(fmt.Errorf("step %q failed: %w", st.Name, errors.New(st.Fail)))
		}
	}
	return finish(nil)
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// StepClock returns a clock that advances by step on every reading, so
// durations in goldens are fixed.
func StepClock(start time.Time, step time.Duration) func() time.Time {
	t := start
	return func() time.Time {
		t = t.Add(step)
		return t
	}
}
