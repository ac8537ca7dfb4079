package web_test

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/web"
)

// scrape fetches /metrics and returns its series, "name{labels}" → value.
// Labels are as Prometheus writes them: sorted by name.
func scrape(t testing.TB, base string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("/metrics: %d %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("/metrics Content-Type %q, want Prometheus' text format", ct)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("/metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// expect checks series values.
func expect(t *testing.T, when string, got map[string]float64, want map[string]float64) {
	t.Helper()
	for series, v := range want {
		g, ok := got[series]
		if !ok {
			t.Errorf("%s: no series %s", when, series)
			continue
		}
		if g != v {
			t.Errorf("%s: %s = %v, want %v", when, series, g, v)
		}
	}
}

// fakeStats are a collector's totals as Options.CollectorStats reports them.
func fakeStats() web.CollectorStats {
	return web.CollectorStats{
		Reads:  map[string]web.ReadStats{"sync": {Count: 1, Seconds: 0.5}, "catch-up": {Count: 2, Seconds: 0.25}},
		Events: map[string]uint64{"Allocation": 7, "Node": 1},
		Frames: 5,
	}
}

// TestMetricsFollowTheModel: /metrics reports the current snapshot — the
// model's size, its findings, the sources' state and counters — and moves
// with real changes applied to the store.
func TestMetricsFollowTheModel(t *testing.T) {
	st := newStore(t)
	_, base := serveStore(t, st, web.Options{CollectorStats: fakeStats})
	snap := st.Snapshot()
	nAllocs := float64(len(snap.Allocations()))

	m := scrape(t, base)
	expect(t, "fixture", m, map[string]float64{
		`netviz_model_objects{kind="nodes"}`:                                 2,
		`netviz_model_objects{kind="allocations"}`:                           nAllocs,
		`netviz_model_objects{kind="services"}`:                              float64(len(snap.Services())),
		`netviz_model_objects{kind="intentions"}`:                            1,
		`netviz_model_version`:                                               float64(snap.Version()),
		`netviz_warnings{code="intention-denies-upstream",severity="error"}`: 1,
		`netviz_ready`: 1,
		`netviz_source_state{source="nomad",state="connected"}`:  1,
		`netviz_source_state{source="nomad",state="down"}`:       0,
		`netviz_source_state{source="consul",state="connected"}`: 1,
		`netviz_source_index{source="nomad"}`:                    42,
		`netviz_source_catch_ups_total{source="nomad"}`:          0,
		`netviz_nomad_reads_total{kind="sync"}`:                  1,
		`netviz_nomad_reads_total{kind="catch-up"}`:              2,
		`netviz_nomad_read_seconds_total{kind="catch-up"}`:       0.25,
		`netviz_nomad_events_total{topic="Allocation"}`:          7,
		`netviz_nomad_frames_total`:                              5,
	})
	if age := m[`netviz_source_last_event_age_seconds{source="nomad"}`]; age < time.Since(fixture.Epoch).Seconds()-60 {
		t.Errorf("last event age %v s, want the time since the fixture's epoch", age)
	}

	// An allocation more, one fewer; the intention gone (and with it the
	// finding, which stays reported as 0); Nomad down after 3 catch-ups.
	st.Apply(fixture.Alloc("d4f0ffee-0000-4000-8000-000000000006", "extra").Node(fixture.NodeA).Upsert())
	st.Apply(model.DeleteAllocation{ID: fixture.AllocIngress2})
	st.Apply(model.UpsertAllocation{Alloc: fixture.Alloc("d4f0ffee-0000-4000-8000-000000000007", "extra").Node(fixture.NodeB).Build()})
	st.Apply(fixture.Intentions(true))
	st.Apply(model.SetNomadStatus{Status: model.SourceStatus{State: model.StateDown, Error: "connection refused", CatchUps: 3, Divergences: 1,
		Topics: map[string]string{"Job": "403 Permission denied"}}})
	m = scrape(t, base)
	expect(t, "after changes", m, map[string]float64{
		`netviz_model_objects{kind="allocations"}`:                           nAllocs + 1,
		`netviz_model_objects{kind="intentions"}`:                            0,
		`netviz_model_version`:                                               float64(st.Snapshot().Version()),
		`netviz_warnings{code="intention-denies-upstream",severity="error"}`: 0,
		`netviz_ready`: 0,
		`netviz_source_state{source="nomad",state="connected"}`:   0,
		`netviz_source_state{source="nomad",state="down"}`:        1,
		`netviz_source_catch_ups_total{source="nomad"}`:           3,
		`netviz_source_divergences_total{source="nomad"}`:         1,
		`netviz_source_topic_problem{source="nomad",topic="Job"}`: 1,
	})
	if _, ok := m[`netviz_source_index{source="nomad"}`]; ok {
		t.Error("an index reported for a status without one")
	}
}

// TestMetricsHTTPRoutes: requests are counted by route pattern, method and
// status, never by raw path (an ID in a label would grow without bound);
// unknown paths and refused hosts count too. Each server counts its own.
func TestMetricsHTTPRoutes(t *testing.T) {
	_, base := serveStore(t, newStore(t))
	for _, p := range []string{"/nodes/" + fixture.NodeA, "/nodes/" + fixture.NodeB, "/api/v1/nodes/" + fixture.NodeA,
		"/api/v1/allocations/nope", "/no/such/page", "/"} {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/overview", nil)
	req.Host = "attacker.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	m := scrape(t, base)
	expect(t, "requests", m, map[string]float64{
		`netviz_http_requests_total{code="200",method="GET",route="/nodes/:id"}`:              2,
		`netviz_http_requests_total{code="200",method="GET",route="/api/v1/nodes/:id"}`:       1,
		`netviz_http_requests_total{code="404",method="GET",route="/api/v1/allocations/:id"}`: 1,
		`netviz_http_requests_total{code="404",method="GET",route="unmatched"}`:               1,
		`netviz_http_requests_total{code="200",method="GET",route="/"}`:                       1,
		`netviz_http_requests_total{code="421",method="GET",route="/api/v1/overview"}`:        1,
		`netviz_http_request_duration_seconds_count{route="/nodes/:id"}`:                      2,
	})
	for series := range m {
		if strings.Contains(series, "node-a-") || strings.Contains(series, "/no/such") {
			t.Errorf("a raw path in a label: %s", series)
		}
	}

	_, other := serveStore(t, newStore(t))
	for series := range scrape(t, other) {
		if strings.Contains(series, `route="/nodes/:id"`) {
			t.Errorf("a second server reports the first one's requests: %s", series)
		}
	}
}

// TestMetricsLive: websocket clients, pushes and renders per view are
// counted as the hub serves them, and the client gauge falls back when a
// page leaves.
func TestMetricsLive(t *testing.T) {
	st, srv := quickServer(t, 8)
	r := serve(t, srv)
	base := "http://" + r.addr

	conn := mustDial(t, r.addr, "/topology")
	readFrom(t, conn, 1)
	waitMetric(t, base, `netviz_http_requests_total{code="101",method="GET",route="/ws"}`, func(n float64) bool { return n == 1 })
	m := scrape(t, base)
	expect(t, "one client", m, map[string]float64{
		`netviz_websocket_clients`:                                        1,
		`netviz_websocket_connections_total`:                              1,
		`netviz_http_requests_total{code="101",method="GET",route="/ws"}`: 1,
	})
	if m[`netviz_render_duration_seconds_count{view="/topology"}`] < 1 {
		t.Errorf("no render of the topology counted: %v", m[`netviz_render_duration_seconds_count{view="/topology"}`])
	}
	// The push is counted once written, which may be just after the page read it.
	waitMetric(t, base, `netviz_websocket_push_bytes_total{kind="full"}`, func(n float64) bool { return n >= 100 })
	full := scrape(t, base)[`netviz_websocket_pushes_total{kind="full"}`]
	if full < 1 {
		t.Errorf("full pushes %v, want the first render counted", full)
	}

	// A change the topology shows: one more full push, counted.
	v := st.Apply(fixture.Alloc("d4f0ffee-0000-4000-8000-000000000006", "extra").Node(fixture.NodeA).Upsert()).Version()
	readFrom(t, conn, v)
	waitMetric(t, base, `netviz_websocket_pushes_total{kind="full"}`, func(n float64) bool { return n > full })

	// A status change alone: a status push.
	st.Apply(model.SetNomadStatus{Status: model.SourceStatus{State: model.StateCatchingUp, Reason: "burst"}})
	waitMetric(t, base, `netviz_websocket_pushes_total{kind="status"}`, func(n float64) bool { return n >= 1 })

	conn.Close()
	waitMetric(t, base, `netviz_websocket_clients`, func(n float64) bool { return n == 0 })
}

// waitMetric scrapes until a series satisfies ok.
func waitMetric(t *testing.T, base, series string, ok func(float64) bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		v, found := scrape(t, base)[series]
		if found && ok(v) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v (present %v), never as wanted", series, v, found)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
