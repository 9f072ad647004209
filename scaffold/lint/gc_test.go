package lint

import (
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

// gcPercent reads the GC target without changing it.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// TestLintGC: a lint call runs with lintGCPercent and gives the previous
// target back when the last of overlapping calls ends; a target set
// higher or off, or by GOGC, is left alone.
func TestLintGC(t *testing.T) {
	t.Setenv("GOGC", "") // restored after the test
	os.Unsetenv("GOGC")
	defer debug.SetGCPercent(gcPercent())

	tests := []struct{ before, during int }{
		{100, lintGCPercent},
		{50, lintGCPercent},
		{lintGCPercent, lintGCPercent},
		{1000, 1000},
		{-1, -1},
	}
	for _, tt := range tests {
		debug.SetGCPercent(tt.before)
		outer := lintGC()
		if got := gcPercent(); got != tt.during {
			t.Errorf("before %d: during a call %d, want %d", tt.before, got, tt.during)
		}
		inner := lintGC()
		outer() // the inner call still runs
		if got := gcPercent(); got != tt.during {
			t.Errorf("before %d: after the outer call ended %d, want %d", tt.before, got, tt.during)
		}
		inner()
		if got := gcPercent(); got != tt.before {
			t.Errorf("before %d: after both calls %d, want it back", tt.before, got)
		}
	}

	// concurrent FS calls (kiln edit lints two trees) leave the default
	debug.SetGCPercent(100)
	fsys := fstest.MapFS{"Dockerfile": {Data: []byte("FROM ubi9\n")}}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := FS(fsys, Options{}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := gcPercent(); got != 100 {
		t.Errorf("after concurrent FS calls the GC target is %d, want 100", got)
	}

	// GOGC given: kiln leaves the runtime's setting alone
	t.Setenv("GOGC", "100")
	restore := lintGC()
	if got := gcPercent(); got != 100 {
		t.Errorf("with GOGC=100 set a call runs at %d", got)
	}
	restore()
}

// TestInstrName holds the allocation-free lower-casing to strings.ToLower
// for every known instruction in any case, and for unknown words.
func TestInstrName(t *testing.T) {
	var words []string
	for k := range knownInstructions {
		words = append(words, k, strings.ToUpper(k), strings.ToUpper(k[:1])+k[1:], strings.ToUpper(k[:len(k)-1])+k[len(k)-1:])
	}
	words = append(words, "", "FRÖM", "{%", "Ünknown", "RUNX", "RU")
	for _, w := range words {
		if got, want := instrName(w), strings.ToLower(w); got != want {
			t.Errorf("instrName(%q) = %q, want %q", w, got, want)
		}
	}
}
