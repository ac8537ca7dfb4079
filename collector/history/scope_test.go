package history

import (
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
)

// TestServiceEntryNamespace: a service entry's namespace is Nomad's. A
// Consul service (namespace empty on Consul OSS, Consul's own on
// Enterprise) gets its allocation's, or none when history does not know
// the allocation; a Nomad service keeps its own.
func TestServiceEntryNamespace(t *testing.T) {
	s0 := model.NewStore().Snapshot()
	s1 := fixture.Snapshot(
		fixture.Alloc("a1", "alpha").NS("team-a").Change(),
		model.UpsertService{Service: &model.Service{ID: "c1", Name: "alpha", Provider: model.ProviderConsul, AllocID: "a1"}},
		model.UpsertService{Service: &model.Service{ID: "c2", Name: "beta", Provider: model.ProviderConsul, Namespace: "team-a", AllocID: "gone"}},
		model.UpsertService{Service: &model.Service{ID: "c3", Name: "gamma", Provider: model.ProviderConsul}},
		model.UpsertService{Service: &model.Service{ID: "n1", Name: "delta", Provider: model.ProviderNomad, Namespace: "team-d"}},
	)
	entries, _ := Diff(s0, s1, nil, true, time.Now())
	want := map[string]string{"alpha": "team-a", "beta": "", "gamma": "", "delta": "team-d"}
	seen := 0
	for _, e := range entries {
		if e.Kind != KindServiceUp {
			continue
		}
		seen++
		if ns, ok := want[e.Service]; !ok || e.Namespace != ns {
			t.Errorf("entry for %s (%s) has namespace %q, want %q", e.Service, e.Provider, e.Namespace, ns)
		}
	}
	if seen != len(want) {
		t.Errorf("%d service entries, want %d: %+v", seen, len(want), entries)
	}
}

// TestObservedEntryEnds: an observed entry records both ends of its edge
// with their namespaces, for the viewer's scope to judge each.
func TestObservedEntryEnds(t *testing.T) {
	st := model.NewStore()
	st.Apply(fixture.Alloc("web1", "web").NS("team-a").Bridge("172.26.64.4").Port("http", "10.0.0.1", 25000, 8080, false).Change(),
		fixture.Alloc("app1", "app").NS("team-b").Bridge("172.26.64.5").Change())
	s0 := st.Snapshot()
	s1 := st.Apply(model.ApplyObservation{At: time.Now(), Report: &model.ObservationReport{Node: "n1", Flows: []model.ObservedFlow{{
		Alloc: "app1", Side: model.SideClient, LocalIP: "172.26.64.5", RemoteIP: "172.26.64.4", RemotePort: 8080, Established: true, Count: 1}}}})
	es, _ := Diff(s0, s1, []string{model.KeyObserved}, false, time.Now())
	want := ObservedEnds{From: "app1", FromNamespace: "team-b", To: "web1", ToNamespace: "team-a"}
	if len(es) != 1 || es[0].Ends == nil || *es[0].Ends != want {
		t.Fatalf("entries %+v, want one with ends %+v", es, want)
	}
}
