package export

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/reach"
	"github.com/netviz/netviz/views/diagram"
	"github.com/netviz/netviz/views/viewmodel"
)

// Topology exports the topology picture narrowed by f: the page's SVG, the
// DOT it was laid out from. The overview exports it too, under its name.
func Topology(stem string, snap *model.Snapshot, f viewmodel.Filter) View {
	return View{
		Stem: joinStem(stem, filterStem(f)),
		dot:  func() (string, error) { return diagram.TopologyDOT(snap, f), nil },
		svg:  func(ctx context.Context) ([]byte, error) { return diagram.TopologySVG(ctx, snap, f) },
	}
}

// Allocation exports one allocation's namespace picture.
func Allocation(snap *model.Snapshot, a *model.Allocation) View {
	return View{
		Stem: joinStem("allocation", a.JobID, a.TaskGroup, model.ShortID(a.ID)),
		dot:  func() (string, error) { return diagram.NamespaceDOT(snap, a.ID) },
		svg:  func(ctx context.Context) ([]byte, error) { return diagram.NamespaceSVG(ctx, snap, a.ID) },
	}
}

// NodePage exports a node page: the host, its allocations' namespaces with
// their tasks, and each port in the ledger pointing at the task that
// declares it.
func NodePage(v viewmodel.NodeView) View {
	g := Graph{Title: "node " + v.Node.Name}
	host := g.addCluster(-1, classHost, v.Node.Name+"   "+v.Node.Address, v.Node.Datacenter+" · "+v.Node.Status)
	for _, a := range v.Allocations {
		ns := g.addCluster(host, classNamespace, a.JobID+"/"+a.TaskGroup, strings.TrimSpace(a.Network.Mode+" "+a.Network.IP))
		tasks := map[string]int{}
		for _, t := range a.Tasks {
			tasks[t.Name] = g.addNode(ns, classTask, t.Name, t.Driver)
		}
		if len(a.Tasks) == 0 {
			g.addNode(ns, "", "(no tasks)")
		}
		for _, p := range a.Ports {
			pin := g.addNode(ns, "", fmt.Sprintf("%s %s:%d → %d", p.Label, p.HostIP, p.Value, p.To))
			for _, t := range a.Tasks {
				if slices.Contains(t.ConfigPorts, p.Label) {
					g.addEdge(pin, tasks[t.Name], "", "")
				}
			}
		}
	}
	return FromGraph(joinStem("node", v.Node.Name), g)
}

// Services exports the services list: a box per service, in a box per
// provider, saying how many instances pass their checks.
func Services(l viewmodel.ServiceList) View {
	g := Graph{Title: "services"}
	providers := map[string]int{}
	for _, s := range l.Services {
		p := strings.Join(s.Providers, "+")
		ci, ok := providers[p]
		if !ok {
			ci = g.addCluster(-1, classRegistry, cmp.Or(p, "no provider"))
			providers[p] = ci
		}
		line := fmt.Sprintf("%d instances, %d passing", s.Instances, s.Passing)
		if s.Connect {
			line += ", Connect"
		}
		g.addNode(ci, classService, s.Name, line)
	}
	return FromGraph(joinStem("services", filterStem(l.Filter)), g)
}

// Service exports a service page: the service with its instances, who
// calls it (mesh downstreams, discovery referrers) and what it calls.
func Service(v viewmodel.ServiceView) View {
	g := Graph{Title: "service " + v.Name}
	self := g.addNode(-1, classService, v.Name, fmt.Sprintf("%d instances", len(v.Instances)))
	if len(v.Instances) > 0 {
		ci := g.addCluster(-1, classRegistry, "instances")
		for _, in := range v.Instances {
			n := g.addNode(ci, healthClass(in.Health), fmt.Sprintf("%s:%d", in.Address, in.Port), in.Provider+" · "+in.Health)
			g.addEdge(self, n, "", "")
		}
	}
	ends := map[string]int{}
	end := func(l viewmodel.Link) int {
		if i, ok := ends[l.Text]; ok {
			return i
		}
		ends[l.Text] = g.addNode(-1, "", l.Text)
		return ends[l.Text]
	}
	for _, e := range v.Downstreams {
		g.addEdge(end(e.FromLink), self, edgeClass(e.Edge), e.Label)
	}
	for _, e := range v.Referrers {
		g.addEdge(end(e.FromLink), self, cmp.Or(edgeClass(e.Edge), classUnknown), e.Label)
	}
	for _, e := range v.Upstreams {
		g.addEdge(self, end(e.ToLink), edgeClass(e.Edge), e.Label)
	}
	return FromGraph(joinStem("service", v.Name), g)
}

// Reach exports the reach page: the answer's path groups, each a chain of
// hops coloured by its verdict; without a question, the matrix.
func Reach(v viewmodel.ReachView) View {
	stem := joinStem("reach", v.From, v.To)
	if v.Matrix != nil && !v.Asked {
		return Matrix(*v.Matrix)
	}
	g := Graph{Title: "reach"}
	switch {
	case v.Result != nil:
		g.Title = wrap(fmt.Sprintf("%s → %s: %s. %s", v.From, v.To, v.Result.Verdict, v.Result.Reason))
	case v.Error != "":
		g.Title = wrap(v.Error)
	}
	for _, grp := range v.Groups {
		ci := g.addCluster(-1, verdictClass(grp.Verdict), fmt.Sprintf("%s: %s (%d paths)", grp.Kind, grp.Verdict, grp.Count), wrap(grp.Example.Reason))
		prev := -1
		for _, h := range grp.Steps {
			class := ""
			if h.Blocked {
				class = classError
			}
			n := g.addNode(ci, class, h.Kind, h.Label)
			if prev >= 0 {
				g.addEdge(prev, n, verdictClass(grp.Verdict), "")
			}
			prev = n
		}
	}
	return FromGraph(stem, g)
}

// Matrix exports the reach matrix's window: an arrow per pair that is
// reachable, blocked or unknown (unreachable pairs have none), labelled
// with the kinds of paths.
func Matrix(m reach.Matrix) View {
	g := Graph{Title: "reach matrix"}
	nodes := map[string]int{}
	node := func(name string) int {
		if i, ok := nodes[name]; ok {
			return i
		}
		nodes[name] = g.addNode(-1, classService, name)
		return nodes[name]
	}
	for _, name := range slices.Concat(m.Rows, m.Cols) {
		node(name)
	}
	for _, c := range m.Cells {
		if c.Verdict == reach.VerdictUnreachable {
			continue
		}
		g.addEdge(node(c.From), node(c.To), verdictClass(c.Verdict), strings.Join(c.Via, ", "))
	}
	return FromGraph(joinStem("reach-matrix", fmt.Sprint(m.Window.Row), fmt.Sprint(m.Window.Col)), g)
}

// Warnings exports findings: a box per warning pointing at its subjects.
func Warnings(ws []viewmodel.WarningRow, f viewmodel.Filter) View {
	g := Graph{Title: "warnings"}
	subjects := map[viewmodel.Link]int{}
	for _, w := range ws {
		n := g.addNode(-1, string(w.Severity), string(w.Severity)+" "+w.Code, wrap(w.Message))
		for _, l := range w.Links {
			s, ok := subjects[l]
			if !ok {
				s = g.addNode(-1, "", l.Text)
				subjects[l] = s
			}
			g.addEdge(n, s, "", "")
		}
	}
	return FromGraph(joinStem("warnings", filterStem(f)), g)
}

// Model exports the whole model narrowed by f: nodes, the allocations the
// filter keeps with their tasks, and every edge touching them.
func Model(snap *model.Snapshot, f viewmodel.Filter) View {
	t := viewmodel.NewTopology(snap, f)
	g := Graph{Title: fmt.Sprintf("netviz model, version %d", snap.Version())}
	hosts := map[string]int{}
	keys := map[string]int{}
	for _, a := range t.Allocations {
		h, ok := hosts[a.NodeID]
		if !ok {
			name := a.NodeName
			if n := snap.Node(a.NodeID); n != nil {
				name = n.Name + "   " + n.Address
			}
			h = g.addCluster(-1, classHost, cmp.Or(name, a.NodeID))
			hosts[a.NodeID] = h
		}
		ns := g.addCluster(h, classNamespace, a.JobID+"/"+a.TaskGroup+" "+model.ShortID(a.ID), strings.TrimSpace(a.Network.Mode+" "+a.Network.IP))
		keys[model.AllocKey(a.ID)] = g.addNode(ns, "", a.Name)
		for _, task := range a.Tasks {
			keys[model.TaskKey(a.ID, task.Name)] = g.addNode(ns, classTask, task.Name, task.Driver)
		}
	}
	node := func(key string) int {
		if i, ok := keys[key]; ok {
			return i
		}
		class := ""
		if strings.HasPrefix(key, "service/") {
			class = classService
		}
		keys[key] = g.addNode(-1, class, viewmodel.KeyLink(snap, key).Text)
		return keys[key]
	}
	for _, e := range t.Edges {
		g.addEdge(node(e.From), node(e.To), edgeClass(e), e.Label)
	}
	return FromGraph(joinStem("model", filterStem(f)), g)
}

// edgeClass colours a model edge as the diagram does.
func edgeClass(e model.Edge) string {
	switch {
	case e.Broken:
		return classBroken
	case e.Kind == model.EdgeUpstream && e.Intention == model.ActionAllow:
		return classAllow
	case e.Kind == model.EdgeUpstream && e.Intention == model.ActionDeny:
		return classDeny
	case e.Kind == model.EdgeUpstream:
		return classUnknown
	}
	return ""
}

// verdictClass colours a reach verdict.
func verdictClass(v reach.Verdict) string {
	switch v {
	case reach.VerdictReachable:
		return classAllow
	case reach.VerdictBlocked, reach.VerdictUnreachable:
		return classDeny
	}
	return classUnknown
}

// healthClass colours an instance's health.
func healthClass(h string) string {
	switch h {
	case model.HealthPassing:
		return classAllow
	case model.HealthCritical:
		return classError
	case model.HealthWarning:
		return classWarning
	}
	return ""
}

// wrapWidth is the longest line wrap leaves, under diagram's label clip.
const wrapWidth = 44

// wrap breaks prose into lines short enough for a box.
func wrap(s string) string {
	var lines []string
	var line strings.Builder
	for _, w := range strings.Fields(s) {
		if line.Len() > 0 && line.Len()+1+len(w) > wrapWidth {
			lines = append(lines, line.String())
			line.Reset()
		}
		if line.Len() > 0 {
			line.WriteByte(' ')
		}
		line.WriteString(w)
	}
	if line.Len() > 0 {
		lines = append(lines, line.String())
	}
	return strings.Join(lines, "\n")
}

// filterStem is a filter as part of a file name.
func filterStem(f viewmodel.Filter) string {
	return f.Query().Encode()
}

// joinStem joins the non-empty parts of a file name.
func joinStem(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "-")
}
