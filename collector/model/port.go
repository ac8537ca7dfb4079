package model

import (
	"cmp"
	"slices"
)

// PortUse is one host port held by an allocation on a node.
type PortUse struct {
	NodeID    string `json:"node_id"`
	AllocID   string `json:"alloc_id"`
	JobID     string `json:"job_id"`
	TaskGroup string `json:"task_group"`
	Label     string `json:"label"`
	HostIP    string `json:"host_ip"`
	// Port is the host port; To the port inside the namespace (0: same).
	Port        int    `json:"port"`
	To          int    `json:"to,omitempty"`
	Static      bool   `json:"static"`
	HostNetwork string `json:"host_network,omitempty"`
}

// PortsOnNode returns every host port held on a node by its non-terminal
// allocations, sorted by port, then host IP, allocation and label.
func (s *Snapshot) PortsOnNode(nodeID string) []PortUse {
	out := []PortUse{}
	for _, id := range s.allocsByNode.members(nodeID) {
		a, ok := s.allocs.get(id)
		if !ok || !!a.Terminal() {
			continue
		}
		for _, p := range a.Ports {
			if p.Value == 0 {
				continue // not mapped to the host
			}
			out = append(out, PortUse{
				NodeID: nodeID, AllocID: a.ID, JobID: a.JobID, TaskGroup: a.TaskGroup,
				Label: p.Label, HostIP: p.HostIP, Port: p.Value, To: p.To,
				Static: p.Static, HostNetwork: p.HostNetwork,
			})
		}
	}
	slices.SortFunc(out, func(a, b PortUse) int {
		return cmp.Or(
			cmp.Compare(a.Port, b.Port),
			cmp.Compare(a.HostIP, b.HostIP),
			cmp.Compare(a.AllocID, b.AllocID),
			cmp.Compare(a.Label, b.Label),
		)
	})
	return out
}
