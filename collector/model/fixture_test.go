package model_test

import "github.com/netviz/netviz/collector/model"

// allocBuilder builds test allocations with readable defaults: namespace
// "default", group "g", node "n1", running, host mode.
type allocBuilder struct{ a *model.Allocation }

func newAlloc(id, job string) *allocBuilder {
	return &allocBuilder{a: &model.Allocation{
		ID: id, Name: job + ".g[0]", Namespace: "default", JobID: job, JobType: "service",
		TaskGroup: "g", NodeID: "n1", ClientStatus: "running", DesiredStatus: "run",
		Network: model.Network{Mode: model.ModeHost, IP: "10.0.0.1"},
	}}
}

func (b *allocBuilder) node(id string) *allocBuilder   { b.a.NodeID = id; return b }
func (b *allocBuilder) ns(ns string) *allocBuilder     { b.a.Namespace = ns; return b }
func (b *allocBuilder) group(tg string) *allocBuilder  { b.a.TaskGroup = tg; return b }
func (b *allocBuilder) jobType(t string) *allocBuilder { b.a.JobType = t; return b }
func (b *allocBuilder) status(s string) *allocBuilder  { b.a.ClientStatus = s; return b }
func (b *allocBuilder) mode(m, ip string) *allocBuilder {
	b.a.Network = model.Network{Mode: m, IP: ip}
	return b
}
func (b *allocBuilder) build() *model.Allocation       { return b.a }
func (b *allocBuilder) upsert() model.UpsertAllocation { return model.UpsertAllocation{Alloc: b.a} }
func (b *allocBuilder) spec(s model.ServiceSpec) *allocBuilder {
	b.a.Services = append(b.a.Services, s)
	return b
}

// port adds a host port; static when value is given as a static port.
func (b *allocBuilder) port(label, hostIP string, value, to int, static bool) *allocBuilder {
	b.a.Ports = append(b.a.Ports, model.Port{Label: label, HostIP: hostIP, Value: value, To: to, Static: static})
	return b
}

// task adds a task with the given config.ports labels and references.
func (b *allocBuilder) task(name string, configPorts []string, refs ...model.Ref) *allocBuilder {
	b.a.Tasks = append(b.a.Tasks, model.Task{Name: name, Driver: "docker", ConfigPorts: configPorts, Refs: refs})
	return b
}

func node(id, name string) model.UpsertNode {
	return model.UpsertNode{Node: &model.Node{ID: id, Name: name, Datacenter: "dc1", Address: "10.0.0.1", Status: "ready"}}
}

func service(provider, id, name, allocID, health string, tags ...string) *model.Service {
	return &model.Service{ID: id, Name: name, Provider: provider, AllocID: allocID, Address: "10.0.0.1", Port: 20000, Health: health, Tags: tags}
}

func upsertService(provider, id, name, allocID, health string, tags ...string) model.UpsertService {
	return model.UpsertService{Service: service(provider, id, name, allocID, health, tags...)}
}

// ids lists allocation IDs, for compact comparisons.
func ids(allocs []*model.Allocation) []string {
	out := []string{}
	for _, a := range allocs {
		out = append(out, a.ID)
	}
	return out
}

// serviceIDs lists "provider/id" of services.
func serviceIDs(svcs []*model.Service) []string {
	out := []string{}
	for _, s := range svcs {
		out = append(out, s.Provider+"/"+s.ID)
	}
	return out
}

func nodeIDs(nodes []*model.Node) []string {
	out := []string{}
	for _, n := range nodes {
		out = append(out, n.ID)
	}
	return out
}
