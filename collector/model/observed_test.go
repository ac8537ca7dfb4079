package model_test

import (
	"slices"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
)

// observedCluster is MeshPair plus a plain bridge service with a host port
// and the node's address, for the mapping tests.
func observedStore(t *testing.T) *model.Store {
	t.Helper()
	st := model.NewStore()
	st.Apply(fixture.MeshPair()...)
	st.Apply(fixture.ClientNode("n1", "one", "10.0.0.1"),
		fixture.Alloc("web1", "web").Node("n1").Group("web").Bridge("172.26.64.4").
			Port("http", "10.0.0.1", 25000, 8080, false).Svc("web", model.ProviderNomad, "http").RawTask("web").Change())
	return st
}

func clientFlow(alloc, ip string, port int) model.ObservedFlow {
	return model.ObservedFlow{Alloc: alloc, Side: model.SideClient, LocalIP: "172.26.64.9", RemoteIP: ip, RemotePort: port, Established: true, Count: 1}
}

func TestObservedMapping(t *testing.T) {
	st := observedStore(t)
	redis := st.Snapshot().Allocation("redis1")
	proxy, _ := redis.PortByLabel("connect-proxy-redis")
	t0 := time.Date(2026, 11, 29, 4, 0, 0, 0, time.UTC)
	rep := &model.ObservationReport{Node: "n1", Flows: []model.ObservedFlow{
		clientFlow("app1", "127.0.0.1", 6379),       // app → its upstream listener
		clientFlow("app1", "10.0.0.1", proxy.Value), // app's sidecar → redis's sidecar
		clientFlow("app1", "172.26.64.4", 8080),     // app → web's namespace IP
		clientFlow("redis1", "10.0.0.1", 25000),     // redis → web's host port
		clientFlow("redis1", "127.0.0.1", 6379),     // redis's sidecar → its app: no edge
		{Alloc: "web1", Side: model.SideServer, LocalIP: "172.26.64.4", LocalPort: 8080, RemoteIP: "10.0.0.1",
			OrigSrcIP: "192.0.2.7", OrigDstIP: "10.0.0.1", OrigDstPort: 25000, Established: true, Count: 2}, // external via host port
	}}
	if err := rep.Validate(); err != nil {
		t.Fatal(err)
	}
	snap := st.Apply(model.ApplyObservation{Report: rep, At: t0})
	type e struct {
		kind           model.ObservedKind
		from, to, port string
	}
	var got []e
	for _, x := range snap.ObservedEdges() {
		got = append(got, e{x.Kind, x.From, x.To, x.Port})
	}
	want := []e{
		{model.ObservedMesh, "app1", "redis1", "connect-proxy-redis"},
		{model.ObservedNamespaceIP, "app1", "web1", "http"},
		{model.ObservedHostPort, "external", "web1", "http"},
		{model.ObservedHostPort, "redis1", "web1", "http"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("edges\n got %v\nwant %v", got, want)
	}

	// A second report adds counts; expiry after the window removes them.
	snap = st.Apply(model.ApplyObservation{Report: rep, At: t0.Add(3 * time.Second)})
	for _, x := range snap.ObservedEdges() {
		if x.From == "external" && (x.Count != 4 || !x.LastSeen.Equal(t0.Add(3*time.Second)) || !x.FirstSeen.Equal(t0)) {
			t.Fatalf("merged edge %+v", x)
		}
	}
	snap = st.Apply(model.ExpireObserved{Now: t0.Add(time.Minute), Window: 30 * time.Second})
	if n := len(snap.ObservedEdges()); n != 0 {
		t.Fatalf("%d edges after the window", n)
	}
}

func TestObservationValidate(t *testing.T) {
	bad := []model.ObservationReport{
		{},
		{Node: "n1", Flows: []model.ObservedFlow{{Side: "sideways", LocalIP: "1.2.3.4", RemoteIP: "1.2.3.4", RemotePort: 1}}},
		{Node: "n1", Flows: []model.ObservedFlow{{Side: model.SideClient, LocalIP: "<script>", RemoteIP: "1.2.3.4", RemotePort: 1}}},
		{Node: "n1", Flows: []model.ObservedFlow{{Side: model.SideClient, LocalIP: "1.2.3.4", RemoteIP: "1.2.3.4", RemotePort: 70000}}},
		{Node: "n1", Flows: []model.ObservedFlow{{Side: model.SideClient, LocalIP: "1.2.3.4", RemoteIP: "1.2.3.4", RemotePort: 1, Count: -1}}},
		{Node: "n1", Flows: make([]model.ObservedFlow, model.MaxReportFlows+1)},
	}
	for i, r := range bad {
		if err := r.Validate(); err == nil {
			t.Errorf("report %d accepted", i)
		}
	}
}

// TestObservedOtherNode: a port bound on every address of another node,
// reached at that node's address, is that node's allocation's port.
func TestObservedOtherNode(t *testing.T) {
	st := observedStore(t)
	st.Apply(fixture.ClientNode("n2", "two", "10.0.0.2"),
		fixture.Alloc("db2", "db").Node("n2").Group("db").Bridge("172.26.80.2").
			Port("pg", "", 26000, 5432, false).RawTask("db").Change())
	snap := st.Apply(model.ApplyObservation{At: time.Now(), Report: &model.ObservationReport{Node: "n1",
		Flows: []model.ObservedFlow{clientFlow("web1", "10.0.0.2", 26000)}}})
	e := snap.ObservedEdges()
	if len(e) != 1 || e[0].To != "db2" || e[0].Port != "pg" || e[0].Kind != model.ObservedHostPort {
		t.Fatalf("edges %+v", e)
	}
	// An agent speaks only for its own node's allocations.
	snap = st.Apply(model.ApplyObservation{At: time.Now(), Report: &model.ObservationReport{Node: "n1",
		Flows: []model.ObservedFlow{clientFlow("db2", "172.26.64.4", 8080)}}})
	if e := snap.ObservedFrom("db2"); len(e) != 0 {
		t.Fatalf("n1's agent made up db2's traffic: %+v", e)
	}
}
