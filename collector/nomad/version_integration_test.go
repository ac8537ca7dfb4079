//go:build integration

package nomad

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/devcluster"
)

// TestDesiredTransitionOnRealNomad: on a real Nomad 1.6.2, a job's version
// 1 is registered with a canary that is not promoted, so the old
// allocation keeps running version 0. Stopping it (`nomad alloc stop`)
// first sets a desired transition, which moves its AllocModifyIndex past
// version 1's registration without changing its job, then a plan stops
// it. The model must show it at version 0 throughout, as Nomad's list
// does; resolving by AllocModifyIndex alone showed it at version 1 until
// it was gone.
func TestDesiredTransitionOnRealNomad(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	c := startCluster(ctx, t, devcluster.Options{ScaleAllocs: 8})
	nc := c.Nomad()
	job := func(round string) *nomadapi.Job {
		j := devcluster.ScaleJob("canaried", 1, map[string]string{"round": round})
		one, no := 1, false
		j.Update = &nomadapi.UpdateStrategy{MaxParallel: &one, Canary: &one, AutoPromote: &no}
		return j
	}
	register(t, nc, job("0"))
	waitSettled(ctx, t, nc, map[string]int{"canaried": 1})
	allocs, _, err := nc.Jobs().Allocations("canaried", false, nil)
	if err != nil || len(allocs) != 1 {
		t.Fatalf("the job's allocations: %v, %v", allocs, err)
	}
	old := allocs[0].ID

	cfg, _ := c.APIConfigs()
	client, err := nomadapi.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	store := model.NewStore()
	s := NewSource(client, cfg.Address, store, testLogger(t), WithAntiEntropy(0), WithStaleAfter(time.Minute))
	runSource(t, s)
	waitState(t, s, model.StateConnected)
	seen := watchVersions(ctx, store, old)

	register(t, nc, job("1")) // a destructive change: one canary at version 1
	waitWithin(t, 2*time.Minute, "the canary running at version 1 beside the old allocation", func() bool {
		list, _, err := nc.Jobs().Allocations("canaried", false, nil)
		return err == nil && slices.ContainsFunc(list, func(a *nomadapi.AllocationListStub) bool {
			return a.JobVersion == 1 && a.ClientStatus == "running"
		})
	})
	if _, err := nc.Allocations().Stop(&nomadapi.Allocation{ID: old}, nil); err != nil {
		t.Fatalf("stop the old allocation: %v", err)
	}
	waitWithin(t, 2*time.Minute, "the old allocation gone from the model", func() bool {
		return store.Snapshot().Allocation(old) == nil
	})
	if got := seen(); !slices.Equal(got, []uint64{0}) {
		t.Errorf("the old allocation was shown at versions %v, want only 0 (it never ran another)", got)
	}
}

// watchVersions records, until ctx ends, the job versions the model shows
// an allocation at (polled: a wrong version lasted until the allocation
// was gone, seconds).
func watchVersions(ctx context.Context, store *model.Store, id string) (seen func() []uint64) {
	var (
		mu   sync.Mutex
		vers []uint64
	)
	go func() {
		for ctx.Err() == nil {
			if a := store.Snapshot().Allocation(id); a != nil {
				mu.Lock()
				if !slices.Contains(vers, a.JobVersion) {
					vers = append(vers, a.JobVersion)
				}
				mu.Unlock()
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	return func() []uint64 {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(vers)
	}
}
