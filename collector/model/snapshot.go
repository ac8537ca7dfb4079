package model

import (
	"cmp"
	"slices"
	"strings"
	"sync"
)

// Snapshot is one immutable version of the model. Any number of goroutines
// may read it. Accessors return shared objects and fresh slices: callers may
// reorder the slices but must not change the objects.
//
// Derived data (sorted lists, edges, warnings) is computed on first use and
// kept for the snapshot's lifetime, so a snapshot nobody reads costs nothing
// beyond its tables, which it shares with its neighbours.
type Snapshot struct {
	version uint64
	model
	// scope is the key of the scope a restricted snapshot shows (see
	// Restrict), empty for the whole model.
	scope string

	nodesOnce    sync.Once
	nodesSorted  []*Node
	allocsOnce   sync.Once
	allocsSorted []*Allocation
	allocIDs     []string // sorted, for prefix search
	// onNode memoises AllocationsOnNode per node: lints ask for the same
	// node's allocations once per allocation on it.
	onNode    sync.Map // node ID → []*Allocation, sorted
	svcOnce   sync.Once
	svcSorted []*Service
	svcNames  []string

	edgesOnce sync.Once
	edges     edgeSet

	// memo holds what other packages derive from the snapshot (warnings,
	// reach matrices), computed once per snapshot: see Memo.
	memo memoTable
}

// publish freezes the current state as a snapshot and starts a new writer
// generation, so the next write copies what it touches instead of changing
// what the snapshot holds. It is O(1).
func (st *state) publish(version uint64) *Snapshot {
	snap := &Snapshot{version: version, model: st.model}
	st.gen++
	return snap
}

// Version is the snapshot's version: 0 for an empty store, then one more per Apply.
func (s *Snapshot) Version() uint64 { return s.version }

// Status is the state of the sources when the snapshot was taken.
func (s *Snapshot) Status() Status { return s.status }

// DefaultAllow is the action Consul takes when no intention matches.
func (s *Snapshot) DefaultAllow() bool { return s.defaultAllow }

// Node returns the node with the given ID, or nil.
func (s *Snapshot) Node(id string) *Node {
	n, _ := s.nodes.get(id)
	return n
}

// Nodes returns all nodes sorted by Name, then ID.
func (s *Snapshot) Nodes() []*Node {
	s.nodesOnce.Do(func() {
		s.nodesSorted = s.nodes.values()
		slices.SortFunc(s.nodesSorted, func(a, b *Node) int {
			return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
		})
	})
	return slices.Clone(s.nodesSorted)
}

// Allocation returns the allocation with the given ID, or nil.
func (s *Snapshot) Allocation(id string) *Allocation {
	a, _ := s.allocs.get(id)
	return a
}

// CompareAllocs orders allocations by Namespace, JobID, TaskGroup, Name, ID.
func CompareAllocs(a, b *Allocation) int {
	return cmp.Or(
		cmp.Compare(a.Namespace, b.Namespace),
		cmp.Compare(a.JobID, b.JobID),
		cmp.Compare(a.TaskGroup, b.TaskGroup),
		cmp.Compare(a.Name, b.Name),
		cmp.Compare(a.ID, b.ID),
	)
}

func (s *Snapshot) sortAllocs() {
	s.allocsOnce.Do(func() {
		s.allocsSorted = s.allocs.values()
		slices.SortFunc(s.allocsSorted, CompareAllocs)
		s.allocIDs = make([]string, len(s.allocsSorted))
		for i, a := range s.allocsSorted {
			s.allocIDs[i] = a.ID
		}
		slices.Sort(s.allocIDs)
	})
}

// Allocations returns all allocations sorted by Namespace, JobID, TaskGroup,
// Name, then ID.
func (s *Snapshot) Allocations() []*Allocation {
	s.sortAllocs()
	return slices.Clone(s.allocsSorted)
}

// AllocationsByPrefix returns the allocations whose ID starts with prefix
// (Nomad's short IDs), sorted like Allocations.
func (s *Snapshot) AllocationsByPrefix(prefix string) []*Allocation {
	s.sortAllocs()
	i, _ := slices.BinarySearch(s.allocIDs, prefix)
	var out []*Allocation
	for ; i < len(s.allocIDs) && strings.HasPrefix(s.allocIDs[i], prefix); i++ {
		out = append(out, s.Allocation(s.allocIDs[i]))
	}
	slices.SortFunc(out, CompareAllocs)
	return NonNil(out)
}

// AllocationsOnNode returns the allocations placed on a node, sorted like Allocations.
func (s *Snapshot) AllocationsOnNode(nodeID string) []*Allocation {
	if v, ok := s.onNode.Load(nodeID); ok {
		return slices.Clone(v.([]*Allocation))
	}
	out := s.allocsOf(s.allocsByNode.members(nodeID))
	s.onNode.Store(nodeID, out)
	return slices.Clone(out)
}

// AllocationsOfJob returns a job's allocations, sorted like Allocations.
func (s *Snapshot) AllocationsOfJob(namespace, jobID string) []*Allocation {
	return s.allocsOf(s.allocsByJob.members(jobRowKey(namespace, jobID)))
}

func (s *Snapshot) allocsOf(ids []string) []*Allocation {
	out := make([]*Allocation, 0, len(ids))
	for _, id := range ids {
		if a := s.Allocation(id); a != nil {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, CompareAllocs)
	return out
}

func (s *Snapshot) sortServices() {
	s.svcOnce.Do(func() {
		s.svcSorted = s.services.values()
		slices.SortFunc(s.svcSorted, compareServices)
		s.svcNames = make([]string, 0, s.servicesByName.t.len())
		s.servicesByName.t.each(func(name string, _ []string) {
			s.svcNames = append(s.svcNames, name)
		})
		slices.Sort(s.svcNames)
	})
}

// compareServices orders services by Name, Provider, then ID.
func compareServices(a, b *Service) int {
	return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.ID, b.ID))
}

// Services returns all registered service instances sorted by Name, Provider, then ID.
func (s *Snapshot) Services() []*Service {
	s.sortServices()
	return slices.Clone(s.svcSorted)
}

// ServiceNames returns the distinct names of registered services, sorted.
func (s *Snapshot) ServiceNames() []string {
	s.sortServices()
	return slices.Clone(s.svcNames)
}

// ServicesNamed returns the instances of a service from every provider,
// sorted by Provider, then ID.
func (s *Snapshot) ServicesNamed(name string) []*Service {
	keys := s.servicesByName.members(name)
	out := make([]*Service, 0, len(keys))
	for _, k := range keys {
		if v, ok := s.services.get(k); ok {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, compareServices)
	return out
}

// NodesWithAllocations lists the IDs of the nodes that allocations in the
// model are placed on, including nodes the model does not hold (yet).
func (s *Snapshot) NodesWithAllocations() []string {
	var out []string
	s.allocsByNode.t.each(func(nodeID string, _ []string) { out = append(out, nodeID) })
	return out
}

// Intentions returns the intentions sorted by precedence (highest first),
// then source and destination.
func (s *Snapshot) Intentions() []Intention { return slices.Clone(s.intentions) }

// NonNil turns a nil slice into an empty one, so JSON shows [] and callers
// can tell "none" from "not computed" without a nil check.
func NonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// memoTable holds values derived from a snapshot, each computed at most once.
type memoTable struct{ m sync.Map } // key → *memoEntry

// memoEntry is one derived value, computed at most once.
type memoEntry struct {
	once sync.Once
	val  any
}

// get returns the value kept for key, computing it on the first call.
func (t *memoTable) get(key any, compute func() any) any {
	e, _ := t.m.LoadOrStore(key, &memoEntry{})
	me := e.(*memoEntry)
	me.once.Do(func() { me.val = compute() })
	return me.val
}

// Memo returns the value kept for key, computing it with compute on the
// first call. It lets analyses outside the model (lints, reachability)
// derive data once per snapshot, as the model does for its own edges: the
// snapshot is immutable, so the value stays true for its lifetime. Keys
// should be unexported types of the caller's package, so no two collide.
func (s *Snapshot) Memo(key any, compute func() any) any { return s.memo.get(key, compute) }

// DataMemo is Memo shared with the neighbouring snapshots that hold the
// same data: a change of the sources' status alone (one per Nomad frame)
// keeps it, any other change starts a new one. Use it for values that do
// not depend on the status, or that put what they read of it in the key.
func (s *Snapshot) DataMemo(key any, compute func() any) any { return s.dataMemo.get(key, compute) }
