package model

import "fmt"

// Codes of the lints about traffic that goes around Connect.
const (
	// CodeMeshBypass marks a mesh service whose app port is also mapped to
	// the host: clients reach the app directly, skipping intentions.
	CodeMeshBypass = "mesh-bypass"
	// CodeBridgePeerBypass marks a same-node bridge peer that intentions
	// keep out of a mesh service but that reaches its namespace address.
	CodeBridgePeerBypass = "bridge-peer-bypass"
)

func init() {
	RegisterLint(meshBypassLint)
	RegisterLint(bridgePeerLint)
}

// guarded reports whether intentions are meant to restrict who reaches the
// service: something has an upstream to it, an intention names it, or the
// default denies.
func (s *Snapshot) guarded(service string) bool {
	if !s.defaultAllow && s.IntentionsKnown() {
		return true
	}
	for _, in := range s.intentions {
		if in.Destination == service {
			return true
		}
	}
	for _, e := range s.edgeSet().to[ServiceKey(service)] {
		if e.Kind == EdgeUpstream {
			return true
		}
	}
	return false
}

// meshSpecOn returns d's mesh service listening on the target's namespace
// port (not the sidecar's own listener).
func meshSpecOn(d *Allocation, t target) (ServiceSpec, bool) {
	if IsProxyPort(t.label) || d.Network.Mode == ModeHost {
		return ServiceSpec{}, false
	}
	for _, spec := range d.MeshSpecs("") {
		if d.SpecPort(spec) == t.nsPort {
			return spec, true
		}
	}
	return ServiceSpec{}, false
}

// meshBypass reports a mapped host port that publishes a guarded mesh
// service's app port.
func (s *Snapshot) meshBypass(d *Allocation, t target) (Warning, bool) {
	spec, ok := meshSpecOn(d, t)
	if !ok || t.port.Value == 0 || !s.guarded(spec.Name) {
		return Warning{}, false
	}
	return Warning{
		Code:     CodeMeshBypass,
		Severity: SeverityWarning,
		Subjects: []string{AllocKey(d.ID), ServiceKey(spec.Name)},
		Message: fmt.Sprintf("%s is in the Connect mesh, but port %s maps host port %d to its app port %d: anyone who reaches the node reaches %s directly, and its intentions never apply",
			spec.Name, t.label, t.port.Value, t.nsPort, spec.Name),
		Fix: fmt.Sprintf("drop the host mapping of port %q (the sidecar's own port is the way in), or front it with an ingress gateway", t.label),
	}, true
}

func meshBypassLint(s *Snapshot) []Warning {
	var out []Warning
	for _, d := range s.Allocations() {
		if !d.Live() {
			continue
		}
		for _, t := range targets(d, "") {
			if w, ok := s.meshBypass(d, t); ok {
				out = append(out, w)
			}
		}
	}
	return out
}

// identities are the Connect names an allocation speaks as; "" stands for
// a source outside the mesh (only wildcard intentions match it).
func identities(a *Allocation) []string {
	var out []string
	for _, spec := range a.MeshSpecs("") {
		out = append(out, spec.Name)
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}

// peerBypass reports a same-node bridge peer reaching a mesh service's
// namespace address although no intention lets it in.
func (s *Snapshot) peerBypass(src source, d *Allocation, t target) (Warning, bool) {
	a := src.alloc
	if a == nil || a.ID == d.ID || a.NodeID != d.NodeID || a.Network.Mode != ModeBridge || d.Network.Mode != ModeBridge {
		return Warning{}, false
	}
	spec, ok := meshSpecOn(d, t)
	if !ok || !s.IntentionsKnown() {
		return Warning{}, false
	}
	return s.peerBypassOf(a, identities(a), d, t, spec)
}

// peerBypassOf is peerBypass once the peer's identities and the service on
// the port are known.
func (s *Snapshot) peerBypassOf(a *Allocation, ids []string, d *Allocation, t target, spec ServiceSpec) (Warning, bool) {
	for _, id := range ids {
		if action, _ := s.IntentionFor(id, spec.Name); action == ActionAllow {
			return Warning{}, false
		}
	}
	return Warning{
		Code:     CodeBridgePeerBypass,
		Severity: SeverityWarning,
		Subjects: []string{AllocKey(a.ID), AllocKey(d.ID), ServiceKey(spec.Name)},
		Message: fmt.Sprintf("intentions keep %s out of %s, yet both sit on node %s's bridge: %s reaches %s's namespace address on port %d directly, around the sidecar",
			a.Group(), spec.Name, ShortID(d.NodeID), a.Group(), spec.Name, t.nsPort),
		Fix: fmt.Sprintf("make %s listen on 127.0.0.1 only (its sidecar reaches it there), or separate them with a CNI network and firewall rules", spec.Name),
	}, true
}

// guardedPort is a port of a mesh allocation that its service listens on.
type guardedPort struct {
	t    target
	spec ServiceSpec
}

// peer is a live bridge allocation with the Connect names it speaks as.
type peer struct {
	a   *Allocation
	ids []string
}

func bridgePeerLint(s *Snapshot) []Warning {
	if !s.IntentionsKnown() {
		return nil
	}
	var out []Warning
	peers := map[string][]peer{} // node → its live bridge allocations
	for _, d := range s.Allocations() {
		if !d.Live() || d.Network.Mode != ModeBridge || len(d.MeshSpecs("")) == 0 {
			continue
		}
		var ports []guardedPort
		for _, t := range targets(d, "") {
			if spec, ok := meshSpecOn(d, t); ok {
				ports = append(ports, guardedPort{t, spec})
			}
		}
		if len(ports) == 0 {
			continue
		}
		onNode, ok := peers[d.NodeID]
		if !ok {
			for _, a := range s.AllocationsOnNode(d.NodeID) {
				if a.Live() && a.Network.Mode == ModeBridge {
					onNode = append(onNode, peer{a, identities(a)})
				}
			}
			peers[d.NodeID] = onNode
		}
		for _, p := range onNode {
			if p.a.ID == d.ID {
				continue
			}
			for _, gp := range ports {
				if w, ok := s.peerBypassOf(p.a, p.ids, d, gp.t, gp.spec); ok {
					out = append(out, w)
					break // one finding per pair of allocations
				}
			}
		}
	}
	return dedupe(out)
}

// dedupe drops repeated warnings (same code and subjects), keeping the first.
func dedupe(in []Warning) []Warning {
	seen := map[string]bool{}
	var out []Warning
	for _, w := range in {
		k := w.Code
		for _, sub := range w.Subjects {
			k += "\x00" + sub
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, w)
		}
	}
	return out
}
