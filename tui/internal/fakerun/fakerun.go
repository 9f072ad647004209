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

// PodmanBuild is a typical s2i build and kiln test as podman prints it.
func PodmanBuild(failAt string) Script {
	s := Script{
		Steps: []Step{
			{Name: "build builder image", Lines: []string{
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
			}},
			{Name: "s2i build test app", Lines: []string{
				"---> Installing application source...",
				"---> Installing dependencies...",
				"Collecting flask==3.0.0",
				"Successfully installed flask-3.0.0",
			}},
			{Name: "incremental rebuild", Lines: []string{
				"---> Restoring build artifacts...",
				"---> Installing application source...",
			}},
			{Name: "run container", Lines: []string{
				"a1b2c3d4e5f6",
				"[app] * Serving Flask app 'app'",
				"[app] * Running on http://0.0.0.0:8080",
			}},
			{Name: "probe http://localhost:8080/", Lines: []string{"GET / -> 200 OK"}},
		},
		Cleanups: []string{"container kiln-test-run-1", "image localhost/kiln-test/app:latest"},
	}
	for i := range s.Steps {
		if s.Steps[i].Name == failAt {
			s.Steps[i].Fail = "exit status 1"
			s.Steps[i].Lines = append(s.Steps[i].Lines, "Error: building at STEP \"RUN false\": exit status 1")
		}
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
