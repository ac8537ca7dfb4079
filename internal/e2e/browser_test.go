//go:build integration

package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
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
// test ends. The test fails if a page in it throws, logs a console error or
// requests anything but the netviz server.
func newTab(t *testing.T) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(env.browser)
	if err := chromedp.Do(tab, chromedp.EmulateViewport(viewWidth, viewHeight)); err != nil {
		cancel()
		t.Fatalf("open tab: %v", err)
	}
	var p problems
	watched := []<-chan struct{}{
		watch(tab, &p, runtime.ExceptionThrown, func(e runtime.EventExceptionThrown) string {
			d := e.ExceptionDetails
			if d.Exception != nil && d.Exception.Description != "" {
				return "script exception: " + d.Exception.Description
			}
			return "script exception: " + d.Text
		}),
		watch(tab, &p, runtime.ConsoleAPICalled, func(e runtime.EventConsoleAPICalled) string {
			if e.Type != runtime.ConsoleAPICalledTypeError {
				return ""
			}
			var args []string
			for _, a := range e.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			return "console error: " + strings.Join(args, " ")
		}),
		watch(tab, &p, network.RequestWillBeSent, func(e network.EventRequestWillBeSent) string {
			u := e.Request.URL
			if strings.HasPrefix(u, env.base+"/") || strings.HasPrefix(u, "data:") || strings.HasPrefix(u, "about:") {
				return ""
			}
			return "request outside the netviz server: " + u
		}),
	}
	t.Cleanup(func() {
		cancel()
		for _, done := range watched {
			<-done
		}
		for _, s := range p.list {
			t.Errorf("%s", s)
		}
	})
	return tab
}

// problems are what a tab's pages did wrong, in the order seen.
type problems struct {
	mu   sync.Mutex
	list []string
}

// watch reports each event of the tab that judge finds wrong (a non-empty
// description) to p, until the tab closes; the channel closes then.
func watch[E any](tab context.Context, p *problems, ev cdp.Event[E], judge func(E) string) <-chan struct{} {
	events := chromedp.Events(tab, ev)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e, err := range events {
			if err != nil {
				return
			}
			if s := judge(e); s != "" {
				p.mu.Lock()
				p.list = append(p.list, s)
				p.mu.Unlock()
			}
		}
	}()
	return done
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
