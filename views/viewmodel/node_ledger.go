package viewmodel

import (
	"net/url"
	"strconv"
	"strings"
)

// Query parameters of a node page's port ledger.
const (
	ParamLedgerJob   = "job"
	ParamLedgerLabel = "label"
	ParamLedgerPorts = "ports"
	ParamLedgerPage  = "page"
)

// LedgerPageSize is how many ports one page of a node's ledger lists: a
// node with thousands of ports is read through its summary, then the
// ledger page by page or filtered.
const LedgerPageSize = 200

// maxSummaryPorts bounds the static and conflicting ports a node summary
// lists in full.
const maxSummaryPorts = 100

// LedgerQuery narrows a node's port ledger: by job, port label, a port or
// a range of ports, and which page.
type LedgerQuery struct {
	Job   string `json:"job,omitempty"`
	Label string `json:"label,omitempty"`
	// Ports is "N" or "N-M", inclusive.
	Ports string `json:"ports,omitempty"`
	Page  int    `json:"page"`
}

// LedgerQueryFromQuery reads a ledger query; the page is 1 unless a
// positive number says otherwise.
func LedgerQueryFromQuery(q url.Values) LedgerQuery {
	lq := LedgerQuery{Job: strings.TrimSpace(q.Get(ParamLedgerJob)), Label: strings.TrimSpace(q.Get(ParamLedgerLabel)),
		Ports: strings.TrimSpace(q.Get(ParamLedgerPorts)), Page: 1}
	if p, err := strconv.Atoi(q.Get(ParamLedgerPage)); err == nil && p > 1 {
		lq.Page = p
	}
	return lq
}

// Query is the ledger query as URL parameters (page 1 left out).
func (q LedgerQuery) Query() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{ParamLedgerJob: q.Job, ParamLedgerLabel: q.Label, ParamLedgerPorts: q.Ports} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.Page > 1 {
		v.Set(ParamLedgerPage, strconv.Itoa(q.Page))
	}
	return v
}

// IsZero reports whether the query narrows nothing (any page).
func (q LedgerQuery) IsZero() bool { return q.Job == "" && q.Label == "" && q.Ports == "" }

// portRange reads Ports: ok is false when it is empty or unreadable.
func (q LedgerQuery) portRange() (lo, hi int, ok bool) {
	a, b, isRange := strings.Cut(q.Ports, "-")
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	hi, err2 := lo, error(nil)
	if isRange {
		hi, err2 = strconv.Atoi(strings.TrimSpace(b))
	}
	return lo, hi, q.Ports != "" && err1 == nil && err2 == nil
}

// match reports whether a port row passes the query.
func (q LedgerQuery) match(p NodePort) bool {
	if q.Job != "" && p.JobID != q.Job {
		return false
	}
	if q.Label != "" && !strings.Contains(p.Label, q.Label) {
		return false
	}
	if lo, hi, ok := q.portRange(); ok && (p.Port < lo || p.Port > hi) {
		return false
	}
	return true
}

// Ledger is one page of a node's ports that pass a query.
type Ledger struct {
	Query LedgerQuery `json:"query"`
	// Total counts the ports that pass the query, on every page.
	Total int        `json:"total"`
	Pages int        `json:"pages"`
	Rows  []NodePort `json:"rows"`
}

// newLedger pages the ports that pass q.
func newLedger(all []NodePort, q LedgerQuery) Ledger {
	l := Ledger{Query: q, Rows: []NodePort{}}
	var kept []NodePort
	for _, p := range all {
		if q.match(p) {
			kept = append(kept, p)
		}
	}
	l.Total = len(kept)
	l.Pages = max((l.Total+LedgerPageSize-1)/LedgerPageSize, 1)
	l.Query.Page = min(max(q.Page, 1), l.Pages)
	start := (l.Query.Page - 1) * LedgerPageSize
	l.Rows = append(l.Rows, kept[start:min(start+LedgerPageSize, len(kept))]...)
	return l
}

// NodeSummary is what a node page says first, whatever the node's size:
// the static ports and conflicts in full (up to a bound), and how many
// ports each job holds.
type NodeSummary struct {
	Ports     int        `json:"ports"`
	Static    []NodePort `json:"static"`
	Conflicts []NodePort `json:"conflicts"`
	// More counts static and conflicting ports left out past the bound.
	More       int     `json:"more,omitempty"`
	PortsByJob []Count `json:"ports_by_job"`
}

// newNodeSummary sums up a node's ports.
func newNodeSummary(all []NodePort) NodeSummary {
	s := NodeSummary{Ports: len(all), Static: []NodePort{}, Conflicts: []NodePort{}}
	byJob := map[string]int{}
	for _, p := range all {
		byJob[p.JobID]++
		switch {
		case len(s.Static)+len(s.Conflicts) >= maxSummaryPorts && (p.Static || p.Conflict):
			s.More++
		case p.Conflict:
			s.Conflicts = append(s.Conflicts, p)
		case p.Static:
			s.Static = append(s.Static, p)
		}
	}
	s.PortsByJob = sortedCounts(byJob)
	return s
}

// NodeLedgerHref is a node page showing the ledger page of q.
func NodeLedgerHref(nodeID string, q LedgerQuery) string {
	if v := q.Query().Encode(); v != "" {
		return NodeHref(nodeID) + "?" + v
	}
	return NodeHref(nodeID)
}
