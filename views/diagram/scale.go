package diagram

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views/viewmodel"
)

// The scale view: when one box per allocation no longer reads (more than
// aggregateThreshold allocations, or more boxes than the Drawer's cap), the
// topology draws one box per job/group. This file gathers what such a box
// says (allocation count, network modes, port summaries, tasks, sidecars)
// and the connections between groups, from the snapshot's derived edges.

// groupEdgeKey identifies an aggregated connection between two groups.
type groupEdgeKey struct {
	from, to groupKey
	kind     model.EdgeKind
	intent   string
	broken   bool
}

// groupEdge is the allocation-level edges one group has to another of one
// kind and verdict.
type groupEdge struct {
	groupEdgeKey
	n      int
	labels map[string]int
}

// problem reports a connection the operator must look at.
func (e *groupEdge) problem() bool { return e.broken || e.intent == model.ActionDeny }

// label is what the arrow says: the intention for the mesh, the one query
// or routing rule (or how many), and how many connections it stands for.
func (e *groupEdge) label() string {
	var s string
	switch e.kind {
	case model.EdgeUpstream:
		s = "mTLS · " + cmp.Or(e.intent, "unknown")
	default:
		if len(e.labels) == 1 {
			for l := range e.labels {
				s = l
			}
		} else {
			noun := "queries"
			if e.kind == model.EdgeIngress {
				noun = "rules"
			}
			s = fmt.Sprintf("%d %s", len(e.labels), noun)
		}
	}
	if e.n > 1 {
		s += " ×" + num(float64(e.n))
	}
	return s
}

// scaleData is a snapshot's job/groups and their connections under a filter.
type scaleData struct {
	groups map[groupKey]*group
	edges  map[groupEdgeKey]*groupEdge
	allocs []*model.Allocation
	total  int
	nodes  map[string]int // node ID → allocations drawn there
}

// gatherScale groups the filter's live allocations by job/group and folds
// the snapshot's edges into connections between groups. A connection to a
// service no drawn group serves (filtered out, or no instance at all) is
// counted on its group as not drawn.
func gatherScale(snap *model.Snapshot, allocs []*model.Allocation) *scaleData {
	d := &scaleData{groups: map[groupKey]*group{}, edges: map[groupEdgeKey]*groupEdge{}, nodes: map[string]int{}, allocs: allocs}
	byAlloc := map[string]groupKey{}
	serves := map[string][]groupKey{}
	for _, a := range allocs {
		k := groupOf(a)
		g := d.groups[k]
		if g == nil {
			g = &group{key: k, nodes: map[string]bool{}, modes: map[string]int{}, ports: map[string]*portSum{},
				mesh: map[string]*portSum{}, tasks: map[string]bool{}, peers: map[groupKey]bool{}}
			d.groups[k] = g
		}
		g.addAlloc(a)
		byAlloc[a.ID] = k
		d.total++
		d.nodes[a.NodeID]++
		for _, s := range a.Services {
			serves[s.Name] = append(serves[s.Name], k)
		}
	}
	servedBy := func(name string) []groupKey {
		ks, ok := serves[name]
		if !ok {
			// Instances registered for allocations whose spec is not known.
			for _, s := range snap.ServicesNamed(name) {
				if k, ok := byAlloc[s.AllocID]; ok {
					ks = append(ks, k)
				}
			}
		}
		slices.SortFunc(ks, compareGroupKeys)
		ks = slices.Compact(ks)
		serves[name] = ks
		return ks
	}
	ends := func(key string) (ks []groupKey, known bool) {
		if id, ok := viewmodel.AllocOfKey(key); ok {
			k, ok := byAlloc[id]
			if !ok {
				return nil, false
			}
			return []groupKey{k}, true
		}
		if name, ok := serviceName(key); ok {
			return servedBy(name), true
		}
		return nil, false
	}
	for _, e := range snap.Edges() {
		if e.Kind == model.EdgeSameNamespace {
			continue
		}
		from, fromOK := ends(e.From)
		to, _ := ends(e.To)
		if !fromOK && len(to) == 0 {
			continue
		}
		ek := groupEdgeKey{kind: e.Kind, intent: e.Intention, broken: e.Broken}
		if e.Kind != model.EdgeUpstream {
			ek.intent = ""
		}
		problem := e.Broken || ek.intent == model.ActionDeny
		// An end outside the picture leaves a connection not drawn on
		// the end that is in it.
		switch {
		case len(from) == 0:
			for _, t := range to {
				d.groups[t].noteOutside(problem)
			}
			continue
		case len(to) == 0:
			for _, f := range from {
				d.groups[f].noteOutside(problem)
			}
			continue
		}
		for _, f := range from {
			for _, t := range to {
				if f == t {
					continue
				}
				ek.from, ek.to = f, t
				ge := d.edges[ek]
				if ge == nil {
					ge = &groupEdge{groupEdgeKey: ek, labels: map[string]int{}}
					d.edges[ek] = ge
				}
				ge.n++
				ge.labels[e.Label]++
				d.groups[f].peers[t], d.groups[t].peers[f] = true, true
				if problem {
					d.groups[f].problem, d.groups[t].problem = true, true
				}
			}
		}
	}
	return d
}

// scaleFoldKey keys the whole cluster's gathered job/groups in the
// snapshot's DataMemo. The fold reads the snapshot's edges, which depend on
// one thing of the status: whether Consul is connected (an upstream's
// intention is shown from then on), so that is in the key.
type scaleFoldKey struct{ consulUp bool }

// gatherScaleShared is gatherScale for the unfiltered picture, folded once
// per snapshot data: a change of the sources' status alone (one per Nomad
// frame) keeps the data, so the new version's picture reuses the fold
// instead of walking every edge again (~83,000 at 50,000 allocations).
// Only the zero filter is kept, so the memo holds one value whatever
// filters viewers type; filtered pictures fold on their own. Each picture
// gets its own copy of the groups, whose drawing counts split resets and
// fills.
func gatherScaleShared(snap *model.Snapshot, f viewmodel.Filter, allocs []*model.Allocation) *scaleData {
	if !f.IsZero() {
		return gatherScale(snap, allocs)
	}
	key := scaleFoldKey{consulUp: snap.Status().Consul.State == model.StateConnected}
	shared := snap.DataMemo(key, func() any { return gatherScale(snap, allocs) }).(*scaleData)
	return shared.clone()
}

// clone copies the groups' own fields (what a picture changes); the maps
// they hold and the edges are only read after gathering and stay shared.
func (d *scaleData) clone() *scaleData {
	c := *d
	c.groups = make(map[groupKey]*group, len(d.groups))
	for k, g := range d.groups {
		cg := *g
		c.groups[k] = &cg
	}
	return &c
}

func (g *group) noteHidden(problem bool) {
	g.hidden++
	g.hiddenProblem = g.hiddenProblem || problem
	g.problem = g.problem || problem
}

// noteOutside counts a connection whose other end is not in the picture.
func (g *group) noteOutside(problem bool) {
	g.outside++
	g.outsideProblem = g.outsideProblem || problem
	g.problem = g.problem || problem
}

// resetDrawn forgets what a split decided about the group.
func (g *group) resetDrawn() {
	g.hidden, g.hiddenProblem = g.outside, g.outsideProblem
	g.entries, g.fans = nil, nil
}

func compareGroupKeys(x, y groupKey) int {
	return cmp.Or(cmp.Compare(x.ns, y.ns), cmp.Compare(x.job, y.job), cmp.Compare(x.group, y.group))
}

// ranked orders groups by what an operator looks for first: the biggest,
// then the most connected (the services others depend on), then by name.
func (d *scaleData) ranked() []*group {
	gs := slices.Collect(maps.Values(d.groups))
	slices.SortFunc(gs, func(x, y *group) int {
		return cmp.Or(cmp.Compare(y.allocs, x.allocs), cmp.Compare(len(y.peers), len(x.peers)), compareGroupKeys(x.key, y.key))
	})
	return gs
}

// sortedEdges returns the connections in a stable order.
func (d *scaleData) sortedEdges() []*groupEdge {
	es := slices.Collect(maps.Values(d.edges))
	slices.SortFunc(es, compareEdgeKeys)
	return es
}

func compareEdgeKeys(x, y *groupEdge) int {
	return cmp.Or(compareGroupKeys(x.from, y.from), compareGroupKeys(x.to, y.to), cmp.Compare(x.kind, y.kind),
		cmp.Compare(x.intent, y.intent), cmp.Compare(boolInt(x.broken), boolInt(y.broken)))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// cardLine is a card's second line: its network modes, short, and its
// ports by label (static ones with their number).
func (g *group) cardLine() string {
	modes := strings.ReplaceAll(g.modeText(), "host network", "host")
	var ports []string
	for _, l := range slices.Sorted(maps.Keys(g.ports)) {
		p := g.ports[l]
		if statics := slices.Sorted(maps.Keys(p.static)); p.isStatic() && len(statics) == 1 {
			l += fmt.Sprintf(" %d", statics[0])
		}
		ports = append(ports, l)
	}
	if len(g.mesh) > 0 {
		ports = append(ports, "Connect")
	}
	if len(ports) == 0 {
		return modes
	}
	return modes + " · " + strings.Join(ports, ", ")
}
