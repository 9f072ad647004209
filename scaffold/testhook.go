package scaffold

// SetTestHookStep sets the hook a write calls after each of its steps
// ("journal prepared", "temp PATH", "journal committed", "rename PATH",
// "remove PATH", "done"); an error it returns fails the write there. For
// the tests of kiln's writes only (here and in cmd/kiln), which kill the
// process or fail the write at each step.
func SetTestHookStep(f func(step string) error) { testHookStep = f }
