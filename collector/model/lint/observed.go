package lint

import (
	"fmt"
	"net/netip"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/reach"
)

// Lints over observed traffic. They read only the snapshot: which flows
// agents reported and which have aged out is decided by the store
// (ExpireObserved), so the same snapshot gives the same findings.

// who names an observed edge's client for a message.
func who(s *model.Snapshot, id string) string {
	if a := s.Allocation(id); a != nil {
		return fmt.Sprintf("%s (%s)", a.Name, model.ShortID(a.ID))
	}
	return id
}

// subjectsOf are the subject keys of observed ends (allocations only).
func subjectsOf(ids ...string) []string {
	var out []string
	for _, id := range ids {
		if id != "" && id != model.ObservedHost && id != model.ObservedExternal {
			out = append(out, model.AllocKey(id))
		}
	}
	return out
}

func upstreamUnusedLint(s *model.Snapshot) []model.Warning {
	window := s.ObservedWindow()
	if window <= 0 {
		return nil
	}
	used := map[[2]string]bool{}
	for _, e := range s.ObservedEdges() {
		if e.Kind == model.ObservedMesh {
			used[[2]string{e.From, e.Service}] = true
		}
	}
	var out []model.Warning
	for _, a := range s.Allocations() {
		n := s.ObservedNode(a.NodeID)
		if !a.Live() || n == nil || !n.CoversWindow(window) {
			continue // nobody watched this allocation for a whole window
		}
		for _, spec := range a.MeshSpecs("") {
			for _, u := range spec.Connect.Upstreams {
				if used[[2]string{a.ID, u.DestinationName}] {
					continue
				}
				out = append(out, model.Warning{
					Code: model.CodeUpstreamUnused, Severity: model.SeverityInfo,
					Subjects: []string{model.AllocKey(a.ID), model.ServiceKey(spec.Name), model.ServiceKey(u.DestinationName)},
					Message: fmt.Sprintf("%s declares an upstream %s, but no connection through it was seen in the last %s",
						who(s, a.ID), u.Label(), window),
					Fix: "drop the upstream if nothing needs it, or check that the app uses it (and not another address)",
				})
			}
		}
	}
	return out
}

func meshBypassObservedLint(s *model.Snapshot) []model.Warning {
	var out []model.Warning
	for _, e := range s.ObservedEdges() {
		if e.Kind != model.ObservedNamespaceIP && e.Kind != model.ObservedHostPort {
			continue
		}
		d := s.Allocation(e.To)
		if d == nil {
			continue
		}
		spec, ok := reach.MeshSpecOn(d, reach.Target{Label: e.Port, Inside: d.InsidePortOf(e.Port)})
		if !ok || !reach.Guarded(s, spec.Name) {
			continue
		}
		how := "its namespace address"
		if e.Kind == model.ObservedHostPort {
			how = "a host port"
		}
		out = append(out, model.Warning{
			Code: model.CodeMeshBypassObserved, Severity: model.SeverityError,
			Subjects: append(subjectsOf(e.From, d.ID), model.ServiceKey(spec.Name)),
			Message: fmt.Sprintf("%s connected to %s's app port %d through %s, around its sidecar: intentions never applied",
				who(s, e.From), spec.Name, d.InsidePortOf(e.Port), how),
			Fix: fmt.Sprintf("make the client use an upstream to %s; bind the app to 127.0.0.1 so only the sidecar reaches it", spec.Name),
		})
	}
	return dedupe(out)
}

// dependencyIndex is what the undeclared-dependency lint asks of every
// observed edge, built once per run: the service names each allocation
// registered (one pass over the services, not one per edge), and, per
// client, the services its declared edges lead to (once per client).
type dependencyIndex struct {
	s          *model.Snapshot
	registered map[string][]string        // allocation ID → names of its registered instances
	leadsTo    map[string]map[string]bool // client allocation ID → service keys its declared edges reach
}

func newDependencyIndex(s *model.Snapshot) *dependencyIndex {
	x := &dependencyIndex{s: s, registered: map[string][]string{}, leadsTo: map[string]map[string]bool{}}
	for _, svc := range s.Services() {
		if svc.AllocID != "" {
			x.registered[svc.AllocID] = append(x.registered[svc.AllocID], svc.Name)
		}
	}
	return x
}

// reached are the keys a's declared edges (upstreams, templates, env
// references, ingress rules; its own or its tasks') lead to.
func (x *dependencyIndex) reached(a *model.Allocation) map[string]bool {
	if to, ok := x.leadsTo[a.ID]; ok {
		return to
	}
	to := map[string]bool{}
	froms := []string{model.AllocKey(a.ID)}
	for _, t := range a.Tasks {
		froms = append(froms, model.TaskKey(a.ID, t.Name))
	}
	for _, f := range froms {
		for _, e := range x.s.EdgesFrom(f) {
			to[e.To] = true
		}
	}
	x.leadsTo[a.ID] = to
	return to
}

// explains reports whether a declared edge of a leads to a service d
// provides: one its job spec declares or one registered for it.
func (x *dependencyIndex) explains(a, d *model.Allocation) bool {
	to := x.reached(a)
	for _, spec := range d.Services {
		if to[model.ServiceKey(spec.Name)] {
			return true
		}
	}
	for _, name := range x.registered[d.ID] {
		if to[model.ServiceKey(name)] {
			return true
		}
	}
	return false
}

func undeclaredDependencyLint(s *model.Snapshot) []model.Warning {
	x := newDependencyIndex(s)
	var out []model.Warning
	for _, e := range s.ObservedEdges() {
		a, d := s.Allocation(e.From), s.Allocation(e.To)
		if a == nil || d == nil || a.ID == d.ID || e.Kind == model.ObservedSameNamespace {
			continue
		}
		if x.explains(a, d) {
			continue
		}
		out = append(out, model.Warning{
			Code: model.CodeUndeclaredDependency, Severity: model.SeverityWarning,
			Subjects: subjectsOf(a.ID, d.ID),
			Message: fmt.Sprintf("%s talks to %s on port %s (%s) but declares nothing that leads there: no upstream, template or env reference",
				who(s, a.ID), who(s, d.ID), e.Port, e.Kind),
			Fix: "declare the dependency (a Connect upstream, or a service lookup in a template) so the picture and the intentions know it",
		})
	}
	return dedupe(out)
}

func listeningUnexpectedLint(s *model.Snapshot) []model.Warning {
	var out []model.Warning
	for _, n := range s.ObservedNodes() {
		for _, l := range n.Listeners {
			d := s.Allocation(l.Alloc)
			if d == nil || !d.Live() || d.Network.Mode == model.ModeHost || d.Network.Mode == model.ModeNone {
				continue
			}
			ip, err := netip.ParseAddr(l.IP)
			if err != nil || !(ip.IsUnspecified() || l.IP == d.NamespaceIP()) || mapped(d, l.Port) {
				continue
			}
			task := l.Task
			if task == "" {
				task = "a task"
			}
			out = append(out, model.Warning{
				Code: model.CodeListeningUnexpected, Severity: model.SeverityWarning,
				Subjects: []string{model.AllocKey(d.ID)},
				Message: fmt.Sprintf("%s in %s listens on %s:%d, which the network block does not map: same-node peers reach it on the namespace address, nothing else does",
					task, who(s, d.ID), l.IP, l.Port),
				Fix: fmt.Sprintf("map port %d in the network block if it is meant to be reached, or bind it to 127.0.0.1", l.Port),
			})
		}
	}
	return dedupe(out)
}

// mapped reports whether port is one the allocation's network block maps,
// or a Connect upstream's local listener.
func mapped(d *model.Allocation, port int) bool {
	_, ported := d.PortInside(port)
	_, upstream := d.UpstreamAt(port)
	return ported || upstream
}
