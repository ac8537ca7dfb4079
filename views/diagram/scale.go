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

// groupKey names a job/group in a Nomad namespace.
type groupKey struct{ ns, job, group string }

func (k groupKey) String() string { return k.ns + "/" + k.job + "/" + k.group }

func groupOf(a *model.Allocation) groupKey { return groupKey{a.Namespace, a.JobID, a.TaskGroup} }

// group is a job/group's live allocations and what they have in common.
type group struct {
	key    groupKey
	allocs int
	nodes  map[string]bool
	modes  map[string]int      // mode → allocations
	ports  map[string]*portSum // label → summary, sidecar ports apart
	mesh   map[string]*portSum // Connect service → its sidecar's public port
	tasks  map[string]bool     // task names, sidecar proxies apart
	// peers are the groups it has a connection with, either way.
	peers map[groupKey]bool
	// problem is set by a denied or broken connection from or to it.
	problem bool
	// hidden counts its connections the picture does not draw as arrows;
	// outside, those whose other end is not in the picture at all.
	hidden, outside               int
	hiddenProblem, outsideProblem bool
	// entries are connections into it drawn as entry marks (their
	// source's fan of arrows would be too wide); fans say what such a
	// source reaches.
	entries []*groupEdge
	fans    []fan
}

// fan is how many groups a group reaches with connections of one kind,
// when they are too many to draw as arrows.
type fan struct {
	kind model.EdgeKind
	n    int
}

// text says what the fan reaches; short is the same for a card.
func (f fan) text() string {
	verb := map[model.EdgeKind]string{model.EdgeIngress: "routes to", model.EdgeUpstream: "mesh upstreams to",
		model.EdgeDiscovery: "looks up"}[f.kind]
	return fmt.Sprintf("%s %s (▸ on each)", cmp.Or(verb, string(f.kind)+" to"), plural(f.n, "group"))
}

func (f fan) short() string { return fmt.Sprintf("%s ▸ %s", f.kind, count(f.n)) }

// portSum is one port label across a group's allocations.
type portSum struct {
	label    string
	n        int
	static   map[int]int // static host port → allocations
	dynamic  int
	unmapped int          // ports with no host port (only inside the namespace)
	tos      map[int]bool // `to` of the dynamic ports (0: none, as in host mode)
	inside   map[int]bool // ports inside the namespace of the unmapped ones
}

func (p *portSum) add(port model.Port) {
	p.n++
	switch {
	case port.Value == 0:
		p.unmapped++
		p.inside[port.InsidePort()] = true
	case port.Static:
		p.static[port.Value]++
	default:
		p.dynamic++
		// A dynamic port maps to its own number unless `to` says
		// otherwise (host mode has no mapping): only a `to` is shared.
		p.tos[port.To] = true
	}
}

// text summarises the port for the group: dynamic ports by count and the
// one port they map to, when they share it; static ports by number. A
// dynamic host port's number differs per allocation, so none is ever shown
// as the group's.
func (p *portSum) text() string {
	var parts []string
	if p.dynamic > 0 {
		s := "dynamic ×" + num(float64(p.dynamic))
		if to := p.sharedTo(); to > 0 {
			s += fmt.Sprintf(" → %d", to)
		}
		parts = append(parts, s)
	}
	switch statics := slices.Sorted(maps.Keys(p.static)); {
	case len(statics) == 1:
		s := fmt.Sprintf("%d static", statics[0])
		if p.static[statics[0]] < p.n {
			s += " ×" + num(float64(p.static[statics[0]]))
		}
		parts = append(parts, s)
	case len(statics) > 1:
		parts = append(parts, fmt.Sprintf("static: %d ports", len(statics)))
	}
	if p.unmapped > 0 {
		s := "not on host"
		if to := only(p.inside); to > 0 {
			s = fmt.Sprintf("%d not on host", to)
		}
		if p.unmapped < p.n {
			s += " ×" + num(float64(p.unmapped))
		}
		parts = append(parts, s)
	}
	return p.label + " " + strings.Join(parts, "; ")
}

// sharedTo is the one port inside the namespace the dynamic ports map
// to, or 0.
func (p *portSum) sharedTo() int { return only(p.tos) }

// only is a set's one member, or 0.
func only(set map[int]bool) int {
	if len(set) != 1 {
		return 0
	}
	for v := range set {
		return v
	}
	return 0
}

func (p *portSum) isStatic() bool { return len(p.static) > 0 && p.dynamic == 0 }

func newPortSum(label string) *portSum {
	return &portSum{label: label, static: map[int]int{}, tos: map[int]bool{}, inside: map[int]bool{}}
}

// modeName is an allocation's network mode as the picture names it.
func modeName(a *model.Allocation) string {
	if isHostMode(a.Network.Mode) {
		return "host network"
	}
	if a.Network.Mode == model.ModeNone {
		return "no network"
	}
	return a.Network.Mode
}

// addAlloc adds one allocation to its group.
func (g *group) addAlloc(a *model.Allocation) {
	g.allocs++
	g.nodes[a.NodeID] = true
	g.modes[modeName(a)]++
	// A Connect sidecar shows as its task, or as the sidecar port its
	// service spec names.
	mesh := map[string]bool{}
	for _, t := range a.Tasks {
		if svc, ok := strings.CutPrefix(t.Kind, "connect-proxy:"); ok {
			mesh[svc] = true
			continue
		}
		g.tasks[t.Name] = true
	}
	for _, s := range a.Services {
		if s.Connect != nil && s.Connect.Kind == model.ConnectSidecar {
			mesh[s.Name] = true
		}
	}
	for _, p := range a.Ports {
		if svc, ok := strings.CutPrefix(p.Label, "connect-proxy-"); ok && mesh[svc] {
			if g.mesh[svc] == nil {
				g.mesh[svc] = newPortSum(svc + " proxy")
			}
			g.mesh[svc].add(p)
			continue
		}
		if g.ports[p.Label] == nil {
			g.ports[p.Label] = newPortSum(p.Label)
		}
		g.ports[p.Label].add(p)
	}
	for svc := range mesh {
		if g.mesh[svc] == nil {
			g.mesh[svc] = newPortSum(svc + " proxy")
		}
	}
}

// modeText is the group's network modes, the most common first.
func (g *group) modeText() string {
	modes := slices.SortedFunc(maps.Keys(g.modes), func(x, y string) int {
		return cmp.Or(cmp.Compare(g.modes[y], g.modes[x]), cmp.Compare(x, y))
	})
	if len(modes) == 1 {
		return modes[0]
	}
	parts := make([]string, len(modes))
	for i, m := range modes {
		parts[i] = m + " ×" + num(float64(g.modes[m]))
	}
	return strings.Join(parts, ", ")
}

// hostOnly reports whether every allocation shares its host's network.
func (g *group) hostOnly() bool { return len(g.modes) == 1 && g.modes["host network"] > 0 }

// portLines are the group's port summaries, sorted by label.
func (g *group) portLines() []GroupPort {
	var out []GroupPort
	for _, l := range slices.Sorted(maps.Keys(g.ports)) {
		p := g.ports[l]
		out = append(out, GroupPort{Text: p.text(), Static: p.isStatic(),
			Title: fmt.Sprintf("port %s of %s: %s", l, g.key.job+"/"+g.key.group, p.text())})
	}
	return out
}

// proxyLine is a Connect sidecar of a group: its chip's name, and its
// public port's summary.
type proxyLine struct {
	name, Text, Title string
}

// proxyLines are the group's Connect sidecars with their public ports.
func (g *group) proxyLines() []proxyLine {
	var out []proxyLine
	for _, svc := range slices.Sorted(maps.Keys(g.mesh)) {
		p := g.mesh[svc]
		text := p.label
		if p.n > 0 {
			text = p.text()
		}
		out = append(out, proxyLine{name: p.label, Text: text, Title: "Connect sidecar proxy for " + svc + ", public port " + strings.TrimPrefix(text, p.label+" ")})
	}
	return out
}

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
