// Command fakeprogress runs the live progress view over a scripted,
// podman-like build, for the tmux end-to-end test.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/kiln-s2i/kiln/builder"
	"github.com/kiln-s2i/kiln/tui"
	"github.com/kiln-s2i/kiln/tui/internal/fakerun"
)

func main() {
	failAt := flag.String("fail", "", "name of the step that fails")
	hang := flag.String("hang", "", "name of the step that waits for cancellation")
	delay := flag.Duration("delay", 20*time.Millisecond, "delay between output lines")
	panicAfter := flag.Int("panic-after", 0, "panic in the run after this many events (0: never)")
	flag.Parse()
	script := fakerun.PodmanBuild(*failAt)
	for i := range script.Steps {
		script.Steps[i].Delay = *delay
		if script.Steps[i].Name == *hang {
			script.Steps[i].Hang = true
		}
	}
	run := script.Run
	if *panicAfter > 0 {
		run = func(ctx context.Context, sink builder.Sink) error {
			n := 0
			return script.Run(ctx, builder.SinkFunc(func(e builder.Event) {
				if n++; n > *panicAfter {
					panic("fake engine blew up")
				}
				sink.Event(e)
			}))
		}
	}
	err := tui.RunProgress(context.Background(), "kiln test", tui.ProgressOptions{}, run)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakeprogress:", err)
		os.Exit(1)
	}
}
