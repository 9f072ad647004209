package builder

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// Podman 4.3 (containers/common's libimage) adds or removes an image name
// by reading the image's names and writing the whole list back, outside
// the store's lock: two `podman tag` or `untag` calls on one image at
// once lose one change (eight concurrent tags of one image keep two of
// the eight names). Two kiln builds from one builder or base tag it with
// their unique --from names at the same moment, and a lost name fails the
// build at FROM ("not in local storage"). So kiln's own name changes on
// an image take a host-wide lock, and a tag is checked after it is made.

// namesLockPath is shared by every kiln process of one user: each user's
// rootless store is its own, root's is one. /var/tmp, not $TMPDIR, so two
// processes with different temporary directories still meet.
func namesLockPath() string {
	return filepath.Join("/var/tmp", fmt.Sprintf("kiln-image-names-%d.lock", os.Getuid()))
}

// lockNames takes the names lock, waiting for another kiln's tag or untag
// (each takes well under a second). Without a lock file (an unwritable
// /var/tmp) it goes on unlocked: the check after tagging still holds.
func lockNames(ctx context.Context) (unlock func()) {
	f, err := os.OpenFile(namesLockPath(), os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return func() {}
	}
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			break
		}
		if err != unix.EWOULDBLOCK && err != unix.EINTR {
			f.Close()
			return func() {}
		}
		select {
		case <-ctx.Done():
			f.Close()
			return func() {}
		case <-time.After(10 * time.Millisecond):
		}
	}
	// closing the file drops the lock; so does the kernel if kiln dies
	return func() { f.Close() }
}

// tagTries bounds the tag-and-check rounds: a name lost to a tool other
// than kiln tagging the same image at once is made again.
const tagTries = 3

// tagUnique gives image the name tag (one of kiln's unique --from names)
// and makes sure it is there once the engine says it is done.
func (e *Engine) tagUnique(ctx context.Context, image, tag string) error {
	unlock := lockNames(ctx)
	defer unlock()
	for try := 1; ; try++ {
		if _, err := e.Output(ctx, "tag", image, tag); err != nil {
			return err
		}
		there, err := e.exists(ctx, imageObject, tag)
		if err != nil || there {
			return err
		}
		if try == tagTries {
			return fmt.Errorf("tagging %s as %s: the name was gone right after the engine made it, %d times (another program tags or untags the same image at once): run the build again", image, tag, tagTries)
		}
	}
}
