// Package check answers "what will this job do to the network?" before it
// is deployed: the pure part of `netviz check`. Given a model snapshot, the
// job as the Nomad source converted it (Job) and what Nomad's scheduler said
// about it (Plan, optional), Run places the job's would-be allocations into
// a dry run of the snapshot and reports port fit per node, the networking
// diff against the running version, the findings the new version adds or
// removes, and the reach verdicts that change. It does no I/O: the Nomad
// calls (parse, plan) live in collector/nomad, the wiring in cmd/netviz.
//
// The Report is plain data: the CLI prints it or writes it as JSON
// (docs/check.md), and a page can render the same value.
package check

import "github.com/netviz/netviz/collector/model"

// SchemaVersion is the version of the Report's JSON form (docs/check.md).
const SchemaVersion = 1

// Job is the job to check, as the Nomad source converted it from Nomad's
// own parse: one not-yet-placed allocation per group.
type Job struct {
	Namespace   string   `json:"namespace"`
	ID          string   `json:"id"`
	Type        string   `json:"type"`
	Datacenters []string `json:"datacenters,omitempty"`
	NodePool    string   `json:"node_pool,omitempty"`
	Groups      []Group  `json:"groups"`
}

// Group is one task group of the job to check.
type Group struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
	// Alloc is the group as an allocation not placed yet: network mode,
	// ports (static ones with their value, dynamic ones with Value 0, host
	// IPs empty), tasks with their references, and service specs. Run
	// copies it for each placement; it is never changed.
	Alloc *model.Allocation `json:"-"`
}

// Plan is what Nomad's scheduler said about the job (`/v1/job/:id/plan`).
type Plan struct {
	// Ran is true when Nomad answered the plan.
	Ran bool `json:"ran"`
	// Forbidden is true when the token may not plan (HTTP 403): the report
	// then rests on netviz's own estimate.
	Forbidden bool `json:"forbidden,omitempty"`
	// Error is why the plan did not run, when it did not.
	Error string `json:"error,omitempty"`
	// Failed lists the groups the scheduler could not place, with its reasons.
	Failed []FailedGroup `json:"failed"`
	// Updates says, per group, what the scheduler would do.
	Updates []GroupUpdate `json:"updates"`
	// Warnings are the scheduler's warnings, as Nomad wrote them.
	Warnings string `json:"warnings,omitempty"`
	// DiffType is Nomad's verdict on the job as a whole: None, Added,
	// Edited or Deleted.
	DiffType string `json:"diff_type,omitempty"`
}

// FailedGroup is a group the scheduler could not place and why (Nomad's
// AllocationMetric, the fields that explain a failure).
type FailedGroup struct {
	Group              string         `json:"group"`
	Unplaced           int            `json:"unplaced"`
	NodesEvaluated     int            `json:"nodes_evaluated"`
	NodesFiltered      int            `json:"nodes_filtered"`
	NodesExhausted     int            `json:"nodes_exhausted"`
	ConstraintFiltered map[string]int `json:"constraint_filtered,omitempty"`
	ClassExhausted     map[string]int `json:"class_exhausted,omitempty"`
	// DimensionExhausted counts nodes per exhausted dimension, e.g.
	// "network: reserved port collision static=26379": 1.
	DimensionExhausted map[string]int `json:"dimension_exhausted,omitempty"`
}

// GroupUpdate is the scheduler's plan for one group: how many allocations
// it would place, update in place, replace (destructive), stop, or leave.
type GroupUpdate struct {
	Group             string `json:"group"`
	Place             uint64 `json:"place"`
	InPlaceUpdate     uint64 `json:"in_place_update"`
	DestructiveUpdate uint64 `json:"destructive_update"`
	Stop              uint64 `json:"stop"`
	Ignore            uint64 `json:"ignore"`
	Canary            uint64 `json:"canary,omitempty"`
}

// Report is everything `netviz check` says about a job.
type Report struct {
	Schema int `json:"schema"`
	// Version is the version of the model snapshot the report was made on.
	Version uint64 `json:"model_version"`
	Job     JobRef `json:"job"`
	// Plan is the scheduler's answer; Estimate is true when there is none
	// (forbidden or failed) and placement is netviz's own guess, which
	// considers neither constraints nor CPU/memory.
	Plan     Plan `json:"plan"`
	Estimate bool `json:"estimate"`
	// Placements are where netviz puts the new allocations for the
	// prediction, per group.
	Placements []Placement `json:"placements"`
	// PortFit is, per static port, the nodes where it is free and taken.
	PortFit []PortFit `json:"port_fit"`
	// HostNetworks is, per host_network a port asks for, the nodes that
	// have it.
	HostNetworks []HostNetworkFit `json:"host_networks"`
	// Headroom is, per eligible node, the free ports of its dynamic range
	// before and after the new allocations.
	Headroom []Headroom `json:"dynamic_headroom"`
	// Diff is the networking diff against the running version.
	Diff Diff `json:"diff"`
	// Findings are the lint findings the new version adds and removes.
	Findings FindingDiff `json:"findings"`
	// Reach lists the service pairs whose verdict changes.
	Reach []ReachChange `json:"reach"`
	// Problems are what the check itself finds: a port that fits on no
	// node, a missing host network, a group the scheduler cannot place.
	Problems []model.Warning `json:"problems"`
	// Notes are plain remarks (what was estimated, what was left out).
	Notes []string `json:"notes"`
}

// JobRef names the job checked and the version it would replace.
type JobRef struct {
	Namespace string `json:"namespace"`
	ID        string `json:"id"`
	Type      string `json:"type"`
	// Running is true when the model holds live allocations of the job.
	Running bool `json:"running"`
	// RunningVersion is the newest job version among them.
	RunningVersion uint64 `json:"running_version,omitempty"`
}

// Placement is where the prediction puts a group's allocations.
type Placement struct {
	Group string `json:"group"`
	Count int    `json:"count"`
	// Nodes are the node names, one per placed allocation.
	Nodes []string `json:"nodes"`
	// Unplaced counts the allocations no eligible node could take.
	Unplaced int `json:"unplaced"`
}

// PortFit is one static port of a group and the eligible nodes it fits on.
type PortFit struct {
	Group       string `json:"group"`
	Label       string `json:"label"`
	Port        int    `json:"port"`
	HostNetwork string `json:"host_network,omitempty"`
	// Free are the node names where the port is free.
	Free []string `json:"free"`
	// Taken are the nodes where something holds it.
	Taken []PortHolder `json:"taken"`
}

// PortHolder is what holds a port on a node: an allocation (with its job,
// group and task) or the node's reserved ports.
type PortHolder struct {
	Node string `json:"node"`
	// AllocID is the holder's full ID; empty when the node reserves the port.
	AllocID   string `json:"alloc_id,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Job       string `json:"job,omitempty"`
	Group     string `json:"group,omitempty"`
	// Task is the task serving the port, where the model can tell.
	Task  string `json:"task,omitempty"`
	Label string `json:"label,omitempty"`
	// Reserved is true when the node's reserved ports hold it.
	Reserved bool `json:"reserved,omitempty"`
}

// HostNetworkFit is one host_network a group's ports ask for.
type HostNetworkFit struct {
	Group       string   `json:"group"`
	HostNetwork string   `json:"host_network"`
	Nodes       []string `json:"nodes"`
	Missing     []string `json:"missing"`
}

// Headroom is a node's dynamic port range: its size, the free ports now and
// after the new allocations (in ports, not percent).
type Headroom struct {
	Node   string `json:"node"`
	Min    int    `json:"min"`
	Max    int    `json:"max"`
	Free   int    `json:"free"`
	After  int    `json:"free_after"`
	Needed int    `json:"needed"`
}

// Change kinds of the networking diff.
const (
	ChangeGroup       = "group"
	ChangeNetworkMode = "network-mode"
	ChangePort        = "port"
	ChangeService     = "service"
	ChangeSidecar     = "sidecar"
	ChangeUpstream    = "upstream"
	ChangeRef         = "reference"
	ChangeTask        = "task"
)

// Change operations.
const (
	OpAdded   = "added"
	OpRemoved = "removed"
	OpChanged = "changed"
)

// Change is one networking difference between the running version and the new one.
type Change struct {
	Group string `json:"group"`
	Kind  string `json:"kind"`
	Op    string `json:"op"`
	// Subject names the thing: a port label, a service name, "task t: ref".
	Subject string `json:"subject"`
	Before  string `json:"before,omitempty"`
	After   string `json:"after,omitempty"`
}

// Diff is the networking diff against the running version of the job.
type Diff struct {
	// New is true when no version of the job runs: everything is added.
	New     bool     `json:"new"`
	Changes []Change `json:"changes"`
	// Summary is one line: "No networking change", "new job", or counts.
	Summary string `json:"summary"`
}

// FindingDiff is what the new version changes in the lints' findings.
type FindingDiff struct {
	Added   []model.Warning `json:"added"`
	Removed []model.Warning `json:"removed"`
}

// ReachChange is a service pair whose verdict changes. Before or After is
// "absent" when the service does not exist on that side.
type ReachChange struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Before string `json:"before"`
	After  string `json:"after"`
	// Reason is the reach answer's reason for the new verdict.
	Reason string `json:"reason,omitempty"`
}

// Absent is the verdict of a pair whose service does not exist.
const Absent = "absent"

// Worst is the most serious severity among the added findings and the
// problems, or "" when there is none.
func (r Report) Worst() model.Severity {
	worst := model.Severity("")
	for _, ws := range [][]model.Warning{r.Findings.Added, r.Problems} {
		for _, w := range ws {
			if w.Severity.Rank() > worst.Rank() {
				worst = w.Severity
			}
		}
	}
	return worst
}

// Fails reports whether the report holds an added finding or a problem at
// or above min: `netviz check` then exits 1.
func (r Report) Fails(min model.Severity) bool {
	w := r.Worst()
	return w != "" && w.AtLeast(min)
}
