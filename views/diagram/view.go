package diagram

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views/viewmodel"
)

// aggregateThreshold is the number of allocations (after filtering) above
// which the topology draws one box per job/group: past it, one box per
// allocation no longer reads on one page.
const aggregateThreshold = 200

// topology writes the cluster's hosts and namespaces, or the scale view
// when one box per allocation would be too many, and returns host index →
// node.
func (b *builder) topology(f viewmodel.Filter) map[int]*model.Node {
	nodes := slices.Clone(b.snap.Nodes())
	slices.SortFunc(nodes, func(x, y *model.Node) int { return cmp.Or(cmp.Compare(x.Name, y.Name), cmp.Compare(x.ID, y.ID)) })
	perNode := map[string][]*model.Allocation{}
	var all []*model.Allocation
	boxes := 0
	nodes = append(nodes, b.unknownNodes(nodes)...)
	for _, n := range nodes {
		for _, a := range b.snap.AllocationsOnNode(n.ID) {
			if !a.Terminal() && f.MatchAllocation(b.snap, a) {
				perNode[n.ID] = append(perNode[n.ID], a)
				all = append(all, a)
				boxes += 1 + len(a.Tasks) + len(a.Ports)
			}
		}
		slices.SortFunc(perNode[n.ID], byJobGroup)
	}
	maxBoxes := cmp.Or(b.maxBoxes, DefaultMaxBoxes)
	switch {
	case len(all) > aggregateThreshold:
		b.scale(f, all, fmt.Sprintf("more than %d", aggregateThreshold))
		return nil
	case boxes > maxBoxes:
		b.scale(f, all, fmt.Sprintf("%s boxes one by one, more than %s", count(boxes), count(maxBoxes)))
		return nil
	case b.noGraph && len(all) > 0:
		b.scale(f, all, "drawn without Graphviz")
		return nil
	case b.noGraph:
		// Nothing to draw but the notice, which needs no Graphviz.
		b.lay.Notice = "Nothing matches this filter."
		if f.IsZero() {
			b.lay.Notice = "No allocations to draw."
		}
		b.skipLayout = true
		return nil
	}
	b.header()
	hosts := map[int]*model.Node{}
	var spans []span
	for _, n := range nodes {
		// An empty host is still worth drawing when nothing narrows
		// the picture, or the filter names it.
		if len(perNode[n.ID]) > 0 || f.IsZero() || f.NamesNode(n) {
			hosts[len(b.lay.Hosts)] = n
			first := len(b.spans)
			b.host(n, perNode[n.ID])
			if len(b.spans) > first {
				spans = append(spans, span{b.spans[first].first, b.spans[len(b.spans)-1].last})
			}
		}
	}
	b.grid(spans, hostAspect)
	switch {
	case len(b.lay.Hosts) > 0:
	case f.IsZero():
		b.lay.Notice = "No Nomad nodes known yet."
	default:
		b.lay.Notice = "Nothing matches this filter."
	}
	b.modelEdges()
	return hosts
}

// unknownNodes stands in for nodes the snapshot lacks (not yet seen, or
// gone) that still have allocations, so those allocations are drawn too.
func (b *builder) unknownNodes(known []*model.Node) []*model.Node {
	seen := map[string]bool{}
	for _, n := range known {
		seen[n.ID] = true
	}
	var out []*model.Node
	for _, a := range b.snap.Allocations() {
		if !seen[a.NodeID] {
			seen[a.NodeID] = true
			out = append(out, stubNode(a))
		}
	}
	slices.SortFunc(out, func(x, y *model.Node) int { return cmp.Compare(x.ID, y.ID) })
	return out
}

// stubNode is a node known only from an allocation placed on it.
func stubNode(a *model.Allocation) *model.Node {
	return &model.Node{ID: a.NodeID, Name: cmp.Or(a.NodeName, a.NodeID), Status: "unknown"}
}

// single writes one allocation inside its host.
func (b *builder) single(allocID string) map[int]*model.Node {
	b.header()
	a := b.snap.Allocation(allocID)
	n := b.snap.Node(a.NodeID)
	if n == nil {
		n = stubNode(a)
	}
	b.host(n, []*model.Allocation{a})
	b.modelEdges()
	return map[int]*model.Node{0: n}
}

// byJobGroup orders allocations for drawing.
func byJobGroup(x, y *model.Allocation) int {
	return cmp.Or(cmp.Compare(x.Namespace, y.Namespace), cmp.Compare(x.JobID, y.JobID),
		cmp.Compare(x.TaskGroup, y.TaskGroup), cmp.Compare(x.Name, y.Name), cmp.Compare(x.ID, y.ID))
}
