package check

import (
	"fmt"
	"strings"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/lint"
)

// Codes of the check's own problems (not lints: they are about a job not
// yet placed).
const (
	// CodePortTaken: a static port is held on every eligible node.
	CodePortTaken = "check-port-taken"
	// CodeHostNetworkMissing: no eligible node has the host_network.
	CodeHostNetworkMissing = "check-host-network-missing"
	// CodeUnplaced: netviz's estimate finds no node for an allocation.
	CodeUnplaced = "check-unplaced"
	// CodeNoEligibleNode: no ready node in the job's datacenters and pool.
	CodeNoEligibleNode = "check-no-eligible-node"
	// CodeSchedulerFailed: Nomad's plan could not place a group.
	CodeSchedulerFailed = "check-scheduler-failed"
)

// Run checks the job against the snapshot. plan is what Nomad's scheduler
// said (Plan.Ran false when it did not run: the report is then an estimate).
func Run(snap *model.Snapshot, job Job, plan Plan) Report {
	r, _ := Predict(snap, job, plan)
	return r
}

// Predict is Run that also returns the dry run it made: the snapshot with
// the running version's allocations gone and the new ones placed, for a
// page to draw. It is not kept anywhere.
func Predict(snap *model.Snapshot, job Job, plan Plan) (Report, *model.Snapshot) {
	r := Report{
		Schema: SchemaVersion, Version: snap.Version(),
		Job:  JobRef{Namespace: job.Namespace, ID: job.ID, Type: job.Type},
		Plan: plan, Estimate: !plan.Ran,
		Problems: []model.Warning{}, Notes: []string{}, Reach: []ReachChange{},
	}
	if r.Plan.Failed == nil {
		r.Plan.Failed = []FailedGroup{}
	}
	if r.Plan.Updates == nil {
		r.Plan.Updates = []GroupUpdate{}
	}
	pl := newPlacer(snap, job)
	for _, a := range pl.old {
		r.Job.Running = true
		r.Job.RunningVersion = max(r.Job.RunningVersion, a.JobVersion)
	}
	r.PortFit = pl.portFit()
	r.HostNetworks = pl.hostNetworks()
	allocs, places := pl.place()
	r.Placements = places
	r.Problems = append(r.Problems, placementProblems(r.PortFit, r.HostNetworks, places, pl.nodes)...)
	r.Problems = append(r.Problems, schedulerProblems(plan)...)
	r.Notes = append(r.Notes, "dynamic ports of new allocations are given predicted values; Nomad picks its own")

	after := snap.DryRun(changes(snap, pl.old, allocs)...)
	r.Headroom = headroom(snap, after, pl.nodes, allocs)
	r.Diff = diffJob(pl.old, job)
	r.Findings = diffFindings(snap, after, lint.Warnings(snap), lint.Warnings(after))
	var truncated bool
	r.Reach, truncated = reachChanges(snap, after, pl.old, allocs)
	if truncated {
		r.Notes = append(r.Notes, fmt.Sprintf("reach was asked for the first %d service pairs only", maxReachPairs))
	}
	return r, after
}

// changes turn the prediction into model changes: the running version's
// allocations and their registrations leave, the new ones and theirs come.
func changes(snap *model.Snapshot, old, allocs []*model.Allocation) []model.Change {
	var out []model.Change
	gone := map[string]bool{}
	for _, a := range old {
		gone[a.ID] = true
		out = append(out, model.DeleteAllocation{ID: a.ID})
	}
	for _, svc := range snap.Services() {
		if gone[svc.AllocID] {
			out = append(out, model.DeleteService{Provider: svc.Provider, ID: svc.ID})
		}
	}
	for _, a := range allocs {
		out = append(out, model.UpsertAllocation{Alloc: a})
	}
	for _, svc := range registrations(allocs) {
		out = append(out, model.UpsertService{Service: svc})
	}
	return out
}

// schedulerProblems turns the plan's failed placements into problems.
func schedulerProblems(plan Plan) []model.Warning {
	var out []model.Warning
	for _, f := range plan.Failed {
		var why []string
		for _, m := range []map[string]int{f.DimensionExhausted, f.ConstraintFiltered, f.ClassExhausted} {
			for k, n := range sortedCounts(m) {
				why = append(why, fmt.Sprintf("%s on %d node(s)", k, n))
			}
		}
		msg := fmt.Sprintf("Nomad's scheduler cannot place %d allocation(s) of group %s (%d node(s) evaluated, %d filtered, %d exhausted)",
			f.Unplaced, f.Group, f.NodesEvaluated, f.NodesFiltered, f.NodesExhausted)
		if len(why) > 0 {
			msg += ": " + strings.Join(why, "; ")
		}
		out = append(out, model.Warning{Code: CodeSchedulerFailed, Severity: model.SeverityError, Subjects: []string{},
			Message: msg, Fix: "see the port fit: free what is exhausted, or change the job"})
	}
	return out
}
