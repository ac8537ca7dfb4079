package reach

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/netviz/netviz/collector/model"
)

// maxGroupNodes bounds the node names a group lists.
const maxGroupNodes = 5

// PathGroup is a set of paths that say the same thing for different
// allocations: same kind, verdict and hops, from the same job/group to the
// same job/group, for the same reason but for addresses and IDs. Between
// two services of 100 allocations each there may be 10,000 paths but only a
// handful of groups.
type PathGroup struct {
	Kind    string  `json:"kind"`
	Verdict Verdict `json:"verdict"`
	// Count is the number of paths; FromAllocs and ToAllocs the distinct
	// allocations at each end (FromAllocs is 0 for host and external).
	Count      int `json:"count"`
	FromAllocs int `json:"from_allocs"`
	ToAllocs   int `json:"to_allocs"`
	// ToNodes names the nodes of the destination allocations, at most
	// maxGroupNodes; MoreNodes counts the others.
	ToNodes   []string `json:"to_nodes"`
	MoreNodes int      `json:"more_nodes,omitempty"`
	// Example is one path of the group, in full.
	Example Path `json:"example"`
}

// GroupPaths groups paths that differ only in which allocations they join.
// Groups keep the order of their first path (best verdict first).
func GroupPaths(s *model.Snapshot, paths []Path) []PathGroup {
	type acc struct {
		g          PathGroup
		from, to   map[string]bool
		nodes      map[string]bool
		firstIndex int
	}
	byKey := map[string]*acc{}
	var order []*acc
	for i, p := range paths {
		k := groupKey(s, p)
		a := byKey[k]
		if a == nil {
			a = &acc{g: PathGroup{Kind: p.Kind, Verdict: p.Verdict, Example: p}, from: map[string]bool{}, to: map[string]bool{},
				nodes: map[string]bool{}, firstIndex: i}
			byKey[k] = a
			order = append(order, a)
		}
		a.g.Count++
		if p.FromAlloc != "" {
			a.from[p.FromAlloc] = true
		}
		a.to[p.ToAlloc] = true
		if d := s.Allocation(p.ToAlloc); d != nil {
			a.nodes[nodeName(d)] = true
		}
	}
	out := make([]PathGroup, 0, len(order))
	for _, a := range order {
		a.g.FromAllocs, a.g.ToAllocs = len(a.from), len(a.to)
		nodes := make([]string, 0, len(a.nodes))
		for n := range a.nodes {
			nodes = append(nodes, n)
		}
		slices.Sort(nodes)
		if len(nodes) > maxGroupNodes {
			a.g.MoreNodes = len(nodes) - maxGroupNodes
			nodes = nodes[:maxGroupNodes]
		}
		a.g.ToNodes = nodes
		out = append(out, a.g)
	}
	slices.SortStableFunc(out, func(x, y PathGroup) int { return cmp.Compare(verdictRank(x.Verdict), verdictRank(y.Verdict)) })
	return out
}

// nodeName is an allocation's node as people read it.
func nodeName(a *model.Allocation) string {
	if a.NodeName != "" {
		return a.NodeName
	}
	return model.ShortID(a.NodeID)
}

// groupKey is what a path says once the allocations it joins are left out:
// its kind, verdict, the job/groups at its ends, whether both ends share a
// node, its hops' kinds and which one blocks, and its reason with every
// number and ID blurred.
func groupKey(s *model.Snapshot, p Path) string {
	var b strings.Builder
	b.WriteString(p.Kind + "\x00" + string(p.Verdict) + "\x00")
	from, to := s.Allocation(p.FromAlloc), s.Allocation(p.ToAlloc)
	if from != nil {
		b.WriteString(from.Namespace + "/" + from.Group())
	}
	b.WriteString("\x00")
	if to != nil {
		b.WriteString(to.Namespace + "/" + to.Group())
	}
	b.WriteString("\x00" + strconv.FormatBool(from != nil && to != nil && from.NodeID == to.NodeID) + "\x00")
	for _, h := range p.Hops {
		b.WriteString(h.Kind)
		if h.Blocked {
			b.WriteString("!")
		}
		b.WriteString(",")
	}
	b.WriteString("\x00" + blur(p.Reason))
	return b.String()
}

// blur replaces every run of digits and hex letters that holds a digit
// (addresses, ports, IDs) with '#', so reasons that differ only in them
// compare equal.
func blur(s string) string {
	var b strings.Builder
	isHex := func(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }
	for i := 0; i < len(s); {
		j := i
		digit := false
		for j < len(s) && isHex(s[j]) {
			digit = digit || s[j] <= '9'
			j++
		}
		switch {
		case j > i && digit:
			b.WriteByte('#')
			i = j
		case j > i:
			b.WriteString(s[i:j])
			i = j
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}
