package builder

import (
	"context"
	"fmt"
	"time"

	"github.com/kiln-s2i/kiln/builder/image"
)

// Push copies the image src to dest with containers/image, reporting a
// "push" step with one sub-step per blob and its bytes (StepProgress), so
// the progress view shows each layer moving. It returns the manifest digest.
func Push(ctx context.Context, sink Sink, src, dest string, o image.PushOptions) (string, error) {
	start := time.Now()
	const step = "push"
	sink.Event(Event{Kind: StepStarted, Time: start, Step: step, Index: 1, Total: 1})
	names := map[string]string{}
	n := 0
	name := func(p image.Progress) string {
		d := p.Digest.String()
		if s, ok := names[d]; ok {
			return s
		}
		n++
		s := fmt.Sprintf("blob %d %s", n, image.ShortDigest(d))
		names[d] = s
		return s
	}
	o.Progress = func(p image.Progress) {
		now := time.Now()
		sub := name(p)
		switch p.Event {
		case image.BlobStarted:
			sink.Event(Event{Kind: StepStarted, Time: now, Step: sub, Parent: step})
			sink.Event(Event{Kind: StepProgress, Time: now, Step: sub, Parent: step, Size: p.Size})
		case image.BlobRead:
			sink.Event(Event{Kind: StepProgress, Time: now, Step: sub, Parent: step, Bytes: p.Bytes, Size: p.Size})
		case image.BlobDone:
			sink.Event(Event{Kind: StepProgress, Time: now, Step: sub, Parent: step, Bytes: p.Bytes, Size: p.Bytes})
			sink.Event(Event{Kind: StepLog, Time: now, Step: sub, Parent: step, Stream: "stdout", Line: fmt.Sprintf("%s: %s copied", sub, image.HumanBytes(p.Bytes))})
			sink.Event(Event{Kind: StepFinished, Time: now, Step: sub, Parent: step})
		case image.BlobSkipped:
			sink.Event(Event{Kind: StepSkipped, Time: now, Step: sub, Parent: step, Message: "already at the destination"})
		}
	}
	res, err := image.Push(ctx, src, dest, o)
	end := time.Now()
	if err != nil {
		sink.Event(Event{Kind: StepFinished, Time: end, Step: step, Duration: end.Sub(start), Err: err.Error()})
		sink.Event(Event{Kind: RunFinished, Time: end, Duration: end.Sub(start), Err: err.Error()})
		return "", err
	}
	sink.Event(Event{Kind: StepLog, Time: end, Step: step, Stream: "stdout", Line: fmt.Sprintf("%s: %d blob(s) copied, %d already there; manifest %s", dest, len(res.Done), len(res.Skipped), res.ManifestDigest)})
	sink.Event(Event{Kind: StepFinished, Time: end, Step: step, Duration: end.Sub(start)})
	sink.Event(Event{Kind: RunFinished, Time: end, Duration: end.Sub(start)})
	return res.ManifestDigest.String(), nil
}
