package model_test

import (
	"slices"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
)

// TestDryRunLeavesTheSnapshotAlone: a dry run sees its changes, the
// snapshot it started from and the store do not, and a dry run of a dry
// run leaves the first one as it was.
func TestDryRunLeavesTheSnapshotAlone(t *testing.T) {
	store := model.NewStore()
	snap := store.Apply(fixture.Node("n1", "node-1"), model.UpsertAllocation{Alloc: fixture.Alloc("a1", "web").Build()})
	dry := snap.DryRun(model.DeleteAllocation{ID: "a1"}, model.UpsertAllocation{Alloc: fixture.Alloc("b1", "api").Build()})
	if got := fixture.AllocIDs(dry.Allocations()); !slices.Equal(got, []string{"b1"}) {
		t.Errorf("dry run holds %v, want [b1]", got)
	}
	if len(dry.AllocationsOnNode("n1")) != 1 || len(dry.AllocationsOfJob("default", "web")) != 0 {
		t.Error("dry run's indexes not updated")
	}
	again := dry.DryRun(model.UpsertAllocation{Alloc: fixture.Alloc("c1", "db").Build()})
	if got := fixture.AllocIDs(again.Allocations()); !slices.Equal(got, []string{"b1", "c1"}) {
		t.Errorf("second dry run holds %v", got)
	}
	for _, s := range []*model.Snapshot{snap, store.Snapshot()} {
		if got := fixture.AllocIDs(s.Allocations()); !slices.Equal(got, []string{"a1"}) {
			t.Errorf("snapshot %d holds %v after dry runs, want [a1]", s.Version(), got)
		}
	}
	if got := fixture.AllocIDs(dry.DryRun().Allocations()); !slices.Equal(got, []string{"b1"}) {
		t.Errorf("first dry run holds %v after the second, want [b1]", got)
	}
	if len(snap.AllocationsOnNode("n1")) != 1 || snap.AllocationsOnNode("n1")[0].ID != "a1" {
		t.Error("the snapshot's node index changed")
	}
}
