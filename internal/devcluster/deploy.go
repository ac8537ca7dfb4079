package devcluster

import (
	"context"
	"fmt"
	"path/filepath"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
)

// Deploy writes the Consul config entries (intentions), registers every job
// file, then waits until each job is healthy.
func (c *Cluster) Deploy(ctx context.Context, configEntries, jobFiles []string) error {
	for _, f := range configEntries {
		if _, err := c.CLI(ctx, "consul", "config", "write", f); err != nil {
			return err
		}
	}
	var jobs []*nomadapi.Job
	for _, f := range jobFiles {
		job, err := c.Run(ctx, f)
		if err != nil {
			return fmt.Errorf("deploy %s: %w", filepath.Base(f), err)
		}
		jobs = append(jobs, job)
	}
	for _, job := range jobs {
		ns := "default"
		if job.Namespace != nil && *job.Namespace != "" {
			ns = *job.Namespace
		}
		if err := c.WaitHealthy(ctx, ns, *job.ID); err != nil {
			return fmt.Errorf("job %s/%s: %w", ns, *job.ID, err)
		}
	}
	return nil
}

// DeployExamples deploys the scenario jobs of an examples folder
// (*.nomad.hcl) with the scenario-4 intention, and waits for them.
func (c *Cluster) DeployExamples(ctx context.Context, dir string) error {
	jobs, err := filepath.Glob(filepath.Join(dir, "*.nomad.hcl"))
	if err != nil || len(jobs) == 0 {
		return fmt.Errorf("no example jobs in %s (%v)", dir, err)
	}
	return c.Deploy(ctx, []string{filepath.Join(dir, "04-connect-intentions.hcl")}, jobs)
}

// APIConfigs returns client configs for this cluster built as netviz builds
// its own (the official DefaultConfig), with the environment's address,
// token, namespace and region overridden.
func (c *Cluster) APIConfigs() (*nomadapi.Config, *consulapi.Config) {
	n := nomadapi.DefaultConfig()
	n.Address, n.SecretID, n.Namespace, n.Region = c.NomadAddr, c.NomadToken, "", ""
	cc := consulapi.DefaultConfig()
	cc.Address, cc.Scheme, cc.Token = c.ConsulAddr[len("http://"):], "http", c.ConsulToken
	return n, cc
}
