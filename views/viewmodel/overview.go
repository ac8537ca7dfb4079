package viewmodel

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/netviz/netviz/collector/model"
)

// Count is a labelled number, kept in a sorted slice rather than a map so
// pages and JSON list them in a stable order.
type Count struct {
	Key string `json:"key"`
	N   int    `json:"n"`
}

// JobRef names a job and how many of its allocations pass the filter.
type JobRef struct {
	Namespace   string `json:"namespace"`
	Job         string `json:"job"`
	Allocations int    `json:"allocations"`
}

// Overview is the overview page's content and the /api/v1/overview body.
type Overview struct {
	Version            uint64       `json:"version"`
	Filter             Filter       `json:"filter"`
	Status             model.Status `json:"status"`
	Nodes              int          `json:"nodes"`
	Allocations        int          `json:"allocations"`
	AllocationsByMode  []Count      `json:"allocations_by_mode"`
	Services           int          `json:"services"`
	ServicesByProvider []Count      `json:"services_by_provider"`
	ConnectServices    int          `json:"connect_services"`
	WarningsBySeverity []Count      `json:"warnings_by_severity"`
	// WarningsByCode counts every matching warning per code, so the summary
	// stays whole when the list is cut.
	WarningsByCode []Count `json:"warnings_by_code"`
	// WarningsTotal counts every matching warning; Warnings lists the first
	// maxOverviewWarnings of them (most severe first) and MoreWarnings the
	// rest, which /api/v1/warnings serves in full.
	WarningsTotal int           `json:"warnings_total"`
	Warnings      []WarningRow  `json:"warnings"`
	MoreWarnings  int           `json:"more_warnings,omitempty"`
	NodeList      []*model.Node `json:"node_list"`
	Jobs          []JobRef      `json:"jobs"`
	ServiceNames  []string      `json:"service_names"`
	// Advice holds what the operator could do about the sources' state,
	// e.g. raise Nomad's event buffer when it keeps dropping the stream.
	Advice []string `json:"advice"`
}

// dropsWorthAdvice is how many catch-ups after dropped events make the
// overview suggest a larger event buffer: one burst is normal, repeats are not.
const dropsWorthAdvice = 2

// SourceAdvice says what the operator could do about the sources' state.
func SourceAdvice(st model.Status) []string {
	out := []string{}
	if n := st.Nomad; n.CatchUps >= dropsWorthAdvice && n.DropBurst > 0 {
		out = append(out, fmt.Sprintf(
			"Nomad ended netviz's event stream %d times while it fell behind (last burst: %d events in a minute); "+
				"each time netviz caught up by re-reading what changed. Raise event_buffer_size on the Nomad servers "+
				"(default 100) above the burst size, e.g. to %d, so subscribers keep up.",
			n.CatchUps, n.DropBurst, suggestedBuffer(n.DropBurst)))
	}
	if n := st.Nomad; n.Divergences > 0 {
		out = append(out, fmt.Sprintf("Anti-entropy found the model different from Nomad %d times and repaired it; "+
			"this should not happen: please report it with netviz's log.", n.Divergences))
	}
	return out
}

// suggestedBuffer rounds a burst up to a buffer size with room to spare.
func suggestedBuffer(burst int) int {
	n := 128
	for n < burst*2 {
		n *= 2
	}
	return n
}

// NewOverview counts what the snapshot holds, narrowed by the filter.
func NewOverview(snap *model.Snapshot, f Filter) Overview {
	o := Overview{Version: snap.Version(), Filter: f, Status: snap.Status(), Advice: SourceAdvice(snap.Status())}
	for _, n := range snap.Nodes() {
		if f.MatchNode(n) {
			o.NodeList = append(o.NodeList, n)
		}
	}
	o.Nodes = len(o.NodeList)

	modes := map[string]int{}
	jobs := map[JobRef]int{}
	for _, a := range snap.Allocations() {
		if !f.MatchAllocation(snap, a) {
			continue
		}
		o.Allocations++
		modes[ModeName(a.Network.Mode)]++
		jobs[JobRef{Namespace: a.Namespace, Job: a.JobID}]++
	}
	o.AllocationsByMode = sortedCounts(modes)
	for j, n := range jobs {
		j.Allocations = n
		o.Jobs = append(o.Jobs, j)
	}
	slices.SortFunc(o.Jobs, func(a, b JobRef) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Job, b.Job))
	})

	providers := map[string]int{}
	// A Connect service is one fronted by a sidecar proxy or registered as
	// native or gateway; the proxy's own "-sidecar-proxy" name does not count.
	connect := map[string]bool{}
	// Services() is sorted by name: one pass lists each name once.
	for _, s := range snap.Services() {
		if !f.MatchService(snap, s) {
			continue
		}
		o.Services++
		providers[s.Provider]++
		if c := s.Connect; c != nil {
			if c.Kind == model.ConnectSidecar && c.DestinationService != "" {
				connect[c.DestinationService] = true
			} else {
				connect[s.Name] = true
			}
		}
		if n := len(o.ServiceNames); n == 0 || o.ServiceNames[n-1] != s.Name {
			o.ServiceNames = append(o.ServiceNames, s.Name)
		}
	}
	o.ConnectServices = len(connect)
	o.ServicesByProvider = sortedCounts(providers)

	ws := matchingWarnings(snap, f)
	severities, codes := map[string]int{}, map[string]int{}
	for _, w := range ws {
		severities[string(w.Severity)]++
		codes[w.Code]++
	}
	o.WarningsBySeverity = sortedCounts(severities)
	o.WarningsByCode = sortedCounts(codes)
	o.WarningsTotal = len(ws)
	if len(ws) > maxOverviewWarnings {
		o.MoreWarnings = len(ws) - maxOverviewWarnings
		ws = ws[:maxOverviewWarnings]
	}
	o.Warnings = warningRows(snap, ws)
	return o
}

// maxOverviewWarnings bounds the warnings the overview lists: on a cluster of
// thousands of allocations one lint can fire per allocation, and a page of
// 7,000 warnings (4.5 MB, measured) is neither readable nor cheap to push.
// The counts per code and severity still cover all of them.
const maxOverviewWarnings = 100

// sortedCounts turns a tally into a slice sorted by key.
func sortedCounts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{Key: k, N: n})
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Compare(a.Key, b.Key) })
	return out
}
