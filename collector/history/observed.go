package history

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/netviz/netviz/collector/model"
)

// observedKey identifies an observed edge across snapshots (its counts and
// times move on; it is the same edge).
type observedKey struct {
	kind                    model.ObservedKind
	from, to, port, service string
}

func observedEdges(s *model.Snapshot) map[observedKey]model.ObservedEdge {
	out := map[observedKey]model.ObservedEdge{}
	for _, e := range s.ObservedEdges() {
		out[observedKey{e.Kind, e.From, e.To, e.Port, e.Service}] = e
	}
	return out
}

// observedEntries are the observed edges first seen, and those aged out,
// between two snapshots: what agents saw start and stop being used.
func observedEntries(before, after *model.Snapshot) []Entry {
	b, a := observedEdges(before), observedEdges(after)
	var out []Entry
	for k, e := range a {
		if _, ok := b[k]; !ok {
			out = append(out, observedEntry(KindObservedSeen, after, e, "first seen"))
		}
	}
	for k, e := range b {
		if _, ok := a[k]; !ok {
			out = append(out, observedEntry(KindObservedGone, before, e, "aged out"))
		}
	}
	slices.SortFunc(out, func(x, y Entry) int { return cmp.Or(cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.Summary, y.Summary)) })
	return out
}

// observedEntry is about the destination allocation (the client's when the
// far end was not seen), named as snap knows it.
func observedEntry(kind Kind, snap *model.Snapshot, e model.ObservedEdge, what string) Entry {
	name := func(id string) string {
		if a := snap.Allocation(id); a != nil {
			return a.Name
		}
		return id
	}
	to := name(e.To) + ":" + e.Port
	if e.To == "" {
		to = e.Service + " (" + e.Port + ")"
	}
	namespace := func(id string) string {
		if a := snap.Allocation(id); a != nil {
			return a.Namespace
		}
		return ""
	}
	x := Entry{Kind: kind, Service: e.Service,
		Summary: fmt.Sprintf("observed %s %s → %s %s", e.Kind, name(e.From), to, what),
		Ends:    &ObservedEnds{From: e.From, FromNamespace: namespace(e.From), To: e.To, ToNamespace: namespace(e.To)}}
	subject := snap.Allocation(cmp.Or(e.To, e.From))
	if subject != nil {
		x.Namespace, x.Job, x.Group, x.Alloc = subject.Namespace, subject.JobID, subject.TaskGroup, subject.ID
	}
	return x
}
