package diagram

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/netviz/netviz/collector/model"
)

// A job/group of the scale view: its allocations, modes and port summaries.

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
