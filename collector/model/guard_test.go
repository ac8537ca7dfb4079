package model_test

import (
	"slices"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views/viewmodel"
)

// Pollers' writes never bring back what the stream deleted meanwhile.
func TestGuardedChangesDoNotResurrect(t *testing.T) {
	st := model.NewStore()
	st.Apply(
		fixture.Alloc("a1", "web").Bridge("").Upsert(),
		fixture.UpsertService(model.ProviderNomad, "s1", "web", "a1", ""),
	)
	// The check poller and the IP fill started their reads here...
	st.Apply(model.DeleteAllocation{ID: "a1"}, model.DeleteService{Provider: model.ProviderNomad, ID: "s1"})
	// ...and apply once the stream has deleted both.
	s := st.Apply(
		model.SetServiceHealth{Provider: model.ProviderNomad, ID: "s1", Health: model.HealthPassing},
		model.SetAllocNetwork{ID: "a1", Mode: model.ModeBridge, IP: "172.26.64.9"},
	)
	if a := s.Allocation("a1"); a != nil {
		t.Errorf("allocation came back: %+v", a)
	}
	if svcs := s.Services(); len(svcs) != 0 {
		t.Errorf("service came back: %v", fixture.ServiceIDs(svcs))
	}
}

func TestGuardedChangesUpdateWhatIsThere(t *testing.T) {
	st := model.NewStore()
	st.Apply(
		fixture.Alloc("a1", "web").Bridge("").Upsert(),
		fixture.Alloc("h1", "web").Upsert(), // host mode
		fixture.UpsertService(model.ProviderNomad, "s1", "web", "a1", ""),
	)
	s := st.Apply(
		model.SetServiceHealth{Provider: model.ProviderNomad, ID: "s1", Health: model.HealthCritical},
		model.SetAllocNetwork{ID: "a1", Mode: model.ModeBridge, IP: "172.26.64.9", Interface: "eth0"},
		// A read made before the allocation's mode changed does not apply.
		model.SetAllocNetwork{ID: "h1", Mode: model.ModeBridge, IP: "172.26.64.10"},
	)
	if got := s.ServicesNamed("web")[0].Health; got != model.HealthCritical {
		t.Errorf("health %q, want critical", got)
	}
	if a := s.Allocation("a1"); a.Network.IP != "172.26.64.9" || a.Network.Interface != "eth0" {
		t.Errorf("network %+v", a.Network)
	}
	if a := s.Allocation("h1"); a.Network.IP != "10.0.0.1" {
		t.Errorf("host-mode allocation's address changed to %q", a.Network.IP)
	}
}

func TestTouchesIsADryRun(t *testing.T) {
	st := model.NewStore()
	s := st.Apply(
		fixture.Node("n1", "one"),
		fixture.Alloc("a1", "web").Upsert(),
		fixture.Alloc("a2", "web").Upsert(),
	)
	before, err := viewmodel.GraphJSON(s)
	if err != nil {
		t.Fatal(err)
	}
	// A fresh read that lost a2 and changed a1's status.
	a1 := fixture.Alloc("a1", "web").Status("pending").Build()
	got := s.Touches(model.ReconcileNomad{
		Nodes:       []*model.Node{s.Node("n1")},
		Allocations: []*model.Allocation{a1},
	})
	want := []string{model.AllocKey("a1"), model.AllocKey("a2"), model.NodeKey("n1")}
	if !slices.Equal(got, want) {
		t.Errorf("touches %v, want %v", got, want)
	}
	after, _ := viewmodel.GraphJSON(s)
	if string(before) != string(after) {
		t.Error("the dry run changed the snapshot")
	}
	if s2 := st.Snapshot(); s2.Allocation("a2") == nil || st.Apply().Allocation("a2") == nil {
		t.Error("the dry run changed the store")
	}
	if n := len(s.Touches(model.ReconcileNomad{Nodes: s.Nodes(), Allocations: s.Allocations()})); n != 0 {
		t.Errorf("an equal read touches %d keys", n)
	}
}

func TestDataMemoOutlivesStatusChanges(t *testing.T) {
	st := model.NewStore()
	s1 := st.Apply(fixture.Alloc("a1", "web").Upsert())
	calls := 0
	get := func(s *model.Snapshot) any {
		return s.DataMemo("k", func() any { calls++; return calls })
	}
	get(s1)
	s2 := st.Apply(model.SetNomadStatus{Status: model.SourceStatus{State: model.StateConnected}})
	if get(s2); calls != 1 {
		t.Errorf("a status change recomputed the data memo (%d calls)", calls)
	}
	s3 := st.Apply(fixture.Alloc("a2", "web").Upsert(), model.SetNomadStatus{})
	if get(s3); calls != 2 {
		t.Errorf("a data change kept the data memo (%d calls)", calls)
	}
	if get(s1); calls != 2 {
		t.Errorf("the old snapshot lost its memo (%d calls)", calls)
	}
}
