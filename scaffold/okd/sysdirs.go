package okd

import (
	"path"
	"slices"
	"strings"
	"unicode"
)

// MaxDirLen caps a directory kiln writes into a Dockerfile (a writable dir
// or a volume): far above any real path, far below what breaks a layer.
const MaxDirLen = 255

// systemTrees are system directories that must never become writable by
// group 0 or be mounted over, nor anything below them (G15, G16): every UID
// OKD assigns is in group 0, so a group-writable /usr/bin lets the app
// replace system binaries.
var systemTrees = []string{"/bin", "/sbin", "/usr", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/boot", "/proc", "/sys", "/dev"}

// systemDirs are system directories that must not be chgrp'ed or mounted
// over themselves; their subdirectories (/var/lib/myapp) are fine.
var systemDirs = []string{"/", "/var", "/var/lib", "/var/cache", "/var/log", "/run", "/var/run", "/root"}

// SystemDir reports whether an absolute path is, or is inside, a system
// directory an image must not make group-writable or declare a volume.
func SystemDir(p string) bool {
	if !strings.HasPrefix(p, "/") {
		return false
	}
	p = path.Clean(p)
	for _, d := range systemDirs {
		if p == d {
			return true
		}
	}
	for _, t := range systemTrees {
		if p == t || strings.HasPrefix(p, t+"/") {
			return true
		}
	}
	return false
}

// Blank reports whether text shows nothing: only white space, format
// characters (zero-width space, U+200B) and blank-looking letters
// (braille blank U+2800, Hangul fillers). A label of such text reads as set
// but says nothing (G23); kiln new and kiln lint share this rule.
func Blank(s string) bool {
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), unicode.Is(unicode.Cf, r), unicode.IsControl(r):
		case r == 0x2800, r == 0x115F, r == 0x1160, r == 0x3164, r == 0xFFA0:
		default:
			return false
		}
	}
	return true
}

// coreTrees hold the system's programs, libraries and trust: nothing below
// them is ever the app's to write. Unlike SystemDir they leave out the
// application parts of /usr and /etc that well-known images make
// group-writable on purpose (/usr/share/nginx/html, /etc/httpd).
var coreTrees = []string{"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot", "/proc", "/sys",
	"/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/libx32", "/usr/libexec",
	"/usr/local/bin", "/usr/local/sbin", "/usr/local/lib", "/usr/local/lib64",
	"/etc/ssl", "/etc/pki", "/etc/ca-certificates", "/etc/pam.d", "/etc/security", "/etc/sudoers.d", "/etc/ld.so.conf.d"}

// coreDirs must not be made group-writable themselves.
var coreDirs = []string{"/usr", "/usr/local", "/usr/share", "/etc"}

// CoreSystemDir reports whether making p group-writable exposes the
// system's programs, libraries or trust (kiln lint, KL076).
func CoreSystemDir(p string) bool {
	if !strings.HasPrefix(p, "/") {
		return false
	}
	p = path.Clean(p)
	if slices.Contains(systemDirs, p) || slices.Contains(coreDirs, p) {
		return true
	}
	for _, t := range coreTrees {
		if p == t || strings.HasPrefix(p, t+"/") {
			return true
		}
	}
	return false
}
