package devcluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	nomadapi "github.com/hashicorp/nomad/api"
)

// JobVars are the HCL2 variables the example jobs declare so they run on any
// cluster; Run passes them as NOMAD_VAR_* (which Nomad ignores for jobs that
// do not declare them).
func (c *Cluster) JobVars() map[string]string {
	return map[string]string{
		"consul_http_addr": "unix://" + c.ConsulSocket,
		"consul_bin":       c.ConsulBin,
	}
}

// CLI runs the nomad or consul binary (name "nomad" or "consul") against this
// cluster and returns its combined output.
func (c *Cluster) CLI(ctx context.Context, name string, args ...string) (string, error) {
	bin := c.NomadBin
	if name == "consul" {
		bin = c.ConsulBin
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(agentEnv(filepath.Dir(c.NomadBin)), c.Env()...)
	for k, v := range c.JobVars() {
		cmd.Env = append(cmd.Env, "NOMAD_VAR_"+k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return out.String(), nil
}

// Run parses a job file with the nomad CLI (so HCL2 variables and functions
// behave exactly as for users) and registers it. It returns the job.
func (c *Cluster) Run(ctx context.Context, jobFile string) (*nomadapi.Job, error) {
	return c.RunVars(ctx, jobFile, nil)
}

// RunVars is Run with more HCL2 variables than JobVars.
func (c *Cluster) RunVars(ctx context.Context, jobFile string, vars map[string]string) (*nomadapi.Job, error) {
	if _, err := os.Stat(jobFile); err != nil {
		return nil, fmt.Errorf("job file: %w", err)
	}
	args := []string{"job", "run", "-output"}
	for k, v := range vars {
		args = append(args, "-var", k+"="+v)
	}
	out, err := c.CLI(ctx, "nomad", append(args, jobFile)...)
	if err != nil {
		return nil, err
	}
	var wrapped struct{ Job *nomadapi.Job }
	if err := json.Unmarshal([]byte(out), &wrapped); err != nil || wrapped.Job == nil {
		return nil, fmt.Errorf("parse %s: %v", jobFile, err)
	}
	job := wrapped.Job
	if _, _, err := c.nomad.Jobs().Register(job, (&nomadapi.WriteOptions{}).WithContext(ctx)); err != nil {
		return nil, fmt.Errorf("register %s: %w", *job.ID, err)
	}
	return job, nil
}

// WaitHealthy waits until the job is healthy: for service jobs, the
// deployment of the current version succeeded (Nomad's own verdict: every
// allocation passed its checks for min_healthy_time); for other jobs, as
// many allocations as it asks for (system jobs: one per ready node) have all
// their tasks running. It fails early, with the task events, when an
// allocation fails.
func (c *Cluster) WaitHealthy(ctx context.Context, namespace, jobID string) error {
	q := (&nomadapi.QueryOptions{Namespace: namespace}).WithContext(ctx)
	return waitFor(ctx, "job "+jobID+" healthy", []*agent{c.nomadA}, func(ctx context.Context) error {
		job, _, err := c.nomad.Jobs().Info(jobID, q)
		if err != nil {
			return err
		}
		allocs, _, err := c.nomad.Jobs().Allocations(jobID, false, q)
		if err != nil {
			return err
		}
		running := 0
		for _, a := range allocs {
			if a.JobVersion != *job.Version || a.DesiredStatus != "run" {
				continue
			}
			if a.ClientStatus == "failed" {
				return &failedAlloc{fmt.Errorf("allocation %s of %s failed: %s", a.ID, jobID, taskEvents(a))}
			}
			if *job.Type != "service" && restarted(a) {
				// A crash loop can look "running" between restarts; without a
				// deployment to judge it, a restart is a failure here.
				return &failedAlloc{fmt.Errorf("allocation %s of %s restarted a task: %s", a.ID, jobID, taskEvents(a))}
			}
			if a.ClientStatus == "running" && allTasksRunning(a) {
				running++
			}
		}
		if *job.Type == "service" {
			d, _, err := c.nomad.Jobs().LatestDeployment(jobID, q)
			if err != nil {
				return err
			}
			if d == nil || d.JobVersion != *job.Version {
				return fmt.Errorf("no deployment of %s version %d yet", jobID, *job.Version)
			}
			switch d.Status {
			case "successful":
				return nil
			case "failed", "cancelled":
				return &failedAlloc{fmt.Errorf("deployment of %s %s: %s", jobID, d.Status, d.StatusDescription)}
			}
			return fmt.Errorf("deployment of %s is %s (%d allocations running)", jobID, d.Status, running)
		}
		want, err := c.wantAllocs(job, q)
		if err != nil {
			return err
		}
		if running < want {
			return fmt.Errorf("%d of %d allocations of %s running", running, want, jobID)
		}
		return nil
	})
}

// restarted reports whether any task of the allocation has restarted.
func restarted(a *nomadapi.AllocationListStub) bool {
	for _, st := range a.TaskStates {
		if st.Restarts > 0 {
			return true
		}
	}
	return false
}

// allTasksRunning reports whether every task of the allocation has started
// (prestart tasks that finished count too).
func allTasksRunning(a *nomadapi.AllocationListStub) bool {
	for _, st := range a.TaskStates {
		if st.State != "running" && !(st.State == "dead" && !st.Failed) {
			return false
		}
	}
	return len(a.TaskStates) > 0
}

// wantAllocs is how many allocations a job asks for: the sum of its group
// counts, or for a system job one per group on every ready node.
func (c *Cluster) wantAllocs(job *nomadapi.Job, q *nomadapi.QueryOptions) (int, error) {
	if *job.Type != "system" {
		n := 0
		for _, g := range job.TaskGroups {
			n += *g.Count
		}
		return n, nil
	}
	nodes, _, err := c.nomad.Nodes().List(q)
	if err != nil {
		return 0, err
	}
	ready := 0
	for _, n := range nodes {
		if n.Status == "ready" {
			ready++
		}
	}
	return ready * len(job.TaskGroups), nil
}

// failedAlloc marks an error that waiting longer cannot fix.
type failedAlloc struct{ error }

// taskEvents summarises the last events of each task, to say why it failed.
func taskEvents(a *nomadapi.AllocationListStub) string {
	var b strings.Builder
	for name, st := range a.TaskStates {
		fmt.Fprintf(&b, "[%s %s", name, st.State)
		n := len(st.Events)
		for _, e := range st.Events[max(0, n-3):] {
			fmt.Fprintf(&b, "; %s: %s", e.Type, e.DisplayMessage)
		}
		b.WriteString("] ")
	}
	return b.String()
}

// Stop deregisters a job (purging it when purge is set).
func (c *Cluster) Stop(ctx context.Context, namespace, jobID string, purge bool) error {
	_, _, err := c.nomad.Jobs().Deregister(jobID, purge, (&nomadapi.WriteOptions{Namespace: namespace}).WithContext(ctx))
	return err
}
