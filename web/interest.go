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

// affectedBy reports whether a change to key alters the view's content.
// The sources' status (model.KeyStatus) never does: the hub pushes it apart
// (see changedBy). Keys of kinds it does not know (intentions, anything new)
// affect every view: rendering too often is only slower, while rendering too
// rarely leaves a page wrong.
func (in interest) affectedBy(snap *model.Snapshot, key string) bool {
	if key == model.KeyStatus {
		return false
	}
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

// maxPendingKeys bounds the keys one burst remembers. Past it (a mass
// rescheduling touches thousands of allocations) the burst counts as full:
// every view is re-rendered, which then costs less than matching each key.
const maxPendingKeys = 4096

// pending gathers the deltas of one burst.
type pending struct {
	// version is the latest version the burst covers.
	version uint64
	// full: anything may have changed (a Full delta, or too many keys).
	full bool
	// status: the sources' status changed (model.KeyStatus). It alters what
	// every page's chrome shows, and the overview's sources table, but no
	// other content: those are pushed apart, as a small fragment.
	status bool
	keys   map[string]bool
}

// add merges a delta into the burst. A delta naming no key changed nothing
// (an Apply whose guarded changes all stood down): it moves the version only.
func (p *pending) add(d model.Delta) {
	p.version = max(p.version, d.Version)
	if p.full {
		return
	}
	if d.Full || len(p.keys)+len(d.Changed) > maxPendingKeys {
		p.full, p.keys = true, nil
		return
	}
	for _, k := range d.Changed {
		if k == model.KeyStatus {
			p.status = true
			continue
		}
		if p.keys == nil {
			p.keys = map[string]bool{}
		}
		p.keys[k] = true
	}
}

// affected reports whether a burst touches a view's content.
func affected(in interest, snap *model.Snapshot, p *pending) bool {
	if p.full {
		return true
	}
	for k := range p.keys {
		if in.affectedBy(snap, k) {
			return true
		}
	}
	return false
}

// derivedFrom is the part of the sources' status that the model derives
// data from: Consul's state decides edge health, intention verdicts and
// reach answers (collector/model derive.go, reach). A view rendered under
// another state shows stale content, whatever its interest.
func derivedFrom(st model.Status) string { return st.Consul.State }
