package viewmodel

import (
	"errors"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/reach"
)

// Query parameters of the reach page.
const (
	ParamFrom = "from"
	ParamTo   = "to"
)

// HopRow is a hop of a path with its object resolved to a link.
type HopRow struct {
	reach.Hop
	Link Link `json:"link"`
}

// PathRow is one path of a reach answer with its hops resolved.
type PathRow struct {
	reach.Path
	Steps []HopRow `json:"steps"`
}

// ReachView is the reach page's content and the /api/v1/reach body: the
// question, and either the answer or why there is none.
type ReachView struct {
	Version uint64 `json:"version"`
	From    string `json:"from"`
	To      string `json:"to"`
	// Asked is false until both ends are given.
	Asked  bool          `json:"asked"`
	Result *reach.Result `json:"result,omitempty"`
	Paths  []PathRow     `json:"paths,omitempty"`
	// Error says why the question has no answer (an unknown or ambiguous
	// name); Candidates lists names that would be unambiguous.
	Error      string       `json:"error,omitempty"`
	Candidates []string     `json:"candidates,omitempty"`
	Warnings   []WarningRow `json:"warnings,omitempty"`
	// Matrix is, until a question is asked, who can reach whom among the services.
	Matrix *reach.Matrix `json:"matrix,omitempty"`
}

// NewReachView answers "can from reach to?" against the snapshot.
func NewReachView(snap *model.Snapshot, from, to string) ReachView {
	v := ReachView{Version: snap.Version(), From: from, To: to, Asked: from != "" && to != ""}
	if !v.Asked {
		m := reach.MatrixOf(snap)
		v.Matrix = &m
		return v
	}
	res, err := reach.Between(snap, from, to)
	if err != nil {
		v.Error = err.Error()
		var amb *reach.AmbiguousError
		if errors.As(err, &amb) {
			v.Candidates = amb.Candidates
		}
		return v
	}
	v.Result = &res
	for _, p := range res.Paths {
		row := PathRow{Path: p}
		for _, h := range p.Hops {
			hr := HopRow{Hop: h, Link: Link{Text: h.Label}}
			if h.Key != "" {
				hr.Link.Href = KeyLink(snap, h.Key).Href
			}
			row.Steps = append(row.Steps, hr)
		}
		v.Paths = append(v.Paths, row)
	}
	v.Warnings = warningRows(snap, res.Warnings)
	return v
}

// ReachSuggestions are the names the reach form offers: "host", "external",
// service names and job/group pairs.
func ReachSuggestions(snap *model.Snapshot) []string {
	out := []string{reach.FromHost, reach.FromExternal}
	out = append(out, snap.ServiceNames()...)
	seen := map[string]bool{}
	for _, a := range snap.Allocations() {
		jg := a.JobID + "/" + a.TaskGroup
		if !seen[jg] {
			seen[jg] = true
			out = append(out, jg)
		}
	}
	return out
}
