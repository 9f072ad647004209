package scaffold

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// LockFile serialises every kiln that writes into a repository (issue 10:
// two kiln new --force on one directory left a mix of both runs in 3 of 60
// rounds). It holds an flock(2), which the kernel drops when its holder
// exits however it exits, so a lock can never outlive a killed kiln; the
// file's text only names the holder for the messages.
const LockFile = ".kiln/lock"

// lockWait is how long a writer waits for another to finish before it
// gives up: a render takes well under a second.
var lockWait = 3 * time.Second

// Owner is what a lock file says about the kiln holding it.
type Owner struct {
	PID     int
	Host    string
	Command string
	Since   time.Time
}

func (o Owner) String() string {
	if o.PID == 0 {
		return "a process that has not written its name yet"
	}
	s := "process " + strconv.Itoa(o.PID)
	if host, _ := os.Hostname(); o.Host != "" && o.Host != host {
		s += " on host " + o.Host
	}
	if o.Command != "" {
		s += " (" + o.Command + ")"
	}
	if !o.Since.IsZero() {
		s += ", since " + o.Since.UTC().Format(time.RFC3339)
	}
	return s
}

// LockedError says another live kiln holds the repository's lock.
type LockedError struct {
	Dir   string
	Owner Owner
}

func (e *LockedError) Error() string {
	what := fmt.Sprintf("another kiln is writing %s: %s holds %s", e.Dir, e.Owner, LockFile)
	if e.Owner.PID == 0 {
		return what + "; wait for it to finish, then run this again"
	}
	return fmt.Sprintf("%s; wait for it to finish, then run this again (if it hangs, stop it: kill %d)", what, e.Owner.PID)
}

// RepoLock is a held repository lock.
type RepoLock struct {
	dir, key string
	f        *os.File
	made     []string // directories made for the lock file, parents first
	// Notices say what taking the lock repaired: a stale lock taken over,
	// an interrupted write finished or rolled back. Callers print them.
	Notices []string
}

var (
	heldMu sync.Mutex
	held   = map[string]*RepoLock{} // by lockKey: this process's locks
)

func lockKey(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return filepath.Clean(dir)
	}
	return abs
}

// Lock takes dir's lock (the lock file names this kiln, for the messages of
// kilns that find it held), waiting a little for another kiln to finish; a live holder gives a *LockedError. A lock left by a kiln that
// died is taken over, with a notice. Taking it finishes or rolls back a
// write a killed kiln left (see journal.go). Unlock releases it; it is
// released anyway when the process exits.
func Lock(dir string) (*RepoLock, error) {
	key := lockKey(dir)
	heldMu.Lock()
	defer heldMu.Unlock()
	if _, ok := held[key]; ok {
		return nil, fmt.Errorf("%s: this kiln already holds its lock", dir)
	}
	if err := checkConfined(dir, []string{LockFile}); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, filepath.FromSlash(LockFile))
	l := &RepoLock{dir: dir, key: key, made: missingDirs(filepath.Dir(path))}
	deadline := time.Now().Add(lockWait)
	for {
		f, prev, err := tryLock(path)
		if err == nil {
			l.f = f
			if prev.PID != 0 || prev.Host != "" {
				l.Notices = append(l.Notices, fmt.Sprintf("%s was left by %s, which no longer holds it (killed or crashed): taking it over", LockFile, stale(prev)))
			}
			break
		}
		var le *LockedError
		if !errors.As(err, &le) || time.Now().After(deadline) {
			l.removeMadeDirs()
			if le != nil {
				le.Dir = dir
			}
			return nil, err
		}
		time.Sleep(50 * time.Millisecond)
	}
	notice, err := recoverJournal(dir)
	if err != nil {
		l.release()
		return nil, err
	}
	if notice != "" {
		l.Notices = append(l.Notices, notice)
	}
	held[key] = l
	return l, nil
}

// stale describes the owner of a lock nobody holds.
func stale(o Owner) string {
	s := o.String()
	host, _ := os.Hostname()
	if o.PID > 0 && (o.Host == "" || o.Host == host) && !alive(o.PID) {
		s += ", no longer running"
	}
	return s
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// tryLock opens path and takes its flock without waiting. A holder
// unlinks the file when it is done, so the file locked must still be the
// one at path (else another kiln may lock a new one at the same time).
func tryLock(path string) (*os.File, Owner, error) {
	for {
		// (again each time: the kiln that held it removes .kiln when empty)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, Owner{}, fmt.Errorf("taking the lock %s: %w", path, err)
		}
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o644)
		if err != nil {
			return nil, Owner{}, fmt.Errorf("taking the lock %s: %w", path, err)
		}
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
			owner := readOwner(f)
			f.Close()
			if errors.Is(err, unix.EWOULDBLOCK) {
				return nil, Owner{}, &LockedError{Owner: owner}
			}
			return nil, Owner{}, fmt.Errorf("taking the lock %s: %w", path, err)
		}
		fi, ferr := f.Stat()
		pi, perr := os.Lstat(path)
		if ferr != nil || perr != nil || !os.SameFile(fi, pi) {
			f.Close() // unlinked by the kiln that held it: lock the new file
			continue
		}
		prev := readOwner(f)
		host, _ := os.Hostname()
		me := fmt.Sprintf("pid=%d\nhost=%s\ncommand=%s\nsince=%s\n", os.Getpid(), host, commandLine(), time.Now().UTC().Format(time.RFC3339))
		if err := f.Truncate(0); err == nil {
			_, _ = f.WriteAt([]byte(me), 0)
		}
		return f, prev, nil
	}
}

// commandLine is kiln's command, for the lock file: its subcommand only,
// never its flags (they may carry values that are not for other eyes).
func commandLine() string {
	if len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-") {
		return filepath.Base(os.Args[0]) + " " + os.Args[1]
	}
	return filepath.Base(os.Args[0])
}

func readOwner(f *os.File) Owner {
	b := make([]byte, 512)
	n, _ := f.ReadAt(b, 0)
	var o Owner
	for _, line := range strings.Split(string(b[:n]), "\n") {
		k, v, _ := strings.Cut(line, "=")
		switch k {
		case "pid":
			o.PID, _ = strconv.Atoi(v)
		case "host":
			o.Host = v
		case "command":
			o.Command = v
		case "since":
			o.Since, _ = time.Parse(time.RFC3339, v)
		}
	}
	return o
}

// Unlock releases the lock: the file is removed while still held (see
// tryLock), and the directories made for it when they are empty, so a
// kiln that wrote nothing leaves nothing.
func (l *RepoLock) Unlock() {
	if l == nil {
		return
	}
	heldMu.Lock()
	defer heldMu.Unlock()
	delete(held, l.key)
	l.release()
}

func (l *RepoLock) release() {
	if l.f == nil {
		return
	}
	name := l.f.Name()
	_ = os.Remove(name)
	_ = l.f.Close()
	l.f = nil
	os.Remove(filepath.Dir(name)) // .kiln, when the lock was all it held
	l.removeMadeDirs()
}

func (l *RepoLock) removeMadeDirs() {
	for i := len(l.made) - 1; i >= 0; i-- {
		os.Remove(l.made[i]) // only when empty
	}
}

// holding reports whether this process holds dir's lock.
func holding(dir string) bool {
	heldMu.Lock()
	defer heldMu.Unlock()
	_, ok := held[lockKey(dir)]
	return ok
}

// lockFor takes dir's lock for a write unless this process holds it
// already (a command takes it before it reads the repo); the returned
// function releases what it took.
func lockFor(dir string) (func(), error) {
	if holding(dir) {
		return func() {}, nil
	}
	l, err := Lock(dir)
	if err != nil {
		return nil, err
	}
	return l.Unlock, nil
}
