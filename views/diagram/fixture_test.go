package diagram_test

import (
	"fmt"

	"github.com/netviz/netviz/collector/graph"
)

// The fixtures follow the article's scenarios. IDs are short and readable so
// data-testid assertions read like the picture.

func node(id, name, addr string) graph.UpsertNode {
	return graph.UpsertNode{Node: &graph.Node{ID: id, Name: name, Datacenter: "dc1", Address: addr,
		Status: "ready", MinDynamicPort: 20000, MaxDynamicPort: 32000}}
}

// alloc is a running allocation of job/group on a node.
func alloc(id, job, group, nodeID, mode, ip string) *graph.Allocation {
	return &graph.Allocation{ID: id, Name: job + "." + group + "[0]", Namespace: "default", JobID: job,
		JobType: "service", TaskGroup: group, NodeID: nodeID, ClientStatus: "running", DesiredStatus: "run",
		Network: graph.Network{Mode: mode, IP: ip}}
}

func task(name, driver string, configPorts []string, refs ...graph.Ref) graph.Task {
	return graph.Task{Name: name, Driver: driver, ConfigPorts: configPorts, Refs: refs}
}

func sidecar(service string) graph.Task {
	return graph.Task{Name: "connect-proxy-" + service, Driver: "docker", Kind: "connect-proxy:" + service,
		Lifecycle: graph.LifecyclePrestart, Sidecar: true}
}

func snapshot(changes ...graph.Change) *graph.Snapshot {
	return graph.NewStore().Apply(changes...)
}

// hostRedis is the article's first figure: redis in host mode, its dynamic
// host port 23522 mapped to 6379 (or, static, 6379 itself).
func hostRedis(static bool) *graph.Snapshot {
	a := alloc("redis1", "cache", "redis", "node1", graph.ModeHost, "127.0.0.1")
	a.Tasks = []graph.Task{task("redis", "docker", []string{"db"})}
	p := graph.Port{Label: "db", HostIP: "127.0.0.1", Value: 23522, To: 6379}
	if static {
		p = graph.Port{Label: "db", HostIP: "127.0.0.1", Value: 6379, Static: true}
	}
	a.Ports = []graph.Port{p}
	return snapshot(node("node1", "client-1", "127.0.0.1"), graph.UpsertAllocation{Alloc: a})
}

// sameGroup is two tasks in one bridge group: app reaches redis over the
// shared namespace through NOMAD_ADDR_redis.
func sameGroup() *graph.Snapshot {
	a := alloc("grp1", "web", "app", "node1", graph.ModeBridge, "172.26.64.5")
	a.Tasks = []graph.Task{
		task("app", "docker", []string{"http"}, graph.Ref{Kind: graph.RefEnvAddr, Target: "redis",
			Source: "NOMAD_ADDR_redis", Text: "NOMAD_ADDR_redis"}),
		task("redis", "docker", []string{"redis"}),
	}
	a.Ports = []graph.Port{
		{Label: "http", HostIP: "127.0.0.1", Value: 29948, To: 8080},
		{Label: "redis", HostIP: "127.0.0.1", Value: 22300, To: 6379},
	}
	return snapshot(node("node1", "client-1", "127.0.0.1"), graph.UpsertAllocation{Alloc: a})
}

// twoGroups is the inter-group figure: app finds redis in Nomad's service
// registry with a nomadService template.
func twoGroups(withInstance bool) *graph.Snapshot {
	r := alloc("redis1", "web", "cache", "node1", graph.ModeBridge, "172.26.64.6")
	r.Tasks = []graph.Task{task("redis", "docker", []string{"db"})}
	r.Ports = []graph.Port{{Label: "db", HostIP: "127.0.0.1", Value: 22300, To: 6379}}
	r.Services = []graph.ServiceSpec{{Name: "redis", Provider: graph.ProviderNomad, PortLabel: "db"}}
	a := alloc("app1", "web", "app", "node1", graph.ModeBridge, "172.26.64.7")
	a.Tasks = []graph.Task{task("app", "docker", []string{"http"}, graph.Ref{Kind: graph.RefNomadService,
		Target: "redis", Source: "template:local/redis.env", Text: `nomadService "redis"`})}
	a.Ports = []graph.Port{{Label: "http", HostIP: "127.0.0.1", Value: 29948, To: 8080}}
	changes := []graph.Change{node("node1", "client-1", "127.0.0.1"),
		graph.UpsertAllocation{Alloc: r}, graph.UpsertAllocation{Alloc: a}}
	if withInstance {
		changes = append(changes, graph.UpsertService{Service: &graph.Service{ID: "_nomad-task-redis1-redis",
			Name: "redis", Provider: graph.ProviderNomad, Namespace: "default", NodeID: "node1", AllocID: "redis1",
			Task: "", PortLabel: "db", Address: "127.0.0.1", Port: 22300}})
	}
	return snapshot(changes...)
}

// connect is the Consul Connect figure: app → localhost:6379 → its sidecar →
// mTLS → redis's sidecar → redis, with an intention allowing or denying it
// (or none known when action is empty).
func connect(action string) *graph.Snapshot {
	a := alloc("app1", "shop", "app", "node1", graph.ModeBridge, "172.26.64.10")
	a.Tasks = []graph.Task{task("app", "docker", nil, graph.Ref{Kind: graph.RefEnvUpstream, Target: "redis",
		Source: "NOMAD_UPSTREAM_ADDR_redis"}), sidecar("app")}
	a.Ports = []graph.Port{{Label: "connect-proxy-app", HostIP: "127.0.0.1", Value: 30000, To: 30000}}
	a.Services = []graph.ServiceSpec{{Name: "app", Provider: graph.ProviderConsul, PortLabel: "8080",
		Connect: &graph.ConnectSpec{Kind: graph.ConnectSidecar, SidecarPortLabel: "connect-proxy-app",
			Upstreams: []graph.Upstream{{DestinationName: "redis", LocalBindPort: 6379}}}}}
	r := alloc("redis1", "shop", "cache", "node2", graph.ModeBridge, "172.26.64.11")
	r.Tasks = []graph.Task{task("redis", "docker", nil), sidecar("redis")}
	r.Ports = []graph.Port{{Label: "connect-proxy-redis", HostIP: "127.0.0.1", Value: 32000, To: 32000}}
	r.Services = []graph.ServiceSpec{{Name: "redis", Provider: graph.ProviderConsul, PortLabel: "6379",
		Connect: &graph.ConnectSpec{Kind: graph.ConnectSidecar, SidecarPortLabel: "connect-proxy-redis"}}}
	consul := func(id, name, allocID, nodeID string, port int, c *graph.ServiceConnect) graph.Change {
		return graph.UpsertService{Service: &graph.Service{ID: "_nomad-task-" + allocID + "-" + id, Name: name,
			Provider: graph.ProviderConsul, NodeID: nodeID, AllocID: allocID, Address: "127.0.0.1", Port: port,
			Health: graph.HealthPassing, Connect: c}}
	}
	changes := []graph.Change{
		node("node1", "client-1", "10.0.0.1"), node("node2", "client-2", "10.0.0.2"),
		graph.UpsertAllocation{Alloc: a}, graph.UpsertAllocation{Alloc: r},
		consul("app", "app", "app1", "node1", 8080, nil),
		consul("redis", "redis", "redis1", "node2", 6379, nil),
		consul("redis-proxy", "redis-sidecar-proxy", "redis1", "node2", 32000,
			&graph.ServiceConnect{Kind: graph.ConnectSidecar, DestinationService: "redis", LocalServicePort: 6379}),
	}
	// With no action, Consul has not answered: the intention is unknown.
	if action != "" {
		changes = append(changes,
			graph.SetConsulStatus{Status: graph.SourceStatus{State: graph.StateConnected}},
			graph.ReplaceIntentions{Intentions: []graph.Intention{{Source: "app", Destination: "redis", Action: action}},
				DefaultAllow: true})
	}
	return snapshot(changes...)
}

// ingress is the user-facing figure: a system ingress job on two nodes with
// static ports 80 and 443, routing by Host rule to two apps.
func ingress() *graph.Snapshot {
	changes := []graph.Change{node("node1", "client-1", "10.0.0.1"), node("node2", "client-2", "10.0.0.2")}
	for i, n := range []string{"node1", "node2"} {
		a := alloc(fmt.Sprintf("ingress%d", i+1), "ingress", "traefik", n, graph.ModeHost, fmt.Sprintf("10.0.0.%d", i+1))
		a.JobType = "system"
		a.Tasks = []graph.Task{task("traefik", "docker", []string{"http", "https"})}
		a.Ports = []graph.Port{
			{Label: "http", HostIP: a.Network.IP, Value: 80, Static: true},
			{Label: "https", HostIP: a.Network.IP, Value: 443, Static: true},
		}
		a.Services = []graph.ServiceSpec{{Name: "traefik", Provider: graph.ProviderNomad, PortLabel: "https"}}
		changes = append(changes, graph.UpsertAllocation{Alloc: a}, nomadService(a, "traefik", "https", 443))
	}
	for i, app := range []string{"shop", "blog"} {
		n := fmt.Sprintf("node%d", i+1)
		a := alloc(app+"1", app, "web", n, graph.ModeBridge, fmt.Sprintf("172.26.64.%d", 20+i))
		a.Tasks = []graph.Task{task(app, "docker", []string{"http"})}
		a.Ports = []graph.Port{{Label: "http", HostIP: fmt.Sprintf("10.0.0.%d", i+1), Value: 25000 + i, To: 8080}}
		tag := fmt.Sprintf("traefik.http.routers.%s.rule=Host(`%s.example.org`)", app, app)
		a.Services = []graph.ServiceSpec{{Name: app, Provider: graph.ProviderNomad, PortLabel: "http", Tags: []string{tag}}}
		s := nomadService(a, app, "http", 25000+i)
		s.Service.Tags = []string{tag}
		changes = append(changes, graph.UpsertAllocation{Alloc: a}, s)
	}
	return snapshot(changes...)
}

// nomadService registers a Nomad-native instance of an allocation's service.
func nomadService(a *graph.Allocation, name, label string, port int) graph.UpsertService {
	return graph.UpsertService{Service: &graph.Service{ID: "_nomad-task-" + a.ID + "-" + name, Name: name,
		Provider: graph.ProviderNomad, Namespace: a.Namespace, NodeID: a.NodeID, AllocID: a.ID,
		PortLabel: label, Address: a.Network.IP, Port: port}}
}

// synthetic is a scale fixture (fake data, named as such): jobs × perJob
// allocations spread over nodes, each with a dynamic port and a Nomad
// service; jobs from the sixth on look up one of the first five, the way
// many apps share a few backing services.
func synthetic(nodes, jobs, perJob int) *graph.Snapshot {
	var changes []graph.Change
	for n := range nodes {
		changes = append(changes, node(fmt.Sprintf("node%02d", n), fmt.Sprintf("client-%02d", n), fmt.Sprintf("10.0.1.%d", n)))
	}
	i := 0
	for j := range jobs {
		job := fmt.Sprintf("job%02d", j)
		for k := range perJob {
			n := i % nodes
			a := alloc(fmt.Sprintf("a%04d", i), job, "g", fmt.Sprintf("node%02d", n), graph.ModeBridge, fmt.Sprintf("172.26.%d.%d", 64+n, 2+k))
			var refs []graph.Ref
			if j >= 5 {
				prev := fmt.Sprintf("job%02d", j%5)
				refs = append(refs, graph.Ref{Kind: graph.RefNomadService, Target: prev, Source: "template:local/env",
					Text: fmt.Sprintf("nomadService %q", prev)})
			}
			a.Tasks = []graph.Task{task("main", "docker", []string{"http"}, refs...)}
			a.Ports = []graph.Port{{Label: "http", HostIP: fmt.Sprintf("10.0.1.%d", n), Value: 20000 + i, To: 8080}}
			a.Services = []graph.ServiceSpec{{Name: job, Provider: graph.ProviderNomad, PortLabel: "http"}}
			changes = append(changes, graph.UpsertAllocation{Alloc: a}, nomadService(a, job, "http", 20000+i))
			i++
		}
	}
	return snapshot(changes...)
}

// hostile is a cluster whose names try to break out of SVG, HTML and DOT.
const hostile = `<script>alert(1)</script>"'`

func xss() *graph.Snapshot {
	a := alloc("x1", hostile, hostile+`\N"]; n1 -> n2 [label="`, "node-x", graph.ModeBridge, `"><img src=x onerror=alert(1)>`)
	a.Tasks = []graph.Task{
		task(hostile, `docker\"`, []string{hostile}, graph.Ref{Kind: graph.RefNomadService, Target: hostile,
			Source: "template:x", Text: `nomadService "` + hostile + `"`}),
		task("}; digraph evil {", "exec", nil, graph.Ref{Kind: graph.RefEnvAddr, Target: hostile, Source: "NOMAD_ADDR_x"}),
	}
	a.Ports = []graph.Port{{Label: hostile, HostIP: "127.0.0.1", Value: 23000, To: 80}}
	a.Services = []graph.ServiceSpec{{Name: hostile, Provider: graph.ProviderNomad, PortLabel: hostile}}
	n := graph.UpsertNode{Node: &graph.Node{ID: "node-x", Name: hostile, Address: `javascript:alert(1)`, Status: "ready"}}
	return snapshot(n, graph.UpsertAllocation{Alloc: a}, nomadService(a, hostile, hostile, 23000))
}
