package image

import (
	"fmt"
	"strings"
)

// HumanBytes prints a size for people: 1.5 MiB. kiln push's progress, kiln
// verify's findings and the progress view all say sizes this way.
func HumanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// ShortDigest is the first 12 hex digits of a digest (sha256:…), as podman
// shows image IDs; anything else is returned as it is.
func ShortDigest(d string) string {
	if _, hex, ok := strings.Cut(d, ":"); ok && len(hex) >= 12 {
		return hex[:12]
	}
	return d
}
