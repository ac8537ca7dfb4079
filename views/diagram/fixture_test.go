package diagram_test

import (
	"fmt"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
)

// The fixtures follow the article's scenarios, built with internal/fixture.
// IDs are short and readable so data-testid assertions read like the picture.

// alloc starts a running allocation of job/group on a node, named as Nomad
// names the group's first allocation.
func alloc(id, job, group, nodeID, mode, ip string) *fixture.AllocBuilder {
	return fixture.Alloc(id, job).Group(group).Named(job+"."+group+"[0]").Node(nodeID).Mode(mode, ip)
}

// synthetic is the scale fixture (fake data, named as such): see fixture.Jobs.
func synthetic(nodes, jobs, perJob int) *model.Snapshot {
	return fixture.Snapshot(fixture.Jobs(nodes, jobs, perJob)...)
}

// hostRedis is the article's first figure: redis in host mode, its dynamic
// host port 23522 mapped to 6379 (or, static, 6379 itself).
func hostRedis(static bool) *model.Snapshot {
	a := alloc("redis1", "cache", "redis", "node1", model.ModeHost, "127.0.0.1").Task("redis", []string{"db"})
	if static {
		a.Port("db", "127.0.0.1", 6379, 0, true)
	} else {
		a.Port("db", "127.0.0.1", 23522, 6379, false)
	}
	return fixture.Snapshot(fixture.ClientNode("node1", "client-1", "127.0.0.1"), a.Upsert())
}

// sameGroup is two tasks in one bridge group: app reaches redis over the
// shared namespace through NOMAD_ADDR_redis.
func sameGroup() *model.Snapshot {
	a := alloc("grp1", "web", "app", "node1", model.ModeBridge, "172.26.64.5").
		Task("app", []string{"http"}, fixture.EnvAddr("redis", "NOMAD_ADDR_redis")).
		Task("redis", []string{"redis"}).
		Port("http", "127.0.0.1", 29948, 8080, false).
		Port("redis", "127.0.0.1", 22300, 6379, false)
	return fixture.Snapshot(fixture.ClientNode("node1", "client-1", "127.0.0.1"), a.Upsert())
}

// twoGroups is the inter-group figure: app finds redis in Nomad's service
// registry with a nomadService template.
func twoGroups(withInstance bool) *model.Snapshot {
	r := alloc("redis1", "web", "cache", "node1", model.ModeBridge, "172.26.64.6").
		Task("redis", []string{"db"}).
		Port("db", "127.0.0.1", 22300, 6379, false).
		Svc("redis", model.ProviderNomad, "db").Build()
	a := alloc("app1", "web", "app", "node1", model.ModeBridge, "172.26.64.7").
		Task("app", []string{"http"}, model.Ref{Kind: model.RefNomadService, Target: "redis",
			Source: "template:local/redis.env", Text: `nomadService "redis"`}).
		Port("http", "127.0.0.1", 29948, 8080, false)
	changes := []model.Change{fixture.ClientNode("node1", "client-1", "127.0.0.1"),
		model.UpsertAllocation{Alloc: r}, a.Upsert()}
	if withInstance {
		changes = append(changes, fixture.Instance(r, model.ProviderNomad, "redis", "db", 22300).At("127.0.0.1").Upsert())
	}
	return fixture.Snapshot(changes...)
}

// connect is the Consul Connect figure: app → localhost:6379 → its sidecar →
// mTLS → redis's sidecar → redis, with an intention allowing or denying it
// (or none known when action is empty).
func connect(action string) *model.Snapshot {
	a := alloc("app1", "shop", "app", "node1", model.ModeBridge, "172.26.64.10").
		Task("app", nil, model.Ref{Kind: model.RefEnvUpstream, Target: "redis", Source: "NOMAD_UPSTREAM_ADDR_redis"}).
		Sidecar("app").
		Port("connect-proxy-app", "127.0.0.1", 30000, 30000, false).
		Spec(fixture.MeshSpec("app", "8080", fixture.Upstream("redis", 6379))).Build()
	r := alloc("redis1", "shop", "cache", "node2", model.ModeBridge, "172.26.64.11").
		Task("redis", nil).Sidecar("redis").
		Port("connect-proxy-redis", "127.0.0.1", 32000, 32000, false).
		Spec(fixture.MeshSpec("redis", "6379")).Build()
	consul := func(a *model.Allocation, name string, port int) *fixture.InstanceBuilder {
		return fixture.Instance(a, model.ProviderConsul, name, "", port).At("127.0.0.1").Health(model.HealthPassing)
	}
	changes := []model.Change{
		fixture.ClientNode("node1", "client-1", "10.0.0.1"), fixture.ClientNode("node2", "client-2", "10.0.0.2"),
		model.UpsertAllocation{Alloc: a}, model.UpsertAllocation{Alloc: r},
		consul(a, "app", 8080).Upsert(),
		consul(r, "redis", 6379).Upsert(),
		consul(r, "redis-sidecar-proxy", 32000).ID("_nomad-task-redis1-redis-proxy").
			Connect(&model.ServiceConnect{Kind: model.ConnectSidecar, DestinationService: "redis", LocalServicePort: 6379}).Upsert(),
	}
	// With no action, Consul has not answered: the intention is unknown.
	if action != "" {
		changes = append(changes,
			model.SetConsulStatus{Status: model.SourceStatus{State: model.StateConnected}},
			fixture.Intentions(true, fixture.Intention("app", "redis", action)))
	}
	return fixture.Snapshot(changes...)
}

// ingress is the user-facing figure: a system ingress job on two nodes with
// static ports 80 and 443, routing by Host rule to two apps.
func ingress() *model.Snapshot {
	changes := []model.Change{fixture.ClientNode("node1", "client-1", "10.0.0.1"), fixture.ClientNode("node2", "client-2", "10.0.0.2")}
	for i, n := range []string{"node1", "node2"} {
		ip := fmt.Sprintf("10.0.0.%d", i+1)
		a := alloc(fmt.Sprintf("ingress%d", i+1), "ingress", "traefik", n, model.ModeHost, ip).JobType("system").
			Task("traefik", []string{"http", "https"}).
			Port("http", ip, 80, 0, true).
			Port("https", ip, 443, 0, true).
			Svc("traefik", model.ProviderNomad, "https").Build()
		changes = append(changes, model.UpsertAllocation{Alloc: a}, fixture.Instance(a, model.ProviderNomad, "traefik", "https", 443).Upsert())
	}
	for i, app := range []string{"shop", "blog"} {
		tag := fmt.Sprintf("traefik.http.routers.%s.rule=Host(`%s.example.org`)", app, app)
		a := alloc(app+"1", app, "web", fmt.Sprintf("node%d", i+1), model.ModeBridge, fmt.Sprintf("172.26.64.%d", 20+i)).
			Task(app, []string{"http"}).
			Port("http", fmt.Sprintf("10.0.0.%d", i+1), 25000+i, 8080, false).
			Svc(app, model.ProviderNomad, "http", tag).Build()
		changes = append(changes, model.UpsertAllocation{Alloc: a}, fixture.Instance(a, model.ProviderNomad, app, "http", 25000+i).Tags(tag).Upsert())
	}
	return fixture.Snapshot(changes...)
}

// hostile is a cluster whose names try to break out of SVG, HTML and DOT.
const hostile = `<script>alert(1)</script>"'`

func xss() *model.Snapshot {
	a := alloc("x1", hostile, hostile+`\N"]; n1 -> n2 [label="`, "node-x", model.ModeBridge, `"><img src=x onerror=alert(1)>`).
		DriverTask(hostile, `docker\"`, []string{hostile}, model.Ref{Kind: model.RefNomadService, Target: hostile,
			Source: "template:x", Text: `nomadService "` + hostile + `"`}).
		DriverTask("}; digraph evil {", "exec", nil, model.Ref{Kind: model.RefEnvAddr, Target: hostile, Source: "NOMAD_ADDR_x"}).
		Port(hostile, "127.0.0.1", 23000, 80, false).
		Svc(hostile, model.ProviderNomad, hostile).Build()
	n := model.UpsertNode{Node: &model.Node{ID: "node-x", Name: hostile, Address: `javascript:alert(1)`, Status: "ready"}}
	return fixture.Snapshot(n, model.UpsertAllocation{Alloc: a}, fixture.Instance(a, model.ProviderNomad, hostile, hostile, 23000).Upsert())
}
