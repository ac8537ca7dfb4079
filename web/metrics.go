package web

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/lint"
)

// metrics are the server's Prometheus metrics, in a registry of the
// server's own (never the global default), so two servers in one process,
// tests among them, count apart. What the model holds is read from the
// current snapshot at scrape time (modelCollector); what the server does
// (requests, websocket pushes, renders) is counted as it happens, by
// counters that are safe from any goroutine, so the hub stays lock-free.
type metrics struct {
	reg *prometheus.Registry
	// own are netviz's collectors (the registry also holds Go's and the
	// process's).
	own []prometheus.Collector

	httpRequests *prometheus.CounterVec
	httpSeconds  *prometheus.HistogramVec

	wsClients   prometheus.Gauge
	wsConnects  prometheus.Counter
	wsPushes    *prometheus.CounterVec
	wsPushBytes *prometheus.CounterVec
	wsDrops     prometheus.Counter

	renderSeconds  *prometheus.HistogramVec
	renderFailures *prometheus.CounterVec
}

// Kinds of websocket pushes (the kind label).
const (
	pushFull   = "full"
	pushStatus = "status"
)

// renderBuckets span a small page's milliseconds to the render deadline
// (tuning.renderTimeout, 10 s).
var renderBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

func newMetrics(src Source, stats func() CollectorStats) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "netviz_http_requests_total",
			Help: "HTTP requests answered, by route pattern (never the raw path), method and status code.",
		}, []string{"route", "method", "code"}),
		httpSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "netviz_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern.",
			Buckets: renderBuckets,
		}, []string{"route"}),
		wsClients: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "netviz_websocket_clients",
			Help: "Websocket clients (open pages) subscribed to live updates.",
		}),
		wsConnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "netviz_websocket_connections_total",
			Help: "Websocket clients that subscribed to a view.",
		}),
		wsPushes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "netviz_websocket_pushes_total",
			Help: "Pushes written to websocket clients, by kind: full (a view's content) or status (the sources' badges).",
		}, []string{"kind"}),
		wsPushBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "netviz_websocket_push_bytes_total",
			Help: "Bytes of the pushes written to websocket clients, before compression, by kind.",
		}, []string{"kind"}),
		wsDrops: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "netviz_websocket_drops_total",
			Help: "Websocket clients dropped because their send queue was full (the page reconnects and resyncs).",
		}),
		renderSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "netviz_render_duration_seconds",
			Help:    "Time to render a live view's full push, by kind of page (its route pattern).",
			Buckets: renderBuckets,
		}, []string{"view"}),
		renderFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "netviz_render_failures_total",
			Help: "Live renders that pushed nothing, by kind of page and reason (deadline or error).",
		}, []string{"view", "reason"}),
	}
	m.own = []prometheus.Collector{
		m.httpRequests, m.httpSeconds,
		m.wsClients, m.wsConnects, m.wsPushes, m.wsPushBytes, m.wsDrops,
		m.renderSeconds, m.renderFailures,
		newModelCollector(src, stats),
	}
	m.reg.MustRegister(m.own...)
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// handler serves the registry in Prometheus' text (or negotiated) format.
func (m *metrics) handler() echo.HandlerFunc {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
	return echo.WrapHandler(h)
}

// knownMethods bound the method label: anything else a client sends is "other".
var knownMethods = map[string]bool{http.MethodGet: true, http.MethodHead: true, http.MethodPost: true,
	http.MethodPut: true, http.MethodDelete: true, http.MethodOptions: true, http.MethodPatch: true}

// middleware counts every request by the pattern of the route it matched.
// An error is handed to the error handler here, so the status counted is
// the one the client gets.
func (m *metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		route := c.Path()
		if route == "" || c.Response().Status == http.StatusNotFound && route == "/*" {
			route = "unmatched"
		}
		method := c.Request().Method
		if !knownMethods[method] {
			method = "other"
		}
		m.httpRequests.WithLabelValues(route, method, strconv.Itoa(c.Response().Status)).Inc()
		m.httpSeconds.WithLabelValues(route).Observe(time.Since(start).Seconds())
		return nil
	}
}

// CollectorStats are running totals a collector keeps of its own work, for
// /metrics. The web server reads them at scrape time through
// Options.CollectorStats; a collector that keeps none leaves them zero.
type CollectorStats struct {
	// Reads are the Nomad source's finished reads by kind ("sync" for a
	// full read, "catch-up" for a read of what changed after the stream
	// broke): how many, and their total duration.
	Reads map[string]ReadStats
	// Events counts the Nomad events applied to the model, by topic.
	Events map[string]uint64
	// Frames counts the Nomad event stream's frames applied (one model
	// batch each).
	Frames uint64
}

// ReadStats count reads of one kind.
type ReadStats struct {
	Count   uint64
	Seconds float64
}

// modelCollector reports what the current snapshot holds, computed when
// Prometheus scrapes, never kept up to date between scrapes.
type modelCollector struct {
	src   Source
	stats func() CollectorStats
	now   func() time.Time

	version, objects, warnings, ready                    *prometheus.Desc
	state, index, lastEventAge, dataAge, stateAge, burst *prometheus.Desc
	catchUps, divergences, topicProblem                  *prometheus.Desc
	readsCount, readsSeconds, events, frames             *prometheus.Desc

	// seen are the warning codes (with their severity) reported so far: a
	// code that no longer occurs is reported as 0, not dropped, so graphs
	// go down to zero instead of stopping.
	mu   sync.Mutex
	seen map[[2]string]bool
}

func newModelCollector(src Source, stats func() CollectorStats) *modelCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &modelCollector{
		src: src, stats: stats, now: time.Now, seen: map[[2]string]bool{},
		version:  d("netviz_model_version", "Version of the model snapshot served (one more per batch of changes applied)."),
		objects:  d("netviz_model_objects", "Objects in the model, by kind: nodes, allocations, services (registered instances), intentions.", "kind"),
		warnings: d("netviz_warnings", "The cluster's findings (lints), by code and severity.", "code", "severity"),
		ready:    d("netviz_ready", "1 when /readyz answers 200 (every source read once, none down, forbidden or stale), else 0."),
		state:    d("netviz_source_state", "State of a source: 1 for its current state, 0 for the others.", "source", "state"),
		index:    d("netviz_source_index", "Last Raft index the source's data is at (Nomad: the last event frame or read).", "source"),
		lastEventAge: d("netviz_source_last_event_age_seconds",
			"Seconds since the source's last event frame (Nomad) or answer (Consul); absent before the first.", "source"),
		dataAge: d("netviz_source_data_age_seconds",
			"Seconds since the source last confirmed the data current (a frame, a heartbeat, a finished read): how far behind stale data is.", "source"),
		stateAge:    d("netviz_source_state_age_seconds", "Seconds since the source entered its current state.", "source"),
		burst:       d("netviz_source_drop_burst_events", "Events in the minute before the source last dropped its stream (the burst its buffer could not hold).", "source"),
		catchUps:    d("netviz_source_catch_ups_total", "Catch-ups (reads of what changed) after the source's stream broke.", "source"),
		divergences: d("netviz_source_divergences_total", "Differences between the model and a fresh read, found and repaired by anti-entropy (0 in a correct collector).", "source"),
		topicProblem: d("netviz_source_topic_problem",
			"1 for each topic the source cannot read or follow (e.g. its ACL token may not), by topic.", "source", "topic"),
		readsCount:   d("netviz_nomad_reads_total", "Finished reads of Nomad by kind: sync (full) or catch-up (what changed).", "kind"),
		readsSeconds: d("netviz_nomad_read_seconds_total", "Total time spent in finished reads of Nomad, by kind.", "kind"),
		events:       d("netviz_nomad_events_total", "Nomad events applied to the model, by topic.", "topic"),
		frames:       d("netviz_nomad_frames_total", "Nomad event stream frames applied to the model (one batch each)."),
	}
}

// Describe sends every descriptor.
func (mc *modelCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{mc.version, mc.objects, mc.warnings, mc.ready, mc.state, mc.index,
		mc.lastEventAge, mc.dataAge, mc.stateAge, mc.burst, mc.catchUps, mc.divergences, mc.topicProblem,
		mc.readsCount, mc.readsSeconds, mc.events, mc.frames} {
		ch <- d
	}
}

// objectCounts is the model's size, kept per snapshot data (see DataMemo).
type objectCounts struct{ nodes, allocs, services, intentions int }

type objectCountsKey struct{}

// allStates are the source states, each reported as 0 or 1.
var allStates = []string{model.StateSyncing, model.StateConnected, model.StateCatchingUp, model.StateStale,
	model.StateDown, model.StateAbsent, model.StateForbidden}

// Collect reports the current snapshot.
func (mc *modelCollector) Collect(ch chan<- prometheus.Metric) {
	snap := mc.src.Snapshot()
	now := mc.now()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	gauge(mc.version, float64(snap.Version()))
	n := snap.DataMemo(objectCountsKey{}, func() any {
		return objectCounts{len(snap.Nodes()), len(snap.Allocations()), len(snap.Services()), len(snap.Intentions())}
	}).(objectCounts)
	gauge(mc.objects, float64(n.nodes), "nodes")
	gauge(mc.objects, float64(n.allocs), "allocations")
	gauge(mc.objects, float64(n.services), "services")
	gauge(mc.objects, float64(n.intentions), "intentions")

	mc.collectWarnings(ch, snap)

	ready := 0.0
	if readinessOf(snap).Status != readyNot {
		ready = 1
	}
	gauge(mc.ready, ready)

	st := snap.Status()
	for _, s := range []struct {
		name string
		st   model.SourceStatus
	}{{"nomad", st.Nomad}, {"consul", st.Consul}} {
		cur := judgeSource(s.st).State
		for _, state := range allStates {
			v := 0.0
			if state == cur {
				v = 1
			}
			gauge(mc.state, v, s.name, state)
		}
		if s.st.Index > 0 {
			gauge(mc.index, float64(s.st.Index), s.name)
		}
		age := func(d *prometheus.Desc, t time.Time) {
			if !t.IsZero() {
				gauge(d, max(0, now.Sub(t).Seconds()), s.name)
			}
		}
		age(mc.lastEventAge, s.st.LastEvent)
		age(mc.dataAge, s.st.AsOf)
		age(mc.stateAge, s.st.Since)
		gauge(mc.burst, float64(s.st.DropBurst), s.name)
		counter(mc.catchUps, float64(s.st.CatchUps), s.name)
		counter(mc.divergences, float64(s.st.Divergences), s.name)
		for topic := range s.st.Topics {
			gauge(mc.topicProblem, 1, s.name, topic)
		}
	}

	if mc.stats == nil {
		return
	}
	cs := mc.stats()
	for _, kind := range []string{"sync", "catch-up"} {
		r := cs.Reads[kind]
		counter(mc.readsCount, float64(r.Count), kind)
		counter(mc.readsSeconds, r.Seconds, kind)
	}
	for topic, n := range cs.Events {
		counter(mc.events, float64(n), topic)
	}
	counter(mc.frames, float64(cs.Frames))
}

// collectWarnings reports the findings per code and severity, 0 for those
// seen before and gone now. Warnings are computed once per snapshot (the
// overview and the warnings list share them).
func (mc *modelCollector) collectWarnings(ch chan<- prometheus.Metric, snap *model.Snapshot) {
	counts := map[[2]string]int{}
	for _, w := range lint.Warnings(snap) {
		counts[[2]string{w.Code, string(w.Severity)}]++
	}
	mc.mu.Lock()
	for k := range counts {
		mc.seen[k] = true
	}
	keys := make([][2]string, 0, len(mc.seen))
	for k := range mc.seen {
		keys = append(keys, k)
	}
	mc.mu.Unlock()
	for _, k := range keys {
		ch <- prometheus.MustNewConstMetric(mc.warnings, prometheus.GaugeValue, float64(counts[k]), k[0], k[1])
	}
}
