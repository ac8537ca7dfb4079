package viewmodel

import (
	"net/url"
	"slices"
	"strings"

	"github.com/netviz/netviz/collector/model"
)

// Filter narrows what a page shows. Every page reads it from the same query
// parameters (namespace, job, node, q) so links and the live view agree, and
// the topology diagram draws what the /api/v1/topology body lists: there is
// no other filter.
type Filter struct {
	Namespace string `json:"namespace,omitempty"`
	Job       string `json:"job,omitempty"`
	// Node is a node ID, ID prefix (four characters or more) or node name.
	Node string `json:"node,omitempty"`
	// Text is free text matched case-insensitively against names and IDs.
	Text string `json:"q,omitempty"`
}

// Query parameter names of a Filter.
const (
	ParamNamespace = "namespace"
	ParamJob       = "job"
	ParamNode      = "node"
	ParamText      = "q"
)

// FilterFromQuery reads a Filter from URL query values, trimming blanks.
func FilterFromQuery(q url.Values) Filter {
	return Filter{
		Namespace: strings.TrimSpace(q.Get(ParamNamespace)),
		Job:       strings.TrimSpace(q.Get(ParamJob)),
		Node:      strings.TrimSpace(q.Get(ParamNode)),
		Text:      strings.TrimSpace(q.Get(ParamText)),
	}
}

// Query encodes the filter as query values, omitting empty fields, in a
// stable order so equal filters give equal URLs.
func (f Filter) Query() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set(ParamNamespace, f.Namespace)
	set(ParamJob, f.Job)
	set(ParamNode, f.Node)
	set(ParamText, f.Text)
	return q
}

// IsZero reports whether the filter lets everything through.
func (f Filter) IsZero() bool { return f == Filter{} }

// MatchAllocation reports whether an allocation passes the filter. Its node
// is known by ID and by name, the allocation's own or the node's in snap.
// The overview, the topology body and the topology diagram all ask this.
func (f Filter) MatchAllocation(snap *model.Snapshot, a *model.Allocation) bool {
	if f.Namespace != "" && a.Namespace != f.Namespace {
		return false
	}
	if f.Job != "" && a.JobID != f.Job {
		return false
	}
	if f.Node != "" && !matchNodeRef(f.Node, a.NodeID, a.NodeName, nodeName(snap, a.NodeID)) {
		return false
	}
	if f.Text == "" {
		return true
	}
	fields := []string{a.ID, a.Name, a.JobID, a.TaskGroup, a.NodeName, a.Network.IP}
	for _, t := range a.Tasks {
		fields = append(fields, t.Name)
	}
	for _, s := range a.Services {
		fields = append(fields, s.Name)
	}
	return containsFold(f.Text, fields...)
}

// MatchNode reports whether a node passes the filter's node and text parts.
func (f Filter) MatchNode(n *model.Node) bool {
	if f.Node != "" && !f.NamesNode(n) {
		return false
	}
	return f.Text == "" || containsFold(f.Text, n.ID, n.Name, n.Address, n.Datacenter)
}

// NamesNode reports whether the filter's node part names n: by name, ID or
// ID prefix.
func (f Filter) NamesNode(n *model.Node) bool {
	return f.Node != "" && matchNodeRef(f.Node, n.ID, n.Name)
}

// MatchService reports whether a registered instance passes the filter. The
// job is taken from the instance's allocation, when the snapshot has it.
func (f Filter) MatchService(snap *model.Snapshot, s *model.Service) bool {
	if f.Namespace != "" && s.Namespace != "" && s.Namespace != f.Namespace {
		return false
	}
	if f.Node != "" && !matchNodeRef(f.Node, s.NodeID, nodeName(snap, s.NodeID)) {
		return false
	}
	if f.Job != "" {
		a := snap.Allocation(s.AllocID)
		if a == nil || a.JobID != f.Job {
			return false
		}
	}
	if f.Text == "" {
		return true
	}
	return containsFold(f.Text, append([]string{s.Name, s.ID, s.Address, s.Task}, s.Tags...)...)
}

// matchNodeRef accepts a node by exact ID, ID prefix (of four characters or
// more) or exact name, as users paste whichever the Nomad CLI showed them.
func matchNodeRef(ref, id string, names ...string) bool {
	if ref == id || (len(ref) >= 4 && strings.HasPrefix(id, ref)) {
		return true
	}
	return slices.Contains(names, ref)
}

// nodeName is the name of a node in the snapshot, or "" when it lacks it.
func nodeName(snap *model.Snapshot, id string) string {
	if n := snap.Node(id); n != nil {
		return n.Name
	}
	return ""
}

// containsFold reports whether any field contains needle, ignoring case.
func containsFold(needle string, fields ...string) bool {
	n := strings.ToLower(needle)
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), n) {
			return true
		}
	}
	return false
}
