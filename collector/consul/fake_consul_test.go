package consul_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
)

// fakeConsul is a fake Consul agent: an httptest server answering the few
// HTTP API endpoints the source reads, with blocking queries (?index=&wait=
// against one X-Consul-Index that every change bumps) and failures injected
// per path.
type fakeConsul struct {
	srv *httptest.Server

	mu       sync.Mutex
	index    uint64
	changed  chan struct{} // closed (and replaced) by every change
	nodes    map[string]string
	services map[string][]*consulapi.AgentService // by node
	checks   consulapi.HealthChecks
	// fail answers a path (or "*", every path) with that HTTP status.
	fail map[string]int
	// fullReads counts the intentions served without ?index: one per full
	// read (its watch reads at 0 only after failing itself, which these
	// tests never make it do alone).
	fullReads int
	// leaderAsked counts the questions "is Consul there?".
	leaderAsked int
}

func newFakeConsul(t *testing.T) *fakeConsul {
	t.Helper()
	f := &fakeConsul{
		index:    10,
		changed:  make(chan struct{}),
		nodes:    map[string]string{},
		services: map[string][]*consulapi.AgentService{},
		fail:     map[string]int{},
	}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

// client is a Consul client of the fake. Closing the server closes its
// connections, so no goroutine of the client outlives the test.
func (f *fakeConsul) client(t *testing.T) *consulapi.Client {
	t.Helper()
	c, err := consulapi.NewClient(&consulapi.Config{Address: f.srv.Listener.Addr().String(), HttpClient: f.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// change edits the fake's state as one Consul write: the index moves on and
// every blocked query wakes.
func (f *fakeConsul) change(edit func(f *fakeConsul)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	edit(f)
	f.index++
	close(f.changed)
	f.changed = make(chan struct{})
}

// register adds or replaces a service instance on a node (adding the node),
// with a passing check.
func (f *fakeConsul) register(node, id, name string, port int) {
	f.change(func(f *fakeConsul) {
		if _, ok := f.nodes[node]; !ok {
			f.nodes[node] = "10.0.0." + strconv.Itoa(len(f.nodes)+1)
		}
		svc := &consulapi.AgentService{ID: id, Service: name, Port: port, ModifyIndex: f.index + 1}
		f.services[node] = slices.DeleteFunc(f.services[node], func(s *consulapi.AgentService) bool { return s.ID == id })
		f.services[node] = append(f.services[node], svc)
		f.checks = slices.DeleteFunc(f.checks, func(c *consulapi.HealthCheck) bool { return c.Node == node && c.ServiceID == id })
		f.checks = append(f.checks, &consulapi.HealthCheck{Node: node, CheckID: "check-" + id, ServiceID: id, Status: consulapi.HealthPassing})
	})
}

// failing makes path (or "*") answer with code from now on; 0 heals it.
func (f *fakeConsul) failing(path string, code int) {
	f.change(func(f *fakeConsul) {
		if code == 0 {
			delete(f.fail, path)
		} else {
			f.fail[path] = code
		}
	})
}

func (f *fakeConsul) counts() (fullReads, leaderAsked int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fullReads, f.leaderAsked
}

func (f *fakeConsul) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if idx, err := strconv.ParseUint(r.URL.Query().Get("index"), 10, 64); err == nil && idx > 0 {
		f.block(r, idx)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.URL.Path == "/v1/status/leader" {
		f.leaderAsked++
	}
	code := f.fail[r.URL.Path]
	if c := f.fail["*"]; c != 0 {
		code = c
	}
	if code != 0 {
		http.Error(w, "fake failure", code)
		return
	}
	body, ok := f.answer(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Consul-Index", strconv.FormatUint(f.index, 10))
	w.Header().Set("X-Consul-LastContact", "0")
	w.Header().Set("X-Consul-KnownLeader", "true")
	_ = json.NewEncoder(w).Encode(body)
}

// block waits, as a blocking query does, until the index passes idx, the
// wait runs out or the client gives up.
func (f *fakeConsul) block(r *http.Request, idx uint64) {
	wait, err := time.ParseDuration(r.URL.Query().Get("wait"))
	if err != nil || wait <= 0 {
		wait = 5 * time.Minute
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		f.mu.Lock()
		if f.index > idx {
			f.mu.Unlock()
			return
		}
		changed := f.changed
		f.mu.Unlock()
		select {
		case <-changed:
		case <-timer.C:
			return
		case <-r.Context().Done():
			return
		}
	}
}

// answer is the body for r's path. Caller holds f.mu.
func (f *fakeConsul) answer(r *http.Request) (any, bool) {
	path := r.URL.Path
	switch {
	case path == "/v1/status/leader":
		return "10.0.0.1:8300", true
	case path == "/v1/catalog/nodes":
		var out []*consulapi.Node
		for _, name := range slices.Sorted(maps.Keys(f.nodes)) {
			out = append(out, &consulapi.Node{Node: name, Address: f.nodes[name]})
		}
		return out, true
	case strings.HasPrefix(path, "/v1/catalog/node-services/"):
		name := strings.TrimPrefix(path, "/v1/catalog/node-services/")
		return &consulapi.CatalogNodeServiceList{
			Node:     &consulapi.Node{Node: name, Address: f.nodes[name]},
			Services: f.services[name],
		}, true
	case path == "/v1/catalog/services":
		out := map[string][]string{}
		for _, list := range f.services {
			for _, s := range list {
				out[s.Service] = []string{}
			}
		}
		return out, true
	case path == "/v1/health/state/any":
		return f.checks, true
	case path == "/v1/config/service-intentions":
		if r.URL.Query().Get("index") == "" {
			f.fullReads++
		}
		return []any{}, true
	case path == "/v1/connect/intentions/check":
		return map[string]bool{"Allowed": true}, true
	}
	return nil, false
}
