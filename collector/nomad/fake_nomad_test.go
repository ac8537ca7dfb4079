package nomad

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
	"github.com/netviz/netviz/collector/model"
	"go.uber.org/goleak"
)

// fakeNomad is a fake Nomad HTTP API for unit tests, on httptest. It holds
// nodes, allocations (terminal ones too, until removed), job versions,
// Nomad-native services and check results, serves them as Nomad's list and
// read endpoints do (with X-Nomad-Index), and serves /v1/event/stream as a
// chunked response of newline-delimited frames that the test pushes. Every
// change bumps its raft index and returns the event Nomad would publish; the
// test decides whether the stream delivers it.
//
// As in Nomad, allocation list entries are stubs carrying JobVersion, while
// allocation events and single reads carry the full allocation, which has
// no JobVersion (and, in events, no job); every allocation has an
// AllocModifyIndex and every job version a JobModifyIndex (see wireAlloc).
type fakeNomad struct {
	t   testing.TB
	srv *httptest.Server

	mu    sync.Mutex
	index uint64
	// allocsIndex is the allocation table's last write: Nomad's allocation
	// list answers it as its X-Nomad-Index, other reads the raft index.
	allocsIndex uint64
	nodes       map[string]*apiNode
	allocs      map[string]*apiAlloc
	jobs        map[string][]*apiJob // jobID(ns, id) → versions, oldest first
	jobIndex    map[string]uint64    // jobKey → index the version was registered at
	services    map[string]*apiServiceReg
	checks      map[string]map[string]checkStatus // alloc ID → check ID → status
	checkErr    map[string]int                    // alloc ID → HTTP status answered instead
	forbidden   map[string]bool                   // event topics answered with 403
	streamErr   int                               // HTTP status the stream answers, when not 0
	calls       []fakeCall
	gates       []*fakeGate
	silent      bool // streams send no heartbeat
	cut         bool // streams end right after their first heartbeat
	heartbeat   time.Duration
	streamCh    chan *fakeStream
	bad         []string // requests the fake does not serve
	broker      *fakeBroker

	done      chan struct{}
	closeOnce sync.Once
}

// fakeCall is one request the fake answered: path, query and, for the
// allocation list, how many allocations it returned.
type fakeCall struct {
	Path   string
	Query  url.Values
	Served int
}

func (c fakeCall) String() string { return c.Path + "?" + c.Query.Encode() }

// newFakeNomad starts a fake with heartbeats every 20 ms; the test's
// cleanup closes it.
func newFakeNomad(t testing.TB) *fakeNomad {
	f := &fakeNomad{
		t: t, index: 10, nodes: map[string]*apiNode{}, allocs: map[string]*apiAlloc{}, jobs: map[string][]*apiJob{},
		jobIndex: map[string]uint64{},
		services: map[string]*apiServiceReg{}, checks: map[string]map[string]checkStatus{}, checkErr: map[string]int{},
		forbidden: map[string]bool{}, heartbeat: 20 * time.Millisecond, streamCh: make(chan *fakeStream, 64),
		done: make(chan struct{}),
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() {
		f.close()
		f.mu.Lock()
		defer f.mu.Unlock()
		if len(f.bad) > 0 {
			t.Errorf("fake Nomad got requests it does not serve: %q", f.bad)
		}
	})
	return f
}

// close ends every open stream and gated request, then the server: new
// connections are refused.
func (f *fakeNomad) close() {
	f.closeOnce.Do(func() {
		close(f.done)
		f.srv.Close()
	})
}

// bump advances the raft index and returns it. f.mu is held.
func (f *fakeNomad) bump() uint64 {
	f.index++
	return f.index
}

// putNode adds or replaces a node.
func (f *fakeNomad) putNode(n *apiNode) event {
	f.mu.Lock()
	defer f.mu.Unlock()
	idx := f.bump()
	f.nodes[n.ID] = n
	ev := event{Topic: "Node", Type: "NodeRegistration", Key: n.ID, Index: idx}
	ev.Payload.Node = n
	return ev
}

// putAlloc adds or replaces an allocation at a new ModifyIndex.
func (f *fakeNomad) putAlloc(a *apiAlloc) event {
	f.mu.Lock()
	defer f.mu.Unlock()
	a.ModifyIndex = f.bump()
	f.allocsIndex = a.ModifyIndex
	a.CreateIndex = a.ModifyIndex
	if cur := f.allocs[a.ID]; cur != nil {
		a.CreateIndex = cur.CreateIndex
	}
	f.allocs[a.ID] = a
	ev := event{Topic: "Allocation", Type: "AllocationUpdated", Key: a.ID, Namespace: a.Namespace, Index: a.ModifyIndex}
	ev.Payload.Allocation = a
	return ev
}

// stopAlloc makes an allocation terminal (complete); it stays listed.
func (f *fakeNomad) stopAlloc(id string) event {
	f.mu.Lock()
	cur := *f.allocs[id]
	f.mu.Unlock()
	cur.ClientStatus, cur.DesiredStatus = "complete", "stop"
	return f.putAlloc(&cur)
}

// gcAlloc removes an allocation from every list, as Nomad's garbage
// collector does with terminal ones.
func (f *fakeNomad) gcAlloc(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.allocsIndex = f.bump()
	delete(f.allocs, id)
}

// putJob registers a job version (the newest).
func (f *fakeNomad) putJob(j *apiJob) event {
	f.mu.Lock()
	defer f.mu.Unlock()
	idx := f.bump()
	id := jobID(j.Namespace, j.ID)
	f.jobIndex[jobKey(j.Namespace, j.ID, j.Version)] = idx
	f.jobs[id] = append(slices.DeleteFunc(f.jobs[id], func(v *apiJob) bool { return v.Version == j.Version }), j)
	ev := event{Topic: "Job", Type: "JobRegistered", Key: j.ID, Namespace: j.Namespace, Index: idx}
	ev.Payload.Job = j
	return ev
}

// purgeJob deregisters a job and purges it.
func (f *fakeNomad) purgeJob(namespace, id string) event {
	f.mu.Lock()
	defer f.mu.Unlock()
	idx := f.bump()
	vs := f.jobs[jobID(namespace, id)]
	delete(f.jobs, jobID(namespace, id))
	ev := event{Topic: "Job", Type: "JobDeregistered", Key: id, Namespace: namespace, Index: idx}
	ev.Payload.Job = vs[len(vs)-1]
	return ev
}

// putService registers a Nomad-native service instance.
func (f *fakeNomad) putService(r *apiServiceReg) event {
	f.mu.Lock()
	defer f.mu.Unlock()
	r.ModifyIndex = f.bump()
	f.services[r.ID] = r
	ev := event{Topic: "Service", Type: "ServiceRegistration", Key: r.ID, Namespace: r.Namespace, Index: r.ModifyIndex}
	ev.Payload.Service = r
	return ev
}

// deleteService deregisters a Nomad-native service instance.
func (f *fakeNomad) deleteService(id string) event {
	f.mu.Lock()
	defer f.mu.Unlock()
	idx := f.bump()
	r := f.services[id]
	delete(f.services, id)
	ev := event{Topic: "Service", Type: "ServiceDeregistration", Key: id, Namespace: r.Namespace, Index: idx}
	ev.Payload.Service = r
	return ev
}

// setChecks sets what /v1/client/allocation/:id/checks answers: the checks'
// statuses by service name, or HTTP status code failing when it is not 0.
func (f *fakeNomad) setChecks(allocID string, failing int, byService map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.checkErr[allocID] = failing
	m := map[string]checkStatus{}
	for svc, st := range byService {
		m["check-"+svc] = checkStatus{Service: svc, Status: st}
	}
	f.checks[allocID] = m
}

// forbid makes the event stream answer 403 to any request naming topic.
func (f *fakeNomad) forbid(topic string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forbidden[topic] = true
}

// failStream makes the event stream answer HTTP status code (0: serve it).
func (f *fakeNomad) failStream(code int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.streamErr = code
}

// silence stops (or resumes) the heartbeats of every stream: a stream the
// test pushes nothing to is then silent, like a half-open connection.
func (f *fakeNomad) silence(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.silent = on
}

// resetCalls forgets the requests answered so far.
func (f *fakeNomad) resetCalls() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = nil
}

// callsTo returns the requests answered on path so far.
func (f *fakeNomad) callsTo(path string) []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCall
	for _, c := range f.calls {
		if c.Path == path {
			out = append(out, c)
		}
	}
	return out
}

// fakeGate holds the requests whose path starts with its prefix until it
// is opened, and tells the test which arrived.
type fakeGate struct {
	prefix  string
	arrived chan string
	release chan struct{}
	once    sync.Once
}

// gate holds every request whose path starts with prefix ("/" holds them
// all: a frozen Nomad) until the gate is opened. The test's cleanup opens it.
func (f *fakeNomad) gate(prefix string) *fakeGate {
	g := &fakeGate{prefix: prefix, arrived: make(chan string, 256), release: make(chan struct{})}
	f.mu.Lock()
	f.gates = append(f.gates, g)
	f.mu.Unlock()
	f.t.Cleanup(func() { f.open(g) })
	return g
}

// open lets the gate's held and future requests through.
func (f *fakeNomad) open(g *fakeGate) {
	g.once.Do(func() {
		f.mu.Lock()
		f.gates = slices.DeleteFunc(f.gates, func(x *fakeGate) bool { return x == g })
		f.mu.Unlock()
		close(g.release)
	})
}

// wait returns the path of the next request the gate holds.
func (g *fakeGate) wait(t testing.TB) string {
	t.Helper()
	select {
	case p := <-g.arrived:
		return p
	case <-time.After(5 * time.Second):
		t.Fatalf("no request reached the gate %s", g.prefix)
		return ""
	}
}

// hold waits at every gate matching path; false when the request or the
// fake ended meanwhile.
func (f *fakeNomad) hold(r *http.Request) bool {
	f.mu.Lock()
	var gs []*fakeGate
	for _, g := range f.gates {
		if strings.HasPrefix(r.URL.Path, g.prefix) {
			gs = append(gs, g)
		}
	}
	f.mu.Unlock()
	for _, g := range gs {
		select {
		case g.arrived <- r.URL.Path:
		default:
		}
		select {
		case <-g.release:
		case <-r.Context().Done():
			return false
		case <-f.done:
			return false
		}
	}
	return true
}

// nomad16FilterError is what Nomad 1.6.2 answers (HTTP 400) to a list
// filtered with an ordering operator such as "ModifyIndex >= 12": its filter
// language (go-bexpr) compares for equality only (docs/perf.md, "Collector
// at scale"). The fake understands one filter on the allocation list, the
// collector's liveAllocFilter, refuses that one in Nomad's words and every
// other one.
const nomad16FilterError = `failed to create result paginator: failed to read filter expression: 1:13 (12): no match found, expected: "!=", "==", "contains", "in", "is", "matches", "not" or [ \t\r\n]`

// listAllocs answers the allocation list as Nomad 1.6 does: by
// CreateIndex then ID (reversed with reverse=true), filtered, cut to per_page,
// with resources only when asked. It returns an HTTP code and message for a
// filter it refuses. f.mu is held.
func (f *fakeNomad) listAllocs(q url.Values) ([]any, int, string) {
	filter := q.Get("filter")
	switch {
	case strings.ContainsAny(filter, "<>"):
		return nil, http.StatusBadRequest, nomad16FilterError
	case filter != "" && filter != liveAllocFilter():
		return nil, http.StatusBadRequest, "fake Nomad: unsupported filter " + filter
	}
	allocs := sortedValues(f.allocs)
	slices.SortStableFunc(allocs, func(a, b *apiAlloc) int {
		return cmp.Or(cmp.Compare(a.CreateIndex, b.CreateIndex), cmp.Compare(a.ID, b.ID))
	})
	if q.Get("reverse") == "true" {
		slices.Reverse(allocs)
	}
	per, _ := strconv.Atoi(q.Get("per_page"))
	list := []any{}
	for _, a := range allocs {
		if filter != "" && !liveAlloc(a) {
			continue
		}
		if per > 0 && len(list) == per {
			break
		}
		stub := wireAlloc(a, false)
		if q.Get("resources") != "true" {
			delete(stub, "AllocatedResources")
		}
		list = append(list, stub)
	}
	return list, 0, ""
}

func (f *fakeNomad) serve(w http.ResponseWriter, r *http.Request) {
	if !f.hold(r) {
		return
	}
	q := r.URL.Query()
	path := r.URL.Path
	if path == "/v1/event/stream" {
		f.serveStream(w, r)
		return
	}
	defer f.served(path)
	f.mu.Lock()
	defer f.mu.Unlock()
	call := fakeCall{Path: path, Query: q}
	defer func() { f.calls = append(f.calls, call) }()
	var out any
	switch {
	case path == "/v1/status/leader":
		out = "127.0.0.1:4647"
	case path == "/v1/nodes":
		out = sortedValues(f.nodes)
	case path == "/v1/allocations":
		list, code, msg := f.listAllocs(q)
		if code != 0 {
			http.Error(w, msg, code)
			return
		}
		call.Served = len(list)
		out = list
	case strings.HasPrefix(path, "/v1/allocation/"):
		a := f.allocs[strings.TrimPrefix(path, "/v1/allocation/")]
		if a == nil {
			http.Error(w, "alloc not found", http.StatusNotFound)
			return
		}
		out = wireAlloc(a, true)
	case strings.HasPrefix(path, "/v1/client/allocation/") && strings.HasSuffix(path, "/checks"):
		id := strings.TrimSuffix(strings.TrimPrefix(path, "/v1/client/allocation/"), "/checks")
		if code := f.checkErr[id]; code != 0 {
			http.Error(w, "fake Nomad: client unreachable", code)
			return
		}
		out = f.checks[id]
	case path == "/v1/jobs":
		var list []apiJobStub
		for _, vs := range sortedValues(f.jobs) {
			j := vs[len(vs)-1]
			// As Nomad 1.6.2 lists them: no Version.
			list = append(list, apiJobStub{ID: j.ID, Namespace: j.Namespace,
				JobModifyIndex: f.jobIndex[jobKey(j.Namespace, j.ID, j.Version)]})
		}
		out = list
	case strings.HasPrefix(path, "/v1/job/"):
		id, versions := strings.CutSuffix(strings.TrimPrefix(path, "/v1/job/"), "/versions")
		vs := f.jobs[jobID(q.Get("namespace"), id)]
		if len(vs) == 0 {
			http.Error(w, "job not found", http.StatusNotFound)
			return
		}
		if !versions {
			out = f.wireJob(vs[len(vs)-1])
			break
		}
		var newest []map[string]any
		for i := len(vs) - 1; i >= 0; i-- {
			newest = append(newest, f.wireJob(vs[i]))
		}
		out = map[string]any{"Versions": newest}
	case path == "/v1/services":
		// Each name with the union of its instances' tags, as Nomad lists them.
		byNS := map[string]map[string]map[string]bool{}
		for _, r := range f.services {
			if byNS[r.Namespace] == nil {
				byNS[r.Namespace] = map[string]map[string]bool{}
			}
			if byNS[r.Namespace][r.ServiceName] == nil {
				byNS[r.Namespace][r.ServiceName] = map[string]bool{}
			}
			for _, t := range r.Tags {
				byNS[r.Namespace][r.ServiceName][t] = true
			}
		}
		var list []apiServiceList
		for _, ns := range slices.Sorted(mapKeys(byNS)) {
			l := apiServiceList{Namespace: ns}
			for _, name := range slices.Sorted(mapKeys(byNS[ns])) {
				l.Services = append(l.Services, apiServiceStub{ServiceName: name, Tags: slices.Sorted(mapKeys(byNS[ns][name]))})
			}
			list = append(list, l)
		}
		out = list
	case strings.HasPrefix(path, "/v1/service/"):
		name := strings.TrimPrefix(path, "/v1/service/")
		var list []*apiServiceReg
		for _, r := range sortedValues(f.services) {
			if r.ServiceName == name && r.Namespace == q.Get("namespace") {
				list = append(list, r)
			}
		}
		out = list
	default:
		f.bad = append(f.bad, call.String())
		http.Error(w, "fake Nomad: not served", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	index := f.index
	if path == "/v1/allocations" {
		index = f.allocsIndex
	}
	w.Header().Set("X-Nomad-Index", strconv.FormatUint(index, 10))
	w.Header().Set("X-Nomad-LastContact", "0")
	w.Header().Set("X-Nomad-KnownLeader", "true")
	if err := json.NewEncoder(w).Encode(out); err != nil {
		f.t.Logf("fake Nomad: encode %s: %v", path, err)
	}
}

// wireAlloc is an allocation as Nomad writes it: a list stub (full false)
// has JobVersion but no NetworkStatus; the full allocation of single reads
// and events has NetworkStatus, no JobVersion and no job. Both carry
// AllocModifyIndex (the fake changes it with every change).
func wireAlloc(a *apiAlloc, full bool) map[string]any {
	m := wireMap(a)
	m["AllocModifyIndex"] = a.ModifyIndex
	if full {
		delete(m, "JobVersion")
		m["Job"] = nil
	} else {
		delete(m, "NetworkStatus")
	}
	return m
}

// wireJob is a job version with the index it was registered at. f.mu is held.
func (f *fakeNomad) wireJob(j *apiJob) map[string]any {
	m := wireMap(j)
	idx := f.jobIndex[jobKey(j.Namespace, j.ID, j.Version)]
	m["JobModifyIndex"], m["ModifyIndex"] = idx, idx
	return m
}

// wireEvent is an event as Nomad writes it.
func (f *fakeNomad) wireEvent(ev event) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := map[string]any{}
	switch {
	case ev.Payload.Allocation != nil:
		p["Allocation"] = wireAlloc(ev.Payload.Allocation, true)
	case ev.Payload.Job != nil:
		p["Job"] = f.wireJob(ev.Payload.Job)
	case ev.Payload.Node != nil:
		p["Node"] = ev.Payload.Node
	case ev.Payload.Service != nil:
		p["Service"] = ev.Payload.Service
	}
	return map[string]any{"Topic": ev.Topic, "Type": ev.Type, "Key": ev.Key, "Namespace": ev.Namespace, "Index": ev.Index, "Payload": p}
}

// frame is one newline-terminated event frame holding events, at the
// highest of their indexes, and that index.
func (f *fakeNomad) frame(t testing.TB, events ...event) ([]byte, uint64) {
	t.Helper()
	var index uint64
	var wire []map[string]any
	for _, ev := range events {
		index = max(index, ev.Index)
		wire = append(wire, f.wireEvent(ev))
	}
	b, err := json.Marshal(map[string]any{"Index": index, "Events": wire})
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n'), index
}

// wireMap is v's JSON as a map, to add or drop fields.
func wireMap(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	return m
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func sortedValues[V any](m map[string]V) []V {
	out := make([]V, 0, len(m))
	for _, k := range slices.Sorted(mapKeys(m)) {
		out = append(out, m[k])
	}
	return out
}

// fakeStream is one open /v1/event/stream response.
type fakeStream struct {
	f      *fakeNomad
	Topics []string
	Index  uint64
	msgs   chan streamMsg
	ended  chan struct{}
}

// streamMsg is what the test asks a stream to write; end closes the
// response after writing.
type streamMsg struct {
	data    []byte
	end     bool
	written chan struct{}
}

func (f *fakeNomad) serveStream(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	topics := q["topic"]
	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{Path: r.URL.Path, Query: q})
	if code := f.streamErr; code != 0 {
		f.mu.Unlock()
		http.Error(w, "fake Nomad: stream failed", code)
		return
	}
	for _, t := range topics {
		if f.forbidden[t] {
			f.mu.Unlock()
			http.Error(w, "Permission denied", http.StatusForbidden)
			return
		}
	}
	beat := f.heartbeat
	f.mu.Unlock()
	index, _ := strconv.ParseUint(q.Get("index"), 10, 64)
	st := &fakeStream{f: f, Topics: topics, Index: index, msgs: make(chan streamMsg), ended: make(chan struct{})}
	defer close(st.ended)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	fl := w.(http.Flusher)
	f.mu.Lock()
	silent, cut, broker := f.silent, f.cut, f.broker
	f.mu.Unlock()
	if broker != nil && !cut {
		// Registered first, as in Nomad: an event published once the
		// heartbeat is out reaches this stream.
		broker.attach(st, w)
	}
	if !silent {
		// Nomad sends a heartbeat as soon as the subscription is registered.
		_, _ = io.WriteString(w, "{}\n")
	}
	fl.Flush()
	if cut {
		return
	}
	if broker == nil {
		select {
		case f.streamCh <- st:
		default:
			f.t.Errorf("fake Nomad: too many streams nobody waited for")
		}
	}
	tick := time.NewTicker(beat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-f.done:
			return
		case <-tick.C:
			f.mu.Lock()
			silent := f.silent
			f.mu.Unlock()
			if !silent {
				_, _ = io.WriteString(w, "{}\n")
				fl.Flush()
			}
		case m := <-st.msgs:
			_, _ = w.Write(m.data)
			fl.Flush()
			close(m.written)
			if m.end {
				return
			}
		}
	}
}

// nextStream returns the next stream opened whose topics are want (any
// topics when want is empty), skipping others (topic probes).
func (f *fakeNomad) nextStream(t testing.TB, want ...string) *fakeStream {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case st := <-f.streamCh:
			if len(want) == 0 || slices.Equal(st.Topics, want) {
				return st
			}
		case <-deadline:
			t.Fatalf("no event stream with topics %v opened", want)
			return nil
		}
	}
}

// write hands data to the stream's handler and waits until it is flushed.
func (st *fakeStream) write(t testing.TB, data []byte, end bool) {
	t.Helper()
	m := streamMsg{data: data, end: end, written: make(chan struct{})}
	select {
	case st.msgs <- m:
	case <-st.ended:
		t.Fatalf("event stream closed before %q", data)
	case <-time.After(5 * time.Second):
		t.Fatalf("event stream did not take %q", data)
	}
	<-m.written
}

// send writes one frame holding events, at the highest of their indexes.
func (st *fakeStream) send(t testing.TB, events ...event) uint64 {
	t.Helper()
	b, index := st.f.frame(t, events...)
	st.write(t, b, false)
	return index
}

// drop writes Nomad's plain-text "event dropped from buffer" and closes the
// stream, as the broker does with a subscriber that fell behind.
func (st *fakeStream) drop(t testing.TB) {
	t.Helper()
	st.write(t, []byte(droppedText), true)
}

// applyEvents sends events, as the fake's stream writes them, through the
// source's frame decoder into applyFrame, as the stream loop does.
func (f *fakeNomad) applyEvents(t testing.TB, s *Source, events ...event) {
	t.Helper()
	b, _ := f.frame(t, events...)
	_ = decodeFrames(strings.NewReader(string(b)), func() {}, func(fr *eventFrame) error {
		s.applyFrame(fr, true)
		return nil
	})
}

// Builders of fake cluster objects. Allocations are host mode unless
// bridgeIP is set (then bridge, with that namespace address).

func fakeNode(id, addr string) *apiNode {
	return &apiNode{ID: id, Name: "node-" + id, Datacenter: "dc1", Address: addr, Status: "ready", HTTPAddr: addr + ":4646"}
}

func fakeAlloc(id, node, job string, version uint64, port int, bridgeIP string) *apiAlloc {
	mode, status := "host", ""
	if bridgeIP != "" {
		mode = "bridge"
		status = fmt.Sprintf(`,"NetworkStatus":{"InterfaceName":"eth0","Address":%q}`, bridgeIP)
	}
	js := fmt.Sprintf(`{"ID":%q,"Name":"%s.web[0]","Namespace":"default","NodeID":%q,"NodeName":"node-%s","JobID":%q,"JobType":"service",
"JobVersion":%d,"TaskGroup":"web","DesiredStatus":"run","ClientStatus":"running",
"AllocatedResources":{"Shared":{"Networks":[{"Mode":%q,"DynamicPorts":[{"Label":"http","Value":%d,"To":8080}]}],
"Ports":[{"Label":"http","Value":%d,"To":8080,"HostIP":"10.0.0.1"}]}}%s}`,
		id, job, node, node, job, version, mode, port, port, status)
	var a apiAlloc
	if err := json.Unmarshal([]byte(js), &a); err != nil {
		panic(err)
	}
	return &a
}

// fakeJob is a job version with one group "web": a task named after the
// version (so tests can tell versions apart) and a Nomad-native service
// <id>-http with checks checks.
func fakeJob(id string, version uint64, checks int) *apiJob {
	j := &apiJob{ID: id, Namespace: "default", Type: "service", Version: version, TaskGroups: []apiGroup{{
		Name: "web", Count: 1,
		Networks: []apiNetwork{{Mode: "host", DynamicPorts: []apiPort{{Label: "http", To: 8080}}}},
		Services: []apiService{{Name: id + "-http", PortLabel: "http", Provider: model.ProviderNomad}},
		Tasks:    []apiTask{{Name: fmt.Sprintf("server-v%d", version), Driver: "docker", Config: map[string]any{"ports": []any{"http"}}}},
	}}}
	for i := range checks {
		j.TaskGroups[0].Services[0].Checks = append(j.TaskGroups[0].Services[0].Checks, struct{ Name string }{fmt.Sprint("c", i)})
	}
	return j
}

func fakeService(id, name, allocID, node string, port int) *apiServiceReg {
	return &apiServiceReg{ID: id, ServiceName: name, Namespace: "default", NodeID: node, JobID: strings.TrimSuffix(name, "-http"),
		AllocID: allocID, Address: "10.0.0.1", Port: port}
}

// seedCluster fills the fake with two nodes, jobs web (checks as given) and
// api, allocations a1, a2 (web) and a3 (api), and a service instance for
// each.
func seedCluster(f *fakeNomad, webChecks int) {
	f.putNode(fakeNode("n1", "10.0.0.1"))
	f.putNode(fakeNode("n2", "10.0.0.2"))
	f.putJob(fakeJob("web", 0, webChecks))
	f.putJob(fakeJob("api", 0, 0))
	f.putAlloc(fakeAlloc("a1", "n1", "web", 0, 21001, ""))
	f.putAlloc(fakeAlloc("a2", "n2", "web", 0, 21002, ""))
	f.putAlloc(fakeAlloc("a3", "n2", "api", 0, 21003, ""))
	f.putService(fakeService("s1", "web-http", "a1", "n1", 21001))
	f.putService(fakeService("s2", "web-http", "a2", "n2", 21002))
	f.putService(fakeService("s3", "api-http", "a3", "n2", 21003))
}

// newFakeSource returns a source reading the fake, with its own store.
func newFakeSource(t testing.TB, f *fakeNomad, opts ...Option) (*Source, *model.Store) {
	t.Helper()
	client, err := nomadapi.NewClient(&nomadapi.Config{Address: f.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	store := model.NewStore()
	return NewSource(client, f.srv.URL, store, testLogger(t), opts...), store
}

// testLogger logs to the test until it ends.
func testLogger(t testing.TB) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.done = true
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

// runSource runs s until the test ends (or stop is called) and checks that
// Run returns promptly once its context is cancelled.
func runSource(t testing.TB, s *Source) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-errc:
				if err != nil {
					t.Errorf("Run returned %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Errorf("Run did not return within 5 s of its context ending")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// runFake starts a fake holding seedCluster(f, 0) and a source running
// against it (anti-entropy off unless opts turn it on), checks for leaked
// goroutines at the end, and returns once the source follows the stream
// with every topic.
func runFake(t *testing.T, opts ...Option) (*fakeNomad, *Source, *model.Store, *fakeStream) {
	t.Helper()
	noLeaks(t)
	f := newFakeNomad(t)
	seedCluster(f, 0)
	s, store := newFakeSource(t, f, append([]Option{WithAntiEntropy(0)}, opts...)...)
	runSource(t, s)
	st := f.nextStream(t, eventTopics...)
	waitState(t, s, model.StateConnected)
	return f, s, store, st
}

// noLeaks checks, after every other cleanup of the test (stopping Run,
// closing the fake and the client), that no goroutine the test started is
// left. Call it first.
func noLeaks(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}

// waitFor polls cond until it holds, or fails the test after 5 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	waitWithin(t, 5*time.Second, what, cond)
}

// waitWithin polls cond until it holds, or fails the test after d.
func waitWithin(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// waitState waits until the model's Nomad status is in state and returns
// it. The model's status, not Source.Status: the source updates its own a
// moment before it applies the batch the status describes.
func waitState(t testing.TB, s *Source, state string) model.SourceStatus {
	t.Helper()
	var st model.SourceStatus
	deadline := time.Now().Add(5 * time.Second)
	for {
		if st = s.store.Snapshot().Status().Nomad; st.State == state {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("status is %+v, want %s", st, state)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// nomadSide is the model's Nomad side (nodes, allocations, Nomad-native
// services) as JSON, for comparing two models.
func nomadSide(t testing.TB, snap *model.Snapshot) string {
	t.Helper()
	var svcs []*model.Service
	for _, s := range snap.Services() {
		if s.Provider == model.ProviderNomad {
			svcs = append(svcs, s)
		}
	}
	b, err := json.MarshalIndent(struct {
		Nodes       []*model.Node
		Allocations []*model.Allocation
		Services    []*model.Service
	}{snap.Nodes(), snap.Allocations(), svcs}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// expectFreshRead fails the test unless the model's Nomad side is what a
// new source reads from the fake now.
func expectFreshRead(t testing.TB, f *fakeNomad, store *model.Store) {
	t.Helper()
	if got, want := nomadSide(t, store.Snapshot()), freshSync(t, f); got != want {
		t.Errorf("the model differs from a fresh read:\n got %s\nwant %s", got, want)
	}
}

// freshSync is the Nomad side a new source reads from the fake now.
func freshSync(t testing.TB, f *fakeNomad) string {
	t.Helper()
	s, store := newFakeSource(t, f)
	if _, _, err := s.Sync(context.Background()); err != nil {
		t.Fatalf("fresh sync: %v", err)
	}
	return nomadSide(t, store.Snapshot())
}
