package viewmodel

import (
	"github.com/netviz/netviz/collector/model"
)

// EdgeRow is a derived edge with both ends resolved to links.
type EdgeRow struct {
	model.Edge
	FromLink Link `json:"from_link"`
	ToLink   Link `json:"to_link"`
}

// edgeRows resolves the ends of edges.
func edgeRows(snap *model.Snapshot, edges []model.Edge) []EdgeRow {
	out := make([]EdgeRow, 0, len(edges))
	for _, e := range edges {
		out = append(out, EdgeRow{Edge: e, FromLink: KeyLink(snap, e.From), ToLink: KeyLink(snap, e.To)})
	}
	return out
}

// allocEdges are the edges that start or end at an allocation or one of its
// tasks. Same-namespace edges join two of its own tasks and appear once.
func allocEdges(snap *model.Snapshot, a *model.Allocation) []EdgeRow {
	keys := []string{model.AllocKey(a.ID)}
	for _, t := range a.Tasks {
		keys = append(keys, model.TaskKey(a.ID, t.Name))
	}
	seen := map[model.Edge]bool{}
	var edges []model.Edge
	add := func(es []model.Edge) {
		for _, e := range es {
			if !seen[e] {
				seen[e] = true
				edges = append(edges, e)
			}
		}
	}
	for _, k := range keys {
		add(snap.EdgesFrom(k))
		add(snap.EdgesTo(k))
	}
	return edgeRows(snap, edges)
}
