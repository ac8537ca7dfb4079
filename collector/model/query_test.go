package model_test

import (
	"slices"
	"testing"

	"github.com/netviz/netviz/internal/fixture"

	"github.com/netviz/netviz/collector/model"
)

// queryFixture is a small cluster: two jobs in two namespaces over three nodes.
func queryFixture() *model.Store {
	store := model.NewStore()
	store.Apply(
		fixture.Node("n2", "alpha"), fixture.Node("n1", "beta"), fixture.Node("n0", "alpha"),
		fixture.Alloc("ab12", "web").Node("n1").Group("front").Upsert(),
		fixture.Alloc("ab34", "web").Node("n1").Group("back").Upsert(),
		fixture.Alloc("cd56", "web").Node("n2").Group("back").Upsert(),
		fixture.Alloc("ef78", "web").NS("prod").Node("n2").Upsert(),
		fixture.Alloc("ab99", "api").Node("n0").Upsert(),
		fixture.UpsertService("nomad", "s2", "redis", "ab12", ""),
		fixture.UpsertService("consul", "s1", "redis", "ab12", "passing"),
		fixture.UpsertService("consul", "s0", "api", "ab99", "passing"),
	)
	return store
}

func TestQueries(t *testing.T) {
	store := queryFixture()
	tests := []struct {
		name string
		got  func(*model.Snapshot) []string
		want []string
	}{
		{"nodes by name then ID", func(s *model.Snapshot) []string { return fixture.NodeIDs(s.Nodes()) }, []string{"n0", "n2", "n1"}},
		{"allocations by namespace, job, group, name, ID", func(s *model.Snapshot) []string { return fixture.AllocIDs(s.Allocations()) },
			[]string{"ab99", "ab34", "cd56", "ab12", "ef78"}},
		{"by prefix", func(s *model.Snapshot) []string { return fixture.AllocIDs(s.AllocationsByPrefix("ab")) }, []string{"ab99", "ab34", "ab12"}},
		{"by full ID", func(s *model.Snapshot) []string { return fixture.AllocIDs(s.AllocationsByPrefix("cd56")) }, []string{"cd56"}},
		{"by unknown prefix", func(s *model.Snapshot) []string { return fixture.AllocIDs(s.AllocationsByPrefix("zz")) }, []string{}},
		{"on node", func(s *model.Snapshot) []string { return fixture.AllocIDs(s.AllocationsOnNode("n2")) }, []string{"cd56", "ef78"}},
		{"on unknown node", func(s *model.Snapshot) []string { return fixture.AllocIDs(s.AllocationsOnNode("nx")) }, []string{}},
		{"of job in namespace", func(s *model.Snapshot) []string { return fixture.AllocIDs(s.AllocationsOfJob("default", "web")) },
			[]string{"ab34", "cd56", "ab12"}},
		{"of job in other namespace", func(s *model.Snapshot) []string { return fixture.AllocIDs(s.AllocationsOfJob("prod", "web")) }, []string{"ef78"}},
		{"service names", func(s *model.Snapshot) []string { return s.ServiceNames() }, []string{"api", "redis"}},
		{"services named, all providers", func(s *model.Snapshot) []string { return fixture.ServiceIDs(s.ServicesNamed("redis")) },
			[]string{"consul/s1", "nomad/s2"}},
		{"services named unknown", func(s *model.Snapshot) []string { return fixture.ServiceIDs(s.ServicesNamed("x")) }, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.got(store.Snapshot()); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	s := store.Snapshot()
	if a := s.Allocation("cd56"); a == nil || a.NodeID != "n2" {
		t.Errorf("Allocation(cd56) = %+v", a)
	}
	if s.Allocation("nope") != nil || s.Node("nope") != nil {
		t.Error("unknown IDs should give nil")
	}
	if n := s.Node("n1"); n == nil || n.Name != "beta" {
		t.Errorf("Node(n1) = %+v", n)
	}
}

// TestIndexesFollowMovesAndDeletes checks the by-node, by-job and by-name
// indexes after allocations move, change job, and go away.
func TestIndexesFollowMovesAndDeletes(t *testing.T) {
	store := queryFixture()
	before := store.Snapshot()
	after := store.Apply(
		fixture.Alloc("ab12", "api").Node("n0").Upsert(), // moves node and job
		model.DeleteAllocation{ID: "cd56"},
		fixture.UpsertService("consul", "s1", "cache", "ab12", "passing"), // renamed
		model.DeleteService{Provider: "consul", ID: "s0"},
	)
	tests := []struct {
		name      string
		got       func(*model.Snapshot) []string
		wantAfter []string
		wantOld   []string
	}{
		{"n1", func(s *model.Snapshot) []string { return fixture.AllocIDs(s.AllocationsOnNode("n1")) }, []string{"ab34"}, []string{"ab34", "ab12"}},
		{"n2", func(s *model.Snapshot) []string { return fixture.AllocIDs(s.AllocationsOnNode("n2")) }, []string{"ef78"}, []string{"cd56", "ef78"}},
		{"n0", func(s *model.Snapshot) []string { return fixture.AllocIDs(s.AllocationsOnNode("n0")) }, []string{"ab12", "ab99"}, []string{"ab99"}},
		{"job web", func(s *model.Snapshot) []string { return fixture.AllocIDs(s.AllocationsOfJob("default", "web")) }, []string{"ab34"}, []string{"ab34", "cd56", "ab12"}},
		{"job api", func(s *model.Snapshot) []string { return fixture.AllocIDs(s.AllocationsOfJob("default", "api")) }, []string{"ab12", "ab99"}, []string{"ab99"}},
		{"names", func(s *model.Snapshot) []string { return s.ServiceNames() }, []string{"cache", "redis"}, []string{"api", "redis"}},
		{"redis", func(s *model.Snapshot) []string { return fixture.ServiceIDs(s.ServicesNamed("redis")) }, []string{"nomad/s2"}, []string{"consul/s1", "nomad/s2"}},
		{"prefix", func(s *model.Snapshot) []string { return fixture.AllocIDs(s.AllocationsByPrefix("c")) }, []string{}, []string{"cd56"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.got(after); !slices.Equal(got, tt.wantAfter) {
				t.Errorf("after: got %v, want %v", got, tt.wantAfter)
			}
			if got := tt.got(before); !slices.Equal(got, tt.wantOld) {
				t.Errorf("old snapshot: got %v, want %v", got, tt.wantOld)
			}
		})
	}
}

func TestAccessorsReturnCopies(t *testing.T) {
	s := queryFixture().Snapshot()
	a := s.Allocations()
	a[0] = nil
	if s.Allocations()[0] == nil {
		t.Error("changing the returned slice changed the snapshot")
	}
}
