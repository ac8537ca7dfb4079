package reach_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/fixture"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/reach"
)

// pathsOf summarises paths as "kind verdict address" lines, sorted.
func pathsOf(r reach.Result) []string {
	var out []string
	for _, p := range r.Paths {
		out = append(out, p.Kind+" "+string(p.Verdict)+" "+p.Address)
	}
	slices.Sort(out)
	return out
}

func TestReachRules(t *testing.T) {
	tests := []struct {
		name      string
		changes   []model.Change
		from, to  string
		want      reach.Verdict
		wantPaths []string
		wantCodes []string
	}{
		{
			name: "tasks of one bridge allocation share localhost",
			changes: []model.Change{
				fixture.Alloc("a1", "same").Bridge("172.26.64.2").Port("redis", "10.0.0.1", 25000, 6379, false).
					Svc("cache", "nomad", "redis").RawTask("redis").RawTask("app").Change(),
			},
			from: "a1", to: "cache", want: reach.VerdictReachable,
			wantPaths: []string{"same-namespace reachable 127.0.0.1:6379"},
		},
		{
			name: "host-mode port: anyone who routes to the node, flagged",
			changes: []model.Change{
				fixture.Node("n1", "one"), fixture.Node("n2", "two"),
				fixture.Alloc("h1", "redis").Port("redis", "10.0.0.1", 25000, 0, false).Svc("redis-host", "nomad", "redis").RawTask("redis").Change(),
				fixture.Alloc("c1", "client").Node("n2").Bridge("172.26.64.9").RawTask("app").Change(),
			},
			from: "client/g", to: "redis-host", want: reach.VerdictReachable,
			wantPaths: []string{"host-port reachable 10.0.0.1:25000"},
			wantCodes: []string{model.CodeHostNetworkOpen},
		},
		{
			name: "bridge peer on the same node reaches the namespace IP and the mapped port",
			changes: []model.Change{
				fixture.Node("n1", "one"),
				fixture.Alloc("r1", "redis").Bridge("172.26.64.3").Port("redis", "10.0.0.1", 25000, 6379, false).Svc("redis", "nomad", "redis").RawTask("redis").Change(),
				fixture.Alloc("c1", "client").Bridge("172.26.64.9").RawTask("app").Change(),
			},
			from: "client/g", to: "redis", want: reach.VerdictReachable,
			wantPaths: []string{"host-port reachable 10.0.0.1:25000", "namespace-ip reachable 172.26.64.3:6379"},
		},
		{
			name: "namespace IP is not routed from another node, the mapped port is",
			changes: []model.Change{
				fixture.Node("n1", "one"), fixture.Node("n2", "two"),
				fixture.Alloc("r1", "redis").Bridge("172.26.64.3").Port("redis", "10.0.0.1", 25000, 6379, false).Svc("redis", "nomad", "redis").RawTask("redis").Change(),
				fixture.Alloc("c1", "client").Node("n2").Bridge("172.26.64.9").RawTask("app").Change(),
			},
			from: "client/g", to: "redis", want: reach.VerdictReachable,
			wantPaths: []string{"host-port reachable 10.0.0.1:25000", "namespace-ip unreachable 172.26.64.3:6379"},
		},
		{
			name: "unmapped port from another node: unreachable",
			changes: []model.Change{
				fixture.Node("n1", "one"), fixture.Node("n2", "two"),
				fixture.Alloc("r1", "redis").Bridge("172.26.64.3").Svc("redis", "nomad", "6379").RawTask("redis").Change(),
				fixture.Alloc("c1", "client").Node("n2").Bridge("172.26.64.9").RawTask("app").Change(),
			},
			from: "client/g", to: "redis", want: reach.VerdictUnreachable,
			wantPaths: []string{"namespace-ip unreachable 172.26.64.3:6379"},
		},
		{
			name: "unmapped port from a same-node peer depends on the bind address",
			changes: []model.Change{
				fixture.Node("n1", "one"),
				fixture.Alloc("r1", "redis").Bridge("172.26.64.3").Svc("redis", "nomad", "6379").RawTask("redis").Change(),
				fixture.Alloc("c1", "client").Bridge("172.26.64.9").RawTask("app").Change(),
			},
			from: "client/g", to: "redis", want: reach.VerdictUnknown,
			wantPaths: []string{"namespace-ip unknown 172.26.64.3:6379"},
		},
		{
			name: "loopback host port is not reachable from a bridge namespace",
			changes: []model.Change{
				fixture.Node("n1", "one"),
				fixture.Alloc("h1", "redis").Port("redis", "127.0.0.1", 25000, 0, false).Svc("redis", "nomad", "redis").RawTask("redis").Change(),
				fixture.Alloc("c1", "client").Bridge("172.26.64.9").RawTask("app").Change(),
			},
			from: "client/g", to: "redis", want: reach.VerdictUnreachable,
			wantPaths: []string{"host-port unreachable 127.0.0.1:25000"},
		},
		{
			name:    "mesh: intentions not known before Consul answers",
			changes: fixture.MeshPair(),
			from:    "app", to: "redis", want: reach.VerdictUnknown,
			wantPaths: []string{"mesh unknown 127.0.0.1:6379", "namespace-ip unknown 172.26.64.3:6379"},
		},
		{
			name: "host network: outside clients only if they are on that network",
			changes: []model.Change{
				fixture.Node("n1", "one"),
				fixture.Alloc("h1", "admin").Bridge("172.26.64.3").Svc("admin", "nomad", "http").RawTask("admin").Change(),
				model.UpsertAllocation{Alloc: func() *model.Allocation {
					a := fixture.Alloc("h1", "admin").Bridge("172.26.64.3").Svc("admin", "nomad", "http").RawTask("admin").Build()
					a.Ports = []model.Port{{Label: "http", HostIP: "192.168.1.5", Value: 23000, To: 8080, HostNetwork: "private"}}
					return a
				}()},
			},
			from: "external", to: "admin", want: reach.VerdictUnknown,
			wantPaths: []string{"host-port unknown 192.168.1.5:23000", "namespace-ip unreachable 172.26.64.3:8080"},
		},
		{
			name: "CNI network: routing outside the model",
			changes: []model.Change{
				fixture.Node("n1", "one"),
				fixture.Alloc("c1", "cni").Mode("cni/overlay", "10.99.0.4").Svc("overlay", "nomad", "9000").RawTask("app").Change(),
			},
			from: "host", to: "overlay", want: reach.VerdictUnknown,
			wantPaths: []string{"namespace-ip unknown 10.99.0.4:9000"},
		},
		{
			name: "host mode: tasks of one allocation meet on the host address",
			changes: []model.Change{
				fixture.Alloc("h1", "pair").Port("redis", "10.0.0.1", 25000, 0, false).Svc("pair-redis", "nomad", "redis").RawTask("redis").RawTask("app").Change(),
			},
			from: "h1", to: "pair-redis", want: reach.VerdictReachable,
			wantPaths: []string{"same-namespace reachable 10.0.0.1:25000"},
		},
		{
			name: "a port on every address is dialled on the node's address",
			changes: []model.Change{
				fixture.Node("n1", "one"),
				fixture.Alloc("r1", "redis").Bridge("172.26.64.3").Port("redis", "", 25000, 6379, false).Svc("redis", "nomad", "redis").RawTask("redis").Change(),
			},
			from: "host", to: "redis", want: reach.VerdictReachable,
			wantPaths: []string{"host-port reachable 10.0.0.1:25000", "namespace-ip reachable 172.26.64.3:6379"},
		},
		{
			name: "mesh: an upstream to a service without a sidecar leads nowhere",
			changes: []model.Change{
				fixture.Node("n1", "one"), fixture.Node("n2", "two"),
				fixture.Alloc("app1", "mesh").Group("app").Node("n2").Bridge("172.26.64.2").MeshSvc("app", "8080", fixture.Upstream("plain", 1234)).RawTask("app").Change(),
				fixture.Alloc("p1", "plain").Bridge("172.26.64.3").Svc("plain", "consul", "8080").RawTask("plain").Change(),
				fixture.Intentions(true, fixture.Intention("app", "plain", model.ActionAllow)),
			},
			from: "app", to: "plain", want: reach.VerdictUnreachable,
			wantPaths: []string{"mesh unreachable 127.0.0.1:1234", "namespace-ip unreachable 172.26.64.3:8080"},
		},
		{
			name:    "mesh: upstream and allow intention",
			changes: append(fixture.MeshPair(), fixture.Intentions(true, fixture.Intention("app", "redis", model.ActionAllow))),
			from:    "app", to: "redis", want: reach.VerdictReachable,
			wantPaths: []string{"mesh reachable 127.0.0.1:6379", "namespace-ip unknown 172.26.64.3:6379"},
		},
		{
			name:    "mesh: deny intention blocks, flagged",
			changes: append(fixture.MeshPair(), fixture.Intentions(true, fixture.Intention("app", "redis", model.ActionDeny))),
			from:    "app", to: "redis", want: reach.VerdictBlocked,
			wantPaths: []string{"mesh blocked 127.0.0.1:6379", "namespace-ip unknown 172.26.64.3:6379"},
			wantCodes: []string{model.CodeBridgePeerBypass, model.CodeIntentionDeniesUpstream},
		},
		{
			name:    "mesh: default deny with no intention blocks",
			changes: append(fixture.MeshPair(), fixture.Intentions(false, fixture.Intention("web", "db", model.ActionAllow))),
			from:    "app", to: "redis", want: reach.VerdictBlocked,
			wantPaths: []string{"mesh blocked 127.0.0.1:6379", "namespace-ip unknown 172.26.64.3:6379"},
			wantCodes: []string{model.CodeBridgePeerBypass, model.CodeIntentionDeniesUpstream},
		},
		{
			name: "mesh: allowed but no upstream means no mesh path",
			changes: []model.Change{
				fixture.Node("n1", "one"), fixture.Node("n2", "two"),
				fixture.Alloc("app1", "mesh").Group("app").Node("n2").Bridge("172.26.64.2").MeshSvc("app", "8080").RawTask("app").Change(),
				fixture.Alloc("redis1", "mesh").Group("redis").Bridge("172.26.64.3").MeshSvc("redis", "6379").RawTask("redis").Change(),
				fixture.Intentions(true),
			},
			from: "app", to: "redis", want: reach.VerdictUnreachable,
			wantPaths: []string{"mesh unreachable ", "namespace-ip unreachable 172.26.64.3:6379"},
		},
		{
			name: "mesh: a mapped app port bypasses the intentions",
			changes: []model.Change{
				fixture.Node("n1", "one"), fixture.Node("n2", "two"),
				fixture.Alloc("app1", "mesh").Group("app").Node("n2").Bridge("172.26.64.2").MeshSvc("app", "8080", fixture.Upstream("redis", 6379)).RawTask("app").Change(),
				fixture.Alloc("redis1", "mesh").Group("redis").Bridge("172.26.64.3").Port("db", "10.0.0.1", 26379, 6379, true).MeshSvc("redis", "6379").RawTask("redis").Change(),
				fixture.Intentions(true, fixture.Intention("app", "redis", model.ActionDeny)),
			},
			from: "external", to: "redis", want: reach.VerdictReachable,
			wantPaths: []string{"host-port reachable 10.0.0.1:26379", "namespace-ip unreachable 172.26.64.3:6379"},
			wantCodes: []string{model.CodeMeshBypass},
		},
		{
			name: "discovery follows the exposure of the address the registry gives",
			changes: []model.Change{
				fixture.Node("n1", "one"),
				fixture.Alloc("r1", "redis").Bridge("172.26.64.3").Port("redis", "10.0.0.1", 20000, 6379, false).Svc("redis-native", "nomad", "redis").RawTask("redis").Change(),
				fixture.UpsertService("nomad", "s1", "redis-native", "r1", "passing"),
				fixture.Alloc("c1", "client").Bridge("172.26.64.9").RawTask("app", model.Ref{Kind: model.RefNomadService, Target: "redis-native", Source: "template:local/x"}).Change(),
			},
			from: "client/g", to: "redis-native", want: reach.VerdictReachable,
			wantPaths: []string{"discovery reachable 10.0.0.1:20000", "host-port reachable 10.0.0.1:20000", "namespace-ip reachable 172.26.64.3:6379"},
		},
		{
			name: "discovery across Nomad namespaces finds nothing",
			changes: []model.Change{
				fixture.Node("n1", "one"), fixture.Node("n2", "two"),
				fixture.Alloc("r1", "redis").NS("prod").Bridge("172.26.64.3").Svc("redis-native", "nomad", "6379").RawTask("redis").Change(),
				model.UpsertService{Service: &model.Service{ID: "s1", Name: "redis-native", Provider: "nomad", Namespace: "prod", AllocID: "r1", Address: "10.0.0.1", Port: 20000}},
				fixture.Alloc("c1", "client").Node("n2").Bridge("172.26.64.9").RawTask("app", model.Ref{Kind: model.RefNomadService, Target: "redis-native", Source: "template:local/x"}).Change(),
			},
			from: "client/g", to: "redis-native", want: reach.VerdictUnreachable,
			wantPaths: []string{"discovery unreachable 10.0.0.1:20000", "namespace-ip unreachable 172.26.64.3:6379"},
		},
		{
			name: "ingress: outside traffic through the router's static port",
			changes: []model.Change{
				fixture.Node("n1", "one"),
				fixture.Alloc("i1", "ingress").JobType("system").Port("http", "10.0.0.1", 18080, 0, true).Svc("ingress", "nomad", "http").RawTask("router").Change(),
				fixture.Alloc("w1", "web").Bridge("172.26.64.4").Port("http", "10.0.0.1", 23000, 8080, false).Svc("web", "nomad", "http", "traefik.http.routers.web.rule=Host(`web.test`)").RawTask("web").Change(),
				fixture.UpsertService("nomad", "w", "web", "w1", "passing", "traefik.http.routers.web.rule=Host(`web.test`)"),
			},
			from: "external", to: "web", want: reach.VerdictReachable,
			wantPaths: []string{"host-port reachable 10.0.0.1:23000", "ingress reachable 10.0.0.1:18080", "namespace-ip unreachable 172.26.64.4:8080"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := model.NewStore().Apply(tt.changes...)
			r, err := reach.Between(s, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			if r.Verdict != tt.want {
				t.Errorf("verdict %s, want %s (%s)", r.Verdict, tt.want, r.Reason)
			}
			if got := pathsOf(r); !slices.Equal(got, tt.wantPaths) {
				t.Errorf("paths\n got %q\nwant %q", got, tt.wantPaths)
			}
			if got := fixture.Codes(r.Warnings); !slices.Equal(got, tt.wantCodes) {
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
	s := model.NewStore().Apply(append(fixture.MeshPair(), fixture.Intentions(true, fixture.Intention("app", "redis", model.ActionDeny)))...)
	r, err := reach.Between(s, "app", "redis")
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
	want := []string{reach.HopTask, reach.HopListener, reach.HopSidecar, reach.HopIntention, reach.HopSidecar, reach.HopTask, reach.HopService}
	if !slices.Equal(kinds, want) || blocked != reach.HopIntention {
		t.Errorf("hops %v (blocked at %q), want %v blocked at the intention", kinds, blocked, want)
	}
}

func TestReachResolve(t *testing.T) {
	s := model.NewStore().Apply(
		fixture.Alloc("aaaa1111", "web").Svc("web", "nomad", "").Change(),
		fixture.Alloc("aaaa2222", "web").NS("prod").Svc("web", "nomad", "").Change(),
		fixture.Alloc("bbbb1111", "api").Group("api").Change(),
		fixture.Alloc("cccc1111", "old").Status("complete").Change(),
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
		{in: "nothing", wantErr: reach.ErrNoMatch},
		{in: "cccc", wantErr: reach.ErrNoMatch},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := reach.Between(s, "host", tt.in)
			var amb *reach.AmbiguousError
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
	s := model.NewStore().Apply(append(fixture.MeshPair(), fixture.Intentions(true, fixture.Intention("app", "redis", model.ActionDeny)))...)
	m := reach.MatrixOf(s, reach.Window{})
	if !slices.Equal(m.Services, []string{"app", "redis"}) || len(m.Cells) != 2 {
		t.Fatalf("matrix %+v", m)
	}
	c, ok := m.Cell("app", "redis")
	if !ok || c.Verdict != reach.VerdictBlocked || !slices.Equal(c.Via, []string{reach.PathMesh}) {
		t.Errorf("app → redis %+v", c)
	}
	c, ok = m.Cell("redis", "app")
	if !ok || c.From != "redis" || c.To != "app" {
		t.Errorf("redis → app %+v", c)
	}
}

// A matrix is computed one window at a time, so its cost is bounded
// whatever the number of services.
func TestMatrixWindow(t *testing.T) {
	var changes []model.Change
	for i := range 30 {
		name := fmt.Sprintf("svc%02d", i)
		changes = append(changes, fixture.Alloc("a"+name, name).Port("http", "10.0.0.1", 20000+i, 0, false).
			Svc(name, model.ProviderNomad, "http").Upsert())
	}
	s := model.NewStore().Apply(changes...)
	m := reach.MatrixOf(s, reach.Window{})
	n := reach.MaxMatrixSize
	if len(m.Services) != 30 || len(m.Rows) != n || len(m.Cols) != n || len(m.Cells) != n*(n-1) {
		t.Fatalf("%d services, %d×%d window, %d cells", len(m.Services), len(m.Rows), len(m.Cols), len(m.Cells))
	}
	last := reach.MatrixOf(s, reach.Window{Row: 25, Col: 20, Size: 10})
	if len(last.Rows) != 5 || len(last.Cols) != 10 || last.Rows[0] != "svc25" || last.Cols[0] != "svc20" {
		t.Fatalf("window rows %v cols %v", last.Rows, last.Cols)
	}
	if _, ok := last.Cell("svc27", "svc21"); !ok {
		t.Error("cell svc27 → svc21 missing from its window")
	}
	if _, ok := last.Cell("svc01", "svc21"); ok {
		t.Error("a cell outside the window answered")
	}
	if c, ok := last.Cell("svc25", "svc25"); ok {
		t.Errorf("a service with itself: %+v", c)
	}
}
