package viewmodel

import (
	"fmt"
	"slices"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/reach"
)

// ObservedRow is an observed edge as pages and the API list it.
type ObservedRow struct {
	Kind        model.ObservedKind `json:"kind"`
	From        Link               `json:"from"`
	To          Link               `json:"to"`
	Port        string             `json:"port"`
	Service     string             `json:"service,omitempty"`
	Count       int                `json:"count"`
	Established bool               `json:"established"`
	FirstSeen   time.Time          `json:"first_seen"`
	LastSeen    time.Time          `json:"last_seen"`
}

// observedEnd links an observed edge's end: an allocation, or the words
// host and external.
func observedEnd(snap *model.Snapshot, id string) Link {
	if id == model.ObservedHost || id == model.ObservedExternal || id == "" {
		return Link{Text: id}
	}
	return KeyLink(snap, model.AllocKey(id))
}

// ObservedRows resolves observed edges' ends to links.
func ObservedRows(snap *model.Snapshot, edges []model.ObservedEdge) []ObservedRow {
	out := make([]ObservedRow, 0, len(edges))
	for _, e := range edges {
		to := observedEnd(snap, e.To)
		if e.To == "" {
			to = KeyLink(snap, model.ServiceKey(e.Service))
		}
		out = append(out, ObservedRow{Kind: e.Kind, From: observedEnd(snap, e.From), To: to, Port: e.Port, Service: e.Service,
			Count: e.Count, Established: e.Established, FirstSeen: e.FirstSeen, LastSeen: e.LastSeen})
	}
	return out
}

// observedAround splits the observed edges touching a set of allocations
// (or, for mesh edges whose far end was not seen, the service name) into
// clients (edges in) and destinations (edges out).
func observedAround(snap *model.Snapshot, allocs map[string]bool, service string) (in, out []ObservedRow) {
	var ins, outs []model.ObservedEdge
	for _, e := range snap.ObservedEdges() {
		if allocs[e.To] || (e.To == "" && e.Service == service) {
			ins = append(ins, e)
		}
		if allocs[e.From] {
			outs = append(outs, e)
		}
	}
	return ObservedRows(snap, ins), ObservedRows(snap, outs)
}

// ObservedAnswer says whether real traffic was seen between a reach
// question's ends.
type ObservedAnswer struct {
	// Watched is false when no agent reports: nothing can be said.
	Watched  bool      `json:"watched"`
	Seen     bool      `json:"seen"`
	Count    int       `json:"count,omitempty"`
	LastSeen time.Time `json:"last_seen,omitzero"`
	// Kinds are the ways it travelled (mesh, host-port, ...).
	Kinds []string `json:"kinds,omitempty"`
}

// observedBetween matches a reach answer's paths (their end allocations)
// against the observed edges; nil when no agent reports.
func observedBetween(snap *model.Snapshot, from string, paths []reach.Path) *ObservedAnswer {
	if len(snap.ObservedNodes()) == 0 {
		return nil // no agent reports: nothing to say
	}
	a := &ObservedAnswer{Watched: true}
	pairs := map[[2]string]bool{}
	for _, p := range paths {
		src := p.FromAlloc
		if src == "" {
			src = from // the pseudo-sources host and external
		}
		pairs[[2]string{src, p.ToAlloc}] = true
	}
	for _, e := range snap.ObservedEdges() {
		if !pairs[[2]string{e.From, e.To}] {
			continue
		}
		a.Seen = true
		a.Count += e.Count
		if e.LastSeen.After(a.LastSeen) {
			a.LastSeen = e.LastSeen
		}
		if k := string(e.Kind); !slices.Contains(a.Kinds, k) {
			a.Kinds = append(a.Kinds, k)
		}
	}
	slices.Sort(a.Kinds)
	return a
}

// SeenAgo says how long before now t was: "3 s ago", "4 min ago".
func SeenAgo(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Second:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%d s ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	}
	return t.UTC().Format(time.RFC3339)
}
