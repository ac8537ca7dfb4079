//go:build integration

package collector_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"testing"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
	"github.com/netviz/netviz/collector/consul"
	"github.com/netviz/netviz/collector/model"
)

// apiAllocID is the allocation ID the hand-made "api" registration claims.
const apiAllocID = "5d4a3c2b-1a09-4f8e-b7d6-c5b4a3928170"

// TestConsulSource runs a ConsulSource alone against the shared cluster's
// real Consul and checks that the model follows registrations, checks,
// intentions and Consul's own outage.
func TestConsulSource(t *testing.T) {
	c := examplesCluster(t)
	ctx := context.Background()
	client := c.Consul()
	store := runConsulSource(t, client, c.ConsulAddr)

	t.Run("connected", func(t *testing.T) {
		snap, _ := waitModel(t, store, "consul connected", func(s *model.Snapshot) error {
			return wantConsulState(s, model.StateConnected)
		})
		if got := snap.Status().Consul.Address; got != c.ConsulAddr {
			t.Errorf("status address = %q, want %q", got, c.ConsulAddr)
		}
	})

	// Fixtures live as long as the whole test (subtests build on each other).
	top := t
	t.Run("instances, allocations and sidecar upstreams", func(t *testing.T) {
		registerConsulFixtures(top, client)
		snap, _ := waitModel(t, store, "api, its sidecar and db", func(s *model.Snapshot) error {
			return wantConsulInstances(s, "api", "api-sidecar-proxy", "db")
		})
		api := consulInstance(snap, "api")
		if api.AllocID != apiAllocID || api.PortLabel != "http" || api.Task != "" || api.Port != 8080 {
			t.Errorf("api = %+v, want alloc %s, label http, group-level, port 8080", api, apiAllocID)
		}
		if api.Address != "10.88.0.1" || api.NodeID != "fake-client" || strings.Join(api.Tags, ",") != "v1" {
			t.Errorf("api = %+v, want the node's address 10.88.0.1 on node fake-client with tag v1", api)
		}
		proxy := consulInstance(snap, "api-sidecar-proxy")
		want := model.Upstream{DestinationName: "db", LocalBindAddress: "127.0.0.1", LocalBindPort: 15432}
		if pc := proxy.Connect; pc == nil || pc.Kind != model.ConnectSidecar || pc.DestinationService != "api" ||
			pc.LocalServicePort != 8080 || len(pc.Upstreams) != 1 || pc.Upstreams[0] != want {
			t.Errorf("sidecar connect = %+v, want a sidecar of api:8080 with upstream %+v", pc, want)
		}
		if proxy.AllocID != apiAllocID {
			t.Errorf("sidecar alloc = %q, want %q", proxy.AllocID, apiAllocID)
		}
		if db := consulInstance(snap, "db"); db.Address != "127.0.0.2" || db.AllocID != "" || db.Connect != nil {
			t.Errorf("db = %+v, want its own address 127.0.0.2, no allocation, no Connect", db)
		}
	})

	t.Run("a Nomad Connect job ties instances to its allocations", func(t *testing.T) {
		names := []string{"app", "app-sidecar-proxy", "redis", "redis-sidecar-proxy"}
		snap, _ := waitModel(t, store, "the mesh job's registrations", func(s *model.Snapshot) error {
			return wantConsulInstances(s, names...)
		})
		stubs, _, err := c.Nomad().Jobs().Allocations("mesh", false, (&nomadapi.QueryOptions{}).WithContext(ctx))
		if err != nil {
			t.Fatal(err)
		}
		groupOf := map[string]string{}
		for _, a := range stubs {
			groupOf[a.ID] = a.TaskGroup
		}
		for _, n := range names {
			svc := consulInstance(snap, n)
			if want := strings.TrimSuffix(n, "-sidecar-proxy"); groupOf[svc.AllocID] != want || svc.Task != "" {
				t.Errorf("%s: alloc %q (group %q), task %q; want an allocation of group %s and no task",
					n, svc.AllocID, groupOf[svc.AllocID], svc.Task, want)
			}
		}
		if app := consulInstance(snap, "app"); app.PortLabel != "8080" {
			t.Errorf("app port label = %q, want 8080 (as the job writes it)", app.PortLabel)
		}
		proxy := consulInstance(snap, "app-sidecar-proxy")
		if pc := proxy.Connect; pc == nil || pc.DestinationService != "app" || len(pc.Upstreams) != 1 ||
			pc.Upstreams[0].DestinationName != "redis" || pc.Upstreams[0].LocalBindPort != 6379 {
			t.Errorf("app sidecar connect = %+v, want upstream redis:6379", proxy.Connect)
		}
		if proxy.PortLabel != "connect-proxy-app" {
			t.Errorf("app sidecar port label = %q, want connect-proxy-app", proxy.PortLabel)
		}
	})

	t.Run("health follows checks", func(t *testing.T) {
		for _, step := range []struct{ status, want string }{
			{consulapi.HealthPassing, model.HealthPassing},
			{consulapi.HealthWarning, model.HealthWarning},
			{consulapi.HealthCritical, model.HealthCritical},
			{consulapi.HealthPassing, model.HealthPassing},
		} {
			if err := client.Agent().UpdateTTL("db-ttl", "", step.status); err != nil {
				t.Fatalf("update TTL: %v", err)
			}
			waitModel(t, store, "db "+step.want, func(s *model.Snapshot) error {
				if db := consulInstance(s, "db"); db == nil || db.Health != step.want {
					return fmt.Errorf("db is %+v", db)
				}
				return nil
			})
		}
	})

	t.Run("intentions and precedence", func(t *testing.T) {
		writeConsulIntentions(top, client)
		want := map[string]model.Intention{
			"api>db":   {Source: "api", Destination: "db", Action: model.ActionAllow, Precedence: 9},
			"*>db":     {Source: "*", Destination: "db", Action: model.ActionDeny, Precedence: 8},
			"batch>*":  {Source: "batch", Destination: "*", Action: model.ActionDeny, Precedence: 6},
			"api>shop": {Source: "api", Destination: "shop", Action: model.ActionAllow, Precedence: 9},
		}
		snap, _ := waitModel(t, store, "the written intentions", func(s *model.Snapshot) error {
			got := intentionsByPair(s)
			for k, w := range want {
				if in, ok := got[k]; !ok || in.Action != w.Action || in.Precedence != w.Precedence {
					return fmt.Errorf("intention %s = %+v, want %+v", k, in, w)
				}
			}
			return nil
		})
		if d := intentionsByPair(snap)["api>shop"].Description; !strings.Contains(d, "L7") {
			t.Errorf("L7 intention description = %q, want a note on its permissions", d)
		}
		if action, _ := snap.IntentionFor("web", "db"); action != model.ActionDeny {
			t.Errorf("web → db = %s, want deny (by * → db)", action)
		}
		allowed, _, err := client.Connect().IntentionCheck(&consulapi.IntentionCheck{Source: "nobody-a", Destination: "nobody-b"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if snap.DefaultAllow() != allowed {
			t.Errorf("DefaultAllow = %v, Consul's own check says %v", snap.DefaultAllow(), allowed)
		}
		if _, err := client.ConfigEntries().Delete(consulapi.ServiceIntentions, "*", nil); err != nil {
			t.Fatal(err)
		}
		waitModel(t, store, "batch → * gone", func(s *model.Snapshot) error {
			if _, ok := intentionsByPair(s)["batch>*"]; ok {
				return fmt.Errorf("batch → * still there")
			}
			return nil
		})
	})

	t.Run("deregistered instances vanish", func(t *testing.T) {
		if err := client.Agent().ServiceDeregister("db-1"); err != nil {
			t.Fatal(err)
		}
		waitModel(t, store, "db gone", func(s *model.Snapshot) error {
			if db := consulInstance(s, "db"); db != nil {
				return fmt.Errorf("db still there: %+v", db)
			}
			return nil
		})
	})

	t.Run("sync reads everything once", func(t *testing.T) {
		snap := consulSync(t, client)
		if err := wantConsulInstances(snap, "api", "app", "redis"); err != nil {
			t.Error(err)
		}
		if _, ok := intentionsByPair(snap)["api>db"]; !ok || snap.Status().Consul.State != model.StateConnected {
			t.Errorf("after Sync: intentions %v, status %+v", intentionsByPair(snap), snap.Status().Consul)
		}
	})

	t.Run("nodes past the watch cap are swept", func(t *testing.T) {
		swept := runConsulSource(t, client, c.ConsulAddr, consul.WithNodeWatches(0))
		waitModel(t, swept, "the agent's own services", func(s *model.Snapshot) error {
			return wantConsulInstances(s, "api", "app", "redis")
		})
		register := func(port int) {
			t.Helper()
			if _, err := client.Catalog().Register(&consulapi.CatalogRegistration{
				Node: "swept-node", Address: "10.99.0.1",
				Service: &consulapi.AgentService{ID: "swept-1", Service: "swept", Port: port},
			}, nil); err != nil {
				t.Fatal(err)
			}
		}
		wantPort := func(port int) func(*model.Snapshot) error {
			return func(s *model.Snapshot) error {
				if svc := consulInstance(s, "swept"); svc == nil || svc.Port != port || svc.Address != "10.99.0.1" {
					return fmt.Errorf("swept is %+v", svc)
				}
				return nil
			}
		}
		register(7001)
		waitModel(t, swept, "a new node's service", wantPort(7001))
		register(7002)
		waitModel(t, swept, "a changed service on a swept node", wantPort(7002))
		if _, err := client.Catalog().Deregister(&consulapi.CatalogDeregistration{Node: "swept-node"}, nil); err != nil {
			t.Fatal(err)
		}
		gone := func(s *model.Snapshot) error {
			if svc := consulInstance(s, "swept"); svc != nil {
				return fmt.Errorf("swept still there: %+v", svc)
			}
			return nil
		}
		waitModel(t, swept, "the node's service gone with it", gone)
		// The main source watched swept-node too; once it has let go, only
		// this subtest's goroutines differ from when it began (leak check).
		waitModel(t, store, "the main source done with swept-node", gone)
	})

	// Last: it takes Consul away for every test sharing the cluster.
	t.Run("consul outage keeps data and resyncs", func(t *testing.T) {
		if err := c.StopConsul(); err != nil {
			t.Fatal(err)
		}
		snap, _ := waitModel(t, store, "consul down", func(s *model.Snapshot) error {
			return wantConsulState(s, model.StateDown)
		})
		if snap.Status().Consul.Error == "" || consulInstance(snap, "api") == nil || len(intentionsByPair(snap)) == 0 {
			t.Errorf("while down: status %+v, api %v, intentions %v; want an error and the last known data",
				snap.Status().Consul, consulInstance(snap, "api"), intentionsByPair(snap))
		}
		if err := c.StartConsul(ctx); err != nil {
			t.Fatal(err)
		}
		if err := client.Agent().ServiceRegister(&consulapi.AgentServiceRegistration{ID: "late-1", Name: "late", Port: 9999}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = client.Agent().ServiceDeregister("late-1") })
		_, took := waitModel(t, store, "connected again with what a fresh read sees", func(s *model.Snapshot) error {
			if err := wantConsulState(s, model.StateConnected); err != nil {
				return err
			}
			if err := wantConsulInstances(s, "late", "api", "app"); err != nil {
				return err
			}
			fresh := consulSync(t, client)
			if got, want := consulInstanceIDs(s), consulInstanceIDs(fresh); !slices.Equal(got, want) {
				return fmt.Errorf("instances %v, a fresh read has %v", got, want)
			}
			return nil
		})
		t.Logf("resynced %s after Consul's restart returned", took)
	})
}

// TestConsulSourceAbsent points the source at a closed port: Sync fails,
// the status says absent, Run keeps retrying and returns nil when cancelled.
func TestConsulSourceAbsent(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cfg := consulapi.DefaultConfig()
	cfg.Address, cfg.Token = addr, "secret-token-never-shown"
	client, err := consulapi.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	synced := model.NewStore()
	if err := consul.NewSource(client, synced, slog.New(slog.DiscardHandler)).Sync(context.Background()); err == nil {
		t.Error("Sync against a closed port returned nil")
	}
	if err := wantConsulState(synced.Snapshot(), model.StateAbsent); err != nil {
		t.Error(err)
	}

	store := runConsulSource(t, client, addr)
	snap, _ := waitModel(t, store, "Run retrying with consul absent", func(s *model.Snapshot) error {
		// syncing, then absent after each failed attempt: it retries.
		if s.Version() < 3 {
			return fmt.Errorf("version %d", s.Version())
		}
		return wantConsulState(s, model.StateAbsent)
	})
	st := snap.Status().Consul
	if st.Address != addr || st.Error == "" || strings.Contains(st.Error, "secret-token") {
		t.Errorf("status = %+v, want address %s and an error without the token", st, addr)
	}
}
