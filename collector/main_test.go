//go:build integration

package collector_test

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/netviz/netviz/collector"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/devcluster"
)

// modelWait bounds each wait for the model to reflect a change. It guards
// against hangs; it is not a timing assertion (latencies are logged, and
// recorded in docs/perf.md).
const modelWait = 60 * time.Second

// shared is the package's dev cluster with every example job deployed and
// healthy and the scenario-4 intention written. It starts on the first
// examplesCluster call; TestMain closes it after all tests.
var shared = &devcluster.Shared{Examples: "../examples", Lazy: true}

func TestMain(m *testing.M) { os.Exit(shared.Run(m)) }

// examplesCluster returns the shared cluster, starting it first. A cluster
// that cannot start fails the test; it never skips.
func examplesCluster(t *testing.T) *devcluster.Cluster {
	t.Helper()
	return shared.Cluster(t)
}

// runCollector starts a collector on c, configured further by the options,
// and stops it when the test ends.
func runCollector(t *testing.T, c *devcluster.Cluster, opts ...func(*collector.Config)) *model.Store {
	t.Helper()
	n, cc := c.APIConfigs()
	cfg := collector.Config{Nomad: n, Consul: cc}
	for _, o := range opts {
		o(&cfg)
	}
	col, err := collector.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- col.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("collector Run: %v", err)
		}
		col.Close()
	})
	return col.Store()
}

// freshSnapshot syncs a new collector once: what a fresh start would see.
// Its logs are dropped: some tests take one every half second.
func freshSnapshot(t *testing.T, c *devcluster.Cluster) *model.Snapshot {
	t.Helper()
	n, cc := c.APIConfigs()
	col, err := collector.New(collector.Config{Nomad: n, Consul: cc, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	ctx, cancel := context.WithTimeout(context.Background(), modelWait)
	defer cancel()
	if err := col.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	return col.Store().Snapshot()
}

// waitModel waits until cond holds on the store's snapshot, checking on
// every new model version, and returns the snapshot and how long it took.
func waitModel(t *testing.T, store *model.Store, what string, cond func(*model.Snapshot) error) (*model.Snapshot, time.Duration) {
	t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), modelWait)
	defer cancel()
	deltas := store.Subscribe(ctx)
	var last error
	for {
		s := store.Snapshot()
		if last = cond(s); last == nil {
			return s, time.Since(start)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("model never showed %s: %v", what, last)
			return nil, 0
		case <-deltas:
		}
	}
}
