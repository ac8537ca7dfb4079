//go:build integration

package collector_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/devcluster"
)

// liveAllocs is the model's running allocations of the live job.
func liveAllocs(s *model.Snapshot) []*model.Allocation {
	return s.AllocationsOfJob("default", "live")
}

// TestLiveUpdates changes the real cluster and checks the model follows:
// a scale-up, a killed allocation, an intention added and deleted, a job
// stopped. Latencies are logged (docs/perf.md), not asserted.
func TestLiveUpdates(t *testing.T) {
	c := examplesCluster(t)
	store := runCollector(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := c.Run(ctx, "testdata/live.nomad.hcl"); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitHealthy(ctx, "default", "live"); err != nil {
		t.Fatal(err)
	}
	waitModel(t, store, "one live allocation", countLive(1))

	t.Run("scale 1 to 3", func(t *testing.T) {
		count := 3
		if _, _, err := c.Nomad().Jobs().Scale("live", "web", &count, "netviz test", false, nil, nil); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		waitNomad(t, ctx, c, "3 running live allocations", func() error { return runningLive(c, 3) })
		nomadDone := time.Since(start)
		_, took := waitModel(t, store, "three live allocations with IPs", countLive(3))
		t.Logf("model had 3 allocations %s after the API call; Nomad reported them running after %s", took, nomadDone)
	})

	t.Run("kill an allocation", func(t *testing.T) {
		victim := liveAllocs(store.Snapshot())[0].ID
		if _, err := c.Nomad().Allocations().Stop(&nomadapi.Allocation{ID: victim, Namespace: "default"}, nil); err != nil {
			t.Fatal(err)
		}
		_, took := waitModel(t, store, "the killed allocation gone and replaced", func(s *model.Snapshot) error {
			if s.Allocation(victim) != nil {
				return fmt.Errorf("%s still in the model", victim)
			}
			return countLive(3)(s)
		})
		t.Logf("killed allocation left the model and was replaced after %s", took)
	})

	t.Run("nomad-native check health", func(t *testing.T) {
		if _, err := c.Run(ctx, "testdata/unhealthy.nomad.hcl"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Stop(context.Background(), "default", "unhealthy", true) })
		_, took := waitModel(t, store, "the failing check's instance critical", func(s *model.Snapshot) error {
			inst := s.ServicesNamed("unhealthy-web")
			if len(inst) != 1 || inst[0].Health != model.HealthCritical {
				return fmt.Errorf("instances %+v", inst)
			}
			return nil
		})
		t.Logf("failing Nomad check shown critical %s after the job was registered", took)
		for _, svc := range store.Snapshot().ServicesNamed("redis-native") {
			if svc.Health != model.HealthPassing {
				t.Errorf("redis-native (passing check) health = %s", svc.Health)
			}
		}
	})

	t.Run("intention added and deleted", func(t *testing.T) {
		entry := &consulapi.ServiceIntentionsConfigEntry{
			Kind: consulapi.ServiceIntentions, Name: "live-dest",
			Sources: []*consulapi.SourceIntention{{Name: "live-src", Action: consulapi.IntentionActionDeny}},
		}
		if _, _, err := c.Consul().ConfigEntries().Set(entry, nil); err != nil {
			t.Fatal(err)
		}
		_, took := waitModel(t, store, "the deny intention", func(s *model.Snapshot) error {
			if action, m := s.IntentionFor("live-src", "live-dest"); action != model.ActionDeny || m == nil {
				return fmt.Errorf("IntentionFor = %s %v", action, m)
			}
			return nil
		})
		t.Logf("intention added: model after %s", took)
		if _, err := c.Consul().ConfigEntries().Delete(consulapi.ServiceIntentions, "live-dest", nil); err != nil {
			t.Fatal(err)
		}
		_, took = waitModel(t, store, "the intention gone", func(s *model.Snapshot) error {
			if _, m := s.IntentionFor("live-src", "live-dest"); m != nil {
				return fmt.Errorf("still matched: %+v", m)
			}
			return nil
		})
		t.Logf("intention deleted: model after %s", took)
	})

	t.Run("stop the job", func(t *testing.T) {
		if err := c.Stop(ctx, "default", "live", true); err != nil {
			t.Fatal(err)
		}
		_, took := waitModel(t, store, "no live allocations or services", func(s *model.Snapshot) error {
			if n := len(liveAllocs(s)); n != 0 {
				return fmt.Errorf("%d live allocations", n)
			}
			if n := len(s.ServicesNamed("live-web")); n != 0 {
				return fmt.Errorf("%d live-web instances", n)
			}
			return nil
		})
		t.Logf("stopped job left the model after %s", took)
	})
}

// countLive holds when the model has n running live allocations, each with
// its namespace IP.
func countLive(n int) func(*model.Snapshot) error {
	return func(s *model.Snapshot) error {
		got := 0
		for _, a := range liveAllocs(s) {
			if a.ClientStatus == "running" && a.Network.IP != "" {
				got++
			}
		}
		if got != n {
			return fmt.Errorf("%d running live allocations with IPs, want %d", got, n)
		}
		return nil
	}
}

func runningLive(c *devcluster.Cluster, n int) error {
	allocs, _, err := c.Nomad().Jobs().Allocations("live", false, nil)
	if err != nil {
		return err
	}
	got := 0
	for _, a := range allocs {
		if a.ClientStatus == "running" {
			got++
		}
	}
	if got != n {
		return fmt.Errorf("%d running", got)
	}
	return nil
}

// waitNomad polls Nomad itself until cond holds.
func waitNomad(t *testing.T, ctx context.Context, c *devcluster.Cluster, what string, cond func() error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, modelWait)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		err := cond()
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("nomad never showed %s: %v", what, err)
		case <-tick.C:
		}
	}
}
