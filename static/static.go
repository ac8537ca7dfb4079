// Package static holds netviz's browser assets (stylesheet, page script and the
// vendored htmx files), embedded so the binary serves them with no network and
// no files beside it.
package static

import "embed"

// FS is the embedded asset tree: app.css, app.js and vendor/.
//
//go:embed app.css app.js vendor
var FS embed.FS
