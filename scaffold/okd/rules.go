package okd

import (
	"strconv"
	"strings"
	"sync"

	"go.podman.io/image/v5/docker/reference"
	"k8s.io/apimachinery/pkg/api/resource"
)

// ParseImage checks that ref is an image reference as podman reads it
// ([registry/]name[:tag][@digest]).
func ParseImage(ref string) error {
	_, err := reference.ParseNormalizedNamed(ref)
	return err
}

// TagState says how a FROM reference pins its base (G02).
type TagState int

const (
	// Pinned: the reference names a tag other than latest, or a digest.
	Pinned TagState = iota
	// Untagged: no tag, which means latest.
	Untagged
	// Latest: the tag latest, which moves.
	Latest
)

// FromTag reads how ref pins its base (G02): a digest pins it; a reference
// without a tag means latest. ref need not be a valid reference: kiln lint
// reads Dockerfiles as they are, so only the last path element is looked at.
func FromTag(ref string) TagState {
	if strings.Contains(ref, "@") {
		return Pinned
	}
	last := ref[strings.LastIndex(ref, "/")+1:]
	_, tag, ok := strings.Cut(last, ":")
	switch {
	case !ok:
		return Untagged
	case strings.EqualFold(tag, "latest"):
		return Latest
	}
	return Pinned
}

// ValidTag reports whether tag can tag an image: letters, digits, '_', '.'
// and '-', not starting with '.' or '-', at most 128 characters (the OCI
// distribution spec's tag grammar).
func ValidTag(tag string) bool {
	if tag == "" || len(tag) > 128 || tag[0] == '.' || tag[0] == '-' {
		return false
	}
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		if !(isAlnum(c) || c >= 'A' && c <= 'Z' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// PrivilegedPort reports whether port is below 1024, which the arbitrary
// non-root UID OKD assigns cannot bind (G17).
func PrivilegedPort(port int) bool { return port < 1024 }

// MaxUID is the largest UID Linux and OKD's UID ranges accept.
const MaxUID = 2147483647

// NonRootUID reports whether uid is a numeric, non-root user (G18).
func NonRootUID(uid int) bool { return uid > 0 && uid <= MaxUID }

// UserKind classifies the user part of a USER instruction (G18).
type UserKind int

const (
	// NonRoot is a numeric UID other than 0.
	NonRoot UserKind = iota
	// Root is 0 or root.
	Root
	// Named is a user name, which OKD cannot compare with its UID range.
	Named
)

// User classifies USER's argument (user[:group]).
func User(spec string) UserKind {
	user, _, _ := strings.Cut(spec, ":")
	if user == "root" {
		return Root
	}
	n, err := strconv.ParseUint(user, 10, 32)
	switch {
	case err != nil:
		return Named
	case n == 0:
		return Root
	case !NonRootUID(int(n)):
		return Named
	}
	return NonRoot
}

// Quantity checks a Kubernetes quantity, the form io.openshift.min-memory
// and io.openshift.min-cpu take (G23).
func Quantity(v string) (resource.Quantity, error) { return resource.ParseQuantity(v) }

// The labels OKD and s2i read (G14, G23, G24).
const (
	LabelDescription    = "io.k8s.description"
	LabelDisplayName    = "io.k8s.display-name"
	LabelTags           = "io.openshift.tags"
	LabelWants          = "io.openshift.wants"
	LabelExposeServices = "io.openshift.expose-services"
	LabelNonScalable    = "io.openshift.non-scalable"
	LabelMinMemory      = "io.openshift.min-memory"
	LabelMinCPU         = "io.openshift.min-cpu"
	LabelScriptsURL     = "io.openshift.s2i.scripts-url"
	LabelAssembleUser   = "io.openshift.s2i.assemble-user"
)

// KnownLabels are keys that tools look up by exact spelling: OKD's, s2i's
// and the OCI image annotations'. A key that differs from one of them only
// in case is a misspelling that every tool ignores.
var KnownLabels = []string{
	LabelDescription, LabelDisplayName, LabelTags, LabelWants, LabelExposeServices,
	LabelNonScalable, LabelMinMemory, LabelMinCPU, LabelScriptsURL, LabelAssembleUser,
	"io.openshift.s2i.destination", "io.openshift.build.image", "io.openshift.build.source-location",
	"org.opencontainers.image.title", "org.opencontainers.image.description", "org.opencontainers.image.version",
	"org.opencontainers.image.source", "org.opencontainers.image.licenses", "org.opencontainers.image.vendor",
	"org.opencontainers.image.url", "org.opencontainers.image.documentation", "org.opencontainers.image.authors",
	"org.opencontainers.image.revision", "org.opencontainers.image.created", "org.opencontainers.image.ref.name",
	"org.opencontainers.image.base.name", "org.opencontainers.image.base.digest",
}

// ReservedLabelPrefixes are namespaces Docker reserves for its own use.
var ReservedLabelPrefixes = []string{"com.docker.", "io.docker.", "org.dockerproject."}

// LabelKey says what is wrong with a label key, or "" when nothing is.
//
// Neither the OCI image spec nor Docker rejects a non-empty key: lower-case
// reverse-DNS (com.example.team) is what they recommend, not a rule, and
// vendors use other forms (Red Hat requires com.redhat.license_terms, with
// an underscore; example.com/team is common too). What does go wrong, and
// is reported: an empty key (the build fails), characters that need quoting
// in a Dockerfile and that label filters cannot name (blanks, quotes, '=',
// '$', control characters), a key in a namespace Docker reserves, and a
// known key spelt with other capitals, which every tool then ignores (G23).
func LabelKey(k string) string {
	if k == "" {
		return "is empty"
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(isAlnum(c) || c >= 'A' && c <= 'Z' || strings.IndexByte("._-/:", c) >= 0) {
			return "contains " + strconv.QuoteRune(rune(c)) + "; keep keys to letters, digits and . _ - / :"
		}
	}
	lower := strings.ToLower(k)
	for _, p := range ReservedLabelPrefixes {
		if strings.HasPrefix(lower, p) {
			return "is in the " + strings.TrimSuffix(p, ".") + " namespace, which Docker reserves for itself"
		}
	}
	// k is ASCII here, so lower-case equality is strings.EqualFold
	if known, ok := knownLabelsLower()[lower]; ok && known != k {
		return "differs from " + known + " only in case; tools look labels up by exact key"
	}
	return ""
}

// knownLabelsLower maps each of KnownLabels, lower-cased, to its spelling:
// lint asks LabelKey for every label key.
var knownLabelsLower = sync.OnceValue(func() map[string]string {
	m := make(map[string]string, len(KnownLabels))
	for _, k := range KnownLabels {
		if _, dup := m[strings.ToLower(k)]; !dup {
			m[strings.ToLower(k)] = k // the first, as a scan of the list finds
		}
	}
	return m
})

// SplitList splits a comma-separated label value (io.openshift.tags,
// io.openshift.wants) into its words.
func SplitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// TagWord reports whether t can be one of io.openshift.tags' or
// io.openshift.wants' words: lower-case letters, digits and . _ + -,
// starting with a letter or digit. A blank inside a word means the list was
// separated by spaces instead of commas.
func TagWord(t string) bool {
	if t == "" || !isAlnum(t[0]) {
		return false
	}
	for i := 0; i < len(t); i++ {
		if c := t[i]; !(isAlnum(c) || strings.IndexByte("._+-", c) >= 0) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
