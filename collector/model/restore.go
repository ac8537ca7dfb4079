package model

// Objects is every object of a model, as plain values: what a snapshot
// holds before anything is derived from it. The history package stores it
// as a checkpoint and rebuilds past snapshots from it (see Restore).
type Objects struct {
	Nodes        []*Node       `json:"nodes"`
	Allocations  []*Allocation `json:"allocations"`
	Services     []*Service    `json:"services"`
	Intentions   []Intention   `json:"intentions"`
	DefaultAllow bool          `json:"default_allow"`
	Status       Status        `json:"status"`
}

// Objects returns the snapshot's objects. The pointers are the snapshot's
// own: callers must not change what they point to.
func (s *Snapshot) Objects() Objects {
	return Objects{
		Nodes:        s.nodes.values(),
		Allocations:  s.allocs.values(),
		Services:     s.services.values(),
		Intentions:   s.Intentions(),
		DefaultAllow: s.defaultAllow,
		Status:       s.status,
	}
}

// Restore builds a snapshot holding exactly o, with the given version: the
// model as it was at some earlier time, rebuilt from stored objects. It
// takes ownership of the objects, like Apply. The snapshot is detached: no
// store publishes after it, and it derives edges and findings like any other.
func Restore(version uint64, o Objects) *Snapshot {
	st := newState()
	t := txn{st: &st}
	for _, n := range o.Nodes {
		if n != nil {
			t.upsertNode(n)
		}
	}
	for _, a := range o.Allocations {
		if a != nil {
			t.upsertAlloc(a)
		}
	}
	for _, s := range o.Services {
		if s != nil {
			t.upsertService(s)
		}
	}
	t.replaceIntentions(o.Intentions, o.DefaultAllow)
	st.status = o.Status
	return st.publish(version)
}
