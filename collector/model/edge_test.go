package model_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/netviz/netviz/internal/fixture"

	"github.com/netviz/netviz/collector/model"
)

func TestEdges(t *testing.T) {
	consulUp := model.SetConsulStatus{Status: model.SourceStatus{State: model.StateConnected}}
	tests := []struct {
		name    string
		changes []model.Change
		want    []model.Edge
	}{
		{
			name: "same namespace to the task owning the port",
			changes: []model.Change{fixture.Alloc("a1", "app").Port("redis", "10.0.0.1", 23522, 6379, false).
				Task("redis", []string{"redis"}).Task("app", nil, fixture.EnvAddr("redis", "REDIS_ADDR")).Upsert()},
			want: []model.Edge{{Kind: model.EdgeSameNamespace, From: "task/a1/app", To: "task/a1/redis", Label: "NOMAD_ADDR_redis"}},
		},
		{
			name: "same namespace, owner found by its service, label mangled",
			changes: []model.Change{fixture.Alloc("a1", "app").Port("redis-db", "10.0.0.1", 23522, 6379, false).
				Spec(model.ServiceSpec{Name: "redis", Provider: "nomad", Task: "redis", PortLabel: "redis-db"}).
				Task("redis", nil).Task("app", nil, fixture.EnvAddr("redis_db", "REDIS_ADDR")).Upsert()},
			want: []model.Edge{{Kind: model.EdgeSameNamespace, From: "task/a1/app", To: "task/a1/redis", Label: "NOMAD_ADDR_redis_db"}},
		},
		{
			name: "same namespace without an owner goes to the allocation; own port and unknown label give none",
			changes: []model.Change{fixture.Alloc("a1", "app").Port("http", "10.0.0.1", 8080, 0, true).Port("db", "", 0, 5432, false).
				Task("db", []string{"db"}, fixture.EnvAddr("db", "LISTEN")).
				Task("app", nil, fixture.EnvAddr("http", "SELF"), fixture.EnvAddr("nope", "X")).Upsert()},
			want: []model.Edge{{Kind: model.EdgeSameNamespace, From: "task/a1/app", To: "alloc/a1", Label: "NOMAD_ADDR_http"}},
		},
		{
			name: "same namespace, raw_exec owner found by its name (no config.ports)",
			changes: []model.Change{fixture.Alloc("a1", "app").Port("redis", "10.0.0.1", 23522, 6379, false).
				Task("redis", nil).Task("app", nil, fixture.EnvAddr("redis", "REDIS_ADDR")).Upsert()},
			want: []model.Edge{{Kind: model.EdgeSameNamespace, From: "task/a1/app", To: "task/a1/redis", Label: "NOMAD_ADDR_redis"}},
		},
		{
			name: "a lone main task reading its own ports is no edge",
			changes: []model.Change{fixture.Alloc("a1", "ingress").Port("http", "10.0.0.1", 18080, 0, true).
				Task("router", nil, fixture.EnvAddr("http", "LISTEN")).Upsert()},
			want: nil,
		},
		{
			name: "discovery, broken without a passing instance of that provider",
			changes: []model.Change{
				fixture.Alloc("a1", "app").Task("app", nil, fixture.NomadQuery("redis"), fixture.ConsulQuery("redis"), fixture.NomadQuery("gone"),
					model.Ref{Kind: model.RefNomadService, Target: "*", Source: "template:x", Text: "nomadServices"}).Upsert(),
				fixture.UpsertService("nomad", "s1", "redis", "a2", ""), // Nomad service without checks: passing
				fixture.UpsertService("consul", "c1", "redis", "a2", "critical"),
			},
			want: []model.Edge{
				{Kind: model.EdgeDiscovery, From: "task/a1/app", To: "service/gone", Label: `nomadService "gone"`, Broken: true},
				{Kind: model.EdgeDiscovery, From: "task/a1/app", To: "service/redis", Label: `nomadService "redis"`},
				{Kind: model.EdgeDiscovery, From: "task/a1/app", To: "service/redis", Label: `service "redis"`, Broken: true},
			},
		},
		{
			name:    "upstream without Consul status carries no intention",
			changes: []model.Change{fixture.Alloc("a1", "app").Spec(fixture.ConnectSpec("app", model.Upstream{DestinationName: "redis", LocalBindPort: 6379})).Upsert()},
			want:    []model.Edge{{Kind: model.EdgeUpstream, From: "alloc/a1", To: "service/redis", Label: "localhost:6379 → redis"}},
		},
		{
			name: "upstream with Consul connected: intention and health",
			changes: []model.Change{
				consulUp,
				model.ReplaceIntentions{Intentions: []model.Intention{{Source: "app", Destination: "redis", Action: model.ActionDeny}}, DefaultAllow: true},
				fixture.Alloc("a1", "app").Spec(fixture.ConnectSpec("app",
					model.Upstream{DestinationName: "redis", LocalBindPort: 6379},
					model.Upstream{DestinationName: "db", LocalBindAddress: "127.0.0.2", LocalBindPort: 5432})).Upsert(),
				fixture.UpsertService("consul", "c1", "redis", "a2", "passing"),
			},
			want: []model.Edge{
				{Kind: model.EdgeUpstream, From: "alloc/a1", To: "service/db", Label: "127.0.0.2:5432 → db", Intention: model.ActionAllow, Broken: true},
				{Kind: model.EdgeUpstream, From: "alloc/a1", To: "service/redis", Label: "localhost:6379 → redis", Intention: model.ActionDeny},
			},
		},
		{
			name: "upstream from a registered sidecar, deduplicated with the spec",
			changes: []model.Change{
				fixture.Alloc("a1", "app").Spec(fixture.ConnectSpec("app", model.Upstream{DestinationName: "redis", LocalBindPort: 6379})).Upsert(),
				model.UpsertService{Service: &model.Service{ID: "side", Name: "app-sidecar-proxy", Provider: "consul", AllocID: "a1",
					Health: "passing", Connect: &model.ServiceConnect{Kind: model.ConnectSidecar, DestinationService: "app",
						Upstreams: []model.Upstream{{DestinationName: "redis", LocalBindPort: 6379}, {DestinationName: "api", LocalBindPort: 8081}}}}},
			},
			want: []model.Edge{
				{Kind: model.EdgeUpstream, From: "alloc/a1", To: "service/api", Label: "localhost:8081 → api"},
				{Kind: model.EdgeUpstream, From: "alloc/a1", To: "service/redis", Label: "localhost:6379 → redis"},
			},
		},
		{
			name: "ingress from a system job with static ports to tagged services",
			changes: []model.Change{
				fixture.Alloc("t1", "traefik").JobType("system").Port("https", "10.0.0.1", 443, 0, true).
					Spec(model.ServiceSpec{Name: "traefik", Provider: "nomad", Tags: []string{"traefik.http.routers.dash.rule=Host(`traefik.local`)"}}).Upsert(),
				fixture.Alloc("w1", "web").Port("http", "10.0.0.1", 23000, 0, false).Upsert(),
				fixture.UpsertService("nomad", "s1", "web", "w1", "", "traefik.enable=true", "traefik.http.routers.web.rule=Host(`web.example.com`)"),
				fixture.UpsertService("consul", "s2", "shop", "w1", "passing", "urlprefix-shop.example.com/"),
				// A system job without static ports is not a router.
				fixture.Alloc("l1", "logs").JobType("system").Port("x", "10.0.0.1", 25000, 0, false).
					Spec(model.ServiceSpec{Name: "logs", Provider: "nomad"}).Upsert(),
			},
			want: []model.Edge{
				{Kind: model.EdgeIngress, From: "service/traefik", To: "service/shop", Label: "urlprefix-shop.example.com/"},
				{Kind: model.EdgeIngress, From: "service/traefik", To: "service/web", Label: "Host(`web.example.com`)"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := model.NewStore().Apply(tt.changes...)
			if got := s.Edges(); !slices.Equal(got, tt.want) {
				t.Errorf("edges:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestEdgeLookups(t *testing.T) {
	s := model.NewStore().Apply(
		fixture.Alloc("a1", "app").Port("redis", "10.0.0.1", 23522, 6379, false).
			Task("redis", []string{"redis"}).Task("app", nil, fixture.EnvAddr("redis", "REDIS_ADDR"), fixture.NomadQuery("db")).
			Spec(fixture.ConnectSpec("app", model.Upstream{DestinationName: "db", LocalBindPort: 5432})).Upsert(),
	)
	tests := []struct {
		name string
		got  []model.Edge
		want []model.EdgeKind
	}{
		{"from task", s.EdgesFrom("task/a1/app"), []model.EdgeKind{model.EdgeDiscovery, model.EdgeSameNamespace}},
		{"from alloc", s.EdgesFrom("alloc/a1"), []model.EdgeKind{model.EdgeUpstream}},
		{"to task", s.EdgesTo("task/a1/redis"), []model.EdgeKind{model.EdgeSameNamespace}},
		{"to service", s.EdgesTo("service/db"), []model.EdgeKind{model.EdgeUpstream, model.EdgeDiscovery}},
		{"referrers", s.Referrers("db"), []model.EdgeKind{model.EdgeUpstream, model.EdgeDiscovery}},
		{"none", s.EdgesFrom("service/nope"), []model.EdgeKind{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kinds := []model.EdgeKind{}
			for _, e := range tt.got {
				kinds = append(kinds, e.Kind)
			}
			if !slices.Equal(kinds, tt.want) || tt.got == nil {
				t.Errorf("kinds %v (nil=%v), want %v", kinds, tt.got == nil, tt.want)
			}
		})
	}
}

// TestEdgesFollowUpdates checks that edges of each new version reflect the
// objects of that version, while older snapshots keep theirs: derived data
// is reused across versions only for objects that did not change.
func TestEdgesFollowUpdates(t *testing.T) {
	store := model.NewStore()
	withRef := fixture.Alloc("a1", "app").Task("app", nil, fixture.NomadQuery("redis")).Upsert()
	s1 := store.Apply(withRef, fixture.UpsertService("nomad", "s1", "redis", "r1", ""))
	s2 := store.Apply(fixture.Alloc("a1", "app").Task("app", nil, fixture.NomadQuery("db")).Upsert())
	s3 := store.Apply(model.DeleteService{Provider: "nomad", ID: "s1"}, fixture.UpsertService("nomad", "s2", "db", "r2", ""))
	s4 := store.Apply(model.DeleteAllocation{ID: "a1"})
	tests := []struct {
		name string
		snap *model.Snapshot
		want []model.Edge
	}{
		{"first", s1, []model.Edge{{Kind: model.EdgeDiscovery, From: "task/a1/app", To: "service/redis", Label: `nomadService "redis"`}}},
		{"allocation changed its query", s2, []model.Edge{{Kind: model.EdgeDiscovery, From: "task/a1/app", To: "service/db", Label: `nomadService "db"`, Broken: true}}},
		{"service appeared", s3, []model.Edge{{Kind: model.EdgeDiscovery, From: "task/a1/app", To: "service/db", Label: `nomadService "db"`}}},
		{"allocation gone", s4, []model.Edge{}},
	}
	// Read newest first, then oldest again: the order must not matter.
	for _, order := range [][]int{{3, 2, 1, 0}, {0, 1, 2, 3}} {
		for _, i := range order {
			tt := tests[i]
			if got := tt.snap.Edges(); !slices.Equal(got, tt.want) {
				t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
			}
		}
	}
}

// TestEdgesAfterMassDelete reads edges of a large model, removes most of it,
// and reads again: what is left must be exactly the survivors' edges (the
// store drops derived data of objects that are gone).
func TestEdgesAfterMassDelete(t *testing.T) {
	store := model.NewStore()
	var add, del []model.Change
	for i := range 300 {
		id := fmt.Sprintf("a%03d", i)
		add = append(add, fixture.Alloc(id, "app").Task("app", nil, fixture.NomadQuery("redis")).Upsert(),
			fixture.UpsertService("nomad", id, "redis", id, ""))
		if i >= 10 {
			del = append(del, model.DeleteAllocation{ID: id}, model.DeleteService{Provider: "nomad", ID: id})
		}
	}
	if n := len(store.Apply(add...).Edges()); n != 300 {
		t.Fatalf("%d edges before, want 300", n)
	}
	after := store.Apply(del...).Edges()
	if len(after) != 10 || after[0].From != "task/a000/app" || after[9].From != "task/a009/app" {
		t.Errorf("after delete: %+v", after)
	}
}
