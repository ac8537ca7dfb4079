//go:build integration

package collector_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"testing"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/netviz/netviz/collector/consul"
	"github.com/netviz/netviz/collector/model"
)

// Helpers of the Consul source tests: reads, waits and fixtures.

// consulSync is what a fresh ConsulSource reads in one Sync.
func consulSync(t *testing.T, client *consulapi.Client) *model.Snapshot {
	t.Helper()
	store := model.NewStore()
	if err := consul.NewSource(client, store, slog.New(slog.DiscardHandler)).Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	return store.Snapshot()
}

func wantConsulState(s *model.Snapshot, state string) error {
	if st := s.Status().Consul; st.State != state {
		return fmt.Errorf("consul status %+v, want %s", st, state)
	}
	return nil
}

func wantConsulInstances(s *model.Snapshot, names ...string) error {
	for _, n := range names {
		if consulInstance(s, n) == nil {
			return fmt.Errorf("no consul instance of %s", n)
		}
	}
	return nil
}

// consulInstance returns the first Consul instance of a service, or nil.
func consulInstance(s *model.Snapshot, name string) *model.Service {
	for _, svc := range s.ServicesNamed(name) {
		if svc.Provider == model.ProviderConsul {
			return svc
		}
	}
	return nil
}

// consulInstanceIDs lists the IDs of the Consul instances, sorted.
func consulInstanceIDs(s *model.Snapshot) []string {
	var ids []string
	for _, svc := range s.Services() {
		if svc.Provider == model.ProviderConsul {
			ids = append(ids, svc.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// intentionsByPair keys the model's intentions by "source>destination".
func intentionsByPair(s *model.Snapshot) map[string]model.Intention {
	out := map[string]model.Intention{}
	for _, in := range s.Intentions() {
		out[in.Source+">"+in.Destination] = in
	}
	return out
}

// registerConsulFixtures registers what Nomad would for a group service
// "api" with a Connect sidecar and an upstream to db, on a node of its own
// through the catalog API (registered on the local agent, Nomad's own sync
// would remove these _nomad-task- IDs it does not know), plus a plain "db"
// with a TTL check on the local agent. They are removed when t ends.
func registerConsulFixtures(t *testing.T, client *consulapi.Client) {
	t.Helper()
	apiID := "_nomad-task-" + apiAllocID + "-group-api-api-http"
	for _, svc := range []*consulapi.AgentService{
		{ID: apiID, Service: "api", Port: 8080, Tags: []string{"v1"}},
		{
			Kind: consulapi.ServiceKindConnectProxy, ID: apiID + "-sidecar-proxy", Service: "api-sidecar-proxy", Port: 21000,
			Proxy: &consulapi.AgentServiceConnectProxyConfig{
				DestinationServiceName: "api", DestinationServiceID: apiID, LocalServicePort: 8080,
				Upstreams: []consulapi.Upstream{{DestinationName: "db", LocalBindAddress: "127.0.0.1", LocalBindPort: 15432}},
			},
		},
	} {
		if _, err := client.Catalog().Register(&consulapi.CatalogRegistration{
			Node: "fake-client", Address: "10.88.0.1", Service: svc,
		}, nil); err != nil {
			t.Fatalf("register %s: %v", svc.Service, err)
		}
	}
	t.Cleanup(func() { _, _ = client.Catalog().Deregister(&consulapi.CatalogDeregistration{Node: "fake-client"}, nil) })
	if err := client.Agent().ServiceRegister(&consulapi.AgentServiceRegistration{
		ID: "db-1", Name: "db", Port: 5432, Address: "127.0.0.2",
		Check: &consulapi.AgentServiceCheck{CheckID: "db-ttl", TTL: "10m", Status: consulapi.HealthPassing},
	}); err != nil {
		t.Fatalf("register db: %v", err)
	}
	t.Cleanup(func() { _ = client.Agent().ServiceDeregister("db-1") })
}

// writeConsulIntentions writes intentions of every precedence class the
// model distinguishes, and an L7 one (which needs an HTTP destination).
// They are deleted when t ends.
func writeConsulIntentions(t *testing.T, client *consulapi.Client) {
	t.Helper()
	entries := []consulapi.ConfigEntry{
		&consulapi.ServiceConfigEntry{Kind: consulapi.ServiceDefaults, Name: "shop", Protocol: "http"},
		&consulapi.ServiceIntentionsConfigEntry{Kind: consulapi.ServiceIntentions, Name: "db", Sources: []*consulapi.SourceIntention{
			{Name: "api", Action: consulapi.IntentionActionAllow},
			{Name: "*", Action: consulapi.IntentionActionDeny},
		}},
		&consulapi.ServiceIntentionsConfigEntry{Kind: consulapi.ServiceIntentions, Name: "*", Sources: []*consulapi.SourceIntention{
			{Name: "batch", Action: consulapi.IntentionActionDeny},
		}},
		&consulapi.ServiceIntentionsConfigEntry{Kind: consulapi.ServiceIntentions, Name: "shop", Sources: []*consulapi.SourceIntention{
			{Name: "api", Permissions: []*consulapi.IntentionPermission{
				{Action: consulapi.IntentionActionAllow, HTTP: &consulapi.IntentionHTTPPermission{PathPrefix: "/cart"}},
			}},
		}},
	}
	for _, e := range entries {
		if _, _, err := client.ConfigEntries().Set(e, nil); err != nil {
			t.Fatalf("write %s %s: %v", e.GetKind(), e.GetName(), err)
		}
	}
	// Cleanups run last-registered first: the intentions go before the
	// service-defaults their L7 rules need.
	for _, e := range entries {
		t.Cleanup(func() { _, _ = client.ConfigEntries().Delete(e.GetKind(), e.GetName(), nil) })
	}
}
