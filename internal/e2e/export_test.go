//go:build integration

package e2e_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/exportcheck"
	"github.com/netviz/netviz/views/export"
)

// mermaidJS is the Mermaid library, vendored gzipped from its npm package
// (mermaid 11.17.2, MIT licence in testdata/mermaid-LICENSE), so the test
// renders exports with the real thing without fetching anything.
const mermaidJS = "testdata/mermaid-11.17.2.min.js.gz"

// TestExports fetches every page and view of the real cluster in every
// format, with the hostile job running so its names are in the files:
// status, media type, download name and validity (DOT parsed by Graphviz,
// Mermaid statement by statement, SVG as standalone XML). Then Chromium
// opens each SVG as a document and the Mermaid library renders each
// flowchart, and neither may throw, log an error, load anything or run
// the names' script.
func TestExports(t *testing.T) {
	ctx := context.Background()
	job, err := env.cluster.Run(ctx, xssJobFile)
	if err != nil {
		t.Fatalf("register the hostile job: %v", err)
	}
	jobID := *job.ID
	var hostile *model.Allocation
	t.Cleanup(func() { removeHostile(t, jobID, hostile) })
	waitModel(t, "the hostile job running", func(s *model.Snapshot) error {
		for _, a := range s.AllocationsOfJob("default", jobID) {
			if a.ClientStatus == "running" {
				hostile = a
			}
		}
		if hostile == nil || len(s.ServicesNamed("xss-web")) == 0 {
			return errors.New("no running allocation with its service yet")
		}
		return nil
	})
	app := allocOf(t, env.store.Snapshot(), "mesh", "app")

	paths := []string{
		"/",
		"/?job=mesh",
		"/topology",
		"/topology?namespace=default&job=" + url.QueryEscape(jobID),
		"/allocations/" + app.ID,
		"/allocations/" + hostile.ID,
		"/nodes/" + app.NodeID,
		"/services",
		"/services?q=redis",
		"/services/redis",
		"/services/xss-web",
		"/reach?from=app&to=redis",
		"/reach",
		"/api/v1/warnings",
		"/api/v1/graph?job=mesh",
	}
	var svgs, flowcharts []string
	for _, p := range paths {
		for _, f := range export.Formats {
			u := p + "&format=" + string(f)
			if !strings.Contains(p, "?") {
				u = p + "?format=" + string(f)
			}
			body := fetchExport(t, u, f)
			switch f {
			case export.FormatSVG:
				svgs = append(svgs, u, string(body))
			case export.FormatMermaid:
				flowcharts = append(flowcharts, u, string(body))
			}
		}
	}
	t.Run("SVG opened in Chromium", func(t *testing.T) { openSVGs(t, svgs, "ok") })
	t.Run("Mermaid rendered by mermaid.js", func(t *testing.T) { renderMermaid(t, flowcharts, "ok") })
	// Controls: without them the checks above could pass because they
	// can see nothing. A script in an SVG runs, a broken flowchart fails.
	t.Run("control: an SVG with a script", func(t *testing.T) {
		openSVGs(t, []string{"control", `<svg xmlns="http://www.w3.org/2000/svg" onload="window.__xss=9"><rect width="9" height="9"/></svg>`},
			"the payload ran: 9")
	})
	t.Run("control: a broken flowchart", func(t *testing.T) {
		renderMermaid(t, []string{"control", "flowchart LR\n  n0[\"a\"] --> \n"}, "render failed")
	})
}

// fetchExport gets one export and checks what every export must be.
func fetchExport(t *testing.T, path string, f export.Format) []byte {
	t.Helper()
	resp, err := http.Get(env.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %.300s", path, resp.StatusCode, body)
	}
	want, _, _ := strings.Cut(f.ContentType(), ";")
	if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, want) {
		t.Errorf("GET %s: Content-Type %q, want %q", path, got, want)
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != "" || !strings.HasPrefix(path, "/api/") || f != export.FormatJSON {
		kind, params, err := mime.ParseMediaType(cd)
		if err != nil || kind != "attachment" || !regexp.MustCompile(`^netviz[A-Za-z0-9._-]*\.`+f.Ext()+`$`).MatchString(params["filename"]) {
			t.Errorf("GET %s: Content-Disposition %q (%v)", path, cd, err)
		}
	}
	if err := exportcheck.Check(f, body); err != nil {
		t.Errorf("GET %s: %v\n%.2000s", path, err, body)
	}
	return body
}

// openSVGs opens each SVG file as Chromium's document, as a person opening
// the download would, and checks it draws, styled, and runs nothing.
func openSVGs(t *testing.T, svgs []string, want string) {
	tab := hostileTab(t)
	for i := 0; i < len(svgs); i += 2 {
		name, svg := svgs[i], svgs[i+1]
		if err := chromedp.Do(tab, chromedp.Navigate("data:image/svg+xml;base64,"+base64.StdEncoding.EncodeToString([]byte(svg)))); err != nil {
			t.Fatalf("open %s: %v", name, err)
		}
		poll[bool](t, tab, name+" loaded", `document.readyState === "complete"`)
		got := eval[string](t, tab, `(() => {
			const r = document.documentElement;
			if (r.tagName !== "svg") return "root " + r.tagName;
			if (!(r.getBBox().width > 0)) return "nothing drawn";
			if (typeof window.__xss !== "undefined") return "the payload ran: " + window.__xss;
			if (document.querySelector("script, foreignObject, [onload], [onerror]")) return "active content";
			const ns = document.querySelector(".ns rect");
			if (ns && getComputedStyle(ns).strokeDasharray === "none") return "the embedded style is not applied";
			return "ok";
		})()`)
		if !strings.HasPrefix(got, want) {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
	}
}

// renderMermaid loads the vendored Mermaid into a blank page and renders
// each flowchart, inserting the result into the page.
func renderMermaid(t *testing.T, flowcharts []string, want string) {
	src, err := gunzipFile(mermaidJS)
	if err != nil {
		t.Fatalf("read %s: %v", mermaidJS, err)
	}
	tab := hostileTab(t)
	if err := chromedp.Do(tab, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	// Large topologies pass Mermaid's default limits (50,000 characters,
	// 500 arrows), which docs/api.md tells users to raise.
	setup := string(src) + `;
		mermaid.initialize({startOnLoad: false, securityLevel: "strict", maxTextSize: 1e7, maxEdges: 1e5});
		typeof mermaid.render`
	if got := eval[string](t, tab, setup); got != "function" {
		t.Fatalf("mermaid did not load: mermaid.render is %s", got)
	}
	for i := 0; i < len(flowcharts); i += 2 {
		name, text := flowcharts[i], flowcharts[i+1]
		v, err := chromedp.Run(tab, chromedp.Evaluate[string](fmt.Sprintf(`(async () => {
			try {
				const {svg} = await mermaid.render("export%d", %s);
				document.body.innerHTML = svg;
			} catch (e) {
				return "render failed: " + (e.message || e);
			}
			await new Promise((r) => setTimeout(r, 50));
			if (typeof window.__xss !== "undefined") return "the payload ran: " + window.__xss;
			if (document.body.querySelector("script, img, iframe, [onload], [onerror]")) return "active content";
			if (!document.body.querySelector("svg g")) return "nothing drawn";
			return "ok";
		})()`, i/2, js(text)), chromedp.EvalAwaitPromise))
		if err != nil || !strings.HasPrefix(v, want) {
			t.Errorf("%s: %s %v, want %s\n%.3000s", name, v, err, want, text)
		}
	}
}

// gunzipFile reads a gzipped file.
func gunzipFile(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
