package image

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"strings"

	"go.podman.io/image/v5/docker"
	istorage "go.podman.io/image/v5/storage"
	"go.podman.io/image/v5/types"
	"go.podman.io/storage"
)

// classify turns a containers/image error into an *Error of one line that
// says what is wrong and what to do. The password of o.Creds never appears:
// the library does not print it, and redact removes it should it ever.
func classify(given string, r types.ImageReference, err error, o Options) error {
	if err == nil {
		return nil
	}
	var ue docker.ErrUnauthorizedForCredentials
	msg := firstLine(err.Error())
	low := strings.ToLower(msg)
	where := "local storage"
	remote := r != nil && r.Transport().Name() == "docker"
	if remote {
		where = "the registry"
		if named := r.DockerReference(); named != nil {
			where = "registry " + domainOf(named.Name())
		}
	}
	e := &Error{Ref: given, Err: err}
	switch {
	case errors.As(err, &ue) || strings.Contains(low, "unauthorized") || strings.Contains(low, "authentication required"):
		e.Kind = Unauthorized
		e.Msg = fmt.Sprintf("%s refused the credentials: check --creds, --creds-file or the auth file (podman login writes it)", where)
	case errors.Is(err, context.DeadlineExceeded) || isNetError(err) || strings.Contains(low, "pinging container registry") ||
		strings.Contains(low, "dial tcp") || strings.Contains(low, "no such host") || strings.Contains(low, "connection refused") ||
		strings.Contains(low, "i/o timeout") || strings.Contains(low, "server gave http response to https client"):
		e.Kind = Unreachable
		e.Msg = fmt.Sprintf("%s cannot be reached (%s)", where, shortCause(msg))
		if strings.Contains(low, "http response to https") || strings.Contains(low, "x509") || strings.Contains(low, "tls") {
			e.Msg += "; for a registry without TLS, pass --tls-verify=false"
		}
	case errors.Is(err, storage.ErrImageUnknown) || errors.Is(err, istorage.ErrNoSuchImage) || errors.Is(err, fs.ErrNotExist) ||
		strings.Contains(low, "manifest unknown") || strings.Contains(low, "name unknown") || strings.Contains(low, "no such image") ||
		strings.Contains(low, "does not exist") || strings.Contains(low, "not found"):
		e.Kind = NotFound
		if remote {
			e.Msg = fmt.Sprintf("no such image in %s", where)
		} else if r != nil && r.Transport().Name() == istorage.Transport.Name() {
			e.Msg = "no such image in local storage (podman images lists them; build it or pull it first)"
		} else {
			e.Msg = "no such image: " + shortCause(msg)
		}
	default:
		e.Kind = Other
		e.Msg = shortCause(msg)
	}
	e.Msg = redact(e.Msg, o)
	return e
}

func isNetError(err error) bool {
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	return errors.As(err, &oe) || errors.As(err, &de) || (errors.As(err, &ne) && ne.Timeout())
}

func domainOf(name string) string {
	d, _, _ := strings.Cut(name, "/")
	return d
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// shortCause keeps the innermost part of a chain of "a: b: c" messages,
// which names the cause, at most 160 characters.
func shortCause(msg string) string {
	parts := strings.Split(msg, ": ")
	if len(parts) > 2 {
		msg = strings.Join(parts[len(parts)-2:], ": ")
	}
	if len(msg) > 160 {
		msg = msg[:157] + "..."
	}
	return msg
}

// redact removes the password of o's credentials from s.
func redact(s string, o Options) string {
	if _, pass, ok := strings.Cut(o.Creds, ":"); ok && pass != "" {
		s = strings.ReplaceAll(s, pass, "***")
	}
	return s
}

func asError(err error, target **Error) bool { return errors.As(err, target) }
