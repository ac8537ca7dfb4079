package web_test

import (
	"html"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/exportcheck"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views/export"
)

// exportPaths are the pages and API views that export, with a filter or
// question where the page takes one.
var exportPaths = []string{
	"/",
	"/?job=web",
	"/topology",
	"/topology?namespace=default&job=web&node=client-a&q=app",
	"/allocations/" + fixture.AllocWeb,
	"/nodes/" + fixture.NodeA,
	"/services",
	"/services?q=api",
	"/services/api",
	"/reach?from=web&to=api",
	"/reach",
	"/api/v1/warnings",
	"/api/v1/graph?job=web",
}

// TestExportFormats fetches every format of every view and checks the
// status, media type, download name and that the file is valid.
func TestExportFormats(t *testing.T) {
	st, base := handlerServer(t)
	st.Apply(fixture.Hostile()...)
	// The hostile node's and service's names hold a slash, which no page
	// address can (parseRoute); they are drawn in the topology, the model
	// and the warnings, and the hostile allocation has a page.
	paths := append(exportPaths, "/allocations/"+fixture.HostileAlloc)
	for _, p := range paths {
		for _, f := range export.Formats {
			u := withFormat(p, string(f))
			t.Run(u, func(t *testing.T) {
				status, h, body := get(t, base, u)
				if status != http.StatusOK {
					t.Fatalf("status %d: %s", status, body)
				}
				if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, strings.Split(f.ContentType(), ";")[0]) {
					t.Errorf("Content-Type %q, want %q", ct, f.ContentType())
				}
				checkDisposition(t, h, f)
				if err := exportcheck.Check(f, body); err != nil {
					t.Errorf("%v\n%s", err, body)
				}
			})
		}
	}
}

// checkDisposition wants an attachment with a plain, safe file name.
func checkDisposition(t *testing.T, h http.Header, f export.Format) {
	t.Helper()
	if strings.HasPrefix(h.Get("Content-Type"), "application/json") && h.Get("Content-Disposition") == "" {
		return // an API view's JSON is its plain body
	}
	kind, params, err := mime.ParseMediaType(h.Get("Content-Disposition"))
	if err != nil || kind != "attachment" {
		t.Fatalf("Content-Disposition %q: %v", h.Get("Content-Disposition"), err)
	}
	if !regexp.MustCompile(`^netviz[A-Za-z0-9._-]*\.` + regexp.QuoteMeta(f.Ext()) + `$`).MatchString(params["filename"]) {
		t.Errorf("file name %q", params["filename"])
	}
}

// TestExportErrors: an unknown format is refused, a missing page answers
// as its API twin, and a hostile name never reaches a header.
func TestExportErrors(t *testing.T) {
	_, base := handlerServer(t)
	for path, want := range map[string]int{
		"/topology?format=png":               http.StatusBadRequest,
		"/topology?format=%3Cscript%3E":      http.StatusBadRequest,
		"/nodes/nope?format=svg":             http.StatusNotFound,
		"/allocations/a1c0ffee?format=dot":   http.StatusMultipleChoices,
		"/services/nope?format=mermaid":      http.StatusNotFound,
		"/reach?from=web&to=nope&format=svg": http.StatusNotFound,
	} {
		status, h, body := get(t, base, path)
		if status != want {
			t.Errorf("%s: status %d, want %d: %s", path, status, want, body)
		}
		if h.Get("Content-Disposition") != "" {
			t.Errorf("%s: an error is a download: %q", path, h.Get("Content-Disposition"))
		}
	}
}

// TestExportLinks: every page offers its downloads and a deep link that
// keep all of its query parameters, those netviz does not know included
// (keep= stands for any: ?at= needs a history, which this server lacks).
func TestExportLinks(t *testing.T) {
	_, base := handlerServer(t)
	href := regexp.MustCompile(`<a href="([^"]*)"[^>]*data-testid="(deep-link|export-[^"]*)"`)
	for _, p := range []string{"/?job=web&keep=1", "/topology?namespace=default&q=a%26b&keep=2026-11-29T04%3A00%3A00Z", "/services/api", "/reach?from=web&to=api"} {
		status, _, body := get(t, base, p)
		if status != http.StatusOK {
			t.Fatalf("%s: status %d", p, status)
		}
		want, _ := url.Parse(p)
		links := map[string]string{}
		for _, m := range href.FindAllStringSubmatch(string(body), -1) {
			links[m[2]] = html.UnescapeString(m[1])
		}
		if len(links) < 1+len(export.Formats) {
			t.Fatalf("%s: links %v", p, links)
		}
		for id, l := range links {
			got, err := url.Parse(l)
			if err != nil {
				t.Fatalf("%s: link %q: %v", p, l, err)
			}
			for k, v := range want.Query() {
				if got.Query().Get(k) != v[0] {
					t.Errorf("%s: %s link %q lost %s=%s", p, id, l, k, v[0])
				}
			}
			if id == "deep-link" && (got.Path != want.Path || got.Query().Has("format")) {
				t.Errorf("%s: deep link %q", p, l)
			}
			if f := got.Query().Get("format"); id != "deep-link" && !strings.HasSuffix(id, "-"+f) {
				t.Errorf("%s: %s link has format %q", p, id, f)
			}
		}
		if p == "/?job=web&keep=1" && (links["export-warnings-svg"] == "" || links["export-whole model-dot"] == "") {
			t.Errorf("overview lacks the warnings and model downloads: %v", links)
		}
	}
}

// withFormat adds ?format= to a path.
func withFormat(path, f string) string {
	if strings.Contains(path, "?") {
		return path + "&format=" + f
	}
	return path + "?format=" + f
}

// TestExportSVGIsThePagePicture: the topology and allocation SVGs are the
// pictures their pages show: same size, same boxes, same arrows.
func TestExportSVGIsThePagePicture(t *testing.T) {
	_, base := handlerServer(t)
	attr := regexp.MustCompile(`(?:viewBox|data-testid)="[^"]*"`)
	for _, p := range []string{"/topology?job=web", "/allocations/" + fixture.AllocWeb} {
		_, _, page := get(t, base, p)
		_, _, svg := get(t, base, withFormat(p, "svg"))
		inline := regexp.MustCompile(`(?s)<svg.*?</svg>`).Find(page)
		if inline == nil {
			t.Fatalf("%s has no picture", p)
		}
		want, got := attr.FindAll(inline, -1), attr.FindAll(svg, -1)
		if len(want) < 5 || len(got) != len(want) {
			t.Fatalf("%s: the page's picture has %d ids and sizes, the export %d", p, len(want), len(got))
		}
		for i := range want {
			if string(got[i]) != html.UnescapeString(string(want[i])) {
				t.Errorf("%s: export has %s where the page has %s", p, got[i], want[i])
			}
		}
	}
}

// TestExportTooLarge: an SVG Graphviz would take seconds to lay out is
// refused with a reason (422); DOT and Mermaid of it are served.
func TestExportTooLarge(t *testing.T) {
	st, base := handlerServer(t)
	st.Apply(fixture.Generate(fixture.SyntheticConfig{Nodes: 10, Allocations: 1000, Seed: 1}).Changes()...)
	status, _, body := get(t, base, "/api/v1/graph?format=svg")
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(body), "narrow the view with the filter") {
		t.Errorf("status %d: %s", status, body)
	}
	for _, f := range []string{"dot", "mermaid"} {
		if status, _, _ := get(t, base, "/api/v1/graph?format="+f); status != http.StatusOK {
			t.Errorf("%s: status %d", f, status)
		}
	}
}
