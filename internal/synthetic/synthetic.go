// Package synthetic is a benchmark fake: it generates a made-up Nomad cluster
// (nodes, allocations, registered services, Connect upstreams, intentions) as
// model changes, so the model can be measured at sizes no test cluster on
// this machine reaches. Nothing here talks to Nomad or Consul, and nothing in
// netviz outside benchmarks may use it.
//
// The cluster is deterministic for a given Config: same seed, same cluster.
package synthetic

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/netviz/netviz/collector/model"
)

// Config sizes a fake cluster.
type Config struct {
	// Nodes is the number of client nodes.
	Nodes int
	// Allocations is the number of allocations, including one ingress
	// allocation per node.
	Allocations int
	// AllocsPerJob is how many allocations share a job (default 10).
	AllocsPerJob int
	// Seed makes the cluster reproducible.
	Seed uint64
}

// Cluster is a generated fake cluster.
type Cluster struct {
	Nodes       []*model.Node
	Allocations []*model.Allocation
	Services    []*model.Service
	Intentions  []model.Intention

	rng  *rand.Rand
	jobs []string
}

// dynamic port range of every fake node, as in Nomad's defaults.
const (
	minDynamicPort = 20000
	maxDynamicPort = 32000
)

// Generate builds a fake cluster: a system "ingress" job with static ports 80
// and 443 on every node, and service jobs whose allocations are a quarter in
// host and three quarters in bridge networking, hold one to three dynamic
// ports (all listed in the main task's config.ports), and have a main task
// plus a helper task that reads the main task's address (a same-namespace
// edge). Every third allocation's main task renders a template that asks for
// another job's service; every third bridge allocation is a Connect service
// with an upstream to another job, whose app port is not mapped to the host
// (only its sidecar's port is). Each allocation registers its job's service
// (Nomad provider in host mode, Consul in bridge mode); Connect ones also
// register their sidecar proxy with its upstreams. Intentions: Consul's
// default allow, plus a deny for every 50th job.
func Generate(cfg Config) *Cluster {
	if cfg.AllocsPerJob <= 0 {
		cfg.AllocsPerJob = 10
	}
	c := &Cluster{rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))}
	nextPort := make([]int, cfg.Nodes)
	for i := range cfg.Nodes {
		c.Nodes = append(c.Nodes, &model.Node{
			ID: c.uuid(), Name: fmt.Sprintf("client-%04d", i), Datacenter: "dc1",
			Address: fmt.Sprintf("10.%d.%d.%d", i/65536%256, i/256%256, i%256), Status: "ready",
			MinDynamicPort: minDynamicPort, MaxDynamicPort: maxDynamicPort,
		})
		nextPort[i] = minDynamicPort
	}
	for n := range c.Nodes {
		if len(c.Allocations) >= cfg.Allocations {
			break
		}
		c.addIngress(n)
	}
	services := cfg.Allocations - len(c.Allocations)
	jobs := max(1, (services+cfg.AllocsPerJob-1)/cfg.AllocsPerJob)
	for j := range jobs {
		c.jobs = append(c.jobs, fmt.Sprintf("svc-%04d", j))
	}
	for i := range services {
		n := c.rng.IntN(len(c.Nodes))
		c.addService(i, i/cfg.AllocsPerJob, n, &nextPort[n])
	}
	// Consul's default (allow, ACLs off) with a few explicit denies, as a
	// team that writes intentions for the exceptions would have.
	for j := 0; j+1 < len(c.jobs); j += 50 {
		c.Intentions = append(c.Intentions, model.Intention{Source: c.jobs[j], Destination: c.jobs[j+1], Action: model.ActionDeny})
	}
	return c
}

// uuid is a random, UUID-shaped ID like Nomad's.
func (c *Cluster) uuid() string {
	a, b := c.rng.Uint64(), c.rng.Uint64()
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a>>32, a>>16&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}

func (c *Cluster) addIngress(n int) {
	node := c.Nodes[n]
	a := &model.Allocation{
		ID: c.uuid(), Name: "ingress.traefik[0]", Namespace: "default", JobID: "ingress", JobType: "system",
		TaskGroup: "traefik", NodeID: node.ID, NodeName: node.Name, ClientStatus: "running", DesiredStatus: "run",
		Network: model.Network{Mode: model.ModeHost, IP: node.Address},
		Ports: []model.Port{
			{Label: "http", HostIP: node.Address, Value: 80, Static: true},
			{Label: "https", HostIP: node.Address, Value: 443, Static: true},
		},
		Tasks:    []model.Task{{Name: "traefik", Driver: "docker", ConfigPorts: []string{"http", "https"}, Refs: []model.Ref{}}},
		Services: []model.ServiceSpec{{Name: "traefik", Provider: model.ProviderNomad, PortLabel: "https"}},
	}
	c.Allocations = append(c.Allocations, a)
	c.Services = append(c.Services, &model.Service{
		ID: "_nomad-task-" + a.ID + "-traefik", Name: "traefik", Provider: model.ProviderNomad, Namespace: "default",
		NodeID: node.ID, AllocID: a.ID, Task: "traefik", PortLabel: "https", Address: node.Address, Port: 443,
		Health: model.HealthPassing,
	})
}

var portLabels = [...]string{"http", "metrics", "grpc"}

func (c *Cluster) addService(i, job, n int, nextPort *int) {
	node := c.Nodes[n]
	jobID := c.jobs[job]
	bridge := i%4 != 0
	connect := bridge && i%3 == 1
	a := &model.Allocation{
		ID: c.uuid(), Name: fmt.Sprintf("%s.web[%d]", jobID, i%10), Namespace: "default", JobID: jobID,
		JobType: "service", JobVersion: 1, TaskGroup: "web", NodeID: node.ID, NodeName: node.Name,
		ClientStatus: "running", DesiredStatus: "run", ModifyIndex: uint64(1000 + i),
		Network: model.Network{Mode: model.ModeHost, IP: node.Address},
	}
	if bridge {
		a.Network = model.Network{Mode: model.ModeBridge, IP: fmt.Sprintf("172.26.%d.%d", 64+i/250%16, 2+i%250)}
	}
	for p := range 1 + c.rng.IntN(len(portLabels)) {
		port := model.Port{Label: portLabels[p], HostIP: node.Address, Value: *nextPort}
		*nextPort++
		if *nextPort > maxDynamicPort {
			*nextPort = minDynamicPort
		}
		if bridge {
			port.To = 8080 + p
		}
		if connect && p == 0 {
			port.Value, port.HostIP = 0, "" // reached through the sidecar only
		}
		a.Ports = append(a.Ports, port)
	}
	if connect {
		a.Ports = append(a.Ports, model.Port{Label: "connect-proxy-" + jobID, HostIP: node.Address, Value: *nextPort, To: *nextPort})
		*nextPort++
	}
	other := c.jobs[c.rng.IntN(len(c.jobs))]
	main := model.Task{Name: "app", Driver: "docker", Refs: []model.Ref{}}
	for _, p := range a.Ports {
		if !strings.HasPrefix(p.Label, "connect-proxy-") {
			main.ConfigPorts = append(main.ConfigPorts, p.Label)
		}
	}
	if i%3 == 0 {
		main.Refs = append(main.Refs, model.Ref{Kind: model.RefNomadService, Target: other,
			Source: "template:local/upstream.env", Text: fmt.Sprintf("nomadService %q", other)})
	}
	helper := model.Task{Name: "exporter", Driver: "docker", Lifecycle: model.LifecyclePoststart, Sidecar: true,
		Refs: []model.Ref{{Kind: model.RefEnvAddr, Target: "http", Source: "TARGET", Text: "NOMAD_ADDR_http"}}}
	a.Tasks = []model.Task{main, helper}

	provider := model.ProviderNomad
	spec := model.ServiceSpec{Name: jobID, Provider: provider, Task: "app", PortLabel: "http",
		Tags: []string{fmt.Sprintf("traefik.http.routers.%s.rule=Host(`%s.example.com`)", jobID, jobID)}}
	if bridge {
		provider = model.ProviderConsul
		spec.Provider = provider
	}
	var up []model.Upstream
	if connect {
		up = []model.Upstream{{DestinationName: other, LocalBindPort: 9000 + i%1000}}
		spec.Connect = &model.ConnectSpec{Kind: model.ConnectSidecar, SidecarPortLabel: "connect-proxy-" + jobID, Upstreams: up}
	}
	a.Services = []model.ServiceSpec{spec}
	c.Allocations = append(c.Allocations, a)

	svcPort := a.Ports[0].Value
	if connect {
		svcPort = a.Ports[len(a.Ports)-1].Value // Consul sends mesh traffic to the sidecar
	}
	c.Services = append(c.Services, &model.Service{
		ID: "_nomad-task-" + a.ID + "-app-" + jobID + "-http", Name: jobID, Provider: provider, Namespace: "default",
		NodeID: node.ID, AllocID: a.ID, Task: "app", PortLabel: "http", Address: node.Address, Port: svcPort,
		Tags: spec.Tags, Health: model.HealthPassing,
	})
	if connect {
		c.Services = append(c.Services, &model.Service{
			ID: "_nomad-task-" + a.ID + "-group-web-" + jobID + "-sidecar-proxy", Name: jobID + "-sidecar-proxy",
			Provider: model.ProviderConsul, Namespace: "default", NodeID: node.ID, AllocID: a.ID,
			Address: node.Address, Port: a.Ports[len(a.Ports)-1].Value, Health: model.HealthPassing,
			Connect: &model.ServiceConnect{Kind: model.ConnectSidecar, DestinationService: jobID, LocalServicePort: 8080, Upstreams: up},
		})
	}
}

// Changes returns the whole cluster as one batch of changes, in the order a
// collector would send them after its first read: status, nodes,
// allocations, services, intentions.
func (c *Cluster) Changes() []model.Change {
	out := make([]model.Change, 0, 3+len(c.Nodes)+len(c.Allocations)+len(c.Services))
	out = append(out,
		model.SetNomadStatus{Status: model.SourceStatus{State: model.StateConnected, Address: "http://127.0.0.1:4646"}},
		model.SetConsulStatus{Status: model.SourceStatus{State: model.StateConnected, Address: "http://127.0.0.1:8500"}},
	)
	for _, n := range c.Nodes {
		out = append(out, model.UpsertNode{Node: n})
	}
	for _, a := range c.Allocations {
		out = append(out, model.UpsertAllocation{Alloc: a})
	}
	for _, s := range c.Services {
		out = append(out, model.UpsertService{Service: s})
	}
	return append(out, model.ReplaceIntentions{Intentions: c.Intentions, DefaultAllow: true})
}

// Update returns the k-th allocation update event: a new version of one
// allocation (chosen round-robin) with a new ModifyIndex and client status,
// and, every 20th event, moved to another node (as a reschedule would). The
// copy is shallow: the slices it shares with the original are never changed.
func (c *Cluster) Update(k int) model.UpsertAllocation {
	prev := c.Allocations[k%len(c.Allocations)]
	next := *prev
	next.ModifyIndex = prev.ModifyIndex + uint64(len(c.Allocations))
	if k%2 == 0 {
		next.ClientStatus = "pending"
	} else {
		next.ClientStatus = "running"
	}
	if k%20 == 0 {
		node := c.Nodes[(k/20)%len(c.Nodes)]
		next.NodeID, next.NodeName = node.ID, node.Name
	}
	c.Allocations[k%len(c.Allocations)] = &next
	return model.UpsertAllocation{Alloc: &next}
}
