package nomad

import (
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/nomad/jobspec"
)

// liveAlloc reports whether an allocation belongs in the model: it is, or is
// about to be, running. Terminal allocations leave it (model's one rule).
func liveAlloc(a *apiAlloc) bool { return !model.TerminalClientStatus(a.ClientStatus) }

// convertAlloc builds the model's allocation from Nomad's allocation and the
// group of the job version it runs (nil when the job spec is not known).
func convertAlloc(a *apiAlloc, job *apiJob, nodeAddr string) *model.Allocation {
	out := &model.Allocation{
		ID: a.ID, Name: a.Name, Namespace: a.Namespace, JobID: a.JobID, JobType: a.JobType,
		JobVersion: a.JobVersion, TaskGroup: a.TaskGroup, NodeID: a.NodeID, NodeName: a.NodeName,
		ClientStatus: a.ClientStatus, DesiredStatus: a.DesiredStatus, ModifyIndex: a.ModifyIndex,
		Ports: []model.Port{}, Tasks: []model.Task{},
	}
	var group *groupSpec
	if job != nil {
		if out.JobType == "" {
			out.JobType = job.Type
		}
		group = job.groupSpecs()[a.TaskGroup]
	}
	var raw *apiGroup
	if group != nil {
		raw = group.raw
		out.Tasks = group.tasks
		out.Services = group.services
	}
	out.Network = convertNetwork(a, raw, nodeAddr)
	out.Ports = convertPorts(a, raw)
	return out
}

// groupSpec is a task group converted to model values once per job
// version; allocations share its slices (model values are never mutated).
type groupSpec struct {
	raw      *apiGroup
	tasks    []model.Task
	services []model.ServiceSpec
}

// groupSpecs converts the job's groups on first use. Parsing env and
// template references is the costly part of converting an allocation, and
// it is the same for every allocation of a version.
func (j *apiJob) groupSpecs() map[string]*groupSpec {
	j.groupsOnce.Do(func() {
		j.groups = make(map[string]*groupSpec, len(j.TaskGroups))
		for i := range j.TaskGroups {
			g := &j.TaskGroups[i]
			gs := &groupSpec{raw: g, tasks: []model.Task{}}
			for k := range g.Tasks {
				gs.tasks = append(gs.tasks, convertTask(&g.Tasks[k]))
			}
			for _, s := range g.Services {
				gs.services = append(gs.services, convertServiceSpec(s, ""))
			}
			for _, t := range g.Tasks {
				for _, s := range t.Services {
					gs.services = append(gs.services, convertServiceSpec(s, t.Name))
				}
			}
			j.groups[g.Name] = gs
		}
	})
	return j.groups
}

// convertNetwork gives the namespace mode and address: the namespace's own IP
// for bridge/CNI (from NetworkStatus, which only full reads and events carry),
// else the host address the ports bind.
func convertNetwork(a *apiAlloc, group *apiGroup, nodeAddr string) model.Network {
	var shared []apiNetwork
	if a.AllocatedResources != nil {
		shared = a.AllocatedResources.Shared.Networks
	}
	var allocated, asked string
	if len(shared) > 0 {
		allocated = shared[0].Mode
	}
	if group != nil && len(group.Networks) > 0 {
		asked = group.Networks[0].Mode
	}
	n := model.Network{Mode: model.NetworkMode(allocated, asked)}
	if n.Mode == model.ModeHost {
		if len(shared) > 0 && shared[0].IP != "" {
			n.IP = shared[0].IP
		} else {
			n.IP = nodeAddr
		}
		return n
	}
	if a.NetworkStatus != nil {
		n.IP = a.NetworkStatus.Address
		n.Interface = a.NetworkStatus.InterfaceName
	}
	return n
}

// convertPorts lists the allocation's ports: group-network ports from
// AllocatedResources.Shared.Ports (with the host IP they bind), then legacy
// task-level network ports. Whether a port is static, and its host_network,
// come from the allocated networks' reserved/dynamic lists.
func convertPorts(a *apiAlloc, group *apiGroup) []model.Port {
	type meta struct {
		static      bool
		hostNetwork string
	}
	info := map[string]meta{}
	note := func(nets []apiNetwork) {
		for _, nw := range nets {
			for _, p := range nw.ReservedPorts {
				info[p.Label] = meta{static: true, hostNetwork: p.HostNetwork}
			}
			for _, p := range nw.DynamicPorts {
				info[p.Label] = meta{static: false, hostNetwork: p.HostNetwork}
			}
		}
	}
	if group != nil {
		note(group.Networks)
	}
	ports := []model.Port{}
	if a.AllocatedResources == nil {
		return ports
	}
	note(a.AllocatedResources.Shared.Networks)
	seen := map[string]bool{}
	for _, p := range a.AllocatedResources.Shared.Ports {
		m := info[p.Label]
		ports = append(ports, model.Port{Label: p.Label, HostIP: p.HostIP, Value: p.Value, To: p.To, Static: m.static, HostNetwork: m.hostNetwork})
		seen[p.Label] = true
	}
	tasks := make([]string, 0, len(a.AllocatedResources.Tasks))
	for name := range a.AllocatedResources.Tasks {
		tasks = append(tasks, name)
	}
	sort.Strings(tasks)
	for _, name := range tasks {
		for _, nw := range a.AllocatedResources.Tasks[name].Networks {
			add := func(p apiPort, static bool) {
				if seen[p.Label] {
					return
				}
				seen[p.Label] = true
				ports = append(ports, model.Port{Label: p.Label, HostIP: nw.IP, Value: p.Value, To: p.To, Static: static, HostNetwork: p.HostNetwork})
			}
			for _, p := range nw.ReservedPorts {
				add(p, true)
			}
			for _, p := range nw.DynamicPorts {
				add(p, false)
			}
		}
	}
	return ports
}

// convertTask keeps a task's networking facts: driver, lifecycle, the
// docker-style network_mode and config.ports, and its references to ports and
// services in env and templates.
func convertTask(t *apiTask) model.Task {
	out := model.Task{Name: t.Name, Driver: t.Driver, Kind: t.Kind}
	if t.Lifecycle != nil {
		out.Lifecycle = t.Lifecycle.Hook
		out.Sidecar = t.Lifecycle.Sidecar
	}
	if mode, ok := t.Config["network_mode"].(string); ok {
		out.NetworkMode = mode
	}
	if ports, ok := t.Config["ports"].([]any); ok {
		for _, p := range ports {
			if s, ok := p.(string); ok {
				out.ConfigPorts = append(out.ConfigPorts, s)
			}
		}
	}
	refs := jobspec.EnvRefs(t.Env)
	for _, tmpl := range t.Templates {
		if tmpl.EmbeddedTmpl == nil {
			continue
		}
		dest := ""
		if tmpl.DestPath != nil {
			dest = *tmpl.DestPath
		}
		refs = append(refs, jobspec.TemplateRefs(dest, *tmpl.EmbeddedTmpl, tmpl.LeftDelim, tmpl.RightDelim)...)
	}
	out.Refs = refs
	return out
}

// convertServiceSpec converts a job-spec service; task is set for task-level ones.
func convertServiceSpec(s apiService, task string) model.ServiceSpec {
	out := model.ServiceSpec{Name: s.Name, Provider: s.Provider, Task: task, PortLabel: s.PortLabel, Tags: s.Tags, Checks: len(s.Checks)}
	if out.Provider == "" {
		out.Provider = model.ProviderConsul
	}
	if out.Task == "" {
		out.Task = s.TaskName
	}
	c := s.Connect
	switch {
	case c == nil:
	case c.Native:
		out.Connect = &model.ConnectSpec{Kind: model.ConnectNative}
	case c.Gateway != nil:
		kind := model.ConnectMesh
		if c.Gateway.Ingress != nil {
			kind = model.ConnectIngress
		} else if c.Gateway.Terminating != nil {
			kind = model.ConnectTerminating
		}
		out.Connect = &model.ConnectSpec{Kind: kind}
	case c.SidecarService != nil:
		// Nomad names the sidecar's dynamic port connect-proxy-<service>.
		cs := &model.ConnectSpec{Kind: model.ConnectSidecar, SidecarPortLabel: "connect-proxy-" + s.Name}
		if c.SidecarService.Port != "" {
			cs.SidecarPortLabel = c.SidecarService.Port
		}
		if p := c.SidecarService.Proxy; p != nil {
			for _, u := range p.Upstreams {
				cs.Upstreams = append(cs.Upstreams, model.Upstream{
					DestinationName: u.DestinationName, DestinationNamespace: u.DestinationNamespace,
					LocalBindAddress: u.LocalBindAddress, LocalBindPort: u.LocalBindPort, Datacenter: u.Datacenter,
				})
			}
		}
		out.Connect = cs
	}
	return out
}

// convertNode builds the model's node. The address is the node's network
// address (the list stub's Address, or the fingerprinted IP on a full node).
// defaultNetworkAddress is the address of the node's default network (the
// one host ports bind unless a host_network says otherwise), or "".
func defaultNetworkAddress(n *apiNode) string {
	if n.NodeResources == nil {
		return ""
	}
	for _, nn := range n.NodeResources.NodeNetworks {
		for _, addr := range nn.Addresses {
			if addr.Alias == "default" && addr.Address != "" {
				return addr.Address
			}
		}
	}
	return ""
}

func convertNode(n *apiNode) *model.Node {
	// The node's address is where its host ports bind: the default
	// network's address, which list reads (with resources) and events both
	// carry; the list's own Address is the HTTP address, which may differ.
	out := &model.Node{
		ID: n.ID, Name: n.Name, Datacenter: n.Datacenter, NodePool: n.NodePool,
		Address: defaultNetworkAddress(n), Status: n.Status,
	}
	if out.Address == "" {
		out.Address = n.Attributes["unique.network.ip-address"]
	}
	if out.Address == "" {
		out.Address = n.Address
	}
	if out.Address == "" && n.HTTPAddr != "" {
		if host, _, err := net.SplitHostPort(n.HTTPAddr); err == nil {
			out.Address = host
		}
	}
	if r := n.NodeResources; r != nil {
		out.MinDynamicPort, out.MaxDynamicPort = r.MinDynamicPort, r.MaxDynamicPort
		for _, nn := range r.NodeNetworks {
			for _, addr := range nn.Addresses {
				if addr.Alias == "" || addr.Alias == "default" {
					continue
				}
				out.HostNetworks = append(out.HostNetworks, model.HostNetwork{
					Name: addr.Alias, CIDR: addr.Address, Interface: nn.Device, ReservedPorts: parsePortList(addr.ReservedPorts),
				})
			}
		}
	}
	if len(out.HostNetworks) == 0 {
		names := make([]string, 0, len(n.HostNetworks))
		for name := range n.HostNetworks {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			h := n.HostNetworks[name]
			out.HostNetworks = append(out.HostNetworks, model.HostNetwork{Name: name, CIDR: h.CIDR, Interface: h.Interface, ReservedPorts: parsePortList(h.ReservedPorts)})
		}
	}
	// Nomad's defaults when the node does not report its range.
	if out.MinDynamicPort == 0 {
		out.MinDynamicPort = 20000
	}
	if out.MaxDynamicPort == 0 {
		out.MaxDynamicPort = 32000
	}
	if r := n.ReservedResources; r != nil {
		out.ReservedPorts = parsePortList(r.Networks.ReservedHostPorts)
	}
	return out
}

// parsePortList parses Nomad's reserved port syntax, "22,80,8000-8010".
// Ranges are expanded; malformed parts are skipped (Nomad validated them).
func parsePortList(s string) []int {
	var out []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil {
			continue
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(strings.TrimSpace(hi)); err != nil || b < a || b-a > 65535 {
				continue
			}
		}
		for p := a; p <= b; p++ {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// convertServiceReg converts a Nomad-native service registration. The
// registry holds no health: an instance of a service without checks counts
// as passing (Nomad serves it to templates whatever happens); one whose
// service declares checks is unknown until the check poller (checks.go)
// has read them (see uncheckedHealth).
func convertServiceReg(r *apiServiceReg) *model.Service {
	return &model.Service{
		ID: r.ID, Name: r.ServiceName, Provider: model.ProviderNomad, Namespace: r.Namespace,
		NodeID: r.NodeID, AllocID: r.AllocID, Address: r.Address, Port: r.Port, Tags: r.Tags,
		Health: model.HealthPassing,
	}
}

// jobKey identifies a job version in the spec cache.
func jobKey(namespace, id string, version uint64) string {
	return fmt.Sprintf("%s\x00%s\x00%d", namespace, id, version)
}
