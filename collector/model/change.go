package model

// Change is one observed fact about the cluster. Store.Apply takes a batch of
// them and publishes one new version.
//
// Ownership: the objects a Change points to (nodes, allocations, services)
// belong to the store once passed to Apply. Callers must not change them
// afterwards; snapshots hand the same pointers to every reader.
type Change interface {
	apply(t *txn)
}

// UpsertNode adds or replaces a node by ID.
type UpsertNode struct{ Node *Node }

// DeleteNode removes a node. Its allocations stay until they are deleted.
type DeleteNode struct{ ID string }

// UpsertAllocation adds an allocation or replaces it, whole, by ID.
type UpsertAllocation struct{ Alloc *Allocation }

// DeleteAllocation removes an allocation.
type DeleteAllocation struct{ ID string }

// UpsertService adds or replaces a registered service instance, keyed by
// (Provider, ID).
type UpsertService struct{ Service *Service }

// DeleteService removes a registered service instance.
type DeleteService struct{ Provider, ID string }

// ReplaceServices sets every instance of one provider at once, for a resync or
// a refresh of Consul's catalog. Instances not listed are removed.
type ReplaceServices struct {
	Provider string
	Services []*Service
}

// ReplaceIntentions sets all intentions and the action taken when none
// matches (Consul's default: allow with ACLs off, deny with default-deny ACLs).
type ReplaceIntentions struct {
	Intentions   []Intention
	DefaultAllow bool
}

// ReconcileNomad makes the model's Nomad side equal to a fresh read, like
// ResetNomad, but as an ordinary change: its delta names only what differed,
// so a catch-up or an anti-entropy repair re-renders only what it changed.
type ReconcileNomad struct {
	Nodes       []*Node
	Allocations []*Allocation
	Services    []*Service
}

// EnrichAllocation replaces an allocation with a fuller reading of the same
// version (its job spec arrived later): it applies only while the model
// holds the allocation at the same ModifyIndex, so it never brings back a
// stopped allocation nor overwrites a newer one. The namespace address the
// model knows is kept when the reading lacks it.
type EnrichAllocation struct{ Alloc *Allocation }

// SetServiceHealth sets the health of a registered instance that the
// model still holds. Pollers use it instead of an upsert: an instance
// deregistered while the poll was in flight stays deleted.
type SetServiceHealth struct {
	Provider, ID, Health string
}

// SetAllocNetwork fills the namespace address of an allocation that the
// model still holds, in the same network mode. Background reads use it
// instead of an upsert, so a stopped allocation is not brought back and a
// newer version is not overwritten.
type SetAllocNetwork struct {
	ID, Mode, IP, Interface string
}

// SetNomadStatus records the state of the Nomad source.
type SetNomadStatus struct{ Status SourceStatus }

// SetConsulStatus records the state of the Consul source.
type SetConsulStatus struct{ Status SourceStatus }

// SetHistoryStatus records the state of the history recorder.
type SetHistoryStatus struct{ Status SourceStatus }

// ResetNomad atomically replaces everything that came from Nomad (nodes,
// allocations and Nomad-provider services), after a resync. The delta it
// produces is Full.
type ResetNomad struct {
	Nodes       []*Node
	Allocations []*Allocation
	Services    []*Service
}

func (c UpsertNode) apply(t *txn) {
	if c.Node != nil {
		t.upsertNode(c.Node)
	}
}

func (c DeleteNode) apply(t *txn) { t.deleteNode(c.ID) }

func (c UpsertAllocation) apply(t *txn) {
	if c.Alloc != nil {
		t.upsertAlloc(c.Alloc)
	}
}

func (c DeleteAllocation) apply(t *txn) { t.deleteAlloc(c.ID) }

func (c UpsertService) apply(t *txn) {
	if c.Service != nil {
		t.upsertService(c.Service)
	}
}

func (c DeleteService) apply(t *txn) { t.deleteService(serviceRowKey(c.Provider, c.ID)) }

func (c ReplaceServices) apply(t *txn) { t.replaceServices(c.Provider, c.Services) }

func (c ReplaceIntentions) apply(t *txn) { t.replaceIntentions(c.Intentions, c.DefaultAllow) }

func (c EnrichAllocation) apply(t *txn) {
	cur, ok := t.st.allocs.get(c.Alloc.ID)
	if !ok || cur.ModifyIndex != c.Alloc.ModifyIndex {
		return
	}
	a := c.Alloc
	if a.Network.IP == "" && a.Network.Mode == cur.Network.Mode {
		a.Network.IP, a.Network.Interface = cur.Network.IP, cur.Network.Interface
	}
	t.upsertAlloc(a)
}

func (c SetServiceHealth) apply(t *txn) {
	cur, ok := t.st.services.get(serviceRowKey(c.Provider, c.ID))
	if !ok || cur.Health == c.Health {
		return
	}
	svc := *cur
	svc.Health = c.Health
	t.upsertService(&svc)
}

func (c SetAllocNetwork) apply(t *txn) {
	cur, ok := t.st.allocs.get(c.ID)
	if !ok || cur.Network.Mode != c.Mode || cur.Network.IP == c.IP && cur.Network.Interface == c.Interface {
		return
	}
	a := *cur
	a.Network.IP, a.Network.Interface = c.IP, c.Interface
	t.upsertAlloc(&a)
}

func (c SetNomadStatus) apply(t *txn) {
	t.st.status.Nomad = c.Status
	t.touch(KeyStatus)
}

func (c SetConsulStatus) apply(t *txn) {
	t.st.status.Consul = c.Status
	t.touch(KeyStatus)
}

func (c SetHistoryStatus) apply(t *txn) {
	t.st.status.History = c.Status
	t.touch(KeyStatus)
}

func (c ResetNomad) apply(t *txn) {
	t.full = true
	t.resetNomad(c.Nodes, c.Allocations, c.Services)
}

func (c ReconcileNomad) apply(t *txn) { t.resetNomad(c.Nodes, c.Allocations, c.Services) }
