//go:build integration

// Package checkweb tests the dashboard's job check (/check and POST
// /api/v1/check) end to end: a real `netviz serve` against a real dev
// cluster running the examples, fed the job files of examples/check.
package checkweb

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/netviz/netviz/internal/devcluster"
)

// Paths relative to this package.
const (
	examplesDir = "../../examples"
	checkDir    = "../../examples/check"
)

var (
	cluster *devcluster.Cluster
	// base is the URL of the netviz server under test.
	base string
)

// shared is the dev cluster with every example deployed, what the check
// examples rely on (namespace "check", the intention denying "intruder"),
// and `netviz serve` running against it.
var shared = &devcluster.Shared{
	Examples: examplesDir,
	Setup: func(ctx context.Context, c *devcluster.Cluster, cleanup func(func() error)) error {
		cluster = c
		if _, err := c.CLI(ctx, "nomad", "namespace", "apply", "-description", "netviz check tests", "check"); err != nil {
			return err
		}
		if _, err := c.CLI(ctx, "consul", "config", "write", filepath.Join(checkDir, "denied-upstream-intentions.hcl")); err != nil {
			return err
		}
		dir, err := os.MkdirTemp("", "netviz-checkweb")
		if err != nil {
			return err
		}
		cleanup(func() error { return os.RemoveAll(dir) })
		bin := filepath.Join(dir, "netviz")
		if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "../../cmd/netviz").CombinedOutput(); err != nil {
			return fmt.Errorf("build netviz: %v\n%s", err, out)
		}
		stop, err := startServer(ctx, c, bin, filepath.Join(dir, "serve.log"))
		if err != nil {
			return err
		}
		cleanup(stop)
		return nil
	},
}

func TestMain(m *testing.M) { os.Exit(shared.Run(m)) }

// startServer runs `netviz serve` on a free loopback port with the
// cluster's addresses and no token of its own, and waits until it is
// ready (both sources read).
func startServer(ctx context.Context, c *devcluster.Cluster, bin, logFile string) (stop func() error, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	logs, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve", "--listen", addr)
	cmd.Env = append(append(os.Environ(), c.Env()...), "NOMAD_TOKEN=", "CONSUL_HTTP_TOKEN=", "NOMAD_NAMESPACE=")
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		logs.Close()
		return nil, err
	}
	stop = func() error {
		_ = cmd.Process.Signal(os.Interrupt)
		err := cmd.Wait()
		logs.Close()
		if err != nil {
			out, _ := os.ReadFile(logFile)
			return fmt.Errorf("netviz serve: %v\n%s", err, out)
		}
		return nil
	}
	base = "http://" + addr
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return stop, nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			_ = stop()
			out, _ := os.ReadFile(logFile)
			return nil, fmt.Errorf("netviz serve not ready: %v\n%s", err, out)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
