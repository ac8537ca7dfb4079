//go:build scale

package scale

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/netviz/netviz/collector"
)

// traceTransport records each request a collector makes: what it asked
// for, when it started, when its body was read to the end, and the bytes
// received.
type traceTransport struct {
	base  *http.Transport
	start time.Time
	mu    sync.Mutex
	reqs  []*tracedReq
}

type tracedReq struct {
	kind       string
	start, end time.Duration
	bytes      int64
}

// idPart turns the variable part of a path into *.
var idPart = regexp.MustCompile(`^(/v1/(?:job|service|allocation|client/allocation))/[^/]+`)

func (t *traceTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	tr := &tracedReq{kind: idPart.ReplaceAllString(r.URL.Path, "$1/*"), start: time.Since(t.start)}
	t.mu.Lock()
	t.reqs = append(t.reqs, tr)
	t.mu.Unlock()
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		tr.end = time.Since(t.start)
		return nil, err
	}
	resp.Body = &tracedBody{ReadCloser: resp.Body, t: t, tr: tr}
	return resp, nil
}

type tracedBody struct {
	io.ReadCloser
	t    *traceTransport
	tr   *tracedReq
	done bool
}

func (b *tracedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.t.mu.Lock()
	b.tr.bytes += int64(n)
	if err != nil && !b.done {
		b.done, b.tr.end = true, time.Since(b.t.start)
	}
	b.t.mu.Unlock()
	return n, err
}

func (b *tracedBody) Close() error {
	b.t.mu.Lock()
	if !b.done {
		b.done, b.tr.end = true, time.Since(b.t.start)
	}
	b.t.mu.Unlock()
	return b.ReadCloser.Close()
}

// tracedSync is a fresh sync (as in freshSync) through a traceTransport,
// and reports where its time went: per kind of request, how many, from
// when to when, the time spent in them and the bytes received.
func (r *scaleRun) tracedSync(ctx context.Context) error {
	tt := &traceTransport{base: cleanhttp.DefaultPooledTransport()}
	defer tt.base.CloseIdleConnections()
	ncfg, _ := r.c.APIConfigs()
	ncfg.HttpClient = &http.Client{Transport: tt}
	rec := newRecorder(os.Stderr, slog.String("collector", "traced"))
	col, err := collector.New(collector.Config{Nomad: ncfg, Logger: slog.New(rec), AntiEntropy: -1})
	if err != nil {
		return err
	}
	defer col.Close()
	tt.start = time.Now()
	if err := col.Sync(ctx); err != nil {
		return err
	}
	total := time.Since(tt.start)
	synced, err := rec.wait(ctx, 0, "nomad: synced")
	if err != nil {
		return err
	}
	type agg struct {
		n          int
		first, end time.Duration
		busy       time.Duration
		bytes      int64
	}
	kinds := map[string]*agg{}
	tt.mu.Lock()
	for _, q := range tt.reqs {
		a := kinds[q.kind]
		if a == nil {
			a = &agg{first: q.start}
			kinds[q.kind] = a
		}
		a.n++
		a.first, a.end = min(a.first, q.start), max(a.end, q.end)
		a.busy += q.end - q.start
		a.bytes += q.bytes
	}
	tt.mu.Unlock()
	r.printf("traced sync: %s in the log (%s with Sync's namespace-IP and check reads); requests by kind, from the sync's start:", synced.dur("took").Round(time.Millisecond), total.Round(time.Millisecond))
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	slices.SortFunc(names, func(a, b string) int { return int(kinds[a].first - kinds[b].first) })
	for _, k := range names {
		a := kinds[k]
		r.printf("  %-28s %4d request(s), %6s → %6s, %s in them, %s received", k, a.n,
			a.first.Round(time.Millisecond), a.end.Round(time.Millisecond), a.busy.Round(time.Millisecond), mb(a.bytes))
	}
	if len(kinds) == 0 {
		return fmt.Errorf("traced sync made no request")
	}
	return nil
}
