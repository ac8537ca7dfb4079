//go:build integration

package collector_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
	"github.com/netviz/netviz/collector/model"
)

// TestResilience restarts Nomad under a running collector and checks the
// model converges to what a fresh snapshot gives; then stops Consul and
// checks Nomad data keeps flowing while Consul is reported down, and that
// Consul's data comes back when it does.
func TestResilience(t *testing.T) {
	c := examplesCluster(t)
	store := runCollector(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	waitModel(t, store, "a connected model", func(s *model.Snapshot) error {
		if s.Status().Nomad.State != model.StateConnected || len(s.Allocations()) == 0 {
			return fmt.Errorf("nomad %s", s.Status().Nomad.State)
		}
		return nil
	})

	// The live job outlives the first subtest: the second kills one of its allocations.
	t.Cleanup(func() { _ = c.Stop(context.Background(), "default", "live", true) })
	t.Run("nomad restart", func(t *testing.T) {
		before := store.Snapshot().Version()
		if err := c.RestartNomad(ctx); err != nil {
			t.Fatal(err)
		}
		// A change made after the restart must arrive through the new stream.
		if _, err := c.Run(ctx, "testdata/live.nomad.hcl"); err != nil {
			t.Fatal(err)
		}
		if err := c.WaitHealthy(ctx, "default", "live"); err != nil {
			t.Fatal(err)
		}
		fresh := freshSnapshot(t, c)
		_, took := waitModel(t, store, "the same content as a fresh snapshot", func(s *model.Snapshot) error {
			if s.Version() <= before {
				return fmt.Errorf("no new version yet")
			}
			return sameNomadContent(s, fresh)
		})
		t.Logf("converged %s after the job was healthy", took)
	})

	t.Run("consul stop and start", func(t *testing.T) {
		if err := c.StopConsul(); err != nil {
			t.Fatal(err)
		}
		waitModel(t, store, "consul down", func(s *model.Snapshot) error {
			if st := s.Status().Consul.State; st != model.StateDown {
				return fmt.Errorf("consul state %s", st)
			}
			return nil
		})
		// Nomad keeps flowing: a killed allocation still leaves the model.
		live := store.Snapshot().AllocationsOfJob("default", "live")
		if len(live) == 0 {
			t.Fatal("no live allocation to kill")
		}
		victim := live[0].ID
		if _, err := c.Nomad().Allocations().Stop(&nomadapi.Allocation{ID: victim, Namespace: "default"}, nil); err != nil {
			t.Fatal(err)
		}
		waitModel(t, store, "the killed allocation gone while consul is down", func(s *model.Snapshot) error {
			if s.Allocation(victim) != nil {
				return fmt.Errorf("still there")
			}
			return nil
		})
		if err := c.StartConsul(ctx); err != nil {
			t.Fatal(err)
		}
		_, took := waitModel(t, store, "consul connected with the mesh services", func(s *model.Snapshot) error {
			if st := s.Status().Consul.State; st != model.StateConnected {
				return fmt.Errorf("consul state %s", st)
			}
			if len(s.ServicesNamed("redis-sidecar-proxy")) == 0 {
				return fmt.Errorf("no redis-sidecar-proxy")
			}
			return nil
		})
		t.Logf("consul recovered in the model %s after it was ready", took)
	})
}

// sameNomadContent compares the Nomad side of two models: allocations with
// their namespaces and ports, nodes, and Nomad-native services.
func sameNomadContent(got, want *model.Snapshot) error {
	summary := func(s *model.Snapshot) []string {
		var out []string
		for _, a := range s.Allocations() {
			line := fmt.Sprintf("alloc %s %s/%s %s %s %s", a.ID, a.JobID, a.TaskGroup, a.ClientStatus, a.Network.Mode, a.Network.IP)
			for _, p := range a.Ports {
				line += fmt.Sprintf(" %s=%s:%d>%d", p.Label, p.HostIP, p.Value, p.To)
			}
			out = append(out, line)
		}
		for _, n := range s.Nodes() {
			out = append(out, fmt.Sprintf("node %s %s %s", n.ID, n.Name, n.Status))
		}
		for _, sv := range s.Services() {
			if sv.Provider == model.ProviderNomad {
				out = append(out, fmt.Sprintf("service %s %s %s:%d", sv.Name, sv.ID, sv.Address, sv.Port))
			}
		}
		slices.Sort(out)
		return out
	}
	g, w := summary(got), summary(want)
	if !slices.Equal(g, w) {
		return fmt.Errorf("model differs from a fresh snapshot:\n got %v\nwant %v", g, w)
	}
	return nil
}
