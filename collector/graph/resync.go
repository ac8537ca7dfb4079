package graph

import "reflect"

// Resyncs replace a whole class of objects. They cost O(all objects of that
// class), which is what a resync reads anyway, but they write (and so clone
// shards and report keys) only for objects that really changed: a Consul
// catalog refresh that finds nothing new leaves the model's tables shared.

func (t *txn) replaceServices(provider string, services []*Service) {
	want := make(map[string]*Service, len(services))
	for _, s := range services {
		if s == nil {
			continue
		}
		s.Provider = provider
		want[serviceRowKey(s.Provider, s.ID)] = s
	}
	var gone []string
	t.st.services.each(func(key string, s *Service) {
		if s.Provider != provider {
			return
		}
		if _, ok := want[key]; !ok {
			gone = append(gone, key)
		}
	})
	for _, key := range gone {
		t.deleteService(key)
	}
	for key, s := range want {
		if old, ok := t.st.services.get(key); ok && reflect.DeepEqual(old, s) {
			continue
		}
		t.upsertService(s)
	}
}

func (t *txn) resetNomad(nodes []*Node, allocs []*Allocation, services []*Service) {
	t.full = true

	wantNodes := make(map[string]*Node, len(nodes))
	for _, n := range nodes {
		if n != nil {
			wantNodes[n.ID] = n
		}
	}
	var goneNodes []string
	t.st.nodes.each(func(id string, _ *Node) {
		if _, ok := wantNodes[id]; !ok {
			goneNodes = append(goneNodes, id)
		}
	})
	for _, id := range goneNodes {
		t.deleteNode(id)
	}
	for id, n := range wantNodes {
		if old, ok := t.st.nodes.get(id); ok && reflect.DeepEqual(old, n) {
			continue
		}
		t.upsertNode(n)
	}

	wantAllocs := make(map[string]*Allocation, len(allocs))
	for _, a := range allocs {
		if a != nil {
			normaliseAlloc(a)
			wantAllocs[a.ID] = a
		}
	}
	var goneAllocs []string
	t.st.allocs.each(func(id string, _ *Allocation) {
		if _, ok := wantAllocs[id]; !ok {
			goneAllocs = append(goneAllocs, id)
		}
	})
	for _, id := range goneAllocs {
		t.deleteAlloc(id)
	}
	for id, a := range wantAllocs {
		if old, ok := t.st.allocs.get(id); ok && reflect.DeepEqual(old, a) {
			continue
		}
		t.upsertAlloc(a)
	}

	t.replaceServices(ProviderNomad, services)
}
