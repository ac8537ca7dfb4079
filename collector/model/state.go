package model

// state is the writer's private, mutable view of the model. Its tables are
// copy-on-write: publishing a snapshot shares them, and the next write copies
// only the table header and the one shard it touches.
type state struct {
	// gen is the current writer generation; it moves on at every publish, so
	// everything created before is treated as shared.
	gen uint64
	model
}

// model is what a snapshot shares with the writer's state at publish time:
// copying it is O(1), and the writer never changes in place what it points to.
type model struct {
	nodes    *table[*Node]
	allocs   *table[*Allocation]
	services *table[*Service]
	// allocsByNode maps node ID → allocation IDs.
	allocsByNode index
	// allocsByJob maps jobRowKey(namespace, job) → allocation IDs.
	allocsByJob index
	// servicesByName maps service name → service row keys.
	servicesByName index
	// intentions are sorted (see sortIntentions) and never changed in place.
	intentions   []Intention
	defaultAllow bool
	status       Status
	// observed is what netviz agents reported (observed.go); nil until one does.
	observed *observedState
	// cache is handed to every snapshot (see edgeCache).
	cache *edgeCache
	// dataMemo is shared by consecutive snapshots whose data is the same
	// (only the sources' status changed): see Snapshot.DataMemo.
	dataMemo *memoTable
}

func newState() state {
	return state{gen: 1, model: model{
		nodes:          &table[*Node]{},
		allocs:         &table[*Allocation]{},
		services:       &table[*Service]{},
		allocsByNode:   newIndex(),
		allocsByJob:    newIndex(),
		servicesByName: newIndex(),
		intentions:     []Intention{},
		cache:          newEdgeCache(),
		dataMemo:       &memoTable{},
	}}
}

// txn is one Apply call in progress: the state it writes and the keys it touched.
type txn struct {
	st *state
	// changed collects touched keys, with repeats; Apply sorts and
	// deduplicates them once (cheaper than a map for the usual one-event batch).
	changed []string
	full    bool
}

func (t *txn) touch(key string) { t.changed = append(t.changed, key) }

func (t *txn) upsertNode(n *Node) {
	st := t.st
	st.nodes = st.nodes.mutable(st.gen)
	st.nodes.set(st.gen, n.ID, n)
	t.touch(NodeKey(n.ID))
}

func (t *txn) deleteNode(id string) {
	st := t.st
	if _, ok := st.nodes.get(id); !ok {
		return
	}
	st.nodes = st.nodes.mutable(st.gen)
	st.nodes.remove(st.gen, id)
	t.touch(NodeKey(id))
}

func (t *txn) upsertAlloc(a *Allocation) {
	st := t.st
	normaliseAlloc(a)
	old, existed := st.allocs.get(a.ID)
	st.allocs = st.allocs.mutable(st.gen)
	st.allocs.set(st.gen, a.ID, a)
	t.touch(AllocKey(a.ID))
	if !existed || old.NodeID != a.NodeID {
		if existed {
			st.allocsByNode.remove(st.gen, old.NodeID, a.ID)
			t.touch(NodeKey(old.NodeID))
		}
		st.allocsByNode.add(st.gen, a.NodeID, a.ID)
		t.touch(NodeKey(a.NodeID))
	}
	if !existed || old.Namespace != a.Namespace || old.JobID != a.JobID {
		if existed {
			st.allocsByJob.remove(st.gen, jobRowKey(old.Namespace, old.JobID), a.ID)
		}
		st.allocsByJob.add(st.gen, jobRowKey(a.Namespace, a.JobID), a.ID)
	}
}

func (t *txn) deleteAlloc(id string) {
	st := t.st
	old, ok := st.allocs.get(id)
	if !ok {
		return
	}
	st.allocs = st.allocs.mutable(st.gen)
	st.allocs.remove(st.gen, id)
	st.allocsByNode.remove(st.gen, old.NodeID, id)
	st.allocsByJob.remove(st.gen, jobRowKey(old.Namespace, old.JobID), id)
	t.touch(AllocKey(id))
	t.touch(NodeKey(old.NodeID))
}

func (t *txn) upsertService(s *Service) {
	st := t.st
	key := serviceRowKey(s.Provider, s.ID)
	old, existed := st.services.get(key)
	st.services = st.services.mutable(st.gen)
	st.services.set(st.gen, key, s)
	if existed && old.Name != s.Name {
		st.servicesByName.remove(st.gen, old.Name, key)
		t.touch(ServiceKey(old.Name))
	}
	st.servicesByName.add(st.gen, s.Name, key)
	t.touch(ServiceKey(s.Name))
}

func (t *txn) deleteService(key string) {
	st := t.st
	old, ok := st.services.get(key)
	if !ok {
		return
	}
	st.services = st.services.mutable(st.gen)
	st.services.remove(st.gen, key)
	st.servicesByName.remove(st.gen, old.Name, key)
	t.touch(ServiceKey(old.Name))
}

func (t *txn) replaceIntentions(in []Intention, defaultAllow bool) {
	t.st.intentions = sortIntentions(in)
	t.st.defaultAllow = defaultAllow
	t.touch(KeyIntentions)
}

// normaliseAlloc gives the slices that are serialised without omitempty a
// non-nil value, so the JSON form never holds null where a list belongs.
func normaliseAlloc(a *Allocation) {
	if a.Ports == nil {
		a.Ports = []Port{}
	}
	if a.Tasks == nil {
		a.Tasks = []Task{}
	}
}
