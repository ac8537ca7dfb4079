package history

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// Object is one object a delta changed: its value after the change, or its
// deletion. A checkpoint plus the objects after it rebuild the model.
type Object struct {
	// Key is "node/<id>", "alloc/<id>", "svc/<provider>/<id>",
	// "intentions" or "status".
	Key        string            `json:"k"`
	Node       *model.Node       `json:"node,omitempty"`
	Alloc      *model.Allocation `json:"alloc,omitempty"`
	Service    *model.Service    `json:"svc,omitempty"`
	Intentions *Intentions       `json:"int,omitempty"`
	Status     *model.Status     `json:"status,omitempty"`
	Deleted    bool              `json:"del,omitempty"`
}

// Intentions are Consul's intentions and default action, stored together
// because the model changes them together.
type Intentions struct {
	List         []model.Intention `json:"list"`
	DefaultAllow bool              `json:"default_allow"`
}

// Object keys that are not per object.
const (
	keyIntentions = "intentions"
	keyStatus     = "status"
)

func serviceKey(s *model.Service) string { return "svc/" + s.Provider + "/" + s.ID }

// recordedStatus is the part of the sources' status history keeps: their
// states and what explains them, not the index and time every frame moves
// (keeping those would store one object per Nomad frame for nothing a
// past picture shows), nor history's own state.
func recordedStatus(st model.Status) model.Status {
	for _, s := range []*model.SourceStatus{&st.Nomad, &st.Consul} {
		s.LastEvent, s.AsOf, s.Index = time.Time{}, time.Time{}, 0
		s.Topics = maps.Clone(s.Topics)
	}
	st.History = model.SourceStatus{}
	return st
}

// State is a model being rebuilt: a checkpoint's objects with later
// objects applied in order.
type State struct {
	nodes    map[string]*model.Node
	allocs   map[string]*model.Allocation
	services map[string]*model.Service
	ints     Intentions
	status   model.Status
}

// NewState starts a rebuild from a checkpoint's objects.
func NewState(o model.Objects) *State {
	s := &State{
		nodes:    make(map[string]*model.Node, len(o.Nodes)),
		allocs:   make(map[string]*model.Allocation, len(o.Allocations)),
		services: make(map[string]*model.Service, len(o.Services)),
		ints:     Intentions{List: o.Intentions, DefaultAllow: o.DefaultAllow},
		status:   o.Status,
	}
	for _, n := range o.Nodes {
		s.nodes[n.ID] = n
	}
	for _, a := range o.Allocations {
		s.allocs[a.ID] = a
	}
	for _, v := range o.Services {
		s.services[serviceKey(v)] = v
	}
	return s
}

// Apply applies stored objects in order.
func (s *State) Apply(objs []Object) {
	for _, o := range objs {
		switch {
		case o.Key == keyIntentions && o.Intentions != nil:
			s.ints = *o.Intentions
		case o.Key == keyStatus && o.Status != nil:
			s.status = *o.Status
		case strings.HasPrefix(o.Key, "node/"):
			setOrDelete(s.nodes, strings.TrimPrefix(o.Key, "node/"), o.Node, o.Deleted)
		case strings.HasPrefix(o.Key, "alloc/"):
			setOrDelete(s.allocs, strings.TrimPrefix(o.Key, "alloc/"), o.Alloc, o.Deleted)
		case strings.HasPrefix(o.Key, "svc/"):
			setOrDelete(s.services, o.Key, o.Service, o.Deleted)
		}
	}
}

func setOrDelete[T any](m map[string]*T, key string, v *T, deleted bool) {
	if deleted || v == nil {
		delete(m, key)
		return
	}
	m[key] = v
}

// Objects returns the rebuilt model's objects, in a stable order.
func (s *State) Objects() model.Objects {
	o := model.Objects{
		Nodes:        sortedValues(s.nodes),
		Allocations:  sortedValues(s.allocs),
		Services:     sortedValues(s.services),
		Intentions:   slices.Clone(s.ints.List),
		DefaultAllow: s.ints.DefaultAllow,
		Status:       s.status,
	}
	return o
}

// Snapshot builds the rebuilt model as a snapshot with the given version.
func (s *State) Snapshot(version uint64) *model.Snapshot { return model.Restore(version, s.Objects()) }

func sortedValues[T any](m map[string]*T) []*T {
	out := make([]*T, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[k])
	}
	return out
}

// Changed lists the objects that differ between two snapshots among the
// delta's changed keys (all of them for a full delta). An object replaced
// by an equal one (Consul's catalog refresh rebuilds every instance) is not
// listed.
func Changed(before, after *model.Snapshot, keys []string, full bool) []Object {
	keys = Keys(before, after, keys, full)
	var out []Object
	for _, k := range keys {
		switch {
		case k == model.KeyIntentions:
			b, a := intentionsOf(before), intentionsOf(after)
			if !reflect.DeepEqual(b, a) {
				out = append(out, Object{Key: keyIntentions, Intentions: &a})
			}
		case k == model.KeyStatus:
			b, a := recordedStatus(before.Status()), recordedStatus(after.Status())
			if !reflect.DeepEqual(b, a) {
				out = append(out, Object{Key: keyStatus, Status: &a})
			}
		case strings.HasPrefix(k, "node/"):
			id := strings.TrimPrefix(k, "node/")
			out = appendChanged(out, k, before.Node(id), after.Node(id), func(o *Object, n *model.Node) { o.Node = n })
		case strings.HasPrefix(k, "alloc/"):
			id := strings.TrimPrefix(k, "alloc/")
			out = appendChanged(out, k, before.Allocation(id), after.Allocation(id), func(o *Object, a *model.Allocation) { o.Alloc = a })
		case strings.HasPrefix(k, "service/"):
			name := strings.TrimPrefix(k, "service/")
			b, a := instances(before, name), instances(after, name)
			for _, key := range slices.Sorted(maps.Keys(b)) {
				if _, ok := a[key]; !ok {
					out = append(out, Object{Key: key, Deleted: true})
				}
			}
			for _, key := range slices.Sorted(maps.Keys(a)) {
				out = appendChanged(out, key, b[key], a[key], func(o *Object, s *model.Service) { o.Service = s })
			}
		}
	}
	return out
}

// appendChanged appends the object at key if it differs from before.
func appendChanged[T any](out []Object, key string, b, a *T, set func(*Object, *T)) []Object {
	switch {
	case a == nil && b == nil:
		return out
	case a == nil:
		return append(out, Object{Key: key, Deleted: true})
	case b != nil && (a == b || reflect.DeepEqual(*a, *b)):
		return out
	}
	o := Object{Key: key}
	set(&o, a)
	return append(out, o)
}

func intentionsOf(s *model.Snapshot) Intentions {
	return Intentions{List: model.NonNil(s.Intentions()), DefaultAllow: s.DefaultAllow()}
}

// instances maps a service name's instances by object key.
func instances(s *model.Snapshot, name string) map[string]*model.Service {
	m := map[string]*model.Service{}
	for _, v := range s.ServicesNamed(name) {
		m[serviceKey(v)] = v
	}
	return m
}

// Keys is what a delta between before and after names: its changed keys,
// or, for a full delta, every key either snapshot holds. Diff and Changed
// each work it out from (keys, full); a caller passing one delta to both
// (the recorder) works it out once here and passes full as false, since a
// full delta's key list walks both whole models.
func Keys(before, after *model.Snapshot, changed []string, full bool) []string {
	if full {
		return allKeys(before, after)
	}
	return changed
}

// allKeys lists every delta key either snapshot holds, as a full delta
// would name them.
func allKeys(snaps ...*model.Snapshot) []string {
	set := map[string]bool{model.KeyIntentions: true, model.KeyStatus: true}
	for _, s := range snaps {
		for _, n := range s.Nodes() {
			set[model.NodeKey(n.ID)] = true
		}
		for _, a := range s.Allocations() {
			set[model.AllocKey(a.ID)] = true
		}
		for _, name := range s.ServiceNames() {
			set[model.ServiceKey(name)] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}
