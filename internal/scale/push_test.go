//go:build scale

package scale

import (
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/netviz/netviz/collector/model"
)

// pushJob is the job scaled up and down by one for each push measured.
const pushJob = "scale-000"

// browserWait bounds each wait for the browser (a tab to connect, a push
// to show): a guard against hangs, not a timing assertion.
const browserWait = 2 * time.Minute

// rendererLimit asks Chromium to share renderer processes past 10 tabs of
// the site (in a run with 100 tabs it started ~110 processes regardless).
const rendererLimit = 10

// pushMarks names, per page the clients may show, the element whose text
// changes with the number of allocations: the overview's count, the
// topology's notice ("7,000 allocations in 70 job/groups, …").
var pushMarks = map[string]string{"/": "count-allocations", "/topology": "diagram-notice"}

// armJS starts watching a tab: it records (as a wall-clock millisecond,
// window.__seen) the first DOM mutation after which the text of the
// element with the data-testid %q differs from what it shows now, and
// returns that text.
const armJS = `(() => {
	const count = () => document.querySelector('[data-testid=%q]')?.textContent.trim() ?? "";
	const before = count();
	window.__seen = 0;
	if (window.__obs) window.__obs.disconnect();
	window.__obs = new MutationObserver(() => {
		if (!window.__seen && count() !== before) window.__seen = performance.timeOrigin + performance.now();
	});
	window.__obs.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: false});
	return before;
})()`

// measurePushes opens n clients of page (a key of pushMarks) — up to
// -scale.real-tabs tabs of one headless Chromium, the rest websocket
// clients (wsWatcher) — then, rounds times, scales pushJob's group up or
// down by one through Nomad's API and reads when each client got the
// changed allocation count.
// Each latency is from the scale call to the tab's DOM (or the client's
// receipt); the model's part (the scale call until the collector's store
// held the change) is given apart, so Nomad's share and netviz's can be
// told.
func (r *scaleRun) measurePushes(ctx context.Context, base, page string, store *model.Store, n, rounds int) {
	t := r.t
	mark, ok := pushMarks[page]
	if !ok {
		t.Fatalf("-scale.push-pages: no push mark known for %q", page)
	}
	ntabs := min(n, max(*realTabsFlag, 1))
	browser, stop, err := startBrowser(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	opened := time.Now()
	tabs := make([]context.Context, ntabs)
	for i := range tabs {
		tab, cancel := chromedp.NewContext(browser)
		defer cancel()
		if err := chromedp.Do(tab, chromedp.Navigate(base+page)); err != nil {
			t.Fatalf("tab %d: open %s: %v", i+1, page, err)
		}
		ok, err := chromedp.Run(tab, chromedp.Poll[bool](
			`document.getElementById("conn-state")?.dataset.state === "connected"`,
			chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(browserWait)))
		if err != nil || !ok {
			t.Fatalf("tab %d: %s never connected: %v", i+1, page, err)
		}
		tabs[i] = tab
	}
	watchers := make([]*wsWatcher, n-ntabs)
	for i := range watchers {
		w, err := dialWatcher(ctx, base, page, mark)
		if err != nil {
			t.Fatal(err)
		}
		defer w.close()
		watchers[i] = w
	}
	r.printf("%d client(s) of %s: %d tab(s) of one headless Chromium, %d websocket client(s); connected in %s; Chromium RSS (its processes summed, shared pages counted in each) %s; load %s",
		n, page, ntabs, len(watchers), time.Since(opened).Round(time.Millisecond), mb(chromiumRSS(browser)), loadAvg())

	count := r.jobs[pushJob]
	var tabLat, wsLat, fromModel, spread []time.Duration
	for round := range rounds {
		target := count + 1
		if round%2 == 1 {
			target = count
		}
		var before string
		for i, tab := range tabs {
			b, err := chromedp.Run(tab, chromedp.Evaluate[string](fmt.Sprintf(armJS, mark)))
			if err != nil {
				t.Fatalf("tab %d: arm: %v", i+1, err)
			}
			before = b
		}
		for _, w := range watchers {
			w.arm(before)
		}
		modelAt := watchJobCount(ctx, store, len(store.Snapshot().AllocationsOfJob("default", pushJob)))
		start := time.Now()
		if _, _, err := r.c.Nomad().Jobs().Scale(pushJob, "app", &target, "netviz scale harness: push latency", false, nil,
			(&nomadapi.WriteOptions{}).WithContext(ctx)); err != nil {
			t.Fatalf("scale %s to %d: %v", pushJob, target, err)
		}
		var inModel time.Time
		select {
		case inModel = <-modelAt:
		case <-time.After(browserWait):
			t.Fatalf("round %d: the model never saw %s scaled to %d", round+1, pushJob, target)
		}
		seen := readSeen(t, tabs)
		for _, at := range seen {
			tabLat = append(tabLat, at.Sub(start))
		}
		wsSeen := waitWatchers(t, watchers)
		for _, at := range wsSeen {
			wsLat = append(wsLat, at.Sub(start))
		}
		seen = append(seen, wsSeen...)
		for _, at := range seen {
			fromModel = append(fromModel, at.Sub(inModel))
		}
		first, last := slices.MinFunc(seen, time.Time.Compare), slices.MaxFunc(seen, time.Time.Compare)
		spread = append(spread, last.Sub(first))
		t.Logf("round %d (%s → %d): model %s after the call, clients %s–%s after it; load %s", round+1, pushJob, target,
			inModel.Sub(start).Round(time.Millisecond), first.Sub(start).Round(time.Millisecond), last.Sub(start).Round(time.Millisecond), loadAvg())
		r.settle(ctx, store, target)
	}
	all := append(slices.Clone(tabLat), wsLat...)
	r.printf("pushes to %s, %d client(s) (%d tab(s), %d websocket), %d rounds: scale call → tab DOM p50 %s, p99 %s, max %s (%d samples); scale call → websocket client p50 %s, p99 %s, max %s (%d samples); all clients p50 %s, p99 %s; store held the change → client p50 %s, p99 %s, max %s; first to last client in a round p50 %s, max %s; load %s",
		page, n, ntabs, len(watchers), rounds, pctMS(tabLat, 50), pctMS(tabLat, 99), pctMS(tabLat, 100), len(tabLat),
		pctMS(wsLat, 50), pctMS(wsLat, 99), pctMS(wsLat, 100), len(wsLat), pctMS(all, 50), pctMS(all, 99),
		pctMS(fromModel, 50), pctMS(fromModel, 99), pctMS(fromModel, 100), pctMS(spread, 50), pctMS(spread, 100), loadAvg())
}

// waitWatchers waits until every websocket client got the change and
// returns when each did.
func waitWatchers(t *testing.T, ws []*wsWatcher) []time.Time {
	out := make([]time.Time, len(ws))
	deadline := time.Now().Add(browserWait)
	for i, w := range ws {
		for out[i] = w.seenAt(); out[i].IsZero(); out[i] = w.seenAt() {
			if time.Now().After(deadline) {
				t.Fatalf("websocket client %d never got the change", i+1)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return out
}

// watchJobCount sends the time the store first holds a number of
// pushJob's allocations other than before.
func watchJobCount(ctx context.Context, store *model.Store, before int) <-chan time.Time {
	out := make(chan time.Time, 1)
	ctx, cancel := context.WithTimeout(ctx, browserWait)
	deltas := store.Subscribe(ctx)
	go func() {
		defer cancel()
		for {
			if len(store.Snapshot().AllocationsOfJob("default", pushJob)) != before {
				out <- time.Now()
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-deltas:
			}
		}
	}()
	return out
}

// readSeen waits until every tab recorded its change and returns when.
func readSeen(t *testing.T, tabs []context.Context) []time.Time {
	seen := make([]time.Time, len(tabs))
	deadline := time.Now().Add(browserWait)
	for i := 0; i < len(tabs); {
		v, err := chromedp.Run(tabs[i], chromedp.Evaluate[float64](`window.__seen || 0`))
		if err != nil {
			t.Fatalf("tab %d: %v", i+1, err)
		}
		if v > 0 {
			sec, frac := math.Modf(v / 1000)
			seen[i] = time.Unix(int64(sec), int64(frac*1e9))
			i++
			continue
		}
		if time.Now().After(deadline) {
			t.Fatalf("tab %d never showed the change", i+1)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return seen
}

// settle waits until pushJob's allocations in the model are target, all
// running, then a second more, so the next round starts quiet.
func (r *scaleRun) settle(ctx context.Context, store *model.Store, target int) {
	err := waitModel(ctx, store, func(s *model.Snapshot) bool {
		allocs := s.AllocationsOfJob("default", pushJob)
		if len(allocs) != target {
			return false
		}
		for _, a := range allocs {
			if a.ClientStatus != "running" || a.DesiredStatus != "run" {
				return false
			}
		}
		return true
	})
	if err != nil {
		r.t.Fatalf("%s never settled at %d running: %v", pushJob, target, err)
	}
	time.Sleep(time.Second)
}

// pct is the p-th percentile (nearest rank) of ds.
func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(ds))
	i := int(math.Ceil(float64(p)/100*float64(len(s)))) - 1
	return s[max(i, 0)]
}

// pctMS is pct rounded to the millisecond, for the report.
func pctMS(ds []time.Duration, p int) time.Duration { return pct(ds, p).Round(time.Millisecond) }

// startBrowser launches a headless Chromium with a fresh profile, as
// internal/e2e does: it contacts no host but 127.0.0.1.
func startBrowser(ctx context.Context) (context.Context, func(), error) {
	profile, err := os.MkdirTemp("", "netviz-scale-chromium-")
	if err != nil {
		return nil, nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1400, 900),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"),
		chromedp.Flag("renderer-process-limit", strconv.Itoa(rendererLimit)),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	stop := func() {
		cancelBrowser()
		cancelAlloc()
		_ = os.RemoveAll(profile)
	}
	if err := chromedp.Do(browser); err != nil {
		stop()
		return nil, nil, fmt.Errorf("start chromium: %w", err)
	}
	return browser, stop, nil
}

// chromiumRSS sums the resident memory of the browser's process and its
// descendants (renderers, GPU and utility processes), not other Chromiums
// on the machine.
func chromiumRSS(browser context.Context) int64 {
	c := chromedp.FromContext(browser)
	if c == nil || c.Browser == nil || c.Browser.Process() == nil {
		return 0
	}
	root := c.Browser.Process().Pid
	parent := map[int]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		s := string(b)
		if f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]); len(f) > 1 {
			parent[pid], _ = strconv.Atoi(f[1])
		}
	}
	var sum int64
	for pid := range parent {
		for p, hops := pid, 0; p > 1 && hops < 20; p, hops = parent[p], hops+1 {
			if p == root {
				sum += procRSS(pid)
				break
			}
		}
	}
	return sum
}

// parseTabs reads -scale.tabs.
func parseTabs(t *testing.T, s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			t.Fatalf("-scale.tabs %q: %q is not a positive number", s, f)
		}
		out = append(out, n)
	}
	return out
}
