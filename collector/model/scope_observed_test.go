package model_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
)

// hiddenIP is the namespace address of the allocation team-a may not see.
const hiddenIP = "172.26.64.99"

// observedScopeSnap: web1 and app1 in team-a, db1 in team-b (hidden from a
// team-a viewer), all on node n1 at 10.0.0.1, with flows between them and
// from the host.
func observedScopeSnap(t *testing.T) *model.Snapshot {
	t.Helper()
	st := model.NewStore()
	st.Apply(fixture.ClientNode("n1", "one", "10.0.0.1"),
		fixture.Alloc("web1", "web").NS("team-a").Bridge("172.26.64.4").Port("http", "10.0.0.1", 25000, 8080, false).Change(),
		fixture.Alloc("app1", "app").NS("team-a").Bridge("172.26.64.5").Change(),
		fixture.Alloc("db1", "db").NS("team-b").Bridge(hiddenIP).Port("pg", "10.0.0.1", 26000, 5432, false).Change())
	flow := func(alloc, side, local string, lport int, remote string, rport int) model.ObservedFlow {
		return model.ObservedFlow{Alloc: alloc, Side: side, LocalIP: local, LocalPort: lport, RemoteIP: remote, RemotePort: rport, Established: true, Count: 1}
	}
	rep := &model.ObservationReport{Node: "n1", Flows: []model.ObservedFlow{
		flow("app1", model.SideClient, "172.26.64.5", 0, "172.26.64.4", 8080), // both ends team-a: kept
		flow("db1", model.SideClient, hiddenIP, 0, "10.0.0.1", 25000),         // hidden client: dropped
		flow("web1", model.SideClient, "172.26.64.4", 0, hiddenIP, 5432),      // to the hidden namespace: dropped
		flow("web1", model.SideClient, "172.26.64.4", 0, "10.0.0.1", 26000),   // to the hidden host port: dropped
		flow("web1", model.SideServer, "172.26.64.4", 8080, hiddenIP, 0),      // accepted from the hidden one: dropped
		flow("", model.SideClient, "10.0.0.1", 0, "10.0.0.1", 25000),          // the host: node rights
		flow("app1", model.SideClient, "172.26.64.5", 0, "198.51.100.7", 443), // leaves the cluster: no edge, dropped
	}, Listeners: []model.ObservedListener{
		{Alloc: "web1", IP: "172.26.64.4", Port: 8080},
		{Alloc: "db1", IP: hiddenIP, Port: 5432},
		{IP: "10.0.0.1", Port: 26000}, // the host side of the hidden allocation's port
		{IP: "0.0.0.0", Port: 22},
	}}
	if err := rep.Validate(); err != nil {
		t.Fatal(err)
	}
	return st.Apply(model.ApplyObservation{Report: rep, At: time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC)})
}

type edgeEnds struct{ from, to string }

func observedEnds(s *model.Snapshot) []edgeEnds {
	var out []edgeEnds
	for _, e := range s.ObservedEdges() {
		out = append(out, edgeEnds{e.From, e.To})
	}
	return out
}

// restrictedJSON is everything a restricted snapshot tells of its model
// and its observed traffic, as JSON.
func restrictedJSON(t *testing.T, s *model.Snapshot) string {
	t.Helper()
	v := map[string]any{"objects": s.Objects(), "edges": s.ObservedEdges()}
	for id, n := range s.ObservedNodes() {
		var flows []model.ObservedFlow
		for _, f := range n.Flows {
			flows = append(flows, f)
		}
		v["node "+id] = map[string]any{"flows": flows, "listeners": n.Listeners}
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRestrictObserved(t *testing.T) {
	snap := observedScopeSnap(t)
	if got := observedEnds(snap); len(got) != 6 {
		t.Fatalf("whole model's edges %v, want 6 (the test's flows must all map)", got)
	}
	teamA := []model.NamespaceRule{{Pattern: "team-a", Read: true}}

	// Both ends visible: kept; one end hidden: dropped, and the hidden
	// allocation's address, port and ID appear nowhere.
	r := snap.Restrict(model.NormalizeScope(model.Scope{Namespaces: teamA}))
	if got, want := observedEnds(r), []edgeEnds{{"app1", "web1"}}; !slices.Equal(got, want) {
		t.Errorf("edges %v, want %v", got, want)
	}
	js := restrictedJSON(t, r)
	for _, hidden := range []string{hiddenIP, "db1", "26000", "5432", "198.51.100.7"} {
		if strings.Contains(js, hidden) {
			t.Errorf("restricted snapshot names %s: %s", hidden, js)
		}
	}
	if n := r.ObservedNode("n1"); n == nil || len(n.Listeners) != 1 || n.Listeners[0].Alloc != "web1" {
		t.Errorf("listeners %+v, want web1's only", n)
	}

	// Host flows need node rights.
	r = snap.Restrict(model.NormalizeScope(model.Scope{Namespaces: teamA, Nodes: true}))
	if got, want := observedEnds(r), []edgeEnds{{"app1", "web1"}, {model.ObservedHost, "web1"}}; !slices.Equal(got, want) {
		t.Errorf("edges with node rights %v, want %v", got, want)
	}
	if js := restrictedJSON(t, r); strings.Contains(js, hiddenIP) || strings.Contains(js, "26000") {
		t.Errorf("restricted snapshot with node rights names the hidden allocation: %s", js)
	}

	// A viewer of team-b alone sees none of team-a's traffic; the host's
	// flow to web1 names web1.
	r = snap.Restrict(model.NormalizeScope(model.Scope{Namespaces: []model.NamespaceRule{{Pattern: "team-b", Read: true}}, Nodes: true}))
	if got := observedEnds(r); len(got) != 0 {
		t.Errorf("team-b sees %v, want nothing (every flow has a team-a end)", got)
	}
	if r.ObservedWindow() != snap.ObservedWindow() {
		t.Error("restricted snapshot lost the observation window")
	}
}

// TestRestrictObservedNoNode: without node rights, a node none of whose
// allocations is shown is not named by the observed data either.
func TestRestrictObservedNoNode(t *testing.T) {
	snap := observedScopeSnap(t)
	r := snap.Restrict(model.NormalizeScope(model.Scope{Namespaces: []model.NamespaceRule{{Pattern: "team-c", Read: true}}}))
	if n := len(r.ObservedNodes()); n != 0 {
		t.Errorf("%d observed nodes shown to a viewer with nothing on them", n)
	}
}

// TestRestrictObservedCounts: a report that only moves counts (same data
// version) reaches the restricted snapshot too.
func TestRestrictObservedCounts(t *testing.T) {
	st := model.NewStore()
	st.Apply(fixture.ClientNode("n1", "one", "10.0.0.1"),
		fixture.Alloc("web1", "web").NS("team-a").Bridge("172.26.64.4").Port("http", "10.0.0.1", 25000, 8080, false).Change(),
		fixture.Alloc("app1", "app").NS("team-a").Bridge("172.26.64.5").Change())
	rep := &model.ObservationReport{Node: "n1", Flows: []model.ObservedFlow{
		{Alloc: "app1", Side: model.SideClient, LocalIP: "172.26.64.5", RemoteIP: "172.26.64.4", RemotePort: 8080, Established: true, Count: 1}}}
	sc := model.NormalizeScope(model.Scope{Namespaces: []model.NamespaceRule{{Pattern: "team-a", Read: true}}})
	t0 := time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC)
	st.Apply(model.ApplyObservation{Report: rep, At: t0}).Restrict(sc).ObservedEdges()
	e := st.Apply(model.ApplyObservation{Report: rep, At: t0.Add(time.Second)}).Restrict(sc).ObservedEdges()
	if len(e) != 1 || e[0].Count != 2 || !e[0].LastSeen.Equal(t0.Add(time.Second)) {
		t.Errorf("restricted edges %+v, want one with count 2 last seen at t0+1s", e)
	}
}

// TestRestrictObservedMeshUpstream: an allocation's connection through
// its own upstream to a hidden allocation shows as the upstream used (the
// client's job spec names it), never as the hidden far end, and needs no
// Consul rights.
func TestRestrictObservedMeshUpstream(t *testing.T) {
	st := model.NewStore()
	st.Apply(fixture.Node("n1", "one"),
		fixture.Alloc("app1", "app").NS("team-a").Group("app").Bridge("172.26.64.2").
			MeshSvc("app", "8080", fixture.Upstream("redis", 6379)).RawTask("app").Change(),
		fixture.Alloc("redis1", "redis").NS("team-b").Group("redis").Bridge("172.26.64.3").
			MeshSvc("redis", "6379").RawTask("redis").Change())
	proxy, ok := st.Snapshot().Allocation("redis1").PortByLabel("connect-proxy-redis")
	if !ok {
		t.Fatal("fixture: redis1 has no sidecar port")
	}
	rep := &model.ObservationReport{Node: "n1", Flows: []model.ObservedFlow{
		{Alloc: "app1", Side: model.SideClient, LocalIP: "172.26.64.2", RemoteIP: "127.0.0.1", RemotePort: 6379, Established: true, Count: 1},
		{Alloc: "app1", Side: model.SideClient, LocalIP: "172.26.64.2", RemoteIP: proxy.HostIP, RemotePort: proxy.Value, Established: true, Count: 1},
	}}
	snap := st.Apply(model.ApplyObservation{Report: rep, At: time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC)})
	if got, want := observedEnds(snap), []edgeEnds{{"app1", "redis1"}}; !slices.Equal(got, want) {
		t.Fatalf("whole model's edges %v, want %v", got, want)
	}
	r := snap.Restrict(model.NormalizeScope(model.Scope{Namespaces: []model.NamespaceRule{{Pattern: "team-a", Read: true}}}))
	e := r.ObservedEdges()
	if len(e) != 1 || e[0].From != "app1" || e[0].To != "" || e[0].Service != "redis" || e[0].Kind != model.ObservedMesh {
		t.Errorf("restricted edges %+v, want app1's upstream to redis with no far end", e)
	}
	if js := restrictedJSON(t, r); strings.Contains(js, "redis1") || strings.Contains(js, "172.26.64.3") {
		t.Errorf("restricted snapshot names the hidden far end: %s", js)
	}
}
