package scaffold

// SetTestHookAfterWrite sets the hook Apply calls after each file it renames
// into place or removes.
func SetTestHookAfterWrite(f func(path string)) { testHookAfterWrite = f }
