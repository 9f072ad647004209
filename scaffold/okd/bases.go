package okd

import (
	"strconv"
	"strings"
	"time"
)

// A base image is maintained only while its distribution gets fixes (G01).
// EndOfLife lists the distributions' end dates; update it when a release
// reaches its end. Dates are the end of regular updates (RHEL: end of
// maintenance support; ELS does not reach UBI images).

// Release is one distribution release whose images kiln recognises.
type Release struct {
	Name string    // e.g. "Fedora 37"
	EOL  time.Time // the first day without fixes
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// fedoraEOL is the end of life of each Fedora release.
var fedoraEOL = map[int]string{
	20: "2015-06-23", 21: "2015-12-01", 22: "2016-07-19", 23: "2016-12-20", 24: "2017-08-08", 25: "2017-12-12",
	26: "2018-05-29", 27: "2018-11-30", 28: "2019-05-28", 29: "2019-11-26", 30: "2020-05-26", 31: "2020-11-24",
	32: "2021-05-25", 33: "2021-11-30", 34: "2022-06-07", 35: "2022-12-13", 36: "2023-05-16", 37: "2023-12-05",
	38: "2024-05-21", 39: "2024-11-26", 40: "2025-05-13", 41: "2025-12-15",
}

// otherEOL maps a release key (see releaseOf) to its end of life.
var otherEOL = map[string]Release{
	"centos:6":       {"CentOS 6", day("2020-11-30")},
	"centos:7":       {"CentOS 7", day("2024-06-30")},
	"centos:8":       {"CentOS 8", day("2021-12-31")},
	"centos:stream8": {"CentOS Stream 8", day("2024-05-31")},
	"rhel:6":         {"RHEL 6 (UBI 6)", day("2020-11-30")},
	"rhel:7":         {"RHEL 7 (UBI 7)", day("2024-06-30")},
	"debian:8":       {"Debian 8", day("2020-06-30")},
	"debian:9":       {"Debian 9", day("2022-06-30")},
	"debian:10":      {"Debian 10", day("2024-06-30")},
	"ubuntu:14.04":   {"Ubuntu 14.04", day("2019-04-30")},
	"ubuntu:16.04":   {"Ubuntu 16.04", day("2021-04-30")},
	"ubuntu:18.04":   {"Ubuntu 18.04", day("2023-05-31")},
	"ubuntu:20.04":   {"Ubuntu 20.04", day("2025-05-31")},
}

var debianNames = map[string]string{"jessie": "8", "stretch": "9", "buster": "10"}
var ubuntuNames = map[string]string{"trusty": "14.04", "xenial": "16.04", "bionic": "18.04", "focal": "20.04"}

// EndOfLife returns the release a FROM reference is built on when that
// release's end of life is on or before now. Unknown images and tags are
// never reported: only what the table knows for certain.
func EndOfLife(ref string, now time.Time) (Release, bool) {
	r, ok := releaseOf(ref)
	if !ok || now.Before(r.EOL) {
		return Release{}, false
	}
	return r, true
}

// repoAndTag splits a reference into its repository path without the
// registry and docker.io/library, and its tag.
func repoAndTag(ref string) (repo, tag string) {
	ref = strings.ToLower(ref)
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref = ref[:i]
	}
	if slash := strings.LastIndexByte(ref, '/'); strings.LastIndexByte(ref, ':') > slash {
		i := strings.LastIndexByte(ref, ':')
		ref, tag = ref[:i], ref[i+1:]
	}
	for _, reg := range []string{"docker.io/library/", "docker.io/", "registry.access.redhat.com/", "registry.redhat.io/", "registry.fedoraproject.org/", "quay.io/"} {
		ref = strings.TrimPrefix(ref, reg)
	}
	return ref, tag
}

func releaseOf(ref string) (Release, bool) {
	repo, tag := repoAndTag(ref)
	switch repo {
	case "fedora", "fedora-minimal", "fedora/fedora", "fedora/fedora-minimal", "fedora/s2i-core", "fedora/s2i-base":
		// sclorg's Fedora s2i-core and s2i-base are tagged by Fedora release
		n, err := strconv.Atoi(tag)
		if d, ok := fedoraEOL[n]; ok && err == nil {
			return Release{"Fedora " + tag, day(d)}, true
		}
	case "centos", "centos/centos":
		tag = strings.TrimPrefix(tag, "centos")
		if v, _, ok := strings.Cut(tag, "."); ok && !strings.HasPrefix(tag, "stream") {
			tag = v // centos:7.9.2009
		}
		tag = strings.TrimSuffix(tag, "-minimal")
		r, ok := otherEOL["centos:"+tag]
		return r, ok
	case "sclorg/s2i-core-c8s", "sclorg/s2i-base-c8s":
		return otherEOL["centos:stream8"], true
	case "debian":
		v, _, _ := strings.Cut(tag, "-")
		if n, ok := debianNames[v]; ok {
			v = n
		}
		v, _, _ = strings.Cut(v, ".")
		r, ok := otherEOL["debian:"+v]
		return r, ok
	case "ubuntu":
		if n, ok := ubuntuNames[tag]; ok {
			tag = n
		}
		r, ok := otherEOL["ubuntu:"+tag]
		return r, ok
	}
	// ubi7, ubi7/ubi-minimal, rhel7/..., ubi7/s2i-core: the UBI and RHEL 7
	// images follow RHEL 7.
	first, _, _ := strings.Cut(repo, "/")
	for _, v := range []string{"6", "7"} {
		if first == "ubi"+v || first == "rhel"+v || strings.HasPrefix(first, "ubi"+v+"-") {
			return otherEOL["rhel:"+v], true
		}
	}
	return Release{}, false
}

// OSBase reports whether ref is a plain operating system image (UBI,
// Fedora, CentOS, Debian, Ubuntu, Alpine, BusyBox...) that sets no OKD
// labels, ports or users of its own. Any other base, such as s2i-core or
// a language image, may set them, so rules about what the image inherits
// can only be sure about OS bases.
func OSBase(ref string) bool {
	repo, _ := repoAndTag(ref)
	switch repo {
	case "scratch", "busybox", "alpine", "debian", "ubuntu", "fedora", "fedora-minimal", "fedora/fedora", "fedora/fedora-minimal",
		"centos", "centos/centos", "rockylinux", "rockylinux/rockylinux", "almalinux", "opensuse/leap", "opensuse/tumbleweed",
		"amazonlinux", "oraclelinux", "photon", "archlinux", "debian-slim":
		return true
	}
	first, rest, _ := strings.Cut(repo, "/")
	if rest == "" {
		rest = first
	}
	if strings.HasPrefix(first, "ubi") || strings.HasPrefix(first, "rhel") {
		switch rest {
		case first, "ubi", "ubi-minimal", "ubi-micro", "ubi-init", "ubi-minimal-init":
			return true
		}
		if strings.HasPrefix(rest, first+"-") { // ubi10-minimal, ubi9-micro
			return true
		}
	}
	return false
}
