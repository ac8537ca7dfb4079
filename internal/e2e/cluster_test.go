//go:build integration

package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/devcluster"
)

// modelWait bounds each wait for the model to show a change in the cluster.
// It guards against a hang; it is not a timing assertion.
const modelWait = 90 * time.Second

// pollInterval is how often pollUntil asks again; Nomad's API is cheap.
const pollInterval = 200 * time.Millisecond

// examplesDir holds the networking guide's scenarios, relative to this package.
const examplesDir = "../../examples"

// runningAllocs lists the allocations Nomad runs, with their full detail
// (the list lacks the namespace IP).
func runningAllocs(ctx context.Context, c *devcluster.Cluster) ([]*nomadapi.Allocation, error) {
	q := (&nomadapi.QueryOptions{Namespace: "*"}).WithContext(ctx)
	stubs, _, err := c.Nomad().Allocations().List(q)
	if err != nil {
		return nil, fmt.Errorf("list allocations: %w", err)
	}
	var out []*nomadapi.Allocation
	for _, s := range stubs {
		if s.ClientStatus != "running" || s.DesiredStatus != "run" {
			continue
		}
		a, _, err := c.Nomad().Allocations().Info(s.ID, q)
		if err != nil {
			return nil, fmt.Errorf("allocation %s: %w", s.ID, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// waitComplete waits until the model holds every running allocation with
// its namespace IP, Consul is connected and the intentions are in: the
// picture the pages are tested against.
func waitComplete(ctx context.Context, c *devcluster.Cluster, store *model.Store) error {
	want, err := runningAllocs(ctx, c)
	if err != nil {
		return err
	}
	_, err = waitModelCtx(ctx, store, func(s *model.Snapshot) error {
		for _, a := range want {
			m := s.Allocation(a.ID)
			if m == nil {
				return fmt.Errorf("allocation %s (%s) missing", a.ID, a.Name)
			}
			if a.NetworkStatus != nil && a.NetworkStatus.Address != "" && m.Network.IP != a.NetworkStatus.Address {
				return fmt.Errorf("allocation %s: IP %q, want %q", a.Name, m.Network.IP, a.NetworkStatus.Address)
			}
		}
		if st := s.Status().Consul.State; st != model.StateConnected {
			return fmt.Errorf("consul %s", st)
		}
		if len(s.Intentions()) == 0 {
			return errors.New("no intentions yet")
		}
		if len(s.ServicesNamed("redis")) == 0 {
			return errors.New("no redis instance yet")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("first complete model: %w", err)
	}
	return nil
}

// waitModelCtx waits until cond holds on the store's snapshot, checking on
// every new model version, and says how long that took.
func waitModelCtx(ctx context.Context, store *model.Store, cond func(*model.Snapshot) error) (time.Duration, error) {
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	deltas := store.Subscribe(ctx)
	for {
		last := cond(store.Snapshot())
		if last == nil {
			return time.Since(start), nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("%w (last: %v)", ctx.Err(), last)
		case <-deltas:
		}
	}
}

// waitModel is waitModelCtx bounded by modelWait, failing the test.
func waitModel(t *testing.T, what string, cond func(*model.Snapshot) error) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), modelWait)
	defer cancel()
	took, err := waitModelCtx(ctx, env.store, cond)
	if err != nil {
		t.Fatalf("model never showed %s: %v", what, err)
	}
	return took
}

// allocOf returns the running allocation of a job's group in the model.
func allocOf(t *testing.T, s *model.Snapshot, job, group string) *model.Allocation {
	t.Helper()
	for _, a := range s.AllocationsOfJob("default", job) {
		if a.TaskGroup == group && a.DesiredStatus == "run" && a.ClientStatus == "running" {
			return a
		}
	}
	t.Fatalf("no running allocation of %s/%s in the model", job, group)
	return nil
}

// pollUntil calls check every pollInterval until it returns nil or ctx ends.
func pollUntil(ctx context.Context, check func() error) error {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		last := check()
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), last)
		case <-tick.C:
		}
	}
}
