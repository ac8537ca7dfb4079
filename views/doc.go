// Package views renders netviz's pages as HTML. It holds only presentation:
// the templ components (*.templ, with their generated *_templ.go files,
// which are committed; run `go tool templ generate -path views`), the page
// frame they fill (Page, Chrome, Fragment, Form in page.go), and helpers that
// exist for HTML alone (CSS classes, number and time formatting, the reach
// links of a service's flow).
//
// What a page shows is decided elsewhere: package viewmodel builds it as
// plain data from one model snapshot, and the same values are the JSON bodies
// of /api/v1 (docs/api.md). A page function here (OverviewPage,
// AllocationPage, …) takes such a value and arranges it into fragments;
// Document renders a whole page and Push the fragments a live page swaps in.
// Nothing here may decide what data a page holds, so that changing the HTML
// cannot change the API. Diagrams come from package diagram.
package views
