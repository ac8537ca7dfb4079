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

// scaleMix is a cluster past the per-allocation threshold with every kind
// of connection between job/groups (fake data): in namespace default,
// shop/web (150, bridge, Connect) reaches data/db through the mesh
// (allowed) and vault/secret (denied), and looks up cache/redis (30,
// host mode, dynamic host ports) with a template; edge/traefik (5, a
// system job on static ports 80 and 443) routes shop.example.org to it. In
// namespace batch, etl/run (20, host mode, no ports) talks to no one.
func scaleMix() *model.Snapshot {
	changes := []model.Change{
		model.SetConsulStatus{Status: model.SourceStatus{State: model.StateConnected}},
		fixture.Intentions(true, fixture.Intention("shop", "secret", model.ActionDeny)),
	}
	for n := range 5 {
		changes = append(changes, fixture.ClientNode(fmt.Sprintf("node%d", n), fmt.Sprintf("client-%d", n), fmt.Sprintf("10.0.0.%d", n)))
	}
	i := 0
	add := func(job, group string, count int, build func(a *fixture.AllocBuilder, k int)) []*model.Allocation {
		var out []*model.Allocation
		for k := range count {
			node := fmt.Sprintf("node%d", i%5)
			a := fixture.Alloc(fmt.Sprintf("%s-%03d", group, k), job).Group(group).Named(fmt.Sprintf("%s.%s[%d]", job, group, k)).Node(node)
			build(a, k)
			out = append(out, a.Build())
			changes = append(changes, a.Upsert())
			i++
		}
		return out
	}
	tag := "traefik.http.routers.shop.rule=Host(`shop.example.org`)"
	add("shop", "web", 150, func(a *fixture.AllocBuilder, k int) {
		a.Bridge(fmt.Sprintf("172.26.%d.%d", 64+k/200, 2+k%200)).
			Task("app", []string{"http"}, fixture.NomadQuery("redis")).Sidecar("shop").
			Port("http", "10.0.0.1", 21000+k, 8080, false).
			Port("connect-proxy-shop", "10.0.0.1", 22000+k, 22000+k, false).
			Spec(fixture.MeshSpec("shop", "http", fixture.Upstream("db", 5432), fixture.Upstream("secret", 8200)))
		a.Build().Services[0].Tags = []string{tag}
	})
	db := add("data", "db", 40, func(a *fixture.AllocBuilder, k int) {
		a.Bridge(fmt.Sprintf("172.27.0.%d", 2+k)).Task("postgres", nil).Sidecar("db").
			Port("connect-proxy-db", "10.0.0.1", 23000+k, 23000+k, false).Spec(fixture.MeshSpec("db", "5432"))
	})
	secret := add("vault", "secret", 10, func(a *fixture.AllocBuilder, k int) {
		a.Bridge(fmt.Sprintf("172.28.0.%d", 2+k)).Task("vault", nil).Sidecar("secret").
			Port("connect-proxy-secret", "10.0.0.1", 24000+k, 24000+k, false).Spec(fixture.MeshSpec("secret", "8200"))
	})
	redis := add("cache", "redis", 30, func(a *fixture.AllocBuilder, k int) {
		a.Task("redis", []string{"db"}).Port("db", "10.0.0.1", 32301+k, 0, false).Svc("redis", model.ProviderNomad, "db")
	})
	add("edge", "traefik", 5, func(a *fixture.AllocBuilder, k int) {
		a.JobType("system").Task("traefik", []string{"http", "https"}).
			Port("http", "10.0.0.1", 80, 0, true).Port("https", "10.0.0.1", 443, 0, true).
			Svc("traefik", model.ProviderNomad, "https")
	})
	add("etl", "run", 20, func(a *fixture.AllocBuilder, k int) { a.NS("batch").RawTask("run") })
	changes = append(changes,
		fixture.Instance(db[0], model.ProviderConsul, "db", "", 5432).Health(model.HealthPassing).Upsert(),
		fixture.Instance(secret[0], model.ProviderConsul, "secret", "", 8200).Health(model.HealthPassing).Upsert(),
		fixture.Instance(redis[0], model.ProviderNomad, "redis", "db", 32301).Upsert())
	return fixture.Snapshot(changes...)
}

// xssScale is the hostile cluster of xss past the threshold: 201
// allocations of a job/group named with markup and DOT syntax, on a node
// named so, with a static port and a routing rule to its own service.
func xssScale() *model.Snapshot {
	var changes []model.Change
	changes = append(changes, model.UpsertNode{Node: &model.Node{ID: "node-x", Name: hostile, Address: `javascript:alert(1)`,
		Status: "ready", Datacenter: hostile, NodePool: hostile}})
	for k := range 201 {
		a := alloc(fmt.Sprintf("x%03d", k), hostile, hostile+`\N"]; n1 -> n2 [label="`, "node-x", model.ModeBridge, `"><img src=x onerror=alert(1)>`).
			DriverTask(hostile, `docker\"`, []string{hostile}, model.Ref{Kind: model.RefNomadService, Target: hostile,
				Source: "template:x", Text: `nomadService "` + hostile + `"`}).
			Port(hostile, "127.0.0.1", 23000+k, 80, false).
			Port("static", "127.0.0.1", 8443, 0, true).
			Svc(hostile, model.ProviderNomad, hostile)
		if k == 0 {
			a.NS(hostile)
		}
		changes = append(changes, a.Upsert())
	}
	return fixture.Snapshot(changes...)
}

// meshIntents is two Connect upstreams to redis that Consul judges apart:
// app may reach it, admin may not. In one allocation, both services sit
// behind sidecars of their own (app and admin); otherwise they are two
// allocations on one node. Each arrow leaves its own sidecar, labelled and
// coloured by its own intention.
func meshIntents(oneAlloc bool) *model.Snapshot {
	r := alloc("redis1", "shop", "cache", "node2", model.ModeBridge, "172.26.64.11").
		Task("redis", nil).Sidecar("redis").
		Port("connect-proxy-redis", "127.0.0.1", 32000, 32000, false).
		Spec(fixture.MeshSpec("redis", "6379")).Build()
	changes := []model.Change{
		fixture.ClientNode("node1", "client-1", "10.0.0.1"), fixture.ClientNode("node2", "client-2", "10.0.0.2"),
		model.UpsertAllocation{Alloc: r},
		fixture.Instance(r, model.ProviderConsul, "redis", "", 6379).At("127.0.0.1").Health(model.HealthPassing).Upsert(),
		model.SetConsulStatus{Status: model.SourceStatus{State: model.StateConnected}},
		fixture.Intentions(true, fixture.Intention("app", "redis", model.ActionAllow), fixture.Intention("admin", "redis", model.ActionDeny)),
	}
	if oneAlloc {
		a := alloc("app1", "shop", "app", "node1", model.ModeBridge, "172.26.64.10").
			Task("app", nil).Sidecar("app").Sidecar("admin").
			Port("connect-proxy-app", "127.0.0.1", 30000, 30000, false).
			Port("connect-proxy-admin", "127.0.0.1", 30001, 30001, false).
			Spec(fixture.MeshSpec("app", "8080", fixture.Upstream("redis", 6379))).
			Spec(fixture.MeshSpec("admin", "8081", fixture.Upstream("redis", 6380)))
		return fixture.Snapshot(append(changes, a.Upsert())...)
	}
	for i, name := range []string{"app", "admin"} {
		a := alloc(name+"1", "shop", name, "node1", model.ModeBridge, fmt.Sprintf("172.26.64.%d", 20+i)).
			Task(name, nil).Sidecar(name).
			Port("connect-proxy-"+name, "127.0.0.1", 30000+i, 30000+i, false).
			Spec(fixture.MeshSpec(name, "8080", fixture.Upstream("redis", 6379)))
		changes = append(changes, a.Upsert())
	}
	return fixture.Snapshot(changes...)
}
