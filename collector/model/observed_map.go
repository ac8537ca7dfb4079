package model

import (
	"cmp"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ObservedKind says how an observed connection travelled.
type ObservedKind string

// Kinds of observed edges.
const (
	// ObservedMesh: app → local upstream listener → sidecar → remote sidecar.
	ObservedMesh ObservedKind = "mesh"
	// ObservedNamespaceIP: straight to another namespace's address.
	ObservedNamespaceIP ObservedKind = "namespace-ip"
	// ObservedHostPort: to a node address and host port (DNAT to the namespace).
	ObservedHostPort ObservedKind = "host-port"
	// ObservedSameNamespace: between tasks sharing one namespace.
	ObservedSameNamespace ObservedKind = "same-namespace"
)

// Pseudo ends of an observed edge that are not allocations.
const (
	ObservedHost     = "host"
	ObservedExternal = "external"
)

// ObservedEdge is observed traffic mapped onto the model: who talked to
// which allocation port, how, how often and when.
type ObservedEdge struct {
	Kind ObservedKind `json:"kind"`
	// From is the client allocation's ID, or ObservedHost / ObservedExternal.
	From string `json:"from"`
	// To is the destination allocation's ID; empty for a mesh edge whose
	// far end was not seen (the upstream's service is in Service).
	To string `json:"to,omitempty"`
	// Port is the destination's port label (or number, when it has none).
	Port string `json:"port"`
	// Service is, for mesh edges, the upstream's destination service.
	Service string `json:"service,omitempty"`
	// Node is the node whose agent saw it (the first, when several did).
	Node string `json:"node"`
	// Count is how many connections were seen (the larger of the two ends' counts).
	Count int `json:"count"`
	// Established is false when only connection attempts were seen.
	Established bool      `json:"established"`
	FirstSeen   time.Time `json:"first_seen"`
	LastSeen    time.Time `json:"last_seen"`

	clientCount, serverCount int
}

// observedEdgesKey keys the snapshot's memo of ObservedEdges.
type observedEdgesKey struct{}

// ObservedEdges maps every observed flow onto the model, merged per
// (kind, from, to, port, service) and sorted. Flows the model cannot place
// (traffic leaving the cluster, a sidecar's hop to its own app) give no edge.
func (s *Snapshot) ObservedEdges() []ObservedEdge {
	e := s.Memo(observedEdgesKey{}, func() any { return mapObserved(s) }).([]ObservedEdge)
	return slices.Clone(e)
}

// ObservedFrom returns the observed edges whose client is the allocation id.
func (s *Snapshot) ObservedFrom(id string) []ObservedEdge {
	return filterEdges(s.ObservedEdges(), func(e ObservedEdge) bool { return e.From == id })
}

// ObservedTo returns the observed edges into the allocation id.
func (s *Snapshot) ObservedTo(id string) []ObservedEdge {
	return filterEdges(s.ObservedEdges(), func(e ObservedEdge) bool { return e.To == id })
}

func filterEdges(in []ObservedEdge, keep func(ObservedEdge) bool) []ObservedEdge {
	out := []ObservedEdge{}
	for _, e := range in {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

// observedIndex finds allocations and ports by the addresses agents report.
type observedIndex struct {
	s        *Snapshot
	byNsIP   map[string]*Allocation
	hostPort map[string]hostPortRef // "ip:port" → owner
	nodePort map[string]hostPortRef // "node\x00port" → owner (for loopback to a host port)
	nodeAddr map[string]string      // node address → node ID
}

type hostPortRef struct {
	a *Allocation
	p Port
}

func newObservedIndex(s *Snapshot) *observedIndex {
	x := &observedIndex{s: s, byNsIP: map[string]*Allocation{}, hostPort: map[string]hostPortRef{},
		nodePort: map[string]hostPortRef{}, nodeAddr: map[string]string{}}
	for _, n := range s.Nodes() {
		if n.Address != "" {
			x.nodeAddr[n.Address] = n.ID
		}
	}
	for _, a := range s.Allocations() {
		if !a.Live() {
			continue
		}
		if ip := a.NamespaceIP(); ip != "" {
			x.byNsIP[ip] = a
		}
		for _, p := range a.Ports {
			if p.Value == 0 {
				continue
			}
			ref := hostPortRef{a, p}
			x.nodePort[a.NodeID+"\x00"+strconv.Itoa(p.Value)] = ref
			if !WildcardIP(p.HostIP) {
				x.hostPort[p.HostIP+":"+strconv.Itoa(p.Value)] = ref
			}
		}
	}
	return x
}

func isLoopback(ip string) bool {
	a, err := netip.ParseAddr(ip)
	return err == nil && a.Unmap().IsLoopback()
}

// source names the client behind an address seen on node.
func (x *observedIndex) source(ip string) string {
	if a := x.byNsIP[ip]; a != nil {
		return a.ID
	}
	if isLoopback(ip) || x.nodeAddr[ip] != "" {
		return ObservedHost
	}
	return ObservedExternal
}

// labelInside is the label of d's port that reaches port inside its
// namespace, or the number when none does (InsidePortOf reads either back).
func labelInside(d *Allocation, port int) string {
	if p, ok := d.PortInside(port); ok {
		return p.Label
	}
	return strconv.Itoa(port)
}

// meshAppPort reports whether port is where a sidecar of d hands traffic to
// its app: the sidecar's hop to it is part of the mesh path, not an edge.
func meshAppPort(d *Allocation, port int) bool {
	for _, spec := range d.MeshSpecs("") {
		if spec.Connect.Kind == ConnectSidecar && d.SpecPort(spec) == port {
			return true
		}
	}
	return false
}

// toPort makes the edge to d's port, a mesh edge when it is a sidecar's.
func toPort(from string, d *Allocation, label string, kind ObservedKind) ObservedEdge {
	e := ObservedEdge{Kind: kind, From: from, To: d.ID, Port: label}
	if IsProxyPort(label) {
		e.Kind, e.Service = ObservedMesh, strings.TrimPrefix(label, "connect-proxy-")
	}
	return e
}

// client maps a flow dialled from inside allocation a (nil: the host).
func (x *observedIndex) client(node string, a *Allocation, f ObservedFlow) (ObservedEdge, bool) {
	from := ObservedHost
	if a != nil {
		from = a.ID
	}
	if isLoopback(f.RemoteIP) {
		if a == nil || a.Network.Mode == ModeHost {
			if ref, ok := x.nodePort[node+"\x00"+strconv.Itoa(f.RemotePort)]; ok && (a == nil || ref.a.ID != a.ID) {
				return toPort(from, ref.a, ref.p.Label, ObservedHostPort), true
			}
			return ObservedEdge{}, false
		}
		if u, ok := a.UpstreamAt(f.RemotePort); ok {
			return ObservedEdge{Kind: ObservedMesh, From: from, Port: u.Label(), Service: u.DestinationName}, true
		}
		if meshAppPort(a, f.RemotePort) {
			return ObservedEdge{}, false
		}
		return ObservedEdge{Kind: ObservedSameNamespace, From: from, To: a.ID, Port: labelInside(a, f.RemotePort)}, true
	}
	if d := x.byNsIP[f.RemoteIP]; d != nil {
		if a != nil && d.ID == a.ID {
			return ObservedEdge{Kind: ObservedSameNamespace, From: from, To: d.ID, Port: labelInside(d, f.RemotePort)}, true
		}
		return toPort(from, d, labelInside(d, f.RemotePort), ObservedNamespaceIP), true
	}
	if ref, ok := x.hostPort[f.RemoteIP+":"+strconv.Itoa(f.RemotePort)]; ok {
		return toPort(from, ref.a, ref.p.Label, ObservedHostPort), true
	}
	// A port bound on every address, reached at its node's address.
	if id := x.nodeAddr[f.RemoteIP]; id != "" {
		if ref, ok := x.nodePort[id+"\x00"+strconv.Itoa(f.RemotePort)]; ok {
			return toPort(from, ref.a, ref.p.Label, ObservedHostPort), true
		}
	}
	return ObservedEdge{}, false
}

// server maps a flow accepted inside allocation d.
func (x *observedIndex) server(d *Allocation, f ObservedFlow) (ObservedEdge, bool) {
	label := labelInside(d, f.LocalPort)
	if f.OrigDstIP != "" {
		src := f.OrigSrcIP
		if src == "" {
			src = f.RemoteIP
		}
		return toPort(x.source(src), d, label, ObservedHostPort), true
	}
	if isLoopback(f.RemoteIP) {
		return ObservedEdge{}, false // the client's own side names it, or a sidecar's hop
	}
	from := x.source(f.RemoteIP)
	if from == d.ID || (d.Network.Mode == ModeHost && from != ObservedExternal) {
		return ObservedEdge{}, false // same namespace, or a host-mode peer whose client side names it
	}
	kind := ObservedNamespaceIP
	if d.Network.Mode == ModeHost {
		kind = ObservedHostPort
	}
	return toPort(from, d, label, kind), true
}

type observedEdgeKey struct {
	kind                    ObservedKind
	from, to, port, service string
}

// edgeOf maps one flow that node's agent reported onto the model; false
// when the model cannot place it. ObservedEdges and Restrict (which keeps
// only the flows whose edge a scope may see) both map flows through it.
func (x *observedIndex) edgeOf(node string, f ObservedFlow) (ObservedEdge, bool) {
	a := x.s.Allocation(f.Alloc)
	if f.Alloc != "" && (a == nil || a.NodeID != node) {
		return ObservedEdge{}, false // gone, or not on the reporting node: an agent speaks only for its own
	}
	if f.Side == SideClient {
		return x.client(node, a, f)
	}
	if a != nil {
		return x.server(a, f)
	}
	return ObservedEdge{}, false
}

// observedIndexKey keys the snapshot's memo of its observedIndex.
type observedIndexKey struct{}

// observedIndex returns the snapshot's index of addresses, built once per snapshot.
func (s *Snapshot) observedIndex() *observedIndex {
	return s.Memo(observedIndexKey{}, func() any { return newObservedIndex(s) }).(*observedIndex)
}

// mapObserved is ObservedEdges without the memo.
func mapObserved(s *Snapshot) []ObservedEdge {
	x := s.observedIndex()
	merged := map[observedEdgeKey]*ObservedEdge{}
	nodes := s.observed.all()
	for _, node := range slices.Sorted(maps.Keys(nodes)) {
		for _, f := range nodes[node].Flows {
			e, ok := x.edgeOf(node, f)
			if !ok {
				continue
			}
			k := observedEdgeKey{e.Kind, e.From, e.To, e.Port, e.Service}
			m := merged[k]
			if m == nil {
				e.Node, e.FirstSeen, e.LastSeen = node, f.FirstSeen, f.LastSeen
				m = &e
				merged[k] = m
			}
			if f.Side == SideClient {
				m.clientCount += f.Count
			} else {
				m.serverCount += f.Count
			}
			m.Established = m.Established || f.Established
			if f.FirstSeen.Before(m.FirstSeen) {
				m.FirstSeen = f.FirstSeen
			}
			if f.LastSeen.After(m.LastSeen) {
				m.LastSeen = f.LastSeen
			}
		}
	}
	// A mesh edge whose far end was seen makes the bare "to the upstream's
	// service" edge of the same client redundant.
	resolved := map[[2]string]bool{}
	for k := range merged {
		if k.kind == ObservedMesh && k.to != "" {
			resolved[[2]string{k.from, k.service}] = true
		}
	}
	out := make([]ObservedEdge, 0, len(merged))
	for k, e := range merged {
		if k.kind == ObservedMesh && k.to == "" && resolved[[2]string{k.from, k.service}] {
			continue
		}
		e.Count = max(e.clientCount, e.serverCount)
		out = append(out, *e)
	}
	slices.SortFunc(out, func(a, b ObservedEdge) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), cmp.Compare(a.Port, b.Port),
			cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Service, b.Service))
	})
	return out
}
