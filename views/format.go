package views

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views/viewmodel"
)

// uintText formats a counter.
func uintText(v uint64) string { return strconv.FormatUint(v, 10) }

// intText formats a count or port.
func intText(v int) string { return strconv.Itoa(v) }

// stateClass maps a source state to a CSS class suffix; unknown states get
// "unknown" so a new state from the collector never yields a broken class.
func stateClass(state string) string {
	switch state {
	case model.StateConnected, model.StateSyncing, model.StateCatchingUp, model.StateStale,
		model.StateDown, model.StateAbsent, model.StateForbidden:
		return state
	}
	return "unknown"
}

// stateText is the state as shown, with a word for "not reported yet".
func stateText(state string) string {
	switch state {
	case "":
		return "unknown"
	case model.StateCatchingUp:
		return "catching up"
	}
	return state
}

// sourceText is a source's state as the header badge says it: stale and
// catching-up data say as of when, so nobody takes them for live.
func sourceText(s model.SourceStatus) string {
	t := stateText(s.State)
	if s.Behind() && !s.AsOf.IsZero() {
		t += " (data as of " + s.AsOf.UTC().Format("15:04:05Z") + ")"
	}
	return t
}

// sourceTitle is the badge's tooltip: why, and the error.
func sourceTitle(s model.SourceStatus) string {
	return strings.TrimSpace(strings.Join([]string{s.Reason, s.Error}, "\n"))
}

// timeText formats an event time, or a dash for "never".
func timeText(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(time.RFC3339)
}

// plural gives "1 allocation", "3 allocations".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return intText(n) + " " + noun + "s"
}

// severityClass maps a severity to a CSS class suffix.
func severityClass(s string) string {
	switch model.Severity(s) {
	case model.SeverityInfo, model.SeverityWarning, model.SeverityError:
		return s
	}
	return "unknown"
}

// Pair is a key and its value, for maps shown in a stable order.
type Pair struct {
	Key, Value string
}

// sortedTopics lists a source's per-topic problems by topic.
func sortedTopics(m map[string]string) []Pair {
	out := make([]Pair, 0, len(m))
	for k, v := range m {
		out = append(out, Pair{Key: k, Value: v})
	}
	slices.SortFunc(out, func(a, b Pair) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

// sidecarSuffix marks a lifecycle task that runs alongside the main tasks.
func sidecarSuffix(sidecar bool) string {
	if sidecar {
		return " (sidecar)"
	}
	return ""
}

// isServiceRef reports whether a reference names a service (and so has a page).
func isServiceRef(k model.RefKind) bool {
	return k == model.RefNomadService || k == model.RefConsulService || k == model.RefEnvUpstream
}

// healthClass maps a health state to a CSS class suffix.
func healthClass(h string) string {
	switch h {
	case model.HealthPassing, model.HealthWarning, model.HealthCritical:
		return h
	}
	return model.HealthUnknown
}

// toPort is the port a node's host port reaches inside the namespace, by
// the model's rule (model.Port.InsidePort).
func toPort(value, to int) int {
	return model.Port{Value: value, To: to}.InsidePort()
}

// intentionClass maps an intention action to a CSS class suffix.
func intentionClass(action string) string {
	switch action {
	case model.ActionAllow, model.ActionDeny:
		return action
	}
	return "unknown"
}

// reachFrom links the reach question "can the edge's source reach service
// to?", or is "" when the source is not an allocation.
func reachFrom(fromKey, to string) string {
	if id, ok := viewmodel.AllocOfKey(fromKey); ok {
		return viewmodel.ReachHref(id, to)
	}
	return ""
}

// reachTo links the reach question "can service from reach the edge's target?".
func reachTo(from, toKey string) string {
	if name, ok := strings.CutPrefix(toKey, "service/"); ok {
		return viewmodel.ReachHref(from, name)
	}
	return ""
}

// ledgerNarrowed is the end of the "no ports" sentence when a query narrows
// the ledger.
func ledgerNarrowed(q viewmodel.LedgerQuery) string {
	if q.IsZero() {
		return ""
	}
	return " that matches the query"
}

// ledgerPages are the links to the ledger's other pages: first, previous,
// next and last.
func ledgerPages(n *model.Node, l viewmodel.Ledger) []viewmodel.Link {
	var out []viewmodel.Link
	add := func(text string, page int) {
		q := l.Query
		q.Page = page
		out = append(out, viewmodel.Link{Text: text, Href: viewmodel.NodeLedgerHref(n.ID, q)})
	}
	if p := l.Query.Page; p > 1 {
		add("« first", 1)
		add("‹ previous", p-1)
	}
	if p := l.Query.Page; p < l.Pages {
		add("next ›", p+1)
		add("last »", l.Pages)
	}
	return out
}

// portRowTestID tells a ledger row from a summary row in tests.
func portRowTestID(ledger bool) string {
	if ledger {
		return "node-port"
	}
	return "summary-port"
}
