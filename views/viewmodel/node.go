package viewmodel

import (
	"cmp"
	"slices"
	"strings"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/lint"
)

// NodePort is a port in use on a node with its owning allocation resolved.
type NodePort struct {
	model.PortUse
	Owner Link `json:"owner"`
	// InRange is true for a port inside the node's dynamic range.
	InRange bool `json:"in_range"`
	// Conflict marks a port that the model's port-conflict lint reports
	// for this allocation and that another allocation here also holds.
	Conflict bool `json:"conflict,omitempty"`
}

// PortRange is a node's dynamic port range and how full it is.
type PortRange struct {
	Min  int `json:"min"`
	Max  int `json:"max"`
	Size int `json:"size"`
	// Used counts distinct host ports in the range taken by allocations.
	Used int `json:"used"`
	// Percent is Used/Size, rounded down, for the gauge.
	Percent int `json:"percent"`
}

// NodeView is a node page's content and the /api/v1/nodes/:id body. It
// stays small on a node with thousands of ports: a summary first, then one
// page of the port ledger.
type NodeView struct {
	Version  uint64      `json:"version"`
	Node     *model.Node `json:"node"`
	Summary  NodeSummary `json:"summary"`
	Ledger   Ledger      `json:"ledger"`
	Range    PortRange   `json:"dynamic_range"`
	Reserved []int       `json:"reserved_ports"`
	// AllocationCount is how many allocations are placed on the node, and
	// Jobs how many of each job.
	AllocationCount int          `json:"allocation_count"`
	Jobs            []JobRef     `json:"jobs"`
	Warnings        []WarningRow `json:"warnings"`
	// Allocations are the node's allocations, for live updates; not sent.
	Allocations []*model.Allocation `json:"-"`
}

// NewNodeView gathers the ports in use on a node, with every port in the
// ledger.
func NewNodeView(snap *model.Snapshot, n *model.Node) NodeView {
	return NewNodeLedgerView(snap, n, LedgerQuery{Page: 1})
}

// NewNodeLedgerView gathers the ports in use on a node; the ledger shows
// the page of ports that pass q.
func NewNodeLedgerView(snap *model.Snapshot, n *model.Node, q LedgerQuery) NodeView {
	v := NodeView{
		Version:     snap.Version(),
		Node:        n,
		Allocations: snap.AllocationsOnNode(n.ID),
		Range:       PortRange{Min: n.MinDynamicPort, Max: n.MaxDynamicPort},
	}
	use := snap.DynamicRange(n)
	v.Range.Size, v.Range.Used = use.Size, use.Used
	var ports []NodePort
	for _, p := range snap.PortsOnNode(n.ID) {
		np := NodePort{
			PortUse: p,
			Owner:   KeyLink(snap, model.AllocKey(p.AllocID)),
			InRange: n.InDynamicRange(p.Port),
		}
		ports = append(ports, np)
	}
	markConflicts(ports, lint.Warnings(snap))
	v.Summary = newNodeSummary(ports)
	v.Ledger = newLedger(ports, q)
	v.AllocationCount = len(v.Allocations)
	jobs := map[JobRef]int{}
	for _, a := range v.Allocations {
		jobs[JobRef{Namespace: a.Namespace, Job: a.JobID}]++
	}
	v.Jobs = []JobRef{}
	for j, count := range jobs {
		j.Allocations = count
		v.Jobs = append(v.Jobs, j)
	}
	slices.SortFunc(v.Jobs, func(a, b JobRef) int { return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Job, b.Job)) })
	if v.Range.Size > 0 {
		v.Range.Percent = v.Range.Used * 100 / v.Range.Size
	}
	v.Reserved = slices.Clone(n.ReservedPorts)
	for _, hn := range n.HostNetworks {
		v.Reserved = append(v.Reserved, hn.ReservedPorts...)
	}
	slices.Sort(v.Reserved)
	v.Reserved = slices.Compact(v.Reserved)
	v.Warnings = warningRows(snap, warningsAbout(lint.Warnings(snap), model.NodeKey(n.ID)))
	return v
}

// markConflicts flags the rows behind port-conflict warnings: the lint names
// the allocations, and the row's port is the one they share.
func markConflicts(ports []NodePort, ws []model.Warning) {
	inConflict := map[string]bool{}
	for _, w := range ws {
		if w.Code == model.CodePortConflict {
			for _, s := range w.Subjects {
				inConflict[s] = true
			}
		}
	}
	holders := map[int]map[string]bool{}
	for _, p := range ports {
		if inConflict[model.AllocKey(p.AllocID)] {
			if holders[p.Port] == nil {
				holders[p.Port] = map[string]bool{}
			}
			holders[p.Port][p.AllocID] = true
		}
	}
	for i, p := range ports {
		ports[i].Conflict = len(holders[p.Port]) > 1
	}
}

// FindNode resolves a node by ID, then by name, then by unique ID prefix, as
// users paste whichever the Nomad CLI showed them. Nil when none or several match.
func FindNode(snap *model.Snapshot, ref string) *model.Node {
	if n := snap.Node(ref); n != nil || ref == "" {
		return n
	}
	var byName, byPrefix []*model.Node
	for _, n := range snap.Nodes() {
		if n.Name == ref {
			byName = append(byName, n)
		}
		if strings.HasPrefix(n.ID, ref) {
			byPrefix = append(byPrefix, n)
		}
	}
	switch {
	case len(byName) == 1:
		return byName[0]
	case len(byName) == 0 && len(byPrefix) == 1:
		return byPrefix[0]
	}
	return nil
}
