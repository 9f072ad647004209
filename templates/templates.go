// Package templates holds the embedded templates kiln renders a builder repo from.
package templates

import "embed"

// FS holds every template: Dockerfile.tmpl, s2i/*.tmpl (the script skeletons),
// presets/NAME.tmpl (each preset's script bodies), testapp/NAME/ (test apps,
// copied as they are), and the rest of the repo's files.
//
//go:embed *.tmpl s2i presets testapp openshift
var FS embed.FS
