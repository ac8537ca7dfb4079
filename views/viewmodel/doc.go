// Package viewmodel builds what each page of the dashboard shows, as plain
// data read from one model snapshot. The same values are the bodies of the
// JSON API under /api/v1 (documented in docs/api.md), so the JSON contract
// is fixed here and an HTML change in package views cannot alter it.
package viewmodel
