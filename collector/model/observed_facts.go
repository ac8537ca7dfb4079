package model

// Facts that map what an agent saw (an address and a port inside or on a
// node) onto allocations and their ports. ObservedEdges asks them to place
// a flow, and the observed lints ask them again of the edges it made, so
// both sides read an address or a port the same way.

// PortInside returns the network block's port that reaches port inside the
// namespace (the first in the block's order): the way back from InsidePortOf
// (alloc_facts.go), which reads an observed edge's port.
func (a *Allocation) PortInside(port int) (Port, bool) {
	for _, p := range a.Ports {
		if p.InsidePort() == port {
			return p, true
		}
	}
	return Port{}, false
}

// UpstreamAt returns the Connect upstream whose local listener, inside the
// allocation's namespace, is port.
func (a *Allocation) UpstreamAt(port int) (Upstream, bool) {
	for _, spec := range a.MeshSpecs("") {
		for _, u := range spec.Connect.Upstreams {
			if u.LocalBindPort == port {
				return u, true
			}
		}
	}
	return Upstream{}, false
}

// NamespaceIP is the address of the allocation's own network namespace, the
// one its node's peers dial and agents report as a connection's end; "" in
// host mode, where the address is the node's and names no one allocation.
func (a *Allocation) NamespaceIP() string {
	if a.Network.Mode == ModeHost {
		return ""
	}
	return a.Network.IP
}
