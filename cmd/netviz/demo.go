package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
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
	fs.StringVar(&f.listen, "listen", envOr("NETVIZ_LISTEN", "127.0.0.1:7777"), "address to serve the dashboard on")
	fs.StringVar(&examples, "examples", "examples", "folder of example jobs to deploy")
	if err := parse(fs, args); err != nil {
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
	if err := deployExamples(startCtx, c, examples, stdout); err != nil {
		return err
	}

	ncfg := nomadapi.DefaultConfig()
	ncfg.Address, ncfg.SecretID, ncfg.Namespace, ncfg.Region = c.NomadAddr, "", "", ""
	ccfg := consulapi.DefaultConfig()
	ccfg.Address, ccfg.Scheme, ccfg.Token = c.ConsulAddr[len("http://"):], "http", ""
	col, err := collector.New(collector.Config{Nomad: ncfg, Consul: ccfg, Logger: log})
	if err != nil {
		return err
	}
	return serve(ctx, col.Run, col.Store(), f.listen, nil, log, func(addr string) {
		fmt.Fprintf(stdout, `
netviz demo is up. Press Ctrl-C to stop everything.

  netviz dashboard  http://%s/
  Nomad API and UI  %s/ui/
  Consul UI         %s/ui/

  export NOMAD_ADDR=%s CONSUL_HTTP_ADDR=%s
`, addr, c.NomadAddr, c.ConsulAddr, c.NomadAddr, c.ConsulAddr)
	})
}

// deployExamples writes the scenario-4 intention and runs every example job.
func deployExamples(ctx context.Context, c *devcluster.Cluster, dir string, stdout io.Writer) error {
	if _, err := c.CLI(ctx, "consul", "config", "write", filepath.Join(dir, "04-connect-intentions.hcl")); err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.nomad.hcl"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no example jobs in %s", dir)
	}
	var ids []string
	for _, f := range files {
		job, err := c.Run(ctx, f)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "deployed %s (%s)\n", *job.ID, filepath.Base(f))
		ids = append(ids, *job.ID)
	}
	for _, id := range ids {
		if err := c.WaitHealthy(ctx, "default", id); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "healthy: %s\n", id)
	}
	return nil
}
