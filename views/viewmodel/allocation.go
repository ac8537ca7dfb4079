package viewmodel

import (
	"slices"
	"strconv"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/lint"
)

// PortRow is one line of an allocation's port map: where the host port leads
// and who uses it.
type PortRow struct {
	model.Port
	// Mapping is the port as users read it: "host_ip:port → to".
	Mapping string `json:"mapping"`
	// Tasks advertise the port: they list it in config.ports or own a
	// task-level service on it.
	Tasks []string `json:"tasks,omitempty"`
	// Services use the port: specs whose port label it is, or whose Connect
	// sidecar listens on it (shown as "<name> (sidecar)").
	Services []string `json:"services,omitempty"`
}

// UpstreamRow is a Connect upstream of one of the allocation's services.
type UpstreamRow struct {
	model.Upstream
	// Source is the service whose sidecar holds the upstream.
	Source string `json:"source"`
	// Listener is the local address the app dials, e.g. "127.0.0.1:6379".
	Listener string `json:"listener"`
	// Intention is the effective action source → destination (allow/deny).
	Intention string `json:"intention"`
}

// AllocationView is the allocation page's content and the
// /api/v1/allocations/:id body.
type AllocationView struct {
	Version    uint64            `json:"version"`
	Allocation *model.Allocation `json:"allocation"`
	Node       Link              `json:"node"`
	Ports      []PortRow         `json:"ports"`
	Upstreams  []UpstreamRow     `json:"upstreams"`
	Instances  []*model.Service  `json:"instances"`
	Edges      []EdgeRow         `json:"edges"`
	Warnings   []WarningRow      `json:"warnings"`
	// ObservedClients and ObservedDestinations are the connections
	// netviz agents saw into and out of the allocation (none: omitted).
	ObservedClients      []ObservedRow `json:"observed_clients,omitempty"`
	ObservedDestinations []ObservedRow `json:"observed_destinations,omitempty"`
}

// Candidates is the answer to an allocation prefix that matches several
// allocations (or none).
type Candidates struct {
	Query       string              `json:"query"`
	Allocations []*model.Allocation `json:"allocations"`
}

// FindAllocation resolves an allocation ID or unique ID prefix. When it is not
// unique (or unknown), it returns nil and the candidates.
func FindAllocation(snap *model.Snapshot, ref string) (*model.Allocation, Candidates) {
	if a := snap.Allocation(ref); a != nil {
		return a, Candidates{}
	}
	found := snap.AllocationsByPrefix(ref)
	if len(found) == 1 && ref != "" {
		return found[0], Candidates{}
	}
	if ref == "" {
		found = nil
	}
	return nil, Candidates{Query: ref, Allocations: found}
}

// NewAllocationView gathers what the allocation page shows about a.
func NewAllocationView(snap *model.Snapshot, a *model.Allocation) AllocationView {
	v := AllocationView{
		Version:    snap.Version(),
		Allocation: a,
		Node:       KeyLink(snap, model.NodeKey(a.NodeID)),
		Ports:      portRows(a),
		Upstreams:  upstreamRows(snap, a),
	}
	for _, s := range snap.Services() {
		if s.AllocID == a.ID {
			v.Instances = append(v.Instances, s)
		}
	}
	v.Edges = allocEdges(snap, a)
	if in, out := observedAround(snap, map[string]bool{a.ID: true}, ""); len(in)+len(out) > 0 {
		v.ObservedClients, v.ObservedDestinations = in, out
	}
	v.Warnings = warningRows(snap, warningsAbout(lint.Warnings(snap), model.AllocKey(a.ID)))
	return v
}

// portRows builds the port map, joining each port to the tasks that
// advertise it and the services that use it.
func portRows(a *model.Allocation) []PortRow {
	rows := make([]PortRow, 0, len(a.Ports))
	for _, p := range a.Ports {
		r := PortRow{Port: p, Mapping: portMapping(p)}
		for _, t := range a.Tasks {
			if slices.Contains(t.ConfigPorts, p.Label) {
				r.Tasks = appendOnce(r.Tasks, t.Name)
			}
		}
		for _, s := range a.Services {
			if s.PortLabel == p.Label {
				r.Services = appendOnce(r.Services, s.Name)
				if s.Task != "" {
					r.Tasks = appendOnce(r.Tasks, s.Task)
				}
			}
			if s.Connect != nil && s.Connect.SidecarPortLabel == p.Label {
				r.Services = appendOnce(r.Services, s.Name+" (sidecar)")
				// Nomad's sidecar task for service x has kind connect-proxy:x.
				for _, t := range a.Tasks {
					if t.Kind == "connect-proxy:"+s.Name {
						r.Tasks = appendOnce(r.Tasks, t.Name)
					}
				}
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// portMapping is "host_ip:port → to"; an unmapped port shows only its inside end.
func portMapping(p model.Port) string {
	to := p.InsidePort()
	if p.Value == 0 {
		return "(not on host) → " + strconv.Itoa(to)
	}
	return HostPort(p.HostIP, p.Value) + " → " + strconv.Itoa(to)
}

// upstreamRows lists the Connect upstreams the allocation's services declare,
// with the intention Consul would apply to each.
func upstreamRows(snap *model.Snapshot, a *model.Allocation) []UpstreamRow {
	var rows []UpstreamRow
	for _, s := range a.Services {
		if s.Connect == nil {
			continue
		}
		for _, u := range s.Connect.Upstreams {
			bind := u.LocalBindAddress
			if bind == "" {
				bind = "127.0.0.1"
			}
			action, _ := snap.IntentionFor(s.Name, u.DestinationName)
			rows = append(rows, UpstreamRow{
				Upstream:  u,
				Source:    s.Name,
				Listener:  HostPort(bind, u.LocalBindPort),
				Intention: action,
			})
		}
	}
	return rows
}

// appendOnce appends v unless the slice holds it already.
func appendOnce(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}
