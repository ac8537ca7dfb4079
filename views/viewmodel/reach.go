package viewmodel

import (
	"errors"
	"net/url"
	"strconv"

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

// GroupRow is a group of paths that say the same thing for different
// allocation pairs, with its example path's hops resolved.
type GroupRow struct {
	reach.PathGroup
	Steps []HopRow `json:"steps"`
}

// maxReachWarnings bounds the warnings a reach answer lists: between two
// large services one finding may concern thousands of allocation pairs.
const maxReachWarnings = 20

// ReachView is the reach page's content and the /api/v1/reach body: the
// question, and either the answer or why there is none.
type ReachView struct {
	Version uint64 `json:"version"`
	From    string `json:"from"`
	To      string `json:"to"`
	// Asked is false until both ends are given.
	Asked bool `json:"asked"`
	// Result is the answer without its paths, which Groups sum up: its
	// Paths and Groups are left empty, however many there are.
	Result *reach.Result `json:"result,omitempty"`
	// Groups are the paths, grouped by what they say, each with one
	// example in full.
	Groups []GroupRow `json:"groups,omitempty"`
	// Error says why the question has no answer (an unknown or ambiguous
	// name); Candidates lists names that would be unambiguous.
	Error      string       `json:"error,omitempty"`
	Candidates []string     `json:"candidates,omitempty"`
	Warnings   []WarningRow `json:"warnings,omitempty"`
	// MoreWarnings counts the warnings left out past the first few.
	MoreWarnings int `json:"more_warnings,omitempty"`
	// Matrix is, until a question is asked, who can reach whom among the services.
	Matrix *reach.Matrix `json:"matrix,omitempty"`
	// Observed says whether agents saw real traffic between the ends.
	Observed *ObservedAnswer `json:"observed,omitempty"`
}

// NewReachView answers "can from reach to?" against the snapshot, or shows
// the matrix window w until both ends are given.
func NewReachView(snap *model.Snapshot, from, to string, w reach.Window) ReachView {
	v := ReachView{Version: snap.Version(), From: from, To: to, Asked: from != "" && to != ""}
	if !v.Asked {
		m := reach.MatrixOf(snap, w)
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
	groups := res.Groups
	v.Observed = observedBetween(snap, from, res.Paths)
	res.Paths, res.Groups = []reach.Path{}, []reach.PathGroup{}
	v.Result = &res
	for _, g := range groups {
		v.Groups = append(v.Groups, GroupRow{PathGroup: g, Steps: hopRows(snap, g.Example.Hops)})
	}
	ws := res.Warnings
	if len(ws) > maxReachWarnings {
		v.MoreWarnings = len(ws) - maxReachWarnings
		ws = ws[:maxReachWarnings]
	}
	v.Warnings = warningRows(snap, ws)
	res.Warnings = []model.Warning{}
	return v
}

// hopRows resolves each hop's object to a link.
func hopRows(snap *model.Snapshot, hops []reach.Hop) []HopRow {
	out := make([]HopRow, 0, len(hops))
	for _, h := range hops {
		hr := HopRow{Hop: h, Link: Link{Text: h.Label}}
		if h.Key != "" {
			hr.Link.Href = KeyLink(snap, h.Key).Href
		}
		out = append(out, hr)
	}
	return out
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

// Query parameters of the reach matrix's window.
const (
	ParamRow  = "row"
	ParamCol  = "col"
	ParamSize = "size"
)

// WindowFromQuery reads the matrix window from ?row=&col=&size=; anything
// missing or unreadable is 0 (the start, the default size).
func WindowFromQuery(q url.Values) reach.Window {
	n := func(k string) int {
		v, err := strconv.Atoi(q.Get(k))
		if err != nil || v < 0 {
			return 0
		}
		return v
	}
	return reach.Window{Row: n(ParamRow), Col: n(ParamCol), Size: n(ParamSize)}
}

// SetWindowQuery writes a window into q, leaving out what is 0.
func SetWindowQuery(q url.Values, w reach.Window) {
	for k, v := range map[string]int{ParamRow: w.Row, ParamCol: w.Col, ParamSize: w.Size} {
		if v > 0 {
			q.Set(k, strconv.Itoa(v))
		}
	}
}

// MatrixHref is the reach page showing the matrix window w.
func MatrixHref(w reach.Window) string {
	q := url.Values{}
	SetWindowQuery(q, w)
	if len(q) == 0 {
		return "/reach"
	}
	return "/reach?" + q.Encode()
}
