package synthetic_test

import (
	"reflect"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/synthetic"
)

func TestGenerate(t *testing.T) {
	cfg := synthetic.Config{Nodes: 5, Allocations: 200, Seed: 7}
	c := synthetic.Generate(cfg)
	if len(c.Nodes) != 5 || len(c.Allocations) != 200 {
		t.Fatalf("%d nodes, %d allocations; want 5, 200", len(c.Nodes), len(c.Allocations))
	}
	if !reflect.DeepEqual(c, synthetic.Generate(cfg)) {
		t.Error("same config gave a different cluster")
	}
	snap := model.NewStore().Apply(c.Changes()...)
	if got := len(snap.Allocations()); got != 200 {
		t.Errorf("store holds %d allocations", got)
	}
	kinds := map[model.EdgeKind]int{}
	for _, e := range snap.Edges() {
		kinds[e.Kind]++
	}
	for _, k := range []model.EdgeKind{model.EdgeSameNamespace, model.EdgeUpstream, model.EdgeDiscovery, model.EdgeIngress} {
		if kinds[k] == 0 {
			t.Errorf("no %s edges; got %v", k, kinds)
		}
	}
}

func TestUpdateMovesSometimes(t *testing.T) {
	c := synthetic.Generate(synthetic.Config{Nodes: 3, Allocations: 30, Seed: 1})
	store := model.NewStore()
	store.Apply(c.Changes()...)
	moved := 0
	for k := range 40 {
		u := c.Update(k)
		before := store.Snapshot().Allocation(u.Alloc.ID)
		if before.NodeID != u.Alloc.NodeID {
			moved++
		}
		store.Apply(u)
	}
	if moved == 0 {
		t.Error("no update moved an allocation")
	}
}
