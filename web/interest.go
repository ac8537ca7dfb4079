package web

import (
	"strings"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views/viewmodel"
)

// interest says which model changes alter a rendered view, so the hub
// re-renders only the views a delta touches.
type interest struct {
	// all is set for views that summarise everything (overview, topology).
	all bool
	// anyAlloc is set for views that any allocation may change (prefix lookups).
	anyAlloc bool
	// keys are node/…, service/… and alloc/… keys the view shows.
	keys map[string]bool
	// allocs are allocations the view showed; their task keys count too.
	allocs map[string]bool
	// adopts tells whether a new or changed allocation, not shown before,
	// now belongs in the view.
	adopts func(a *model.Allocation) bool
}

func everything() interest    { return interest{all: true} }
func anyAllocation() interest { return interest{anyAlloc: true} }

func keysOnly(keys ...string) interest {
	in := interest{keys: map[string]bool{}}
	for _, k := range keys {
		in.keys[k] = true
	}
	return in
}

// affectedBy reports whether a change to key alters the view. Keys of kinds
// it does not know (status, intentions, anything new) affect every view: the
// chrome shows the source status, and rendering too often is only slower,
// while rendering too rarely leaves a page wrong.
func (in interest) affectedBy(snap *model.Snapshot, key string) bool {
	if in.all || in.keys[key] {
		return true
	}
	allocID, isAlloc := viewmodel.AllocOfKey(key)
	if !isAlloc {
		kind, _, _ := strings.Cut(key, "/")
		return kind != "node" && kind != "service"
	}
	if in.anyAlloc || in.allocs[allocID] {
		return true
	}
	if in.adopts == nil {
		return false
	}
	a := snap.Allocation(allocID)
	return a != nil && in.adopts(a)
}

// allocationDeps: the allocation page shows the allocation, its node, the
// services it declares or calls, and warnings that may involve neighbours on
// the same node (port conflicts).
func allocationDeps(snap *model.Snapshot, a *model.Allocation) interest {
	in := keysOnly(model.AllocKey(a.ID), model.NodeKey(a.NodeID))
	in.allocs = map[string]bool{a.ID: true}
	for _, s := range a.Services {
		in.keys[model.ServiceKey(s.Name)] = true
		if s.Connect != nil {
			for _, u := range s.Connect.Upstreams {
				in.keys[model.ServiceKey(u.DestinationName)] = true
			}
		}
	}
	for _, t := range a.Tasks {
		for _, r := range t.Refs {
			in.keys[model.ServiceKey(r.Target)] = true
		}
	}
	for _, n := range snap.AllocationsOnNode(a.NodeID) {
		in.allocs[n.ID] = true
	}
	node := a.NodeID
	in.adopts = func(b *model.Allocation) bool { return b.NodeID == node }
	return in
}

// nodeDeps: the node page shows the node and every allocation placed on it.
func nodeDeps(v viewmodel.NodeView) interest {
	in := keysOnly(model.NodeKey(v.Node.ID))
	in.allocs = map[string]bool{}
	for _, a := range v.Allocations {
		in.allocs[a.ID] = true
	}
	node := v.Node.ID
	in.adopts = func(a *model.Allocation) bool { return a.NodeID == node }
	return in
}

// serviceDeps: the service page shows the service's instances, the
// allocations on either end of its edges, and the health of its upstreams.
func serviceDeps(v viewmodel.ServiceView) interest {
	in := keysOnly(model.ServiceKey(v.Name))
	in.allocs = map[string]bool{}
	for _, s := range v.Instances {
		in.allocs[s.AllocID] = true
	}
	for _, rows := range [][]viewmodel.EdgeRow{v.Downstreams, v.Upstreams, v.Referrers} {
		for _, e := range rows {
			for _, k := range []string{e.From, e.To} {
				if id, ok := viewmodel.AllocOfKey(k); ok {
					in.allocs[id] = true
				} else {
					in.keys[k] = true
				}
			}
		}
	}
	name := v.Name
	in.adopts = func(a *model.Allocation) bool { return mentions(a, name) }
	return in
}

// mentions reports whether an allocation declares, calls or looks up a service.
func mentions(a *model.Allocation, name string) bool {
	for _, s := range a.Services {
		if s.Name == name {
			return true
		}
		if s.Connect != nil {
			for _, u := range s.Connect.Upstreams {
				if u.DestinationName == name {
					return true
				}
			}
		}
	}
	for _, t := range a.Tasks {
		for _, r := range t.Refs {
			if r.Target == name {
				return true
			}
		}
	}
	return false
}
