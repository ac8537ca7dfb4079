//go:build integration

package devcluster_test

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
)

// examplesDir is the repository's examples folder, relative to this package.
const examplesDir = "../../examples"

// TestExamplesDeployAndBecomeHealthy runs every scenario job and waits for it.
func TestExamplesDeployAndBecomeHealthy(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if _, err := cluster.CLI(ctx, "consul", "config", "write", filepath.Join(examplesDir, "04-connect-intentions.hcl")); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(examplesDir, "*.nomad.hcl"))
	if err != nil || len(files) < 6 {
		t.Fatalf("example jobs: %v %v", files, err)
	}
	for _, f := range files {
		job, err := cluster.Run(ctx, f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		t.Cleanup(func() { _ = cluster.Stop(context.Background(), "default", *job.ID, true) })
	}
	for _, f := range files {
		id := jobID(t, f)
		t.Run(id, func(t *testing.T) {
			if err := cluster.WaitHealthy(ctx, "default", id); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("connect sidecars and upstreams in consul", func(t *testing.T) {
		proxies, _, err := cluster.Consul().Catalog().Service("app-sidecar-proxy", "", (&consulapi.QueryOptions{}).WithContext(ctx))
		if err != nil || len(proxies) != 1 {
			t.Fatalf("app-sidecar-proxy: %v %v", proxies, err)
		}
		p := proxies[0].ServiceProxy
		if p == nil || p.DestinationServiceName != "app" || len(p.Upstreams) != 1 ||
			p.Upstreams[0].DestinationName != "redis" || p.Upstreams[0].LocalBindPort != 6379 {
			t.Fatalf("app sidecar proxy config = %+v", p)
		}
		redis, _, err := cluster.Consul().Catalog().Service("redis-sidecar-proxy", "", (&consulapi.QueryOptions{}).WithContext(ctx))
		if err != nil || len(redis) != 1 || redis[0].ServiceProxy.DestinationServiceName != "redis" {
			t.Fatalf("redis-sidecar-proxy: %v %v", redis, err)
		}
	})
	t.Run("mesh namespace IP answers from the host", func(t *testing.T) {
		allocs, _, err := cluster.Nomad().Jobs().Allocations("mesh", false, (&nomadapi.QueryOptions{}).WithContext(ctx))
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, stub := range allocs {
			if stub.TaskGroup != "app" || stub.ClientStatus != "running" {
				continue
			}
			a, _, err := cluster.Nomad().Allocations().Info(stub.ID, (&nomadapi.QueryOptions{}).WithContext(ctx))
			if err != nil {
				t.Fatal(err)
			}
			if a.NetworkStatus == nil || a.NetworkStatus.Address == "" {
				t.Fatalf("alloc %s has no namespace IP", a.ID)
			}
			// The namespace exists, named after the alloc ID.
			if out, err := exec.CommandContext(ctx, "ip", "netns", "exec", a.ID, "true").CombinedOutput(); err != nil {
				t.Fatalf("netns %s: %v %s", a.ID, err, out)
			}
			// The app listens on 8080 inside its namespace; the host reaches it there.
			addr := net.JoinHostPort(a.NetworkStatus.Address, "8080")
			if err := dialUntil(ctx, addr); err != nil {
				t.Fatal(err)
			}
			checked++
		}
		if checked != 1 {
			t.Fatalf("checked %d app allocations, want 1", checked)
		}
	})
}

// jobID reads the job's ID from its file name's job stanza.
func jobID(t *testing.T, file string) string {
	t.Helper()
	out, err := exec.Command("grep", "-m1", "-o", `^job "[^"]*"`, file).Output()
	if err != nil {
		t.Fatalf("job id of %s: %v", file, err)
	}
	var id string
	if _, err := fmt.Sscanf(strings.TrimPrefix(string(out), "job "), "%q", &id); err != nil {
		t.Fatalf("job id of %s: %v", file, err)
	}
	return id
}

// dialUntil connects to addr, retrying until it answers or 20 s pass: a task
// counts as running before its process has bound its port.
func dialUntil(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	var d net.Dialer
	for {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return conn.Close()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("dial %s: %w", addr, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
