//go:build integration

package e2e_test

import (
	"bytes"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// screenshotDir is where the README's screenshots live, from this package.
const screenshotDir = "../../docs/screenshots"

// TestScreenshots captures every page, full length and 1400 px wide. It
// writes them to docs/screenshots only when NETVIZ_SCREENSHOTS=1, so that a
// plain `make test` leaves the committed images alone; otherwise it still
// checks that each page renders to an image of that width.
func TestScreenshots(t *testing.T) {
	write := os.Getenv("NETVIZ_SCREENSHOTS") == "1"
	snap := env.store.Snapshot()
	app := allocOf(t, snap, "mesh", "app")
	pages := []struct{ file, path string }{
		{"overview.png", "/"},
		{"topology.png", "/topology"},
		{"allocation.png", "/allocations/" + app.ID},
		{"node.png", "/nodes/" + app.NodeID},
		{"services.png", "/services"},
		{"service.png", "/services/redis"},
	}
	// The reach page is newer than this test; take it once it exists.
	if exists(t, "/reach?from=app&to=redis") {
		pages = append(pages, struct{ file, path string }{"reach.png", "/reach?from=app&to=redis"})
	}
	if write {
		if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range pages {
		t.Run(p.file, func(t *testing.T) {
			tab := newTab(t)
			open(t, tab, p.path)
			img, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot of %s: %v", p.path, err)
			}
			cfg, err := png.DecodeConfig(bytes.NewReader(img))
			if err != nil {
				t.Fatalf("screenshot of %s is no PNG: %v", p.path, err)
			}
			if cfg.Width != viewWidth {
				t.Errorf("screenshot of %s is %d px wide, want %d", p.path, cfg.Width, viewWidth)
			}
			if !write {
				return
			}
			if err := os.WriteFile(filepath.Join(screenshotDir, p.file), img, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s (%d×%d)", p.file, cfg.Width, cfg.Height)
		})
	}
}

// exists reports whether the server answers path with 200 OK.
func exists(t *testing.T, path string) bool {
	t.Helper()
	resp, err := http.Get(env.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
