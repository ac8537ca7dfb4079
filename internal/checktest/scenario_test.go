//go:build integration

package checktest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/check"
	"github.com/netviz/netviz/internal/netnsprobe"
)

// pollWait bounds each wait for the cluster to do something; it guards
// against hangs and is not a timing assertion.
const pollWait = 2 * time.Minute

// pollUntil calls fn until it returns nil or pollWait passes.
func pollUntil(t *testing.T, what string, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(pollWait)
	for {
		err := fn()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// deployed registers a check job and stops (purges) it when the test ends.
func deployed(t *testing.T, ctx context.Context, file, namespace, id string) {
	t.Helper()
	if _, err := cluster.Run(ctx, file); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cluster.Stop(context.Background(), namespace, id, true); err != nil {
			t.Errorf("stop %s: %v", id, err)
		}
	})
}

// cameTrue re-checks a job file once it runs: the running version is now
// the one predicted, so there is nothing left to change (exit 0, no
// networking change, no finding added or removed), and every finding the
// first check predicted is one `netviz lint` reports for the job.
func cameTrue(t *testing.T, file string, predicted []model.Warning, job string) {
	t.Helper()
	r := runCheck(t, file)
	if r.code != 0 || r.report.Diff.Summary != "No networking change" || len(r.report.Findings.Added)+len(r.report.Findings.Removed) != 0 {
		t.Errorf("re-check of the deployed job: exit %d, diff %+v, findings %+v", r.code, r.report.Diff, r.report.Findings)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	env := append(os.Environ(), cluster.Env()...)
	out, err := RunNetviz(ctx, netvizBin, append(env, "NOMAD_TOKEN=", "CONSUL_HTTP_TOKEN=", "NOMAD_NAMESPACE="), "lint", "--json", "--log-level", "error")
	if err != nil {
		t.Fatal(err)
	}
	var lints []model.Warning
	if err := json.Unmarshal([]byte(out.Stdout), &lints); err != nil {
		t.Fatalf("lint --json: %v\n%s", err, out.Stdout)
	}
	for _, p := range predicted {
		if !slices.ContainsFunc(lints, func(w model.Warning) bool { return w.Code == p.Code && strings.Contains(w.Message, job) }) {
			t.Errorf("predicted %s about %s, which lint does not report once it runs", p.Code, job)
		}
	}
}

// redeploy puts an example back as it was when the test ends.
func redeploy(t *testing.T, file, namespace, id string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		if _, err := cluster.Run(ctx, file); err != nil {
			t.Errorf("restore %s: %v", file, err)
			return
		}
		if err := cluster.WaitHealthy(ctx, namespace, id); err != nil {
			t.Errorf("restore %s: %v", file, err)
		}
	})
}

// liveAlloc is the one running allocation of a job's group.
func liveAlloc(t *testing.T, namespace, job, group string) *nomadapi.AllocationListStub {
	t.Helper()
	allocs, _, err := cluster.Nomad().Jobs().Allocations(job, false, &nomadapi.QueryOptions{Namespace: namespace})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range allocs {
		if a.TaskGroup == group && a.ClientStatus == "running" {
			return a
		}
	}
	t.Fatalf("no running allocation of %s/%s", job, group)
	return nil
}

// TestPortCollision: the report names the allocation, job and task that
// hold the static port; deployed, Nomad never places the job.
func TestPortCollision(t *testing.T) {
	cluster = shared.Cluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	file := filepath.Join(checkDir, "port-collision.nomad.hcl")
	holder := liveAlloc(t, "default", "redis-exposed", "static")
	r := runCheck(t, file)
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	fit := r.report.PortFit
	if len(fit) != 1 || fit[0].Port != 26379 || len(fit[0].Free) != 0 || len(fit[0].Taken) != 1 {
		t.Fatalf("port fit %+v", fit)
	}
	h := fit[0].Taken[0]
	if h.AllocID != holder.ID || h.Job != "redis-exposed" || h.Group != "static" || h.Task != "redis" {
		t.Errorf("holder %+v, want allocation %s of redis-exposed/static, task redis", h, holder.ID)
	}
	if !strings.Contains(r.stdout, model.ShortID(holder.ID)+" of redis-exposed/static, task redis") {
		t.Errorf("text output does not name the holder")
	}
	if !r.report.Plan.Ran || len(r.report.Plan.Failed) != 1 || !collision(r.report.Plan.Failed[0].DimensionExhausted) {
		t.Errorf("scheduler's answer %+v, want a failed placement for a port collision", r.report.Plan)
	}

	// The prediction holds: registered anyway, the job is not placed.
	deployed(t, ctx, file, "default", "check-collision")
	pollUntil(t, "a blocked evaluation with a port collision", func() error {
		evals, _, err := cluster.Nomad().Jobs().Evaluations("check-collision", nil)
		if err != nil {
			return err
		}
		for _, e := range evals {
			if m := e.FailedTGAllocs["cache"]; m != nil && collision(m.DimensionExhausted) {
				return nil
			}
		}
		return fmt.Errorf("no evaluation reports the collision yet (%d evaluations)", len(evals))
	})
	allocs, _, err := cluster.Nomad().Jobs().Allocations("check-collision", true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(allocs) != 0 {
		t.Errorf("the colliding job has %d allocation(s)", len(allocs))
	}
}

func collision(dims map[string]int) bool {
	for k, n := range dims {
		if strings.Contains(k, "port collision") && n > 0 {
			return true
		}
	}
	return false
}

// TestDeniedUpstream: a new upstream that an existing intention denies is
// predicted as a finding and a blocked reach; deployed, the upstream's
// listener accepts but the connection through the mesh is refused.
func TestDeniedUpstream(t *testing.T) {
	cluster = shared.Cluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	file := filepath.Join(checkDir, "denied-upstream.nomad.hcl")
	r := runCheck(t, file)
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	if !slices.Contains(addedCodes(r.report), model.CodeIntentionDeniesUpstream) {
		t.Errorf("added findings %v, want %s", addedCodes(r.report), model.CodeIntentionDeniesUpstream)
	}
	want := check.ReachChange{From: "intruder", To: "redis", Before: check.Absent, After: "blocked"}
	if !slices.ContainsFunc(r.report.Reach, func(c check.ReachChange) bool {
		return c.From == want.From && c.To == want.To && c.Before == want.Before && c.After == want.After
	}) {
		t.Errorf("reach changes %+v, want %+v", r.report.Reach, want)
	}

	deployed(t, ctx, file, "default", "check-intruder")
	if err := cluster.WaitHealthy(ctx, "default", "check-intruder"); err != nil {
		t.Fatal(err)
	}
	alloc := liveAlloc(t, "default", "check-intruder", "intruder")
	// The upstream listener is there (the proxy is up)...
	pollUntil(t, "the upstream listener accepts", func() error { return netnsprobe.Dial(ctx, alloc.ID, "127.0.0.1:6380") })
	// ...but what goes through it is refused at redis's sidecar.
	for i := range 3 {
		if err := netnsprobe.HTTPGet(ctx, alloc.ID, "http://127.0.0.1:6380/"); err == nil {
			t.Fatalf("GET %d through the denied upstream succeeded", i+1)
		}
	}
	cameTrue(t, file, r.report.Findings.Added, "intruder")
}

// TestNamespaceTemplate: a template query for a service registered in
// another namespace is predicted missing; deployed, the template renders
// no address.
func TestNamespaceTemplate(t *testing.T) {
	cluster = shared.Cluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	file := filepath.Join(checkDir, "namespace-template.nomad.hcl")
	r := runCheck(t, file)
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	if r.report.Job.Namespace != checkNamespace {
		t.Errorf("job namespace %q", r.report.Job.Namespace)
	}
	i := slices.IndexFunc(r.report.Findings.Added, func(w model.Warning) bool { return w.Code == model.CodeMissingServiceRef })
	if i < 0 || !strings.Contains(r.report.Findings.Added[i].Message, "redis-native") {
		t.Fatalf("added findings %+v, want missing-service-ref for redis-native", r.report.Findings.Added)
	}

	deployed(t, ctx, file, checkNamespace, "check-namespace")
	if err := cluster.WaitHealthy(ctx, checkNamespace, "check-namespace"); err != nil {
		t.Fatal(err)
	}
	alloc := liveAlloc(t, checkNamespace, "check-namespace", "app")
	out, err := cluster.CLI(ctx, "nomad", "alloc", "fs", "-namespace", checkNamespace, alloc.ID, "app/local/redis.env")
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(out) != "REDIS_ADDR=" {
		t.Errorf("rendered %q, want no address", out)
	}
	cameTrue(t, file, r.report.Findings.Added, "check-namespace")
}

// TestToChange: a version that only changes a port's `to` shows exactly
// that change, and nothing else, exit 0.
func TestToChange(t *testing.T) {
	cluster = shared.Cluster(t)
	file := filepath.Join(checkDir, "to-change.nomad.hcl")
	r := runCheck(t, file)
	if r.code != 0 {
		t.Errorf("exit %d, want 0", r.code)
	}
	want := []check.Change{{Group: "redis", Kind: check.ChangePort, Op: check.OpChanged, Subject: "port redis", Before: "dynamic, to 6379", After: "dynamic, to 6380"}}
	if !slices.Equal(r.report.Diff.Changes, want) {
		t.Errorf("changes %+v, want %+v", r.report.Diff.Changes, want)
	}
	if n := len(r.report.Findings.Added) + len(r.report.Findings.Removed) + len(r.report.Reach); n != 0 {
		t.Errorf("findings %+v reach %+v", r.report.Findings, r.report.Reach)
	}

	// Deployed, the new version is healthy (its check reaches the task on
	// the new port) and checks unchanged.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	redeploy(t, filepath.Join(examplesDir, "03-discovery-nomad.nomad.hcl"), "default", "discovery-nomad")
	if _, err := cluster.Run(ctx, file); err != nil {
		t.Fatal(err)
	}
	if err := cluster.WaitHealthy(ctx, "default", "discovery-nomad"); err != nil {
		t.Fatal(err)
	}
	cameTrue(t, file, nil, "discovery-nomad")
}

// TestNoNetworkingChange: Nomad sees an edited job, netviz no networking
// change, exit 0.
func TestNoNetworkingChange(t *testing.T) {
	cluster = shared.Cluster(t)
	r := runCheck(t, filepath.Join(checkDir, "no-change.nomad.hcl"))
	if r.code != 0 {
		t.Errorf("exit %d, want 0", r.code)
	}
	if r.report.Plan.DiffType != "Edited" {
		t.Errorf("Nomad's diff %q, want Edited", r.report.Plan.DiffType)
	}
	if r.report.Diff.Summary != "No networking change" || !strings.Contains(r.stdout, "No networking change") {
		t.Errorf("diff %+v", r.report.Diff)
	}
}
