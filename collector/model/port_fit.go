package model

import "strings"

// Facts about where host ports bind and what a node's dynamic range has
// left: the port-conflict lint, the node page and `netviz check` ask them.

// HostIPsOverlap reports whether two host IPs bound on the same port
// collide: the same address, or either one binds every address.
func HostIPsOverlap(a, b string) bool { return a == b || WildcardIP(a) || WildcardIP(b) }

// HostNetworkNamed returns the node's host network with the name, if any.
// "" and "default" are the node's default network, which is not listed.
func (n *Node) HostNetworkNamed(name string) (HostNetwork, bool) {
	for _, hn := range n.HostNetworks {
		if hn.Name == name {
			return hn, true
		}
	}
	return HostNetwork{}, false
}

// HostIP is the address a host port of the host network binds on this
// node: the network's address (without a prefix length), else the node's.
func (n *Node) HostIP(hostNetwork string) string {
	if hostNetwork == "" || hostNetwork == "default" {
		return n.Address
	}
	if hn, ok := n.HostNetworkNamed(hostNetwork); ok && hn.CIDR != "" {
		ip, _, _ := strings.Cut(hn.CIDR, "/")
		return ip
	}
	return n.Address
}

// Reserves reports whether the node keeps the port from allocations: the
// client's reserved ports, or those of the host network the port asks for.
func (n *Node) Reserves(port int, hostNetwork string) bool {
	for _, p := range n.ReservedPorts {
		if p == port {
			return true
		}
	}
	if hn, ok := n.HostNetworkNamed(hostNetwork); ok {
		for _, p := range hn.ReservedPorts {
			if p == port {
				return true
			}
		}
	}
	return false
}

// InDynamicRange reports whether a port is in the node's dynamic range.
func (n *Node) InDynamicRange(port int) bool {
	return n.MinDynamicPort > 0 && port >= n.MinDynamicPort && port <= n.MaxDynamicPort
}

// DynamicRangeUse is how much of a node's dynamic port range is taken.
type DynamicRangeUse struct {
	Size int `json:"size"`
	// Used counts distinct ports in the range held by allocations.
	Used int `json:"used"`
	// Reserved counts the node's reserved ports inside the range.
	Reserved int `json:"reserved"`
	// Free is what Nomad can still hand out: Size - Used - Reserved
	// (a reserved port that an allocation holds counts once).
	Free int `json:"free"`
}

// DynamicRange measures the node's dynamic range in this snapshot.
func (s *Snapshot) DynamicRange(n *Node) DynamicRangeUse {
	var u DynamicRangeUse
	if n.MinDynamicPort <= 0 || n.MaxDynamicPort < n.MinDynamicPort {
		return u
	}
	u.Size = n.MaxDynamicPort - n.MinDynamicPort + 1
	taken := map[int]bool{}
	for _, p := range s.PortsOnNode(n.ID) {
		if n.InDynamicRange(p.Port) && !taken[p.Port] {
			taken[p.Port] = true
			u.Used++
		}
	}
	reserved := 0
	for _, p := range n.ReservedPorts {
		if n.InDynamicRange(p) {
			u.Reserved++
			if !taken[p] {
				reserved++
			}
		}
	}
	u.Free = max(u.Size-u.Used-reserved, 0)
	return u
}
