package model

import "strconv"

// restrictObserved is what a scope may see of the snapshot's observed
// traffic. Each flow is mapped onto the whole model (the mapping
// ObservedEdges uses) and kept only when both ends of its edge are shown
// (SeesObservedEnd), so a kept flow names only shown allocations, hosts
// the scope may read and outside addresses; a flow the model cannot
// place is dropped too, as its addresses might be a hidden allocation's.
// Listeners are kept for shown allocations (the host's with node rights),
// never on an address and port a hidden allocation holds. A node's entry
// is kept with node rights, or when a shown allocation runs there.
func restrictObserved(s *Snapshot, sc Scope) *observedState {
	if s.observed == nil {
		return nil
	}
	out := &observedState{nodes: map[string]*ObservedNode{}, window: s.observed.window}
	if len(s.observed.nodes) == 0 {
		return out
	}
	x := s.observedIndex()
	onNode := map[string]bool{}
	for _, a := range s.Allocations() {
		if sc.SeesAlloc(a.Namespace) {
			onNode[a.NodeID] = true
		}
	}
	for id, n := range s.observed.nodes {
		if !sc.SeesNodes() && !onNode[id] {
			continue
		}
		m := *n
		m.Flows = map[flowKey]ObservedFlow{}
		for k, f := range n.Flows {
			if e, ok := x.edgeOf(id, f); ok && sc.seesEnd(s, e.From) && sc.seesEnd(s, e.To) {
				m.Flows[k] = f
			}
		}
		m.Listeners = nil
		for _, l := range n.Listeners {
			if sc.seesListener(s, x, id, l) {
				m.Listeners = append(m.Listeners, l)
			}
		}
		out.nodes[id] = &m
	}
	return out
}

// seesEnd reports whether the scope shows one end of an observed edge of
// s (SeesObservedEnd, with the allocation looked up in s).
func (sc Scope) seesEnd(s *Snapshot, end string) bool {
	a := s.Allocation(end)
	return sc.SeesObservedEnd(end, a != nil && sc.SeesAlloc(a.Namespace))
}

// seesListener reports whether the scope shows a listener node's agent
// reported: its owner must be shown (the host with node rights), and its
// port must not be one a hidden allocation holds on that node.
func (sc Scope) seesListener(s *Snapshot, x *observedIndex, node string, l ObservedListener) bool {
	owner := ObservedHost
	if l.Alloc != "" {
		owner = l.Alloc
	}
	if !sc.seesEnd(s, owner) {
		return false
	}
	port := strconv.Itoa(l.Port)
	for _, ref := range []hostPortRef{x.nodePort[node+"\x00"+port], x.hostPort[l.IP+":"+port]} {
		if ref.a != nil && !sc.SeesAlloc(ref.a.Namespace) {
			return false
		}
	}
	if a := x.byNsIP[l.IP]; a != nil && !sc.SeesAlloc(a.Namespace) {
		return false
	}
	return true
}
