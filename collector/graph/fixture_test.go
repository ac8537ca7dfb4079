package graph_test

import "github.com/netviz/netviz/collector/graph"

// allocBuilder builds test allocations with readable defaults: namespace
// "default", group "g", node "n1", running, host mode.
type allocBuilder struct{ a *graph.Allocation }

func newAlloc(id, job string) *allocBuilder {
	return &allocBuilder{a: &graph.Allocation{
		ID: id, Name: job + ".g[0]", Namespace: "default", JobID: job, JobType: "service",
		TaskGroup: "g", NodeID: "n1", ClientStatus: "running", DesiredStatus: "run",
		Network: graph.Network{Mode: graph.ModeHost, IP: "10.0.0.1"},
	}}
}

func (b *allocBuilder) node(id string) *allocBuilder   { b.a.NodeID = id; return b }
func (b *allocBuilder) ns(ns string) *allocBuilder     { b.a.Namespace = ns; return b }
func (b *allocBuilder) group(tg string) *allocBuilder  { b.a.TaskGroup = tg; return b }
func (b *allocBuilder) jobType(t string) *allocBuilder { b.a.JobType = t; return b }
func (b *allocBuilder) status(s string) *allocBuilder  { b.a.ClientStatus = s; return b }
func (b *allocBuilder) mode(m, ip string) *allocBuilder {
	b.a.Network = graph.Network{Mode: m, IP: ip}
	return b
}
func (b *allocBuilder) build() *graph.Allocation       { return b.a }
func (b *allocBuilder) upsert() graph.UpsertAllocation { return graph.UpsertAllocation{Alloc: b.a} }
func (b *allocBuilder) spec(s graph.ServiceSpec) *allocBuilder {
	b.a.Services = append(b.a.Services, s)
	return b
}

// port adds a host port; static when value is given as a static port.
func (b *allocBuilder) port(label, hostIP string, value, to int, static bool) *allocBuilder {
	b.a.Ports = append(b.a.Ports, graph.Port{Label: label, HostIP: hostIP, Value: value, To: to, Static: static})
	return b
}

// task adds a task with the given config.ports labels and references.
func (b *allocBuilder) task(name string, configPorts []string, refs ...graph.Ref) *allocBuilder {
	b.a.Tasks = append(b.a.Tasks, graph.Task{Name: name, Driver: "docker", ConfigPorts: configPorts, Refs: refs})
	return b
}

func node(id, name string) graph.UpsertNode {
	return graph.UpsertNode{Node: &graph.Node{ID: id, Name: name, Datacenter: "dc1", Address: "10.0.0.1", Status: "ready"}}
}

func service(provider, id, name, allocID, health string, tags ...string) *graph.Service {
	return &graph.Service{ID: id, Name: name, Provider: provider, AllocID: allocID, Address: "10.0.0.1", Port: 20000, Health: health, Tags: tags}
}

func upsertService(provider, id, name, allocID, health string, tags ...string) graph.UpsertService {
	return graph.UpsertService{Service: service(provider, id, name, allocID, health, tags...)}
}

// ids lists allocation IDs, for compact comparisons.
func ids(allocs []*graph.Allocation) []string {
	out := []string{}
	for _, a := range allocs {
		out = append(out, a.ID)
	}
	return out
}

// serviceIDs lists "provider/id" of services.
func serviceIDs(svcs []*graph.Service) []string {
	out := []string{}
	for _, s := range svcs {
		out = append(out, s.Provider+"/"+s.ID)
	}
	return out
}

func nodeIDs(nodes []*graph.Node) []string {
	out := []string{}
	for _, n := range nodes {
		out = append(out, n.ID)
	}
	return out
}
