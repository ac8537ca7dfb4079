package model_test

import "github.com/netviz/netviz/collector/model"

// Builders for the reach and lint tests, on top of fixture_test.go's.

// bridge puts the allocation in bridge mode with a namespace IP.
func (b *allocBuilder) bridge(ip string) *allocBuilder { return b.mode(model.ModeBridge, ip) }

// rawTask adds a raw_exec task with references.
func (b *allocBuilder) rawTask(name string, refs ...model.Ref) *allocBuilder {
	b.a.Tasks = append(b.a.Tasks, model.Task{Name: name, Driver: "raw_exec", Refs: refs})
	return b
}

// svc declares a plain service on a port label.
func (b *allocBuilder) svc(name, provider, port string, tags ...string) *allocBuilder {
	return b.spec(model.ServiceSpec{Name: name, Provider: provider, PortLabel: port, Tags: tags})
}

// meshSvc declares a Connect sidecar service on port with upstreams.
func (b *allocBuilder) meshSvc(name, port string, ups ...model.Upstream) *allocBuilder {
	b.spec(model.ServiceSpec{Name: name, Provider: model.ProviderConsul, PortLabel: port,
		Connect: &model.ConnectSpec{Kind: model.ConnectSidecar, SidecarPortLabel: "connect-proxy-" + name, Upstreams: ups}})
	// A port number of its own per allocation, so fixtures hold no conflicts.
	n := 21000 + len(b.a.Ports)
	for _, c := range b.a.ID {
		n += int(c)
	}
	return b.port("connect-proxy-"+name, "10.0.0.1", n, 0, false)
}

func upstream(dest string, port int) model.Upstream {
	return model.Upstream{DestinationName: dest, LocalBindPort: port}
}

func intentions(defaultAllow bool, in ...model.Intention) model.ReplaceIntentions {
	return model.ReplaceIntentions{Intentions: in, DefaultAllow: defaultAllow}
}

func intention(src, dst, action string) model.Intention {
	return model.Intention{Source: src, Destination: dst, Action: action}
}

// meshPair is the article's scenario 4: app → redis through the mesh, both
// in bridge mode on node n1, redis listening on 6379 behind its sidecar.
func meshPair() []model.Change {
	return []model.Change{
		node("n1", "one"),
		newAlloc("app1", "mesh").group("app").bridge("172.26.64.2").
			meshSvc("app", "8080", upstream("redis", 6379)).rawTask("app").build0(),
		newAlloc("redis1", "mesh").group("redis").bridge("172.26.64.3").
			meshSvc("redis", "6379").rawTask("redis").build0(),
	}
}

// build0 returns the upsert change, to keep fixture lists short.
func (b *allocBuilder) build0() model.Change { return b.upsert() }
