//go:build demo

// The demo links internal/devcluster (root-only bridge, iptables and
// orphan-cleanup code), so it is built only with -tags demo (`make demo`);
// the release binary holds none of it (see release_test.go).

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/netviz/netviz/collector"
	"github.com/netviz/netviz/internal/devcluster"
)

// demoStartTimeout bounds cluster start plus deploying the examples.
const demoStartTimeout = 5 * time.Minute

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f serveFlags
	var examples string
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.register(fs)
	f.registerWeb(fs)
	fs.StringVar(&examples, "examples", "examples", "folder of example jobs to deploy")
	if err := parse(fs, args); err != nil {
		return err
	}
	opts, err := f.webOptions()
	if err != nil {
		return err
	}
	log, err := f.logger(stderr)
	if err != nil {
		return err
	}
	startCtx, cancel := context.WithTimeout(ctx, demoStartTimeout)
	defer cancel()
	fmt.Fprintln(stdout, "starting Consul and Nomad dev agents...")
	c, err := devcluster.Start(startCtx, devcluster.Options{})
	if err != nil {
		return err
	}
	defer func() {
		fmt.Fprintln(stdout, "stopping jobs and agents...")
		if err := c.Close(); err != nil {
			fmt.Fprintf(stderr, "cluster close: %v\n", err)
		}
	}()
	fmt.Fprintf(stdout, "deploying the jobs in %s and waiting for them...\n", examples)
	if err := c.DeployExamples(startCtx, examples); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "deploying netviz itself as a Nomad job (deploy/netviz.nomad.hcl)...")
	asJob, err := deployNetviz(startCtx, c, filepath.Join(examples, "..", "deploy", "netviz.nomad.hcl"))
	if err != nil {
		return err
	}
	ncfg, ccfg := c.APIConfigs()
	col, err := collector.New(collector.Config{Nomad: ncfg, Consul: ccfg, Logger: log})
	if err != nil {
		return err
	}
	opts.CollectorStats = collectorStats(col)
	opts.Observe = demoObserve(col.Store().Apply, f.observedWindow)
	opts.Check = webCheck(col)
	return serve(ctx, col.Run, col.Store(), opts, log, func(url string) {
		startDemoAgent(ctx, c, url, opts.Observe, log)
		fmt.Fprintf(stdout, `
netviz demo is up. Press Ctrl-C to stop everything.

  netviz dashboard  %s
  netviz as a job   %s   (deploy/netviz.nomad.hcl, in the cluster)
  Nomad API and UI  %s/ui/
  Consul UI         %s/ui/

  export NOMAD_ADDR=%s CONSUL_HTTP_ADDR=%s
`, url, asJob, c.NomadAddr, c.ConsulAddr, c.NomadAddr, c.ConsulAddr)
	})
}

// deployNetviz runs this very binary in the cluster with the deploy job,
// waits until Nomad finds it healthy (its /healthz and /readyz checks
// pass), and returns the dashboard address Nomad registered.
func deployNetviz(ctx context.Context, c *devcluster.Cluster, jobFile string) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	if _, err := c.RunVars(ctx, jobFile, map[string]string{"netviz_bin": self, "consul_http_addr": c.ConsulAddr}); err != nil {
		return "", err
	}
	if err := c.WaitHealthy(ctx, "default", "netviz"); err != nil {
		return "", fmt.Errorf("netviz job: %w", err)
	}
	regs, _, err := c.Nomad().Services().Get("netviz", nil)
	if err != nil || len(regs) == 0 {
		return "", fmt.Errorf("netviz job registered no service: %v", err)
	}
	return "http://" + net.JoinHostPort(regs[0].Address, strconv.Itoa(regs[0].Port)) + "/", nil
}
