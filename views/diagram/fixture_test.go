package diagram_test

import (
	"fmt"

	"github.com/netviz/netviz/collector/model"
)

// The fixtures follow the article's scenarios. IDs are short and readable so
// data-testid assertions read like the picture.

func node(id, name, addr string) model.UpsertNode {
	return model.UpsertNode{Node: &model.Node{ID: id, Name: name, Datacenter: "dc1", Address: addr,
		Status: "ready", MinDynamicPort: 20000, MaxDynamicPort: 32000}}
}

// alloc is a running allocation of job/group on a node.
func alloc(id, job, group, nodeID, mode, ip string) *model.Allocation {
	return &model.Allocation{ID: id, Name: job + "." + group + "[0]", Namespace: "default", JobID: job,
		JobType: "service", TaskGroup: group, NodeID: nodeID, ClientStatus: "running", DesiredStatus: "run",
		Network: model.Network{Mode: mode, IP: ip}}
}

func task(name, driver string, configPorts []string, refs ...model.Ref) model.Task {
	return model.Task{Name: name, Driver: driver, ConfigPorts: configPorts, Refs: refs}
}

func sidecar(service string) model.Task {
	return model.Task{Name: "connect-proxy-" + service, Driver: "docker", Kind: "connect-proxy:" + service,
		Lifecycle: model.LifecyclePrestart, Sidecar: true}
}

func snapshot(changes ...model.Change) *model.Snapshot {
	return model.NewStore().Apply(changes...)
}

// hostRedis is the article's first figure: redis in host mode, its dynamic
// host port 23522 mapped to 6379 (or, static, 6379 itself).
func hostRedis(static bool) *model.Snapshot {
	a := alloc("redis1", "cache", "redis", "node1", model.ModeHost, "127.0.0.1")
	a.Tasks = []model.Task{task("redis", "docker", []string{"db"})}
	p := model.Port{Label: "db", HostIP: "127.0.0.1", Value: 23522, To: 6379}
	if static {
		p = model.Port{Label: "db", HostIP: "127.0.0.1", Value: 6379, Static: true}
	}
	a.Ports = []model.Port{p}
	return snapshot(node("node1", "client-1", "127.0.0.1"), model.UpsertAllocation{Alloc: a})
}

// sameGroup is two tasks in one bridge group: app reaches redis over the
// shared namespace through NOMAD_ADDR_redis.
func sameGroup() *model.Snapshot {
	a := alloc("grp1", "web", "app", "node1", model.ModeBridge, "172.26.64.5")
	a.Tasks = []model.Task{
		task("app", "docker", []string{"http"}, model.Ref{Kind: model.RefEnvAddr, Target: "redis",
			Source: "NOMAD_ADDR_redis", Text: "NOMAD_ADDR_redis"}),
		task("redis", "docker", []string{"redis"}),
	}
	a.Ports = []model.Port{
		{Label: "http", HostIP: "127.0.0.1", Value: 29948, To: 8080},
		{Label: "redis", HostIP: "127.0.0.1", Value: 22300, To: 6379},
	}
	return snapshot(node("node1", "client-1", "127.0.0.1"), model.UpsertAllocation{Alloc: a})
}

// twoGroups is the inter-group figure: app finds redis in Nomad's service
// registry with a nomadService template.
func twoGroups(withInstance bool) *model.Snapshot {
	r := alloc("redis1", "web", "cache", "node1", model.ModeBridge, "172.26.64.6")
	r.Tasks = []model.Task{task("redis", "docker", []string{"db"})}
	r.Ports = []model.Port{{Label: "db", HostIP: "127.0.0.1", Value: 22300, To: 6379}}
	r.Services = []model.ServiceSpec{{Name: "redis", Provider: model.ProviderNomad, PortLabel: "db"}}
	a := alloc("app1", "web", "app", "node1", model.ModeBridge, "172.26.64.7")
	a.Tasks = []model.Task{task("app", "docker", []string{"http"}, model.Ref{Kind: model.RefNomadService,
		Target: "redis", Source: "template:local/redis.env", Text: `nomadService "redis"`})}
	a.Ports = []model.Port{{Label: "http", HostIP: "127.0.0.1", Value: 29948, To: 8080}}
	changes := []model.Change{node("node1", "client-1", "127.0.0.1"),
		model.UpsertAllocation{Alloc: r}, model.UpsertAllocation{Alloc: a}}
	if withInstance {
		changes = append(changes, model.UpsertService{Service: &model.Service{ID: "_nomad-task-redis1-redis",
			Name: "redis", Provider: model.ProviderNomad, Namespace: "default", NodeID: "node1", AllocID: "redis1",
			Task: "", PortLabel: "db", Address: "127.0.0.1", Port: 22300}})
	}
	return snapshot(changes...)
}

// connect is the Consul Connect figure: app → localhost:6379 → its sidecar →
// mTLS → redis's sidecar → redis, with an intention allowing or denying it
// (or none known when action is empty).
func connect(action string) *model.Snapshot {
	a := alloc("app1", "shop", "app", "node1", model.ModeBridge, "172.26.64.10")
	a.Tasks = []model.Task{task("app", "docker", nil, model.Ref{Kind: model.RefEnvUpstream, Target: "redis",
		Source: "NOMAD_UPSTREAM_ADDR_redis"}), sidecar("app")}
	a.Ports = []model.Port{{Label: "connect-proxy-app", HostIP: "127.0.0.1", Value: 30000, To: 30000}}
	a.Services = []model.ServiceSpec{{Name: "app", Provider: model.ProviderConsul, PortLabel: "8080",
		Connect: &model.ConnectSpec{Kind: model.ConnectSidecar, SidecarPortLabel: "connect-proxy-app",
			Upstreams: []model.Upstream{{DestinationName: "redis", LocalBindPort: 6379}}}}}
	r := alloc("redis1", "shop", "cache", "node2", model.ModeBridge, "172.26.64.11")
	r.Tasks = []model.Task{task("redis", "docker", nil), sidecar("redis")}
	r.Ports = []model.Port{{Label: "connect-proxy-redis", HostIP: "127.0.0.1", Value: 32000, To: 32000}}
	r.Services = []model.ServiceSpec{{Name: "redis", Provider: model.ProviderConsul, PortLabel: "6379",
		Connect: &model.ConnectSpec{Kind: model.ConnectSidecar, SidecarPortLabel: "connect-proxy-redis"}}}
	consul := func(id, name, allocID, nodeID string, port int, c *model.ServiceConnect) model.Change {
		return model.UpsertService{Service: &model.Service{ID: "_nomad-task-" + allocID + "-" + id, Name: name,
			Provider: model.ProviderConsul, NodeID: nodeID, AllocID: allocID, Address: "127.0.0.1", Port: port,
			Health: model.HealthPassing, Connect: c}}
	}
	changes := []model.Change{
		node("node1", "client-1", "10.0.0.1"), node("node2", "client-2", "10.0.0.2"),
		model.UpsertAllocation{Alloc: a}, model.UpsertAllocation{Alloc: r},
		consul("app", "app", "app1", "node1", 8080, nil),
		consul("redis", "redis", "redis1", "node2", 6379, nil),
		consul("redis-proxy", "redis-sidecar-proxy", "redis1", "node2", 32000,
			&model.ServiceConnect{Kind: model.ConnectSidecar, DestinationService: "redis", LocalServicePort: 6379}),
	}
	// With no action, Consul has not answered: the intention is unknown.
	if action != "" {
		changes = append(changes,
			model.SetConsulStatus{Status: model.SourceStatus{State: model.StateConnected}},
			model.ReplaceIntentions{Intentions: []model.Intention{{Source: "app", Destination: "redis", Action: action}},
				DefaultAllow: true})
	}
	return snapshot(changes...)
}

// ingress is the user-facing figure: a system ingress job on two nodes with
// static ports 80 and 443, routing by Host rule to two apps.
func ingress() *model.Snapshot {
	changes := []model.Change{node("node1", "client-1", "10.0.0.1"), node("node2", "client-2", "10.0.0.2")}
	for i, n := range []string{"node1", "node2"} {
		a := alloc(fmt.Sprintf("ingress%d", i+1), "ingress", "traefik", n, model.ModeHost, fmt.Sprintf("10.0.0.%d", i+1))
		a.JobType = "system"
		a.Tasks = []model.Task{task("traefik", "docker", []string{"http", "https"})}
		a.Ports = []model.Port{
			{Label: "http", HostIP: a.Network.IP, Value: 80, Static: true},
			{Label: "https", HostIP: a.Network.IP, Value: 443, Static: true},
		}
		a.Services = []model.ServiceSpec{{Name: "traefik", Provider: model.ProviderNomad, PortLabel: "https"}}
		changes = append(changes, model.UpsertAllocation{Alloc: a}, nomadService(a, "traefik", "https", 443))
	}
	for i, app := range []string{"shop", "blog"} {
		n := fmt.Sprintf("node%d", i+1)
		a := alloc(app+"1", app, "web", n, model.ModeBridge, fmt.Sprintf("172.26.64.%d", 20+i))
		a.Tasks = []model.Task{task(app, "docker", []string{"http"})}
		a.Ports = []model.Port{{Label: "http", HostIP: fmt.Sprintf("10.0.0.%d", i+1), Value: 25000 + i, To: 8080}}
		tag := fmt.Sprintf("traefik.http.routers.%s.rule=Host(`%s.example.org`)", app, app)
		a.Services = []model.ServiceSpec{{Name: app, Provider: model.ProviderNomad, PortLabel: "http", Tags: []string{tag}}}
		s := nomadService(a, app, "http", 25000+i)
		s.Service.Tags = []string{tag}
		changes = append(changes, model.UpsertAllocation{Alloc: a}, s)
	}
	return snapshot(changes...)
}

// nomadService registers a Nomad-native instance of an allocation's service.
func nomadService(a *model.Allocation, name, label string, port int) model.UpsertService {
	return model.UpsertService{Service: &model.Service{ID: "_nomad-task-" + a.ID + "-" + name, Name: name,
		Provider: model.ProviderNomad, Namespace: a.Namespace, NodeID: a.NodeID, AllocID: a.ID,
		PortLabel: label, Address: a.Network.IP, Port: port}}
}

// synthetic is a scale fixture (fake data, named as such): jobs × perJob
// allocations spread over nodes, each with a dynamic port and a Nomad
// service; jobs from the sixth on look up one of the first five, the way
// many apps share a few backing services.
func synthetic(nodes, jobs, perJob int) *model.Snapshot {
	var changes []model.Change
	for n := range nodes {
		changes = append(changes, node(fmt.Sprintf("node%02d", n), fmt.Sprintf("client-%02d", n), fmt.Sprintf("10.0.1.%d", n)))
	}
	i := 0
	for j := range jobs {
		job := fmt.Sprintf("job%02d", j)
		for k := range perJob {
			n := i % nodes
			a := alloc(fmt.Sprintf("a%04d", i), job, "g", fmt.Sprintf("node%02d", n), model.ModeBridge, fmt.Sprintf("172.26.%d.%d", 64+n, 2+k))
			var refs []model.Ref
			if j >= 5 {
				prev := fmt.Sprintf("job%02d", j%5)
				refs = append(refs, model.Ref{Kind: model.RefNomadService, Target: prev, Source: "template:local/env",
					Text: fmt.Sprintf("nomadService %q", prev)})
			}
			a.Tasks = []model.Task{task("main", "docker", []string{"http"}, refs...)}
			a.Ports = []model.Port{{Label: "http", HostIP: fmt.Sprintf("10.0.1.%d", n), Value: 20000 + i, To: 8080}}
			a.Services = []model.ServiceSpec{{Name: job, Provider: model.ProviderNomad, PortLabel: "http"}}
			changes = append(changes, model.UpsertAllocation{Alloc: a}, nomadService(a, job, "http", 20000+i))
			i++
		}
	}
	return snapshot(changes...)
}

// hostile is a cluster whose names try to break out of SVG, HTML and DOT.
const hostile = `<script>alert(1)</script>"'`

func xss() *model.Snapshot {
	a := alloc("x1", hostile, hostile+`\N"]; n1 -> n2 [label="`, "node-x", model.ModeBridge, `"><img src=x onerror=alert(1)>`)
	a.Tasks = []model.Task{
		task(hostile, `docker\"`, []string{hostile}, model.Ref{Kind: model.RefNomadService, Target: hostile,
			Source: "template:x", Text: `nomadService "` + hostile + `"`}),
		task("}; digraph evil {", "exec", nil, model.Ref{Kind: model.RefEnvAddr, Target: hostile, Source: "NOMAD_ADDR_x"}),
	}
	a.Ports = []model.Port{{Label: hostile, HostIP: "127.0.0.1", Value: 23000, To: 80}}
	a.Services = []model.ServiceSpec{{Name: hostile, Provider: model.ProviderNomad, PortLabel: hostile}}
	n := model.UpsertNode{Node: &model.Node{ID: "node-x", Name: hostile, Address: `javascript:alert(1)`, Status: "ready"}}
	return snapshot(n, model.UpsertAllocation{Alloc: a}, nomadService(a, hostile, hostile, 23000))
}
