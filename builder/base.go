package builder

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kiln-s2i/kiln/builder/image"
	"github.com/kiln-s2i/kiln/scaffold"
	"github.com/kiln-s2i/kiln/scaffold/lint"
)

// BaseWhere says where a base image was found.
type BaseWhere string

const (
	BaseLocal       BaseWhere = "local"       // in the engine's local storage
	BaseRegistry    BaseWhere = "registry"    // not local; its registry has it
	BaseNotFound    BaseWhere = "not-found"   // neither local nor in its registry
	BaseUnreachable BaseWhere = "unreachable" // not local, and its registry did not answer
	BaseInvalid     BaseWhere = "invalid"     // not an image reference
)

// BaseInfo is what kiln knows of a base image before the build.
type BaseInfo struct {
	Ref   string
	Where BaseWhere
	// Message says in one line what was found, or why not.
	Message string
	// OS is PRETTY_NAME from /etc/os-release (local images only: a
	// registry image's layers are not downloaded for it).
	OS string
	// PackageManager is the first of microdnf, dnf, yum, apt, apk the image
	// has (local images only), "" when none or unknown.
	PackageManager string
	User           string
	Labels         map[string]string
}

// ScriptsURL is the s2i scripts-url the base image already sets, if any.
func (b BaseInfo) ScriptsURL() string {
	if u := b.Labels["io.openshift.s2i.scripts-url"]; u != "" {
		return u
	}
	return b.Labels["io.s2i.scripts-url"]
}

// packageManagers are looked for in this order (scaffold.PackageManagers'
// names): microdnf first, since UBI minimal images have only it.
var packageManagers = []struct{ name, path string }{
	{"microdnf", "usr/bin/microdnf"}, {"dnf", "usr/bin/dnf"}, {"yum", "usr/bin/yum"},
	{"apt", "usr/bin/apt-get"}, {"apk", "sbin/apk"},
}

// InspectBase looks ref up in local storage first, then in its registry
// with timeout (config only), and says what it found. It never fails: a
// problem is a BaseInfo with Where and Message saying it.
func InspectBase(ctx context.Context, ref string, timeout time.Duration) BaseInfo {
	info := BaseInfo{Ref: ref}
	opts := image.DefaultOptions()
	img, err := image.Open(ctx, ref, opts)
	if err == nil {
		defer img.Close()
		info.Where = BaseLocal
		info.fill(img)
		fsys, err := img.ReadFS(ctx, image.WalkOptions{Keep: func(p string) bool {
			return p == "etc/os-release" || p == "usr/lib/os-release"
		}})
		if err == nil {
			info.OS = osName(fsys)
			for _, pm := range packageManagers {
				if _, ok := fsys.Lookup(pm.path, true); ok {
					info.PackageManager = pm.name
					break
				}
			}
		}
		info.Message = "found locally"
		if info.OS != "" {
			info.Message += ": " + info.OS
		}
		return info
	}
	if image.IsKind(err, image.BadInput) {
		info.Where, info.Message = BaseInvalid, err.Error()
		return info
	}
	remote := "docker://" + ref
	if strings.Contains(ref, "://") {
		remote = ref
	}
	opts.Timeout = timeout
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	img, err = image.Open(rctx, remote, opts)
	switch {
	case err == nil:
		defer img.Close()
		info.Where, info.Message = BaseRegistry, "not local; found in the registry"
		info.fill(img)
	case image.IsKind(err, image.Unreachable) || rctx.Err() != nil:
		info.Where = BaseUnreachable
		info.Message = fmt.Sprintf("not in local storage, and its registry cannot be reached within %s: pull it, or pick a local image", timeout)
	case image.IsKind(err, image.BadInput):
		info.Where, info.Message = BaseInvalid, err.Error()
	default:
		info.Where = BaseNotFound
		info.Message = "neither in local storage nor in its registry: check the name and tag"
	}
	return info
}

func (b *BaseInfo) fill(img *image.Image) {
	b.User = img.Config.Config.User
	b.Labels = img.Config.Config.Labels
	if b.Labels == nil {
		b.Labels = map[string]string{}
	}
}

// osName reads PRETTY_NAME (else NAME VERSION_ID) from os-release.
func osName(fsys *image.FS) string {
	for _, p := range []string{"etc/os-release", "usr/lib/os-release"} {
		e, ok := fsys.Lookup(p, true) // Debian: etc/os-release -> ../usr/lib/os-release
		if !ok || e.Data == nil {
			continue
		}
		vals := map[string]string{}
		sc := bufio.NewScanner(bytes.NewReader(e.Data))
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), "="); ok {
				vals[k] = strings.Trim(v, `"'`)
			}
		}
		if v := vals["PRETTY_NAME"]; v != "" {
			return v
		}
		return strings.TrimSpace(vals["NAME"] + " " + vals["VERSION_ID"])
	}
	return ""
}

// Found reports whether the image was found, so its config is known.
func (b BaseInfo) Found() bool { return b.Where == BaseLocal || b.Where == BaseRegistry }

// Summary says in one line what was found: where, the OS, the package
// manager, the USER and the scripts-url it sets; or why it was not found.
func (b BaseInfo) Summary() string {
	if !b.Found() {
		return b.Message
	}
	parts := []string{"in the registry"}
	if b.Where == BaseLocal {
		parts = []string{"found locally"}
		if b.OS != "" {
			parts[0] += ": " + b.OS
		}
	}
	if b.PackageManager != "" {
		parts = append(parts, "package manager "+b.PackageManager)
	}
	if b.User == "" {
		parts = append(parts, "no USER (root)")
	} else {
		parts = append(parts, "USER "+b.User)
	}
	if u := b.ScriptsURL(); u != "" {
		parts = append(parts, "sets scripts-url "+u)
	}
	return strings.Join(parts, ", ")
}

// LintBase is the image's config as kiln lint judges what a Dockerfile
// inherits from it (lint.BaseImageFile); ok is false when it was not found.
func (b BaseInfo) LintBase() (lint.BaseImage, bool) {
	if !b.Found() {
		return lint.BaseImage{}, false
	}
	return lint.BaseImage{Ref: b.Ref, User: b.User, Labels: b.Labels}, true
}

// FollowPackageManager makes spec's package manager the one a local base
// image has, while the answer is still its preset's default (G06: an image
// with apt-get gets apt; an author's choice is kept). It returns the answer
// it replaced, and whether it replaced one.
func (b BaseInfo) FollowPackageManager(spec *scaffold.Spec) (was string, ok bool) {
	if b.Where != BaseLocal || b.PackageManager == "" || b.PackageManager == spec.PackageManager {
		return "", false
	}
	if p, known := scaffold.PresetByName(spec.Preset); !known || spec.PackageManager != p.PackageManager {
		return "", false
	}
	was, spec.PackageManager = spec.PackageManager, b.PackageManager
	return was, true
}
