package tui

// ring keeps the last cap lines of a log; older lines are dropped so a noisy
// build cannot grow the UI's memory without bound.
type ring struct {
	lines   []string
	start   int // index of the oldest line once full
	dropped int // lines pushed out so far
}

func newRing(capacity int) *ring {
	if capacity < 1 {
		capacity = 1
	}
	return &ring{lines: make([]string, 0, capacity)}
}

func (r *ring) push(line string) {
	if len(r.lines) < cap(r.lines) {
		r.lines = append(r.lines, line)
		return
	}
	r.lines[r.start] = line
	r.start = (r.start + 1) % len(r.lines)
	r.dropped++
}

func (r *ring) len() int { return len(r.lines) }

// at returns the i-th oldest kept line.
func (r *ring) at(i int) string { return r.lines[(r.start+i)%len(r.lines)] }

// last returns up to n of the newest lines, oldest first.
func (r *ring) last(n int) []string {
	if n > len(r.lines) {
		n = len(r.lines)
	}
	out := make([]string, 0, n)
	for i := len(r.lines) - n; i < len(r.lines); i++ {
		out = append(out, r.at(i))
	}
	return out
}
