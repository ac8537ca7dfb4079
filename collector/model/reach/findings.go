package reach

import (
	"fmt"

	"github.com/netviz/netviz/collector/model"
)

// Findings that a reach path and a lint both report: the path is annotated
// with the same warning that the cluster-wide lint lists.

// guarded reports whether intentions are meant to restrict who reaches the
// service: something has an upstream to it, an intention names it, or the
// default denies.
func Guarded(s *model.Snapshot, service string) bool {
	if !s.DefaultAllow() && s.IntentionsKnown() {
		return true
	}
	for _, in := range s.Intentions() {
		if in.Destination == service {
			return true
		}
	}
	for _, e := range s.EdgesTo(model.ServiceKey(service)) {
		if e.Kind == model.EdgeUpstream {
			return true
		}
	}
	return false
}

// meshSpecOn returns d's mesh service listening on the target's namespace
// port (not the sidecar's own listener).
func MeshSpecOn(d *model.Allocation, t Target) (model.ServiceSpec, bool) {
	if model.IsProxyPort(t.Label) || d.Network.Mode == model.ModeHost {
		return model.ServiceSpec{}, false
	}
	for _, spec := range d.MeshSpecs("") {
		if d.SpecPort(spec) == t.Inside {
			return spec, true
		}
	}
	return model.ServiceSpec{}, false
}

// meshBypass reports a mapped host port that publishes a guarded mesh
// service's app port.
func MeshBypass(s *model.Snapshot, d *model.Allocation, t Target) (model.Warning, bool) {
	spec, ok := MeshSpecOn(d, t)
	if !ok || t.Port.Value == 0 || !Guarded(s, spec.Name) {
		return model.Warning{}, false
	}
	return model.Warning{
		Code:     model.CodeMeshBypass,
		Severity: model.SeverityWarning,
		Subjects: []string{model.AllocKey(d.ID), model.ServiceKey(spec.Name)},
		Message: fmt.Sprintf("%s is in the Connect mesh, but port %s maps host port %d to its app port %d: anyone who reaches the node reaches %s directly, and its intentions never apply",
			spec.Name, t.Label, t.Port.Value, t.Inside, spec.Name),
		Fix: fmt.Sprintf("drop the host mapping of port %q (the sidecar's own port is the way in), or front it with an ingress gateway", t.Label),
	}, true
}

// identities are the Connect names an allocation speaks as; "" stands for
// a source outside the mesh (only wildcard intentions match it).
func Identities(a *model.Allocation) []string {
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
func peerBypass(s *model.Snapshot, src source, d *model.Allocation, t Target) (model.Warning, bool) {
	a := src.alloc
	if a == nil || a.ID == d.ID || a.NodeID != d.NodeID || a.Network.Mode != model.ModeBridge || d.Network.Mode != model.ModeBridge {
		return model.Warning{}, false
	}
	spec, ok := MeshSpecOn(d, t)
	if !ok || !s.IntentionsKnown() {
		return model.Warning{}, false
	}
	return PeerBypassOf(s, a, Identities(a), d, t, spec)
}

// peerBypassOf is peerBypass once the peer's identities and the service on
// the port are known.
func PeerBypassOf(s *model.Snapshot, a *model.Allocation, ids []string, d *model.Allocation, t Target, spec model.ServiceSpec) (model.Warning, bool) {
	for _, id := range ids {
		if action, _ := s.IntentionFor(id, spec.Name); action == model.ActionAllow {
			return model.Warning{}, false
		}
	}
	return model.Warning{
		Code:     model.CodeBridgePeerBypass,
		Severity: model.SeverityWarning,
		Subjects: []string{model.AllocKey(a.ID), model.AllocKey(d.ID), model.ServiceKey(spec.Name)},
		Message: fmt.Sprintf("intentions keep %s out of %s, yet both sit on node %s's bridge: %s reaches %s's namespace address on port %d directly, around the sidecar",
			a.Group(), spec.Name, model.ShortID(d.NodeID), a.Group(), spec.Name, t.Inside),
		Fix: fmt.Sprintf("make %s listen on 127.0.0.1 only (its sidecar reaches it there), or separate them with a CNI network and firewall rules", spec.Name),
	}, true
}

func HostNetworkWarning(a *model.Allocation, t Target) model.Warning {
	return model.Warning{
		Code:     model.CodeHostNetworkOpen,
		Severity: model.SeverityWarning,
		Subjects: []string{model.AllocKey(a.ID)},
		Message: fmt.Sprintf("%s uses host networking: port %s (%d) binds the node's address %s with no access control; anything that routes to the node reaches it",
			a.Group(), t.Label, t.Port.Value, t.Port.HostIP),
		Fix: "use network mode \"bridge\" and reach it through service discovery or a Connect upstream, or bind a host_network that only trusted clients route to",
	}
}

func IntentionDenyWarning(a *model.Allocation, source, destination string, in *model.Intention) model.Warning {
	why := "no intention matches and the default is deny"
	if in != nil {
		why = fmt.Sprintf("the intention %s → %s denies it", in.Source, in.Destination)
	}
	return model.Warning{
		Code:     model.CodeIntentionDeniesUpstream,
		Severity: model.SeverityError,
		Subjects: []string{model.AllocKey(a.ID), model.ServiceKey(source), model.ServiceKey(destination)},
		Message:  fmt.Sprintf("%s declares an upstream to %s, but %s: every connection through it is refused", source, destination, why),
		Fix:      fmt.Sprintf("allow it: a service-intentions entry for %s with source %s and action allow, or drop the upstream", destination, source),
	}
}
