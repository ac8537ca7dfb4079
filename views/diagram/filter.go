package diagram

import (
	"strings"

	"github.com/netviz/netviz/collector/model"
)

// Filter narrows the topology diagram. Empty fields match everything.
type Filter struct {
	// Namespace is a Nomad namespace, matched exactly.
	Namespace string
	// Job is a job ID, matched exactly.
	Job string
	// Node is a node ID or node name, matched exactly.
	Node string
	// Text matches job, group, task and service names, case-insensitively,
	// as a substring.
	Text string
}

// matchAlloc reports whether the filter keeps the allocation.
func (f Filter) matchAlloc(a *model.Allocation, n *model.Node) bool {
	if f.Namespace != "" && a.Namespace != f.Namespace {
		return false
	}
	if f.Job != "" && a.JobID != f.Job {
		return false
	}
	if f.Node != "" && a.NodeID != f.Node && (n == nil || n.Name != f.Node) && a.NodeName != f.Node {
		return false
	}
	if f.Text == "" {
		return true
	}
	needle := strings.ToLower(f.Text)
	has := func(s string) bool { return strings.Contains(strings.ToLower(s), needle) }
	if has(a.JobID) || has(a.TaskGroup) {
		return true
	}
	for _, t := range a.Tasks {
		if has(t.Name) {
			return true
		}
	}
	for _, s := range a.Services {
		if has(s.Name) {
			return true
		}
	}
	return false
}

// matchNode reports whether an empty node box is still worth drawing: only
// when nothing narrows the picture, or the filter names that node.
func (f Filter) matchNode(n *model.Node) bool {
	if f.Node != "" {
		return n.ID == f.Node || n.Name == f.Node
	}
	return f.Namespace == "" && f.Job == "" && f.Text == ""
}
