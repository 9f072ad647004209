package scaffold

import "time"

// SetLockWait sets how long Lock waits for another kiln.
func SetLockWait(d time.Duration) { lockWait = d }
