package model

import (
	"slices"
	"strconv"
	"strings"
)

// Facts about allocations, ports and services that edges, reachability,
// lints, diagrams and the collector all ask. Each rule is written once, here.

// terminalClientStatuses are Nomad's client statuses of an allocation that
// has stopped for good and released its namespace and host ports. Nomad's
// other statuses (pending, running, unknown) still hold them.
var terminalClientStatuses = []string{"complete", "failed", "lost"}

// TerminalClientStatus reports whether a Nomad client status is terminal.
func TerminalClientStatus(status string) bool {
	return slices.Contains(terminalClientStatuses, status)
}

// TerminalClientStatuses lists the terminal client statuses, for a reader
// that must ask Nomad to leave them out (the collector's list filter).
func TerminalClientStatuses() []string { return slices.Clone(terminalClientStatuses) }

// NetworkMode is the network mode Nomad gave an allocation: the mode on its
// allocated group network, else the mode its task group's network block
// asks for, else host (Nomad's default). The group is the fallback because
// an allocation read without its resources (a list stub, a catch-up's
// partial read) or an allocated network that carries no mode still runs in
// the namespace its group asked for; reading such an allocation as host
// would put a bridge allocation's sockets in the wrong namespace. The
// collector and the agent both decide the mode here, so they agree.
func NetworkMode(allocated, group string) string {
	switch {
	case allocated != "":
		return allocated
	case group != "":
		return group
	}
	return ModeHost
}

// Terminal reports whether the allocation has stopped for good.
func (a *Allocation) Terminal() bool { return TerminalClientStatus(a.ClientStatus) }

// Live reports whether an allocation takes part in traffic: it holds its
// namespace and ports, and Nomad has not asked it to stop.
func (a *Allocation) Live() bool { return !a.Terminal() && a.DesiredStatus != "stop" }

// Group is the "job/group" name of an allocation.
func (a *Allocation) Group() string { return a.JobID + "/" + a.TaskGroup }

// PortByLabel returns the allocation's port with the label.
func (a *Allocation) PortByLabel(label string) (Port, bool) {
	for _, p := range a.Ports {
		if p.Label == label {
			return p, true
		}
	}
	return Port{}, false
}

// SpecPort is the port a service's app listens on inside its namespace: the
// number as written, or the `to` (else value) of the labelled port; 0 if unknown.
func (a *Allocation) SpecPort(spec ServiceSpec) int { return a.InsidePortOf(spec.PortLabel) }

// InsidePortOf is the port inside the namespace that a port label names: the
// labelled port's InsidePort, or the label itself when it is a number (a
// service's `port = "6379"`, an observed edge's port that no label maps); 0
// if unknown. A number too large for an int is unknown too (Atoi would clamp
// it to the largest int, a port nothing listens on).
func (a *Allocation) InsidePortOf(label string) int {
	if p, ok := a.PortByLabel(label); ok {
		return p.InsidePort()
	}
	if n, err := strconv.Atoi(label); err == nil {
		return n
	}
	return 0
}

// MeshSpecs returns an allocation's Connect app services, narrowed to name if set.
func (a *Allocation) MeshSpecs(name string) []ServiceSpec {
	var out []ServiceSpec
	for _, spec := range a.Services {
		if spec.InMesh() && (name == "" || spec.Name == name) {
			out = append(out, spec)
		}
	}
	return out
}

// InMesh reports whether a service spec takes part in Connect as an app
// (behind a sidecar, or native).
func (spec ServiceSpec) InMesh() bool {
	return spec.Connect != nil && (spec.Connect.Kind == ConnectSidecar || spec.Connect.Kind == ConnectNative)
}

// InsidePort is the port a mapped port reaches inside the namespace: `to`,
// else the host port (host mode, or a port mapped to itself).
func (p Port) InsidePort() int {
	if p.To > 0 {
		return p.To
	}
	return p.Value
}

// IsProxyPort reports whether a port label is a Connect sidecar's public
// listener, which speaks mTLS only.
func IsProxyPort(label string) bool { return strings.HasPrefix(label, "connect-proxy-") }

// WildcardIP reports whether a host IP binds every address, and so collides
// with any other address on the same port.
func WildcardIP(ip string) bool { return ip == "" || ip == "0.0.0.0" || ip == "::" }

// VisibleFrom reports whether a task in namespace ns can find the instance
// through the registry: Nomad's registry is namespaced, Consul's (CE) is not.
func (svc *Service) VisibleFrom(ns string) bool {
	return svc.Provider != ProviderNomad || svc.Namespace == "" || svc.Namespace == ns
}

// Provider is the registry a template reference asks, or "" for references
// that are not registry lookups.
func (k RefKind) Provider() string {
	switch k {
	case RefNomadService:
		return ProviderNomad
	case RefConsulService:
		return ProviderConsul
	}
	return ""
}

// ShortID is Nomad's 8-character short form of an ID.
func ShortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// IntentionsKnown reports whether the snapshot knows Consul's intentions:
// Consul answered, or some intention arrived. Before that the default
// action is a guess, and nothing should be called blocked because of it.
func (s *Snapshot) IntentionsKnown() bool {
	return s.status.Consul.State == StateConnected || len(s.intentions) > 0
}
