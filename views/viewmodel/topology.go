package viewmodel

import (
	"github.com/netviz/netviz/collector/model"
)

// Topology is the /api/v1/topology body: the allocations the filter keeps
// and the edges that touch them, the data the topology diagram draws.
type Topology struct {
	Version     uint64              `json:"version"`
	Filter      Filter              `json:"filter"`
	Allocations []*model.Allocation `json:"allocations"`
	Edges       []model.Edge        `json:"edges"`
	// Observed are the connections agents saw from or to a shown
	// allocation (omitted when none).
	Observed []ObservedRow `json:"observed,omitempty"`
}

// NewTopology selects the allocations and edges a filtered topology shows.
func NewTopology(snap *model.Snapshot, f Filter) Topology {
	t := Topology{Version: snap.Version(), Filter: f, Allocations: []*model.Allocation{}, Edges: []model.Edge{}}
	kept := map[string]bool{}
	for _, a := range snap.Allocations() {
		if f.MatchAllocation(snap, a) {
			t.Allocations = append(t.Allocations, a)
			kept[a.ID] = true
		}
	}
	for _, e := range snap.Edges() {
		from, _ := AllocOfKey(e.From)
		to, _ := AllocOfKey(e.To)
		if kept[from] || kept[to] {
			t.Edges = append(t.Edges, e)
		}
	}
	var seen []model.ObservedEdge
	for _, e := range snap.ObservedEdges() {
		if kept[e.From] || kept[e.To] {
			seen = append(seen, e)
		}
	}
	if len(seen) > 0 {
		t.Observed = ObservedRows(snap, seen)
	}
	return t
}
