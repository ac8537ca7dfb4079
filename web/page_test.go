package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/fixture"
)

func TestPages(t *testing.T) {
	_, base := handlerServer(t)

	cases := []struct {
		path   string
		status int
		testid string // an element the page must hold
	}{
		{"/", 200, "counts"},
		{"/?job=web&q=app", 200, "counts"},
		{"/topology", 200, "topology-diagram"},
		{"/allocations/" + fixture.AllocWeb, 200, "port-map"},
		{"/allocations/a1c0ffee", http.StatusMultipleChoices, "candidates"},
		{"/allocations/ffffffff", 404, "no-candidates"},
		{"/nodes/" + fixture.NodeA, 200, "node-ports"},
		{"/nodes/nope", 404, "not-found"},
		{"/services", 200, "services"},
		{"/services/api", 200, "service-flow"},
		{"/reach", 200, "reach-idle"},
		{"/reach?from=web&to=api", 200, "reach-verdict"},
		{"/services/" + url.PathEscape("<b>x</b>"), 404, "not-found"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			status, h, body := get(t, base, tc.path)
			if status != tc.status {
				t.Fatalf("status %d, want %d", status, tc.status)
			}
			if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type %q", ct)
			}
			if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") {
				t.Error("no Content-Security-Policy")
			}
			if !strings.Contains(string(body), `data-testid="`+tc.testid+`"`) {
				t.Errorf("page lacks data-testid=%q", tc.testid)
			}
			if strings.Contains(string(body), "<b>x</b>") {
				t.Error("path echoed unescaped")
			}
		})
	}
}

var assetRef = regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`)

// TestAssets fetches every asset a page refers to: each is served from the
// embedded files under a content-versioned URL with a long cache lifetime.
func TestAssets(t *testing.T) {
	_, base := handlerServer(t)

	_, _, page := get(t, base, "/")
	refs := assetRef.FindAllStringSubmatch(string(page), -1)
	if len(refs) != 4 {
		t.Fatalf("page refers to %d assets, want 4 (css, htmx, ws, app)", len(refs))
	}
	for _, r := range refs {
		status, h, body := get(t, base, r[1])
		if status != 200 || len(body) == 0 {
			t.Errorf("%s: status %d, %d bytes", r[1], status, len(body))
		}
		if cc := h.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s: Cache-Control %q", r[1], cc)
		}
	}
	status, h, _ := get(t, base, "/static/0000000000/app.css")
	if status != 200 || strings.Contains(h.Get("Cache-Control"), "immutable") {
		t.Errorf("stale version: status %d, Cache-Control %q; want the file, not cached for long", status, h.Get("Cache-Control"))
	}
	if status, _, _ := get(t, base, "/healthz"); status != 200 {
		t.Errorf("/healthz status %d", status)
	}
	if resp, err := http.Head(base + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Errorf("HEAD /healthz: %v %v", resp, err)
	}
}

// TestCompression: a browser asking for gzip gets the page and the htmx
// script compressed.
func TestCompression(t *testing.T) {
	_, base := handlerServer(t)
	for _, path := range []string{"/", "/static/x/vendor/htmx.min.js"} {
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: status %d, Content-Encoding %q", path, resp.StatusCode, resp.Header.Get("Content-Encoding"))
		}
	}
}
