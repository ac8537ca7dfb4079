// Package e2e holds netviz's browser end-to-end tests: one real Nomad and
// Consul dev cluster running the example jobs, the collector and web server
// on it, and headless Chromium (driven by chromedp) loading the pages from
// 127.0.0.1. The package has no code outside its tests, and they build
// only with the integration tag.
//
// Run it with `go test -race -count=1 -tags integration ./internal/e2e/`; set
// NETVIZ_SCREENSHOTS=1 to rewrite the PNGs under docs/screenshots/.
package e2e
