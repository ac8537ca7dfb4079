package web

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/history"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
)

// visibleCluster: alpha (Consul, OSS: no namespace) in team-a, beta
// (Consul) in team-b, a Consul service with no allocation, a Nomad service
// in team-a, an intention, a node, and observed traffic between team-a's
// allocations, from team-b and from the host.
func visibleCluster(t *testing.T) (*model.Snapshot, *model.Snapshot) {
	t.Helper()
	st := model.NewStore()
	s0 := st.Snapshot()
	st.Apply(fixture.ClientNode("n1", "one", "10.0.0.1"),
		fixture.Alloc("a1", "alpha").NS("team-a").Bridge("172.26.64.4").Port("http", "10.0.0.1", 25000, 8080, false).Change(),
		fixture.Alloc("a2", "app").NS("team-a").Bridge("172.26.64.5").Change(),
		fixture.Alloc("b1", "beta").NS("team-b").Bridge("172.26.64.6").Change(),
		model.UpsertService{Service: &model.Service{ID: "c-a", Name: "alpha", Provider: model.ProviderConsul, AllocID: "a1"}},
		model.UpsertService{Service: &model.Service{ID: "c-b", Name: "alpha-b", Provider: model.ProviderConsul, AllocID: "b1"}},
		model.UpsertService{Service: &model.Service{ID: "c-x", Name: "alpha-ext", Provider: model.ProviderConsul}},
		model.UpsertService{Service: &model.Service{ID: "n-a", Name: "web", Provider: model.ProviderNomad, Namespace: "team-a", AllocID: "a1"}},
		fixture.Intentions(false, fixture.Intention("app", "alpha", model.ActionAllow), fixture.Intention("app", "beta", model.ActionAllow)))
	flow := func(alloc, local, remote string, port int) model.ObservedFlow {
		return model.ObservedFlow{Alloc: alloc, Side: model.SideClient, LocalIP: local, RemoteIP: remote, RemotePort: port, Established: true, Count: 1}
	}
	s1 := st.Apply(model.ApplyObservation{At: time.Now(), Report: &model.ObservationReport{Node: "n1", Flows: []model.ObservedFlow{
		flow("a2", "172.26.64.5", "172.26.64.4", 8080),
		flow("b1", "172.26.64.6", "172.26.64.4", 8080),
		flow("", "10.0.0.1", "10.0.0.1", 25000),
	}}})
	return s0, s1
}

// TestVisibleMatchesRestrict: the timeline shows a scoped viewer the
// entries of exactly the services and observed edges Snapshot.Restrict
// shows it, including Consul OSS services (whose namespace is empty) and
// a Consul service without an allocation.
func TestVisibleMatchesRestrict(t *testing.T) {
	s0, s1 := visibleCluster(t)
	now := time.Now()
	entries, _ := history.Diff(s0, s1, nil, true, now)
	observed, _ := history.Diff(s0, s1, []string{model.KeyObserved}, false, now)
	entries = append(entries, observed...)
	teamA := []model.NamespaceRule{{Pattern: "team-a", Read: true}}
	for _, sc := range []model.Scope{
		{Namespaces: teamA},
		{Namespaces: teamA, Nodes: true, Consul: true, Services: []string{"alpha", "alpha-b", "alpha-ext"}},
		{Namespaces: []model.NamespaceRule{{Pattern: "team-*", Read: true}}, Consul: true, Services: []string{"alpha"}},
	} {
		sc = model.NormalizeScope(sc)
		r := s1.Restrict(sc)
		var wantSvc, gotSvc, wantObs, gotObs []string
		for _, v := range r.Services() {
			wantSvc = append(wantSvc, v.Provider+"/"+v.Name)
		}
		for _, e := range r.ObservedEdges() {
			wantObs = append(wantObs, e.From+">"+e.To)
		}
		nodes, intentions := 0, 0
		for _, e := range visible(entries, sc) {
			switch e.Kind {
			case history.KindServiceUp:
				gotSvc = append(gotSvc, e.Provider+"/"+e.Service)
			case history.KindObservedSeen:
				gotObs = append(gotObs, e.Ends.From+">"+e.Ends.To)
			case history.KindNodeJoined:
				nodes++
			case history.KindIntentionAdd:
				intentions++
			}
		}
		for _, p := range []*[]string{&wantSvc, &gotSvc, &wantObs, &gotObs} {
			slices.Sort(*p)
		}
		if !slices.Equal(gotSvc, wantSvc) {
			t.Errorf("scope %s: timeline services %v, Restrict shows %v", sc.Key(), gotSvc, wantSvc)
		}
		if !slices.Equal(gotObs, wantObs) {
			t.Errorf("scope %s: timeline observed edges %v, Restrict shows %v", sc.Key(), gotObs, wantObs)
		}
		if nodes != len(r.Nodes()) || intentions != len(r.Intentions()) {
			t.Errorf("scope %s: timeline %d nodes, %d intentions; Restrict %d, %d", sc.Key(), nodes, intentions, len(r.Nodes()), len(r.Intentions()))
		}
	}
}

// TestVisibleUnknownAllocation: an entry naming an allocation whose
// namespace history did not record is hidden, as are observed entries
// recorded before they carried their ends.
func TestVisibleUnknownAllocation(t *testing.T) {
	sc := model.NormalizeScope(model.Scope{Namespaces: []model.NamespaceRule{{Pattern: "default", Read: true}}, Consul: true, Services: []string{"alpha"}})
	es := []history.Entry{
		{Kind: history.KindServiceUp, Service: "alpha", Provider: model.ProviderConsul, Alloc: "gone"},
		{Kind: history.KindObservedSeen, Namespace: "default", Alloc: "a1", Summary: "observed namespace-ip x → a1:http first seen"},
		{Kind: history.KindAllocPlaced, Alloc: "a1"},
	}
	if got := visible(es, sc); len(got) != 0 {
		var kinds []string
		for _, e := range got {
			kinds = append(kinds, string(e.Kind))
		}
		t.Errorf("shown: %s", strings.Join(kinds, ", "))
	}
}
