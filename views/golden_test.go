package views_test

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/internal/golden"
	"github.com/netviz/netviz/views"
)

// cluster is the fixture cluster as a snapshot.
func cluster(t *testing.T, extra ...model.Change) *model.Snapshot {
	t.Helper()
	return fixture.Snapshot(append(fixture.Cluster(), extra...)...)
}

// chrome is the page chrome of a fixture page, with fixed asset URLs.
func chrome(snap *model.Snapshot, view string) views.Chrome {
	return views.Chrome{
		Assets:  views.Assets{CSS: "/static/v/app.css", JS: "/static/v/app.js", HTMX: "/static/v/htmx.js", WS: "/static/v/ws.js"},
		View:    view,
		Version: snap.Version(),
		Status:  snap.Status(),
	}
}

// renderPage renders a whole document.
func renderPage(t *testing.T, p views.Page) string {
	t.Helper()
	return renderString(t, views.Document(p))
}

// renderString renders any component.
func renderString(t *testing.T, c templ.Component) string {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	return buf.String()
}

// doc parses rendered HTML for data-testid assertions.
func doc(t *testing.T, html string) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return d
}

// testid selects elements by data-testid.
func testid(id string) string { return `[data-testid="` + id + `"]` }

// text is the whitespace-collapsed text of a selection.
func text(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

var (
	tagStart = regexp.MustCompile(`>\s*<`)
	svgElem  = regexp.MustCompile(`(?s)<svg[ >].*?</svg>`)
)

// normalise puts every tag on its own line, so golden diffs point at the
// element that changed rather than at one huge line, and reduces inline SVG
// diagrams to a marker: views/diagram has golden files of its own, and the
// pages' goldens should not change with every layout tweak.
func normalise(html string) string {
	html = svgElem.ReplaceAllString(html, "<svg><!-- diagram --></svg>")
	return strings.TrimSpace(tagStart.ReplaceAllString(html, ">\n<")) + "\n"
}

// assertGolden compares html, normalised, with testdata/<name>.golden.html.
func assertGolden(t *testing.T, name, html string) {
	t.Helper()
	golden.Assert(t, filepath.Join("testdata", name+".golden.html"), []byte(normalise(html)))
}
