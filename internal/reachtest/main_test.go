//go:build integration

package reachtest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/netviz/netviz/collector"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/devcluster"
)

// Paths of the job files, relative to this package.
const (
	examplesDir = "../../examples"
	brokenDir   = "../../examples/broken"
)

// cleanJobs are the job IDs of examples/*.nomad.hcl.
var cleanJobs = map[string]bool{
	"redis-exposed": true, "same-group": true, "discovery-consul": true, "discovery-nomad": true,
	"mesh": true, "ingress": true, "web": true,
}

// cluster is the one dev cluster of this package, with every example and
// broken job deployed and healthy.
var cluster *devcluster.Cluster

// shared starts and fills the cluster before the tests. When it cannot, the
// tests fail (exit 1); they never skip.
var shared = &devcluster.Shared{
	Setup: func(ctx context.Context, c *devcluster.Cluster, _ func(func() error)) error {
		cluster = c
		return deploy(ctx, c)
	},
}

func TestMain(m *testing.M) { os.Exit(shared.Run(m)) }

// deploy writes the intentions and runs every clean and broken job (except
// the Docker-only one), then waits for all of them.
func deploy(ctx context.Context, c *devcluster.Cluster) error {
	if _, err := c.CLI(ctx, "nomad", "namespace", "apply", "-description", "namespace-ref-prod.nomad.hcl", "prod"); err != nil {
		return err
	}
	clean, err := filepath.Glob(filepath.Join(examplesDir, "*.nomad.hcl"))
	if err != nil {
		return err
	}
	broken, err := filepath.Glob(filepath.Join(brokenDir, "*.nomad.hcl"))
	if err != nil {
		return err
	}
	var jobs []string
	for _, f := range append(clean, broken...) {
		if filepath.Base(f) != dockerOnlyJob {
			jobs = append(jobs, f)
		}
	}
	return c.Deploy(ctx, []string{
		filepath.Join(examplesDir, "04-connect-intentions.hcl"),
		filepath.Join(brokenDir, "intention-deny-intentions.hcl"),
		filepath.Join(brokenDir, "mesh-bypass-intentions.hcl"),
	}, jobs)
}

// snapshot reads the cluster once into a fresh model, as `netviz dump` does.
func snapshot(t *testing.T) *model.Snapshot {
	t.Helper()
	ncfg, ccfg := cluster.APIConfigs()
	col, err := collector.New(collector.Config{Nomad: ncfg, Consul: ccfg})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := col.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	s := col.Store().Snapshot()
	if st := s.Status().Consul.State; st != model.StateConnected {
		t.Fatalf("consul source %q, want connected", st)
	}
	return s
}

// pollWait bounds each wait for the cluster to reflect a change; it guards
// against hangs and is not a timing assertion.
const pollWait = 90 * time.Second

// pollUntil calls check until it returns nil or pollWait passes.
func pollUntil(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(pollWait)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still %v after %s", what, err, pollWait)
		}
		<-tick.C
	}
}
