package model

import "reflect"

// Resyncs replace a whole class of objects. They cost O(all objects of that
// class), which is what a resync reads anyway, but they write (and so clone
// shards and report keys) only for objects that really changed: a Consul
// catalog refresh that finds nothing new leaves the model's tables shared.

// replaceAll makes the rows of tbl selected by mine equal to want: rows not in
// want are removed with del, rows that differ are written with put.
func replaceAll[T any](tbl *table[T], want map[string]T, mine func(T) bool, del func(key string), put func(T)) {
	var gone []string
	tbl.each(func(key string, v T) {
		if _, ok := want[key]; !ok && mine(v) {
			gone = append(gone, key)
		}
	})
	for _, key := range gone {
		del(key)
	}
	for key, v := range want {
		// tbl may be an older header than the writer's by now, but a row
		// is compared before it is written, so tbl still holds its old value.
		if old, ok := tbl.get(key); ok && reflect.DeepEqual(old, v) {
			continue
		}
		put(v)
	}
}

func (t *txn) replaceServices(provider string, services []*Service) {
	want := make(map[string]*Service, len(services))
	for _, s := range services {
		if s == nil {
			continue
		}
		// A reading may hand back instances the model holds (a catch-up
		// keeps what did not change): never write to them, readers of
		// older snapshots share them.
		if s.Provider != provider {
			c := *s
			c.Provider = provider
			s = &c
		}
		want[serviceRowKey(s.Provider, s.ID)] = s
	}
	replaceAll(t.st.services, want,
		func(s *Service) bool { return s.Provider == provider },
		t.deleteService, t.upsertService)
}

func (t *txn) resetNomad(nodes []*Node, allocs []*Allocation, services []*Service) {
	wantNodes := make(map[string]*Node, len(nodes))
	for _, n := range nodes {
		if n != nil {
			wantNodes[n.ID] = n
		}
	}
	replaceAll(t.st.nodes, wantNodes, func(*Node) bool { return true }, t.deleteNode, t.upsertNode)

	wantAllocs := make(map[string]*Allocation, len(allocs))
	for _, a := range allocs {
		if a != nil {
			normaliseAlloc(a)
			wantAllocs[a.ID] = a
		}
	}
	replaceAll(t.st.allocs, wantAllocs, func(*Allocation) bool { return true }, t.deleteAlloc, t.upsertAlloc)

	t.replaceServices(ProviderNomad, services)
}
