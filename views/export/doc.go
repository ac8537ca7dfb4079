// Package export turns every page with a diagram or view into a file to
// download: SVG (the page's own picture as a standalone document, or, for
// a view the page shows as tables, Graphviz's drawing of its graph), DOT
// (what Graphviz lays out) and Mermaid (a flowchart). JSON, the fourth
// format, is the page's /api/v1 body, which the server serves itself.
//
// Views drawn by package diagram export the DOT its builder writes and the
// SVG its Drawer caches; the others are built here as a Graph from their
// view model. Either way no name from the cluster becomes an identifier:
// identifiers are generated, and labels are quoted (DOT) or entity-encoded
// (Mermaid), so a job called `"]; evil` stays a label.
package export
