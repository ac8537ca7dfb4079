package check

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/netviz/netviz/collector/model"
)

// placer puts the new job's allocations on nodes, as netviz's own estimate:
// eligible nodes (ready, in the job's datacenters and node pool) where
// every static port of the group is free and every host network exists,
// preferring the nodes the running version uses, then the least loaded.
// It considers no constraint, affinity, CPU or memory: Nomad's plan does.
type placer struct {
	snap  *model.Snapshot
	job   Job
	nodes []*model.Node // eligible, sorted by name
	// old are the running version's live allocations, replaced by the new ones.
	old   []*model.Allocation
	oldID map[string]bool
	// planned holds, per node, the host ports the new allocations take.
	planned map[string]map[int]bool
	load    map[string]int
	seq     int
	// held remembers holders per node, port and host network: the
	// snapshot does not change while a job is placed, and placing a system
	// job asks about every node for every allocation (on 500 nodes the
	// repeated ledger reads were 94% of a check's time).
	held map[heldKey][]PortHolder
}

// heldKey names one holders question.
type heldKey struct {
	node, hostNetwork string
	port              int
}

func newPlacer(snap *model.Snapshot, job Job) *placer {
	p := &placer{snap: snap, job: job, oldID: map[string]bool{}, planned: map[string]map[int]bool{}, load: map[string]int{}, held: map[heldKey][]PortHolder{}}
	for _, a := range snap.AllocationsOfJob(job.Namespace, job.ID) {
		if a.Live() {
			p.old = append(p.old, a)
			p.oldID[a.ID] = true
		}
	}
	for _, n := range snap.Nodes() {
		if eligible(n, job) {
			p.nodes = append(p.nodes, n)
			p.load[n.ID] = len(snap.AllocationsOnNode(n.ID))
		}
	}
	return p
}

// eligible reports whether the job may run on the node at all.
func eligible(n *model.Node, job Job) bool {
	if n.Status != "ready" {
		return false
	}
	pool := cmp.Or(job.NodePool, "default")
	if pool != "all" && cmp.Or(n.NodePool, "default") != pool {
		return false
	}
	dcs := job.Datacenters
	if len(dcs) == 0 {
		dcs = []string{"*"}
	}
	for _, dc := range dcs {
		if ok, _ := path.Match(dc, n.Datacenter); ok {
			return true
		}
	}
	return false
}

// staticPorts are the group's ports with a static host value.
func staticPorts(a *model.Allocation) []model.Port {
	var out []model.Port
	for _, p := range a.Ports {
		if p.Static && p.Value > 0 {
			out = append(out, p)
		}
	}
	return out
}

// holders lists what holds port p on node n, leaving out the running
// version of the job itself (Nomad stops it for the new one).
func (pl *placer) holders(n *model.Node, p model.Port) []PortHolder {
	k := heldKey{node: n.ID, hostNetwork: p.HostNetwork, port: p.Value}
	if hs, ok := pl.held[k]; ok {
		return hs
	}
	hs := pl.findHolders(n, p)
	pl.held[k] = hs
	return hs
}

// findHolders reads the node's port ledger for holders.
func (pl *placer) findHolders(n *model.Node, p model.Port) []PortHolder {
	var out []PortHolder
	if n.Reserves(p.Value, p.HostNetwork) {
		out = append(out, PortHolder{Node: n.Name, Reserved: true})
	}
	ip := n.HostIP(p.HostNetwork)
	for _, u := range pl.snap.PortsOnNode(n.ID) {
		if u.Port != p.Value || pl.oldID[u.AllocID] || !model.HostIPsOverlap(u.HostIP, ip) {
			continue
		}
		h := PortHolder{Node: n.Name, AllocID: u.AllocID, Job: u.JobID, Group: u.TaskGroup, Label: u.Label}
		if a := pl.snap.Allocation(u.AllocID); a != nil {
			h.Namespace, h.Task = a.Namespace, a.PortTask(u.Label)
		}
		out = append(out, h)
	}
	return out
}

// portFit reports each static port of each group on every eligible node.
func (pl *placer) portFit() []PortFit {
	out := []PortFit{}
	for _, g := range pl.job.Groups {
		for _, p := range staticPorts(g.Alloc) {
			f := PortFit{Group: g.Name, Label: p.Label, Port: p.Value, HostNetwork: p.HostNetwork, Free: []string{}, Taken: []PortHolder{}}
			for _, n := range pl.nodes {
				if hs := pl.holders(n, p); len(hs) > 0 {
					f.Taken = append(f.Taken, hs...)
				} else {
					f.Free = append(f.Free, n.Name)
				}
			}
			out = append(out, f)
		}
	}
	return out
}

// hostNetworks reports, per host network a group asks for, which eligible
// nodes have it.
func (pl *placer) hostNetworks() []HostNetworkFit {
	out := []HostNetworkFit{}
	for _, g := range pl.job.Groups {
		seen := map[string]bool{}
		for _, p := range g.Alloc.Ports {
			hn := p.HostNetwork
			if hn == "" || hn == "default" || seen[hn] {
				continue
			}
			seen[hn] = true
			f := HostNetworkFit{Group: g.Name, HostNetwork: hn, Nodes: []string{}, Missing: []string{}}
			for _, n := range pl.nodes {
				if _, ok := n.HostNetworkNamed(hn); ok {
					f.Nodes = append(f.Nodes, n.Name)
				} else {
					f.Missing = append(f.Missing, n.Name)
				}
			}
			out = append(out, f)
		}
	}
	return out
}

// fits reports whether a new allocation of the group can go on node n.
func (pl *placer) fits(n *model.Node, a *model.Allocation) bool {
	for _, p := range a.Ports {
		if hn := p.HostNetwork; hn != "" && hn != "default" {
			if _, ok := n.HostNetworkNamed(hn); !ok {
				return false
			}
		}
	}
	for _, p := range staticPorts(a) {
		if pl.planned[n.ID][p.Value] || len(pl.holders(n, p)) > 0 {
			return false
		}
	}
	return true
}

// place puts every group's allocations and returns them with the placements.
func (pl *placer) place() ([]*model.Allocation, []Placement) {
	var allocs []*model.Allocation
	placements := []Placement{}
	for _, g := range pl.job.Groups {
		count := g.Count
		if pl.job.Type == "system" || pl.job.Type == "sysbatch" {
			count = len(pl.nodes)
		}
		pm := Placement{Group: g.Name, Count: count, Nodes: []string{}}
		used := map[string]bool{}
		for i := range count {
			n := pl.pick(g, used)
			if n == nil {
				pm.Unplaced = count - i
				break
			}
			a := pl.instance(g, i, n)
			if pl.job.Type == "system" || pl.job.Type == "sysbatch" {
				used[n.ID] = true // one per node
			}
			allocs = append(allocs, a)
			pm.Nodes = append(pm.Nodes, n.Name)
		}
		placements = append(placements, pm)
	}
	return allocs, placements
}

// pick chooses the node for the next allocation of g, or nil; skip holds
// the nodes a system job's group already has one on.
func (pl *placer) pick(g Group, skip map[string]bool) *model.Node {
	ran := map[string]bool{}
	for _, a := range pl.old {
		if a.TaskGroup == g.Name {
			ran[a.NodeID] = true
		}
	}
	var best *model.Node
	better := func(n *model.Node) bool {
		if best == nil {
			return true
		}
		if ran[n.ID] != ran[best.ID] {
			return ran[n.ID]
		}
		return pl.load[n.ID] < pl.load[best.ID]
	}
	for _, n := range pl.nodes {
		if !skip[n.ID] && pl.fits(n, g.Alloc) && better(n) {
			best = n
		}
	}
	return best
}

// instance makes the i-th allocation of g on node n: the group's template
// with an ID of its own, the node's addresses, and the dynamic ports given
// values (the running version's on that node where it had the label, else
// the lowest free port of the range: a prediction, Nomad picks at random).
func (pl *placer) instance(g Group, i int, n *model.Node) *model.Allocation {
	pl.seq++
	a := *g.Alloc
	a.ID = fmt.Sprintf("new%05d-%s-%s-%d", pl.seq, pl.job.ID, g.Name, i)
	a.Name = fmt.Sprintf("%s.%s[%d]", pl.job.ID, g.Name, i)
	a.Namespace, a.JobID, a.JobType, a.TaskGroup = pl.job.Namespace, pl.job.ID, pl.job.Type, g.Name
	a.NodeID, a.NodeName = n.ID, n.Name
	a.ClientStatus, a.DesiredStatus = "pending", "run"
	if a.Network.Mode == model.ModeHost || a.Network.Mode == "" {
		a.Network.IP = n.Address
	}
	if pl.planned[n.ID] == nil {
		pl.planned[n.ID] = map[int]bool{}
	}
	taken := map[int]bool{}
	for _, u := range pl.snap.PortsOnNode(n.ID) {
		taken[u.Port] = true
	}
	a.Ports = make([]model.Port, len(g.Alloc.Ports))
	for k, p := range g.Alloc.Ports {
		p.HostIP = n.HostIP(p.HostNetwork)
		if !p.Static {
			p.Value = pl.dynamicValue(n, g.Name, p.Label, taken)
		}
		pl.planned[n.ID][p.Value] = true
		a.Ports[k] = p
	}
	pl.load[n.ID]++
	return &a
}

// dynamicValue predicts the host port of a dynamic port label.
func (pl *placer) dynamicValue(n *model.Node, group, label string, taken map[int]bool) int {
	for _, old := range pl.old {
		if old.NodeID != n.ID || old.TaskGroup != group {
			continue
		}
		if p, ok := old.PortByLabel(label); ok && !p.Static && p.Value > 0 && !pl.planned[n.ID][p.Value] {
			return p.Value
		}
	}
	for v := n.MinDynamicPort; v > 0 && v <= n.MaxDynamicPort; v++ {
		if !taken[v] && !pl.planned[n.ID][v] && !n.Reserves(v, "") {
			return v
		}
	}
	return 0
}

// registrations are the service instances the new allocations would
// register, so lints and reach that read the registries see them as they
// see the running version's (counted passing: a prediction).
func registrations(allocs []*model.Allocation) []*model.Service {
	var out []*model.Service
	for _, a := range allocs {
		for _, spec := range a.Services {
			svc := &model.Service{
				ID: "check-" + a.ID + "-" + spec.Name, Name: spec.Name, Provider: spec.Provider,
				NodeID: a.NodeID, AllocID: a.ID, Task: spec.Task, PortLabel: spec.PortLabel,
				Tags: spec.Tags, Health: model.HealthPassing, Address: a.Network.IP,
			}
			if spec.Provider == model.ProviderNomad {
				svc.Namespace = a.Namespace
			}
			if p, ok := a.PortByLabel(spec.PortLabel); ok {
				svc.Address, svc.Port = p.HostIP, p.Value
			} else if n, err := strconv.Atoi(spec.PortLabel); err == nil {
				svc.Port = n
			}
			out = append(out, svc)
		}
	}
	return out
}

// headroom measures each eligible node's dynamic range before and after.
func headroom(before, after *model.Snapshot, nodes []*model.Node, allocs []*model.Allocation) []Headroom {
	out := []Headroom{}
	for _, n := range nodes {
		h := Headroom{Node: n.Name, Min: n.MinDynamicPort, Max: n.MaxDynamicPort,
			Free: before.DynamicRange(n).Free, After: after.DynamicRange(n).Free}
		for _, a := range allocs {
			if a.NodeID != n.ID {
				continue
			}
			for _, p := range a.Ports {
				if !p.Static {
					h.Needed++
				}
			}
		}
		out = append(out, h)
	}
	return out
}

// placementProblems turn what cannot fit into findings of the check itself.
func placementProblems(fit []PortFit, hns []HostNetworkFit, places []Placement, nodes []*model.Node) []model.Warning {
	var out []model.Warning
	if len(nodes) == 0 {
		out = append(out, model.Warning{Code: CodeNoEligibleNode, Severity: model.SeverityError, Subjects: []string{},
			Message: "no ready node is in the job's datacenters and node pool", Fix: "check the job's datacenters and node_pool"})
	}
	for _, f := range fit {
		if len(f.Free) > 0 || len(f.Taken) == 0 {
			continue
		}
		var hs []string
		subjects := []string{}
		for _, h := range f.Taken {
			hs = append(hs, h.String())
			if h.AllocID != "" {
				subjects = append(subjects, model.AllocKey(h.AllocID))
			}
		}
		out = append(out, model.Warning{Code: CodePortTaken, Severity: model.SeverityError, Subjects: subjects,
			Message: fmt.Sprintf("static port %d (%s) of group %s is taken on every eligible node: %s", f.Port, f.Label, f.Group, strings.Join(hs, "; ")),
			Fix:     "pick another static port, use a dynamic port, or stop the holder"})
	}
	for _, h := range hns {
		if len(h.Nodes) == 0 {
			out = append(out, model.Warning{Code: CodeHostNetworkMissing, Severity: model.SeverityError, Subjects: []string{},
				Message: fmt.Sprintf("group %s asks for host_network %q, which no eligible node has", h.Group, h.HostNetwork),
				Fix:     "declare the host_network on the clients, or fix its name"})
		}
	}
	for _, p := range places {
		if p.Unplaced > 0 {
			out = append(out, model.Warning{Code: CodeUnplaced, Severity: model.SeverityError, Subjects: []string{},
				Message: fmt.Sprintf("%d of %d allocation(s) of group %s fit on no node (netviz's estimate: static ports and host networks only)", p.Unplaced, p.Count, p.Group),
				Fix:     "free the ports, add nodes, or lower the count"})
		}
	}
	return out
}

// String describes the holder for a message: node, short allocation ID,
// job/group and task, or the node's reserved ports.
func (h PortHolder) String() string {
	if h.Reserved {
		return fmt.Sprintf("node %s reserves it", h.Node)
	}
	s := fmt.Sprintf("node %s: allocation %s of %s/%s", h.Node, model.ShortID(h.AllocID), h.Job, h.Group)
	if h.Task != "" {
		s += ", task " + h.Task
	}
	return s
}

// sortedNames returns names sorted, without repeats.
func sortedNames(names []string) []string {
	slices.Sort(names)
	return slices.Compact(names)
}
