//go:build integration

package collector_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/devcluster"
)

// TestModelMatchesCluster checks, scenario by scenario, that the model holds
// exactly what Nomad and Consul say.
func TestModelMatchesCluster(t *testing.T) {
	c := examplesCluster(t)
	store := runCollector(t, c)
	ctx := context.Background()
	// Wait until every running allocation is in with its namespace IP.
	want := runningAllocs(t, c)
	snap, took := waitModel(t, store, "every running allocation", func(s *model.Snapshot) error {
		for _, a := range want {
			m := s.Allocation(a.ID)
			if m == nil {
				return fmt.Errorf("allocation %s missing", a.ID)
			}
			if a.NetworkStatus != nil && a.NetworkStatus.Address != "" && m.Network.IP != a.NetworkStatus.Address {
				return fmt.Errorf("allocation %s IP %q, want %q", a.ID, m.Network.IP, a.NetworkStatus.Address)
			}
		}
		if s.Status().Consul.State != model.StateConnected || len(s.Intentions()) == 0 {
			return fmt.Errorf("consul %s, %d intentions", s.Status().Consul.State, len(s.Intentions()))
		}
		return nil
	})
	t.Logf("first complete picture after %s", took)

	t.Run("allocations, namespaces and ports", func(t *testing.T) {
		if got := len(snap.Allocations()); got != len(want) {
			t.Errorf("model has %d allocations, Nomad runs %d", got, len(want))
		}
		for _, a := range want {
			m := snap.Allocation(a.ID)
			mode := a.AllocatedResources.Shared.Networks[0].Mode
			if mode == "" {
				mode = "host"
			}
			if m.Network.Mode != mode || m.JobID != a.JobID || m.TaskGroup != a.TaskGroup || m.NodeID != a.NodeID {
				t.Errorf("%s/%s: model %+v, nomad mode %s", a.JobID, a.TaskGroup, m.Network, mode)
			}
			var ports []string
			for _, p := range a.AllocatedResources.Shared.Ports {
				ports = append(ports, fmt.Sprintf("%s %s:%d→%d", p.Label, p.HostIP, p.Value, p.To))
			}
			var got []string
			for _, p := range m.Ports {
				got = append(got, fmt.Sprintf("%s %s:%d→%d", p.Label, p.HostIP, p.Value, p.To))
			}
			slices.Sort(ports)
			slices.Sort(got)
			if !slices.Equal(got, ports) {
				t.Errorf("%s/%s ports: model %v, nomad %v", a.JobID, a.TaskGroup, got, ports)
			}
		}
		static := findAlloc(t, snap, "redis-exposed", "static")
		if p := port(t, static, "redis"); !p.Static || p.Value != 26379 || p.To != 6379 {
			t.Errorf("static port = %+v, want static 26379 → 6379", p)
		}
		dyn := findAlloc(t, snap, "redis-exposed", "dynamic")
		if p := port(t, dyn, "redis"); p.Static || p.To != 6379 || p.Value < 20000 {
			t.Errorf("dynamic port = %+v, want dynamic → 6379", p)
		}
		host := findAlloc(t, snap, "redis-exposed", "host")
		if host.Network.Mode != model.ModeHost || host.Network.IP != c.Bridge.Gateway {
			t.Errorf("host-mode network = %+v, want host on %s", host.Network, c.Bridge.Gateway)
		}
		ingress := findAlloc(t, snap, "ingress", "ingress")
		if p := port(t, ingress, "http"); !p.Static || p.Value != 18080 {
			t.Errorf("ingress http port = %+v, want static 18080", p)
		}
	})

	t.Run("nomad services", func(t *testing.T) {
		regs := nomadServices(t, c)
		for _, r := range regs {
			found := false
			for _, s := range snap.ServicesNamed(r.ServiceName) {
				if s.Provider == model.ProviderNomad && s.ID == r.ID {
					found = true
					if s.Address != r.Address || s.Port != r.Port || s.AllocID != r.AllocID {
						t.Errorf("service %s: model %s:%d alloc %s, nomad %s:%d alloc %s", r.ServiceName, s.Address, s.Port, s.AllocID, r.Address, r.Port, r.AllocID)
					}
				}
			}
			if !found {
				t.Errorf("nomad service %s (%s) missing from the model", r.ServiceName, r.ID)
			}
		}
	})

	t.Run("consul services and connect", func(t *testing.T) {
		for _, name := range []string{"redis-consul", "app-consul", "app", "redis", "app-sidecar-proxy", "redis-sidecar-proxy"} {
			cat, _, err := c.Consul().Catalog().Service(name, "", (&consulapi.QueryOptions{}).WithContext(ctx))
			if err != nil {
				t.Fatal(err)
			}
			var got []*model.Service
			for _, s := range snap.ServicesNamed(name) {
				if s.Provider == model.ProviderConsul {
					got = append(got, s)
				}
			}
			if len(got) != len(cat) || len(cat) == 0 {
				t.Errorf("consul %s: model %d instances, catalog %d", name, len(got), len(cat))
				continue
			}
			for _, cs := range cat {
				// Consul service IDs are unique per node only; the model qualifies them.
				idx := slices.IndexFunc(got, func(s *model.Service) bool { return s.ID == cs.Node+"/"+cs.ServiceID })
				if idx < 0 {
					t.Errorf("consul %s: instance %s missing", name, cs.ServiceID)
					continue
				}
				if got[idx].Port != cs.ServicePort {
					t.Errorf("consul %s: port %d, catalog %d", name, got[idx].Port, cs.ServicePort)
				}
			}
		}
		for _, s := range snap.ServicesNamed("app-sidecar-proxy") {
			if s.Connect == nil || s.Connect.DestinationService != "app" || len(s.Connect.Upstreams) != 1 ||
				s.Connect.Upstreams[0].DestinationName != "redis" || s.Connect.Upstreams[0].LocalBindPort != 6379 {
				t.Errorf("app sidecar connect = %+v", s.Connect)
			}
		}
		app := findAlloc(t, snap, "mesh", "app")
		if !hasTask(app, "connect-proxy-app") {
			t.Errorf("mesh app tasks %+v lack the sidecar", app.Tasks)
		}
	})

	t.Run("intention", func(t *testing.T) {
		if action, m := snap.IntentionFor("app", "redis"); action != model.ActionAllow || m == nil {
			t.Errorf("IntentionFor(app, redis) = %s, %+v; want an explicit allow", action, m)
		}
	})

	t.Run("edges", func(t *testing.T) {
		same := findAlloc(t, snap, "same-group", "cache-and-app")
		assertEdge(t, snap, model.EdgeSameNamespace, model.TaskKey(same.ID, "app"), "", "NOMAD_ADDR_redis")
		dn := findAlloc(t, snap, "discovery-nomad", "app")
		assertEdge(t, snap, model.EdgeDiscovery, model.TaskKey(dn.ID, "app"), model.ServiceKey("redis-native"), `nomadService "redis-native"`)
		dc := findAlloc(t, snap, "discovery-consul", "app")
		assertEdge(t, snap, model.EdgeDiscovery, model.TaskKey(dc.ID, "app"), model.ServiceKey("redis-consul"), `service "redis-consul"`)
		mesh := findAlloc(t, snap, "mesh", "app")
		e := assertEdge(t, snap, model.EdgeUpstream, model.AllocKey(mesh.ID), model.ServiceKey("redis"), "6379")
		if e != nil && e.Intention != model.ActionAllow {
			t.Errorf("upstream intention = %q, want allow", e.Intention)
		}
		assertEdge(t, snap, model.EdgeIngress, model.ServiceKey("ingress"), model.ServiceKey("web"), "web.netviz.test")
	})
}

// runningAllocs reads every running allocation in full (with NetworkStatus).
func runningAllocs(t *testing.T, c *devcluster.Cluster) []*nomadapi.Allocation {
	t.Helper()
	q := &nomadapi.QueryOptions{Namespace: "*"}
	stubs, _, err := c.Nomad().Allocations().List(q)
	if err != nil {
		t.Fatal(err)
	}
	var out []*nomadapi.Allocation
	for _, s := range stubs {
		if s.ClientStatus != "running" && s.ClientStatus != "pending" {
			continue
		}
		a, _, err := c.Nomad().Allocations().Info(s.ID, &nomadapi.QueryOptions{Namespace: s.Namespace})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func nomadServices(t *testing.T, c *devcluster.Cluster) []*nomadapi.ServiceRegistration {
	t.Helper()
	lists, _, err := c.Nomad().Services().List(&nomadapi.QueryOptions{Namespace: "*"})
	if err != nil {
		t.Fatal(err)
	}
	var out []*nomadapi.ServiceRegistration
	for _, l := range lists {
		for _, s := range l.Services {
			regs, _, err := c.Nomad().Services().Get(s.ServiceName, &nomadapi.QueryOptions{Namespace: l.Namespace})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, regs...)
		}
	}
	return out
}

func findAlloc(t *testing.T, s *model.Snapshot, job, group string) *model.Allocation {
	t.Helper()
	for _, a := range s.Allocations() {
		if a.JobID == job && a.TaskGroup == group {
			return a
		}
	}
	t.Fatalf("no allocation of %s/%s in the model", job, group)
	return nil
}

func port(t *testing.T, a *model.Allocation, label string) model.Port {
	t.Helper()
	for _, p := range a.Ports {
		if p.Label == label {
			return p
		}
	}
	t.Fatalf("allocation %s has no port %q: %+v", a.ID, label, a.Ports)
	return model.Port{}
}

func hasTask(a *model.Allocation, name string) bool {
	return slices.ContainsFunc(a.Tasks, func(t model.Task) bool { return t.Name == name })
}

// assertEdge finds an edge of kind from → to (to "" matches any) whose label
// contains label.
func assertEdge(t *testing.T, s *model.Snapshot, kind model.EdgeKind, from, to, label string) *model.Edge {
	t.Helper()
	for _, e := range s.Edges() {
		if e.Kind == kind && e.From == from && (to == "" || e.To == to) && strings.Contains(e.Label, label) {
			return &e
		}
	}
	t.Errorf("no %s edge %s → %s labelled %q; edges from it: %+v", kind, from, to, label, s.EdgesFrom(from))
	return nil
}
