package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Browser geometry: 1400 px wide, as the screenshots in the README.
const (
	viewWidth  = 1400
	viewHeight = 900
)

// pageWait bounds each wait for the browser (a page to connect, a push to
// arrive). A safety net against hangs, not a timing assertion.
const pageWait = 60 * time.Second

// chromiumPath is Debian's chromium package (scripts/deps.sh installs it).
const chromiumPath = "/usr/bin/chromium"

// startBrowser launches one headless Chromium with a fresh profile and
// returns a context that tabs are opened from. The flags keep it from
// contacting any host but the netviz server on 127.0.0.1: no background
// networking, component updates, sync or QUIC, and a host resolver that
// resolves nothing but loopback.
func startBrowser(ctx context.Context) (context.Context, func() error, error) {
	profile, err := os.MkdirTemp("", "netviz-e2e-chromium-")
	if err != nil {
		return nil, nil, fmt.Errorf("chromium profile: %w", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(viewWidth, viewHeight),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"),
		chromedp.Flag("hide-scrollbars", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	stop := func() error {
		cancelBrowser()
		cancelAlloc()
		return os.RemoveAll(profile)
	}
	// The first Run starts the browser; it lives as long as browser.
	if err := chromedp.Do(browser); err != nil {
		_ = stop()
		return nil, nil, fmt.Errorf("start chromium: %w", err)
	}
	return browser, stop, nil
}

// newTab opens a tab of the shared browser, 1400 px wide, closed when the
// test ends.
func newTab(t *testing.T) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(env.browser)
	t.Cleanup(cancel)
	if err := chromedp.Do(tab, chromedp.EmulateViewport(viewWidth, viewHeight)); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	return tab
}

// open loads a netviz page (path and query) in the tab and waits until its
// live connection is up, so pushes from now on reach it.
func open(t *testing.T, tab context.Context, path string) {
	t.Helper()
	if err := chromedp.Do(tab, chromedp.Navigate(env.base+path)); err != nil {
		t.Fatalf("navigate to %s: %v", path, err)
	}
	poll[bool](t, tab, "live connection on "+path,
		`document.getElementById("conn-state")?.dataset.state === "connected"`)
}

// poll waits, in the page, until the JavaScript expression is truthy and
// returns its value.
func poll[T any](t *testing.T, tab context.Context, what, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tab, chromedp.Poll[T](expr,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(pageWait)))
	if err != nil {
		t.Fatalf("page never showed %s: %v", what, err)
	}
	return v
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, tab context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tab, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// js writes a Go value (a string, a slice of them) as a JavaScript literal.
func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only strings and slices of them are passed
	}
	return string(b)
}

// jsText is a JavaScript function giving an element's visible text: its
// text without SVG <title> tooltips, whitespace collapsed.
const jsText = `(el) => {
	const c = el.cloneNode(true);
	c.querySelectorAll("title").forEach((x) => x.remove());
	return c.textContent.replace(/\s+/g, " ").trim();
}`

// element is what a test reads of one element.
type element struct {
	Found bool   `json:"found"`
	Text  string `json:"text"`
	Class string `json:"class"`
}

// byTestID reads the element with that data-testid.
func byTestID(t *testing.T, tab context.Context, id string) element {
	t.Helper()
	return eval[element](t, tab, fmt.Sprintf(`(() => {
		const el = document.querySelector('[data-testid="' + CSS.escape(%s) + '"]');
		if (!el) return {found: false, text: "", class: ""};
		return {found: true, text: (%s)(el), class: el.getAttribute("class") || ""};
	})()`, js(id), jsText))
}

// texts reads the visible text of every element matching a CSS selector.
func texts(t *testing.T, tab context.Context, selector string) []string {
	t.Helper()
	return eval[[]string](t, tab, fmt.Sprintf(`Array.from(document.querySelectorAll(%s), %s)`, js(selector), jsText))
}

// testIDs lists the data-testid values that start with prefix.
func testIDs(t *testing.T, tab context.Context, prefix string) []string {
	t.Helper()
	return eval[[]string](t, tab, fmt.Sprintf(`Array.from(document.querySelectorAll("[data-testid]"), (el) => el.dataset.testid)
		.filter((id) => id.startsWith(%s))`, js(prefix)))
}
