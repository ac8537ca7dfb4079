package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/web"
)

// readyz is what /readyz answered.
type readyz struct {
	code    int
	Status  string `json:"status"`
	Reason  string `json:"reason"`
	Version uint64 `json:"version"`
	Nomad   struct {
		Ready bool   `json:"ready"`
		State string `json:"state"`
		Error string `json:"error"`
		Since string `json:"since"`
	} `json:"nomad"`
	Consul struct {
		Ready bool   `json:"ready"`
		State string `json:"state"`
	} `json:"consul"`
}

func getReady(t *testing.T, base string) readyz {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r readyz
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	r.code = resp.StatusCode
	return r
}

// TestReadyz: /readyz follows the sources' state: ready when connected,
// ready but saying so when catching up, 503 naming the source, its error
// and since when when down or stale; Consul absent is fine; a store
// nothing has read yet is not ready. /healthz stays 200 throughout.
func TestReadyz(t *testing.T) {
	st, base := handlerServer(t)
	if r := getReady(t, base); r.code != 200 || r.Status != "ready" || !r.Nomad.Ready || r.Nomad.State != model.StateConnected {
		t.Errorf("fixture cluster: %+v, want 200 ready", r)
	}

	since := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	steps := []struct {
		name   string
		change model.Change
		code   int
		status string
		reason []string
	}{
		{"nomad catching up", model.SetNomadStatus{Status: model.SourceStatus{State: model.StateCatchingUp, Reason: "event dropped from buffer", Since: since}},
			200, "catching-up", []string{"nomad is catching-up: event dropped from buffer (since 2026-11-25T12:00:00Z)"}},
		{"nomad down", model.SetNomadStatus{Status: model.SourceStatus{State: model.StateDown, Error: "connection refused", Since: since}},
			503, "not-ready", []string{"nomad is down: connection refused (since 2026-11-25T12:00:00Z)"}},
		{"nomad stale, consul down", nil, 503, "not-ready", []string{"nomad is stale: no heartbeat", "consul is down: 500"}},
		{"nomad forbidden", model.SetNomadStatus{Status: model.SourceStatus{State: model.StateForbidden, Error: "403 Permission denied"}},
			503, "not-ready", []string{"nomad is forbidden: 403 Permission denied"}},
		{"consul absent", model.SetNomadStatus{Status: model.SourceStatus{State: model.StateConnected}}, 200, "ready", []string{"every source is connected"}},
	}
	for _, s := range steps {
		switch s.name {
		case "nomad stale, consul down":
			st.Apply(model.SetNomadStatus{Status: model.SourceStatus{State: model.StateStale, Reason: "no heartbeat"}},
				model.SetConsulStatus{Status: model.SourceStatus{State: model.StateDown, Error: "500"}})
		case "consul absent":
			st.Apply(s.change, model.SetConsulStatus{Status: model.SourceStatus{State: model.StateAbsent, Error: "Consul disabled"}})
		default:
			st.Apply(s.change)
		}
		r := getReady(t, base)
		if r.code != s.code || r.Status != s.status {
			t.Errorf("%s: %d %q, want %d %q (%+v)", s.name, r.code, r.Status, s.code, s.status, r)
		}
		for _, want := range s.reason {
			if !strings.Contains(r.Reason, want) {
				t.Errorf("%s: reason %q lacks %q", s.name, r.Reason, want)
			}
		}
		if r.Version != st.Snapshot().Version() {
			t.Errorf("%s: version %d, want %d", s.name, r.Version, st.Snapshot().Version())
		}
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: /healthz %d, want 200 whatever the sources", s.name, resp.StatusCode)
		}
	}

	// Before the first read: syncing, not ready.
	fresh := model.NewStore()
	fresh.Apply(model.SetNomadStatus{Status: model.SourceStatus{State: model.StateSyncing}})
	_, freshBase := serveStore(t, fresh)
	if r := getReady(t, freshBase); r.code != 503 || !strings.Contains(r.Reason, "nomad is syncing (its first read has not finished)") ||
		!strings.Contains(r.Reason, "consul is syncing") {
		t.Errorf("fresh store: %+v, want 503 naming both sources syncing", r)
	}
}

// serveStore serves st's Handler with httptest (no hub) until the test ends.
func serveStore(t *testing.T, st *model.Store, opts ...web.Options) (*web.Server, string) {
	t.Helper()
	var o web.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	srv := web.New(st, o)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return srv, ts.URL
}
