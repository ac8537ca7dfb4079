package model

import (
	"cmp"
	"slices"
)

// edgeSet is a snapshot's derived edges with lookup by endpoint.
type edgeSet struct {
	all  []Edge
	from map[string][]Edge
	to   map[string][]Edge
}

// compareEdges orders edges by From, To, Kind, then Label.
func compareEdges(a, b Edge) int {
	return cmp.Or(
		cmp.Compare(a.From, b.From),
		cmp.Compare(a.To, b.To),
		cmp.Compare(a.Kind, b.Kind),
		cmp.Compare(a.Label, b.Label),
	)
}

func (s *Snapshot) edgeSet() *edgeSet {
	s.edgesOnce.Do(func() {
		all := deriveEdges(s)
		slices.SortFunc(all, compareEdges)
		all = slices.CompactFunc(all, func(a, b Edge) bool { return compareEdges(a, b) == 0 })
		s.edges = edgeSet{all: NonNil(all), from: groupFrom(all), to: groupTo(all)}
	})
	return &s.edges
}

// groupFrom indexes edges sorted by From: each key's edges are a sub-slice of
// all (capped, so an append by a caller cannot overwrite a neighbour).
func groupFrom(all []Edge) map[string][]Edge {
	from := map[string][]Edge{}
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].From == all[i].From {
			j++
		}
		from[all[i].From] = all[i:j:j]
		i = j
	}
	return from
}

// groupTo indexes edges by To, keeping their order, in one backing array:
// counting first avoids growing thousands of small slices.
func groupTo(all []Edge) map[string][]Edge {
	count := map[string]int{}
	for _, e := range all {
		count[e.To]++
	}
	backing := make([]Edge, len(all))
	to := make(map[string][]Edge, len(count))
	next := 0
	for _, e := range all {
		seg, ok := to[e.To]
		if !ok {
			n := count[e.To]
			seg = backing[next : next : next+n]
			next += n
		}
		to[e.To] = append(seg, e)
	}
	return to
}

// Edges returns every derived edge (same-namespace, upstream, discovery,
// ingress), sorted by From, To, Kind, then Label. They are derived on the
// first call and kept for the snapshot.
func (s *Snapshot) Edges() []Edge { return slices.Clone(s.edgeSet().all) }

// EdgesFrom returns the edges whose From is key, sorted like Edges.
func (s *Snapshot) EdgesFrom(key string) []Edge {
	return NonNil(slices.Clone(s.edgeSet().from[key]))
}

// EdgesTo returns the edges whose To is key, sorted like Edges.
func (s *Snapshot) EdgesTo(key string) []Edge {
	return NonNil(slices.Clone(s.edgeSet().to[key]))
}

// Referrers returns the discovery, upstream and ingress edges that lead to the
// service called serviceName: who would break if it went away.
func (s *Snapshot) Referrers(serviceName string) []Edge {
	out := []Edge{}
	for _, e := range s.edgeSet().to[ServiceKey(serviceName)] {
		switch e.Kind {
		case EdgeDiscovery, EdgeUpstream, EdgeIngress:
			out = append(out, e)
		}
	}
	return out
}
