package okd

import (
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// MaxShown caps how much of a value an error message repeats: enough to
// recognise it, never a pasted file or a 5 MB argument.
const MaxShown = 40

// Hidden stands in an error message for a value kiln must not repeat.
const Hidden = "(hidden)"

var userinfoRe = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s]*@`)

// StripUserinfo removes credentials from every URL in s
// (https://u:ghp_x@github.com/o/r → https://github.com/o/r), so a git
// remote never lands in a label or a log with its token (G11).
func StripUserinfo(s string) string {
	return userinfoRe.ReplaceAllString(s, "$1")
}

// HasCredentials reports whether s holds a URL with a password or token in
// its userinfo (postgres://u:pw@db/x, https://token@host).
func HasCredentials(s string) bool {
	if !strings.Contains(s, "://") || !strings.Contains(s, "@") {
		return false // the pattern needs both: skip the regular expression
	}
	for _, m := range userinfoRe.FindAllString(s, -1) {
		u, err := url.Parse(m + "h")
		if err != nil || u.User == nil {
			return true // unparsable userinfo: assume the worst
		}
		if _, ok := u.User.Password(); ok {
			return true
		}
		// A lone user name in an http(s) URL is how tokens are passed
		// (https://ghp_x@github.com); ssh-style users (git@) are not secrets.
		if s := strings.ToLower(u.Scheme); s == "http" || s == "https" {
			return true
		}
	}
	return false
}

// ShowValue returns what an error message may repeat of value: credentials
// stripped from URLs, the value of a NAME=VALUE pair whose name looks secret
// hidden, and at most MaxShown bytes. Callers quote it (%q), which escapes
// control characters.
func ShowValue(value string) string {
	if name, v, ok := strings.Cut(value, "="); ok && v != "" && (LooksSecret(name) || HasCredentials(v)) {
		return Cap(name) + "=" + Hidden
	}
	return Cap(StripUserinfo(value))
}

// Cap shortens s to at most MaxShown bytes at a rune boundary, saying how
// long it was.
func Cap(s string) string {
	if len(s) <= MaxShown {
		return s
	}
	cut := MaxShown
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…(" + itoa(len(s)) + " bytes)"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
