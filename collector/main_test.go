package collector_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
	"github.com/netviz/netviz/collector"
	"github.com/netviz/netviz/collector/graph"
	"github.com/netviz/netviz/internal/devcluster"
)

// modelWait bounds each wait for the model to reflect a change. It guards
// against hangs; it is not a timing assertion (latencies are logged, and
// recorded in docs/perf.md).
const modelWait = 60 * time.Second

var (
	sharedOnce    sync.Once
	sharedCluster *devcluster.Cluster
	sharedErr     error
)

// TestMain closes the shared cluster (started by the first test that needs
// it) after all tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if sharedCluster != nil {
		if code != 0 {
			fmt.Fprintln(os.Stderr, sharedCluster.Logs())
		}
		if err := sharedCluster.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "devcluster close: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// examplesCluster returns the package's shared cluster with every example
// job deployed and healthy and the scenario-4 intention written. A cluster
// that cannot start fails the test; it never skips.
func examplesCluster(t *testing.T) *devcluster.Cluster {
	t.Helper()
	sharedOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
		defer cancel()
		c, err := devcluster.Start(ctx, devcluster.Options{})
		if err != nil {
			sharedErr = err
			return
		}
		sharedCluster = c
		sharedErr = deployExamples(ctx, c)
	})
	if sharedErr != nil {
		t.Fatalf("example cluster: %v", sharedErr)
	}
	return sharedCluster
}

func deployExamples(ctx context.Context, c *devcluster.Cluster) error {
	if _, err := c.CLI(ctx, "consul", "config", "write", "../examples/04-connect-intentions.hcl"); err != nil {
		return err
	}
	files, err := filepath.Glob("../examples/*.nomad.hcl")
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no example jobs: %v", err)
	}
	var ids []string
	for _, f := range files {
		job, err := c.Run(ctx, f)
		if err != nil {
			return err
		}
		ids = append(ids, *job.ID)
	}
	for _, id := range ids {
		if err := c.WaitHealthy(ctx, "default", id); err != nil {
			return err
		}
	}
	return nil
}

// clusterConfigs are the API configs pointing at c, built from the official
// defaults (as netviz does) with the environment's addresses overridden.
func clusterConfigs(c *devcluster.Cluster) (*nomadapi.Config, *consulapi.Config) {
	n := nomadapi.DefaultConfig()
	n.Address, n.SecretID, n.Namespace, n.Region = c.NomadAddr, "", "", ""
	cc := consulapi.DefaultConfig()
	cc.Address, cc.Scheme, cc.Token = c.ConsulAddr[len("http://"):], "http", ""
	return n, cc
}

// runCollector starts a collector on c and stops it when the test ends.
func runCollector(t *testing.T, c *devcluster.Cluster) *graph.Store {
	t.Helper()
	n, cc := clusterConfigs(c)
	col, err := collector.New(collector.Config{Nomad: n, Consul: cc})
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
	})
	return col.Store()
}

// freshSnapshot syncs a new collector once: what a fresh start would see.
func freshSnapshot(t *testing.T, c *devcluster.Cluster) *graph.Snapshot {
	t.Helper()
	n, cc := clusterConfigs(c)
	col, err := collector.New(collector.Config{Nomad: n, Consul: cc})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), modelWait)
	defer cancel()
	if err := col.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	return col.Store().Snapshot()
}

// waitModel waits until cond holds on the store's snapshot, checking on
// every new model version, and returns the snapshot and how long it took.
func waitModel(t *testing.T, store *graph.Store, what string, cond func(*graph.Snapshot) error) (*graph.Snapshot, time.Duration) {
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
