package model

import "fmt"

// Findings that a reach path and a lint both report: the path is annotated
// with the same warning that the cluster-wide lint lists.

// guarded reports whether intentions are meant to restrict who reaches the
// service: something has an upstream to it, an intention names it, or the
// default denies.
func (s *Snapshot) guarded(service string) bool {
	if !s.DefaultAllow() && s.IntentionsKnown() {
		return true
	}
	for _, in := range s.Intentions() {
		if in.Destination == service {
			return true
		}
	}
	for _, e := range s.EdgesTo(ServiceKey(service)) {
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

func hostNetworkWarning(a *Allocation, t target) Warning {
	return Warning{
		Code:     CodeHostNetworkOpen,
		Severity: SeverityWarning,
		Subjects: []string{AllocKey(a.ID)},
		Message: fmt.Sprintf("%s uses host networking: port %s (%d) binds the node's address %s with no access control; anything that routes to the node reaches it",
			a.Group(), t.label, t.port.Value, t.port.HostIP),
		Fix: "use network mode \"bridge\" and reach it through service discovery or a Connect upstream, or bind a host_network that only trusted clients route to",
	}
}

func intentionDenyWarning(a *Allocation, source, destination string, in *Intention) Warning {
	why := "no intention matches and the default is deny"
	if in != nil {
		why = fmt.Sprintf("the intention %s → %s denies it", in.Source, in.Destination)
	}
	return Warning{
		Code:     CodeIntentionDeniesUpstream,
		Severity: SeverityError,
		Subjects: []string{AllocKey(a.ID), ServiceKey(source), ServiceKey(destination)},
		Message:  fmt.Sprintf("%s declares an upstream to %s, but %s: every connection through it is refused", source, destination, why),
		Fix:      fmt.Sprintf("allow it: a service-intentions entry for %s with source %s and action allow, or drop the upstream", destination, source),
	}
}
