package model_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/netviz/netviz/collector/model"
)

// pathsOf summarises paths as "kind verdict address" lines, sorted.
func pathsOf(r model.ReachResult) []string {
	var out []string
	for _, p := range r.Paths {
		out = append(out, p.Kind+" "+string(p.Verdict)+" "+p.Address)
	}
	slices.Sort(out)
	return out
}

func codesOf(ws []model.Warning) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Code)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestReachRules(t *testing.T) {
	tests := []struct {
		name      string
		changes   []model.Change
		from, to  string
		want      model.Verdict
		wantPaths []string
		wantCodes []string
	}{
		{
			name: "tasks of one bridge allocation share localhost",
			changes: []model.Change{
				newAlloc("a1", "same").bridge("172.26.64.2").port("redis", "10.0.0.1", 25000, 6379, false).
					svc("cache", "nomad", "redis").rawTask("redis").rawTask("app").build0(),
			},
			from: "a1", to: "cache", want: model.VerdictReachable,
			wantPaths: []string{"same-namespace reachable 127.0.0.1:6379"},
		},
		{
			name: "host-mode port: anyone who routes to the node, flagged",
			changes: []model.Change{
				node("n1", "one"), node("n2", "two"),
				newAlloc("h1", "redis").port("redis", "10.0.0.1", 25000, 0, false).svc("redis-host", "nomad", "redis").rawTask("redis").build0(),
				newAlloc("c1", "client").node("n2").bridge("172.26.64.9").rawTask("app").build0(),
			},
			from: "client/g", to: "redis-host", want: model.VerdictReachable,
			wantPaths: []string{"host-port reachable 10.0.0.1:25000"},
			wantCodes: []string{model.CodeHostNetworkOpen},
		},
		{
			name: "bridge peer on the same node reaches the namespace IP and the mapped port",
			changes: []model.Change{
				node("n1", "one"),
				newAlloc("r1", "redis").bridge("172.26.64.3").port("redis", "10.0.0.1", 25000, 6379, false).svc("redis", "nomad", "redis").rawTask("redis").build0(),
				newAlloc("c1", "client").bridge("172.26.64.9").rawTask("app").build0(),
			},
			from: "client/g", to: "redis", want: model.VerdictReachable,
			wantPaths: []string{"host-port reachable 10.0.0.1:25000", "namespace-ip reachable 172.26.64.3:6379"},
		},
		{
			name: "namespace IP is not routed from another node, the mapped port is",
			changes: []model.Change{
				node("n1", "one"), node("n2", "two"),
				newAlloc("r1", "redis").bridge("172.26.64.3").port("redis", "10.0.0.1", 25000, 6379, false).svc("redis", "nomad", "redis").rawTask("redis").build0(),
				newAlloc("c1", "client").node("n2").bridge("172.26.64.9").rawTask("app").build0(),
			},
			from: "client/g", to: "redis", want: model.VerdictReachable,
			wantPaths: []string{"host-port reachable 10.0.0.1:25000", "namespace-ip unreachable 172.26.64.3:6379"},
		},
		{
			name: "unmapped port from another node: unreachable",
			changes: []model.Change{
				node("n1", "one"), node("n2", "two"),
				newAlloc("r1", "redis").bridge("172.26.64.3").svc("redis", "nomad", "6379").rawTask("redis").build0(),
				newAlloc("c1", "client").node("n2").bridge("172.26.64.9").rawTask("app").build0(),
			},
			from: "client/g", to: "redis", want: model.VerdictUnreachable,
			wantPaths: []string{"namespace-ip unreachable 172.26.64.3:6379"},
		},
		{
			name: "unmapped port from a same-node peer depends on the bind address",
			changes: []model.Change{
				node("n1", "one"),
				newAlloc("r1", "redis").bridge("172.26.64.3").svc("redis", "nomad", "6379").rawTask("redis").build0(),
				newAlloc("c1", "client").bridge("172.26.64.9").rawTask("app").build0(),
			},
			from: "client/g", to: "redis", want: model.VerdictUnknown,
			wantPaths: []string{"namespace-ip unknown 172.26.64.3:6379"},
		},
		{
			name: "loopback host port is not reachable from a bridge namespace",
			changes: []model.Change{
				node("n1", "one"),
				newAlloc("h1", "redis").port("redis", "127.0.0.1", 25000, 0, false).svc("redis", "nomad", "redis").rawTask("redis").build0(),
				newAlloc("c1", "client").bridge("172.26.64.9").rawTask("app").build0(),
			},
			from: "client/g", to: "redis", want: model.VerdictUnreachable,
			wantPaths: []string{"host-port unreachable 127.0.0.1:25000"},
		},
		{
			name:    "mesh: intentions not known before Consul answers",
			changes: meshPair(),
			from:    "app", to: "redis", want: model.VerdictUnknown,
			wantPaths: []string{"mesh unknown 127.0.0.1:6379", "namespace-ip unknown 172.26.64.3:6379"},
		},
		{
			name: "host network: outside clients only if they are on that network",
			changes: []model.Change{
				node("n1", "one"),
				newAlloc("h1", "admin").bridge("172.26.64.3").svc("admin", "nomad", "http").rawTask("admin").build0(),
				model.UpsertAllocation{Alloc: func() *model.Allocation {
					a := newAlloc("h1", "admin").bridge("172.26.64.3").svc("admin", "nomad", "http").rawTask("admin").build()
					a.Ports = []model.Port{{Label: "http", HostIP: "192.168.1.5", Value: 23000, To: 8080, HostNetwork: "private"}}
					return a
				}()},
			},
			from: "external", to: "admin", want: model.VerdictUnknown,
			wantPaths: []string{"host-port unknown 192.168.1.5:23000", "namespace-ip unreachable 172.26.64.3:8080"},
		},
		{
			name: "CNI network: routing outside the model",
			changes: []model.Change{
				node("n1", "one"),
				newAlloc("c1", "cni").mode("cni/overlay", "10.99.0.4").svc("overlay", "nomad", "9000").rawTask("app").build0(),
			},
			from: "host", to: "overlay", want: model.VerdictUnknown,
			wantPaths: []string{"namespace-ip unknown 10.99.0.4:9000"},
		},
		{
			name: "host mode: tasks of one allocation meet on the host address",
			changes: []model.Change{
				newAlloc("h1", "pair").port("redis", "10.0.0.1", 25000, 0, false).svc("pair-redis", "nomad", "redis").rawTask("redis").rawTask("app").build0(),
			},
			from: "h1", to: "pair-redis", want: model.VerdictReachable,
			wantPaths: []string{"same-namespace reachable 10.0.0.1:25000"},
		},
		{
			name: "a port on every address is dialled on the node's address",
			changes: []model.Change{
				node("n1", "one"),
				newAlloc("r1", "redis").bridge("172.26.64.3").port("redis", "", 25000, 6379, false).svc("redis", "nomad", "redis").rawTask("redis").build0(),
			},
			from: "host", to: "redis", want: model.VerdictReachable,
			wantPaths: []string{"host-port reachable 10.0.0.1:25000", "namespace-ip reachable 172.26.64.3:6379"},
		},
		{
			name: "mesh: an upstream to a service without a sidecar leads nowhere",
			changes: []model.Change{
				node("n1", "one"), node("n2", "two"),
				newAlloc("app1", "mesh").group("app").node("n2").bridge("172.26.64.2").meshSvc("app", "8080", upstream("plain", 1234)).rawTask("app").build0(),
				newAlloc("p1", "plain").bridge("172.26.64.3").svc("plain", "consul", "8080").rawTask("plain").build0(),
				intentions(true, intention("app", "plain", model.ActionAllow)),
			},
			from: "app", to: "plain", want: model.VerdictUnreachable,
			wantPaths: []string{"mesh unreachable 127.0.0.1:1234", "namespace-ip unreachable 172.26.64.3:8080"},
		},
		{
			name:    "mesh: upstream and allow intention",
			changes: append(meshPair(), intentions(true, intention("app", "redis", model.ActionAllow))),
			from:    "app", to: "redis", want: model.VerdictReachable,
			wantPaths: []string{"mesh reachable 127.0.0.1:6379", "namespace-ip unknown 172.26.64.3:6379"},
		},
		{
			name:    "mesh: deny intention blocks, flagged",
			changes: append(meshPair(), intentions(true, intention("app", "redis", model.ActionDeny))),
			from:    "app", to: "redis", want: model.VerdictBlocked,
			wantPaths: []string{"mesh blocked 127.0.0.1:6379", "namespace-ip unknown 172.26.64.3:6379"},
			wantCodes: []string{model.CodeBridgePeerBypass, model.CodeIntentionDeniesUpstream},
		},
		{
			name:    "mesh: default deny with no intention blocks",
			changes: append(meshPair(), intentions(false, intention("web", "db", model.ActionAllow))),
			from:    "app", to: "redis", want: model.VerdictBlocked,
			wantPaths: []string{"mesh blocked 127.0.0.1:6379", "namespace-ip unknown 172.26.64.3:6379"},
			wantCodes: []string{model.CodeBridgePeerBypass, model.CodeIntentionDeniesUpstream},
		},
		{
			name: "mesh: allowed but no upstream means no mesh path",
			changes: []model.Change{
				node("n1", "one"), node("n2", "two"),
				newAlloc("app1", "mesh").group("app").node("n2").bridge("172.26.64.2").meshSvc("app", "8080").rawTask("app").build0(),
				newAlloc("redis1", "mesh").group("redis").bridge("172.26.64.3").meshSvc("redis", "6379").rawTask("redis").build0(),
				intentions(true),
			},
			from: "app", to: "redis", want: model.VerdictUnreachable,
			wantPaths: []string{"mesh unreachable ", "namespace-ip unreachable 172.26.64.3:6379"},
		},
		{
			name: "mesh: a mapped app port bypasses the intentions",
			changes: []model.Change{
				node("n1", "one"), node("n2", "two"),
				newAlloc("app1", "mesh").group("app").node("n2").bridge("172.26.64.2").meshSvc("app", "8080", upstream("redis", 6379)).rawTask("app").build0(),
				newAlloc("redis1", "mesh").group("redis").bridge("172.26.64.3").port("db", "10.0.0.1", 26379, 6379, true).meshSvc("redis", "6379").rawTask("redis").build0(),
				intentions(true, intention("app", "redis", model.ActionDeny)),
			},
			from: "external", to: "redis", want: model.VerdictReachable,
			wantPaths: []string{"host-port reachable 10.0.0.1:26379", "namespace-ip unreachable 172.26.64.3:6379"},
			wantCodes: []string{model.CodeMeshBypass},
		},
		{
			name: "discovery follows the exposure of the address the registry gives",
			changes: []model.Change{
				node("n1", "one"),
				newAlloc("r1", "redis").bridge("172.26.64.3").port("redis", "10.0.0.1", 20000, 6379, false).svc("redis-native", "nomad", "redis").rawTask("redis").build0(),
				upsertService("nomad", "s1", "redis-native", "r1", "passing"),
				newAlloc("c1", "client").bridge("172.26.64.9").rawTask("app", model.Ref{Kind: model.RefNomadService, Target: "redis-native", Source: "template:local/x"}).build0(),
			},
			from: "client/g", to: "redis-native", want: model.VerdictReachable,
			wantPaths: []string{"discovery reachable 10.0.0.1:20000", "host-port reachable 10.0.0.1:20000", "namespace-ip reachable 172.26.64.3:6379"},
		},
		{
			name: "discovery across Nomad namespaces finds nothing",
			changes: []model.Change{
				node("n1", "one"), node("n2", "two"),
				newAlloc("r1", "redis").ns("prod").bridge("172.26.64.3").svc("redis-native", "nomad", "6379").rawTask("redis").build0(),
				model.UpsertService{Service: &model.Service{ID: "s1", Name: "redis-native", Provider: "nomad", Namespace: "prod", AllocID: "r1", Address: "10.0.0.1", Port: 20000}},
				newAlloc("c1", "client").node("n2").bridge("172.26.64.9").rawTask("app", model.Ref{Kind: model.RefNomadService, Target: "redis-native", Source: "template:local/x"}).build0(),
			},
			from: "client/g", to: "redis-native", want: model.VerdictUnreachable,
			wantPaths: []string{"discovery unreachable 10.0.0.1:20000", "namespace-ip unreachable 172.26.64.3:6379"},
		},
		{
			name: "ingress: outside traffic through the router's static port",
			changes: []model.Change{
				node("n1", "one"),
				newAlloc("i1", "ingress").jobType("system").port("http", "10.0.0.1", 18080, 0, true).svc("ingress", "nomad", "http").rawTask("router").build0(),
				newAlloc("w1", "web").bridge("172.26.64.4").port("http", "10.0.0.1", 23000, 8080, false).svc("web", "nomad", "http", "traefik.http.routers.web.rule=Host(`web.test`)").rawTask("web").build0(),
				upsertService("nomad", "w", "web", "w1", "passing", "traefik.http.routers.web.rule=Host(`web.test`)"),
			},
			from: "external", to: "web", want: model.VerdictReachable,
			wantPaths: []string{"host-port reachable 10.0.0.1:23000", "ingress reachable 10.0.0.1:18080", "namespace-ip unreachable 172.26.64.4:8080"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := model.NewStore().Apply(tt.changes...)
			r, err := s.Reach(tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			if r.Verdict != tt.want {
				t.Errorf("verdict %s, want %s (%s)", r.Verdict, tt.want, r.Reason)
			}
			if got := pathsOf(r); !slices.Equal(got, tt.wantPaths) {
				t.Errorf("paths\n got %q\nwant %q", got, tt.wantPaths)
			}
			if got := codesOf(r.Warnings); !slices.Equal(got, tt.wantCodes) {
				t.Errorf("warnings %v, want %v", got, tt.wantCodes)
			}
			if r.Reason == "" || !strings.Contains(r.Reason, tt.to) {
				t.Errorf("reason %q does not name the target", r.Reason)
			}
			for _, p := range r.Paths {
				if len(p.Hops) < 2 || p.Reason == "" {
					t.Errorf("path %+v lacks hops or a reason", p)
				}
			}
		})
	}
}

func TestReachMeshHops(t *testing.T) {
	s := model.NewStore().Apply(append(meshPair(), intentions(true, intention("app", "redis", model.ActionDeny)))...)
	r, err := s.Reach("app", "redis")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	blocked := ""
	for _, h := range r.Paths[0].Hops {
		kinds = append(kinds, h.Kind)
		if h.Blocked {
			blocked = h.Kind
		}
	}
	want := []string{model.HopTask, model.HopListener, model.HopSidecar, model.HopIntention, model.HopSidecar, model.HopTask, model.HopService}
	if !slices.Equal(kinds, want) || blocked != model.HopIntention {
		t.Errorf("hops %v (blocked at %q), want %v blocked at the intention", kinds, blocked, want)
	}
}

func TestReachResolve(t *testing.T) {
	s := model.NewStore().Apply(
		newAlloc("aaaa1111", "web").svc("web", "nomad", "").build0(),
		newAlloc("aaaa2222", "web").ns("prod").svc("web", "nomad", "").build0(),
		newAlloc("bbbb1111", "api").group("api").build0(),
		newAlloc("cccc1111", "old").status("complete").build0(),
	)
	tests := []struct {
		in         string
		wantErr    error
		candidates []string
	}{
		{in: "web", candidates: []string{"default/web/g", "prod/web/g"}},
		{in: "aaaa", candidates: []string{"aaaa1111", "aaaa2222"}},
		{in: "prod/web/g"},
		{in: "api/api"},
		{in: "bbbb"},
		{in: "nothing", wantErr: model.ErrNoMatch},
		{in: "cccc", wantErr: model.ErrNoMatch},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := s.Reach("host", tt.in)
			var amb *model.AmbiguousError
			switch {
			case tt.candidates != nil:
				if !errors.As(err, &amb) || !slices.Equal(amb.Candidates, tt.candidates) {
					t.Errorf("err %v, want ambiguity among %v", err, tt.candidates)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("err %v, want %v", err, tt.wantErr)
				}
			case err != nil:
				t.Errorf("err %v", err)
			}
		})
	}
}

func TestReachMatrix(t *testing.T) {
	s := model.NewStore().Apply(append(meshPair(), intentions(true, intention("app", "redis", model.ActionDeny)))...)
	m := s.ReachMatrix()
	if !slices.Equal(m.Services, []string{"app", "redis"}) || len(m.Cells) != 2 {
		t.Fatalf("matrix %+v", m)
	}
	c, ok := m.Cell("app", "redis")
	if !ok || c.Verdict != model.VerdictBlocked || !slices.Equal(c.Via, []string{model.PathMesh}) {
		t.Errorf("app → redis %+v", c)
	}
	c, ok = m.Cell("redis", "app")
	if !ok || c.From != "redis" || c.To != "app" {
		t.Errorf("redis → app %+v", c)
	}
}
