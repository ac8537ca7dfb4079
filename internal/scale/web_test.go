//go:build scale

package scale

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/collector"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/lint"
	"github.com/netviz/netviz/internal/devcluster"
	"github.com/netviz/netviz/web"
)

var (
	tabsFlag     = flag.String("scale.tabs", "1,100", "TestScaleWeb: comma-separated numbers of open browser tabs to measure pushes with")
	pagesFlag    = flag.String("scale.push-pages", "/topology,/", "TestScaleWeb: comma-separated pages the clients show while pushes are measured (/ and /topology)")
	realTabsFlag = flag.Int("scale.real-tabs", 5, "TestScaleWeb: at most this many of the clients are Chromium tabs, the rest websocket clients (100 tabs overloaded 2 cores)")
	roundsFlag   = flag.Int("scale.rounds", 10, "TestScaleWeb: cluster changes (scale one job up or down by one) per tab count")
)

// TestScaleWeb measures netviz's web server on a real scale cluster: every
// page and its /api/v1 twin (bytes raw and gzip, time of the first and the
// second request), then the time from a Nomad change until every open
// browser tab shows it (see push_test.go). It prints numbers, it asserts
// none of them: the harness for docs/perf.md "Pages and pushes at scale".
//
//	go test -tags scale -run TestScaleWeb -v -count=1 -timeout 60m ./internal/scale/ -scale.allocs=7000
func TestScaleWeb(t *testing.T) {
	total, per := *allocsFlag, *perJobFlag
	if total <= 0 || per <= 0 || total < 2*per {
		t.Fatalf("-scale.allocs must hold at least two jobs of -scale.per-job")
	}
	r, ctx, cancel := newScaleRun(t, total, per)
	defer cancel()
	r.printf("command: go test -tags scale -run TestScaleWeb -v -count=1 ./internal/scale/ -scale.allocs=%d -scale.per-job=%d -scale.tabs=%s -scale.real-tabs=%d -scale.rounds=%d -scale.push-pages=%s",
		total, per, *tabsFlag, *realTabsFlag, *roundsFlag, *pagesFlag)
	r.startPlaced(ctx, devcluster.Options{ScaleAllocs: total})
	c := r.c

	store := startCollector(t, ctx, c)
	if err := waitModel(ctx, store, func(s *model.Snapshot) bool {
		a, _, _ := modelCounts(s)
		return s.Status().Nomad.State == model.StateConnected && a == total
	}); err != nil {
		t.Fatalf("the model never held the %d allocations: %v", total, err)
	}
	base := startServer(t, store)
	r.heap("after the sync, before any page")

	r.measurePages(ctx, base, store.Snapshot())
	r.warningCodes(store.Snapshot())
	r.heap("after every page")

	for _, page := range strings.Split(*pagesFlag, ",") {
		for _, n := range parseTabs(t, *tabsFlag) {
			r.measurePushes(ctx, base, strings.TrimSpace(page), store, n, *roundsFlag)
		}
	}
	fmt.Printf("\n=== scale web report ===\n%s\n=== end ===\n", strings.Join(r.report, "\n"))
}

// startCollector runs a collector (Nomad only, as TestScale) on c until
// the test ends.
func startCollector(t *testing.T, ctx context.Context, c *devcluster.Cluster) *model.Store {
	ncfg, _ := c.APIConfigs()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	col, err := collector.New(collector.Config{Nomad: ncfg, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- col.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("collector Run: %v", err)
		}
		col.Close()
	})
	return col.Store()
}

// startServer serves netviz over store on a free loopback port until the
// test ends, and returns its base URL.
func startServer(t *testing.T, store *model.Store) string {
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- web.New(store, web.Options{}).Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("web server: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// page is one page measured, with its /api/v1 twin.
type page struct{ name, html, api string }

// scalePages lists the pages of issue 10's table on snapshot s.
func scalePages(s *model.Snapshot) []page {
	a := s.AllocationsOfJob("default", "scale-000")[0]
	reach := url.Values{"from": {"scale-000"}, "to": {"scale-001"}}.Encode()
	return []page{
		{"overview", "/", "/api/v1/overview"},
		{"topology", "/topology", "/api/v1/topology"},
		{"an allocation", "/allocations/" + a.ID, "/api/v1/allocations/" + a.ID},
		{"the node", "/nodes/" + a.NodeID, "/api/v1/nodes/" + a.NodeID},
		{"services", "/services", "/api/v1/services"},
		{"a service (scale-000)", "/services/scale-000", "/api/v1/services/scale-000"},
		{"reach scale-000 → scale-001", "/reach?" + reach, "/api/v1/reach?" + reach},
		{"reach matrix", "/reach", "/api/v1/reach/matrix"},
		// The warnings have no page of their own: the overview lists them.
		{"warnings", "", "/api/v1/warnings"},
	}
}

// fetched is one request's outcome: status, body bytes as received and
// the time from sending it to the last byte, over loopback.
type fetched struct {
	status int
	bytes  int64
	took   time.Duration
}

// fetch GETs base+path asking for encoding ("gzip" or "identity"); the
// body is counted as it came (the transport decompresses nothing when the
// header is set by hand).
func fetch(ctx context.Context, base, path, encoding string) (fetched, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return fetched{}, err
	}
	req.Header.Set("Accept-Encoding", encoding)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fetched{}, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	return fetched{status: resp.StatusCode, bytes: n, took: time.Since(start)}, err
}

// measurePages requests every page and API twin: first and second with
// gzip (as a browser asks), then once uncompressed for the raw size, then
// five more with gzip, and prints one table row each.
func (r *scaleRun) measurePages(ctx context.Context, base string, s *model.Snapshot) {
	r.printf("pages (time: request sent to last byte over loopback, gzip as a browser asks; first request of that address since the server started, then the second, then the median of 5 more; raw: the same uncompressed):")
	r.printf("| page | address | raw | gzip | first | second | median of next 5 | load |")
	r.printf("|---|---|---|---|---|---|---|---|")
	for _, p := range scalePages(s) {
		for _, path := range []string{p.html, p.api} {
			if path == "" {
				continue
			}
			first, err1 := fetch(ctx, base, path, "gzip")
			second, err2 := fetch(ctx, base, path, "gzip")
			raw, err3 := fetch(ctx, base, path, "identity")
			errs := []error{err1, err2, err3}
			var later []time.Duration
			for range 5 {
				f, err := fetch(ctx, base, path, "gzip")
				later, errs = append(later, f.took), append(errs, err)
			}
			for _, err := range errs {
				if err != nil {
					r.t.Errorf("%s: %v", path, err)
				}
			}
			if first.status != http.StatusOK {
				r.t.Errorf("%s: status %d", path, first.status)
			}
			r.printf("| %s | `%s` | %s | %s | %s | %s | %s | %s |", p.name, path, kb(raw.bytes), kb(second.bytes),
				ms(first.took), ms(second.took), ms(pct(later, 50)), loadAvg())
		}
	}
}

// warningCodes prints how many warnings of each code the snapshot has
// (the overview lists every one).
func (r *scaleRun) warningCodes(s *model.Snapshot) {
	codes := map[string]int{}
	for _, w := range lint.Warnings(s) {
		codes[w.Code]++
	}
	var parts []string
	for _, c := range slices.Sorted(maps.Keys(codes)) {
		parts = append(parts, fmt.Sprintf("%s ×%d", c, codes[c]))
	}
	r.printf("warnings by code: %s", strings.Join(parts, ", "))
}

// kb writes a size in kB (MB past 10 MB).
func kb(n int64) string {
	if n >= 10e6 {
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f kB", float64(n)/1e3)
}

// ms writes a duration in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }
