package views_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.html from the current output")

// cluster is the fixture cluster as a snapshot.
func cluster(t *testing.T, extra ...model.Change) *model.Snapshot {
	t.Helper()
	st := model.NewStore()
	st.Apply(fixture.Cluster()...)
	if len(extra) > 0 {
		st.Apply(extra...)
	}
	return st.Snapshot()
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

// golden compares html with testdata/<name>.golden.html, or rewrites it under -update.
func golden(t *testing.T, name, html string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden.html")
	got := normalise(html)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file; run `go test ./views -run %s -update` and review the diff.\n%s", path, t.Name(), firstDiff(string(want), got))
	}
}

// firstDiff shows the first differing line of two normalised documents.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) && i < len(g); i++ {
		if w[i] != g[i] {
			return "line " + strconv.Itoa(i+1) + ":\n want: " + w[i] + "\n  got: " + g[i]
		}
	}
	return "lengths differ: want " + strconv.Itoa(len(w)) + " lines, got " + strconv.Itoa(len(g))
}
