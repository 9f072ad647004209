package scaffold

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"

	"github.com/github/go-spdx/v2/spdxexp"

	"github.com/kiln-s2i/kiln/scaffold/okd"
)

// checkSourceURL: org.opencontainers.image.source is a URL users follow to
// the builder's repo, so it must be one.
func checkSourceURL(c *checker, source string) {
	if source == "" || c.has("source") {
		return
	}
	u, err := url.Parse(source)
	if err != nil || !slices.Contains([]string{"http", "https", "git", "ssh"}, u.Scheme) || u.Host == "" {
		c.add("source", source, "is not a URL", "write the repo's URL with its scheme, e.g. https://github.com/me/my-builder")
	}
}

// checkLicenses: org.opencontainers.image.licenses is an SPDX license
// expression, checked against the SPDX license list that go-spdx maintains.
func checkLicenses(c *checker, licenses string) {
	if licenses == "" || c.has("licenses") {
		return
	}
	if ok, _ := spdxexp.ValidateLicenses([]string{licenses}); !ok {
		c.add("licenses", licenses, "is not an SPDX license expression", "use SPDX identifiers joined by AND or OR, e.g. Apache-2.0 or MIT OR Apache-2.0 (https://spdx.org/licenses/)")
	}
}

// checkUID says what is wrong with a UID that is not a non-root numeric
// user (G18): root, negative, or beyond the largest UID.
func checkUID(c *checker, uid int) {
	fix := "use a number such as 1001; OKD replaces it with an arbitrary UID in group 0 at run time"
	switch {
	case uid == 0:
		c.add("uid", "0", "is root, which OKD refuses to run (G18)", fix)
	case uid < 0:
		c.add("uid", strconv.Itoa(uid), "is negative: a UID is 1 or more (G18)", fix)
	case uid > okd.MaxUID:
		c.add("uid", strconv.Itoa(uid), fmt.Sprintf("is above %d, the largest UID (G18)", okd.MaxUID), fix)
	}
}

// has reports whether field already has a problem, so one value gets one.
func (c *checker) has(field string) bool {
	return slices.ContainsFunc(c.problems, func(p Problem) bool { return p.Field == field })
}
