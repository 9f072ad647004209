package lint

import (
	"os"
	"runtime/debug"
	"sync"
)

// lintGCPercent is the garbage collector's target while lint runs. Linting
// allocates much (buildkit's, mvdan.cc/sh's and yaml's trees, about 160 KB
// per repository) and keeps little, so with Go's default of 100 the
// collector runs every few repositories and, with the assists and write
// barriers it adds to allocations, takes about 12% of lint's CPU time. At
// 400 the heap may grow to five times what is live (about 10 MB more at
// peak for a large tree) and that share falls to about 3%. FS, Paths and
// Script set it for as long as they run, so `kiln lint`, `kiln edit` and
// BenchmarkLintRepo run with the same setting (docs/benchmarks.md); an
// explicit GOGC in the environment is left alone.
const lintGCPercent = 400

var gcState struct {
	sync.Mutex
	users int // calls running with lintGCPercent
	prev  int // the setting before the first of them
}

// lintGC raises the GC target for one lint call; the returned function
// puts the previous target back when the last concurrent call ends.
func lintGC() (restore func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	gcState.Lock()
	defer gcState.Unlock()
	if gcState.users == 0 {
		gcState.prev = debug.SetGCPercent(lintGCPercent)
		if gcState.prev < 0 || gcState.prev >= lintGCPercent {
			debug.SetGCPercent(gcState.prev) // off or higher already: keep it
		}
	}
	gcState.users++
	return func() {
		gcState.Lock()
		defer gcState.Unlock()
		if gcState.users--; gcState.users == 0 {
			debug.SetGCPercent(gcState.prev)
		}
	}
}
