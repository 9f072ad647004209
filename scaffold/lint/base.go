package lint

import (
	"encoding/json"
	"io/fs"
	"path"

	"github.com/kiln-s2i/kiln/scaffold/bounded"
)

// BaseImage is what is known of a base image's config. Lint is offline: it
// knows a base image only when told, by Options.Base (kiln lint
// --inspect-base looks the FROM image up) or by BaseImageFile, which kiln new
// and kiln edit write when they inspect the base image. Then the rules about
// what the Dockerfile leaves to its base (USER: KL070-KL072; labels:
// KL080-KL082; scripts-url: KL085) judge the inherited value instead of
// saying "the base image may set it".
type BaseImage struct {
	// Ref is the image as FROM names it; a record for another ref is unused.
	Ref    string            `json:"ref"`
	User   string            `json:"user"`
	Labels map[string]string `json:"labels,omitempty"`
}

// BaseImageFile is where kiln records the base image's config, beside
// kiln.yaml.
const BaseImageFile = ".kiln/base-image.json"

// ScriptsURL is the s2i scripts-url label the image sets, "" when none.
func (b BaseImage) ScriptsURL() string {
	if u := b.Labels["io.openshift.s2i.scripts-url"]; u != "" {
		return u
	}
	return b.Labels["io.s2i.scripts-url"]
}

// baseLookup asks look (Options.Base) for ref's config, else reads dir's
// BaseImageFile. Both happen only when a rule asks, so a Dockerfile that sets
// its own USER and labels costs no read.
func baseLookup(look func(string) (BaseImage, bool), fsys fs.FS, dir string) func(ref string) (BaseImage, bool) {
	var recorded *BaseImage
	read := false
	return func(ref string) (BaseImage, bool) {
		if look != nil {
			if b, ok := look(ref); ok {
				return b, true
			}
		}
		if !read {
			read = true
			if data, err := bounded.ReadFS(fsys, path.Join(dir, BaseImageFile)); err == nil {
				var b BaseImage
				if json.Unmarshal(data, &b) == nil && b.Ref != "" {
					recorded = &b
				}
			}
		}
		if recorded != nil && recorded.Ref == ref {
			return *recorded, true
		}
		return BaseImage{}, false
	}
}

// knownBase is the recorded config of the final image's base, when the
// FROM is a plain reference kiln was told about.
func (d *dockerfile) knownBase() (BaseImage, bool) {
	if d.facts.base == nil {
		return BaseImage{}, false
	}
	ref := d.rootBase()
	if ref == "" {
		return BaseImage{}, false
	}
	return d.facts.base(ref)
}
