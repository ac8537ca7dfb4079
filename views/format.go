package views

import (
	"cmp"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// uintText formats a counter.
func uintText(v uint64) string { return strconv.FormatUint(v, 10) }

// intText formats a count or port.
func intText(v int) string { return strconv.Itoa(v) }

// stateClass maps a source state to a CSS class suffix; unknown states get
// "unknown" so a new state from the collector never yields a broken class.
func stateClass(state string) string {
	switch state {
	case model.StateConnected, model.StateSyncing, model.StateDown, model.StateAbsent, model.StateForbidden:
		return state
	}
	return "unknown"
}

// stateText is the state as shown, with a word for "not reported yet".
func stateText(state string) string {
	if state == "" {
		return "unknown"
	}
	return state
}

// timeText formats an event time, or a dash for "never".
func timeText(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(time.RFC3339)
}

// hostPort joins an address and port the way users type them, with brackets
// for IPv6.
func hostPort(ip string, port int) string {
	if ip == "" {
		ip = "*"
	}
	return net.JoinHostPort(ip, strconv.Itoa(port))
}

// AllocationHref is the allocation page of an allocation.
func AllocationHref(id string) string { return "/allocations/" + url.PathEscape(id) }

// NodeHref is the node page of a node.
func NodeHref(id string) string { return "/nodes/" + url.PathEscape(id) }

// ServiceHref is the page of a service name.
func ServiceHref(name string) string { return "/services/" + url.PathEscape(name) }

// TopologyHref is the topology page narrowed by a filter.
func TopologyHref(f Filter) string { return withQuery("/topology", f) }

// withQuery appends a filter's query to a path.
func withQuery(path string, f Filter) string {
	if q := f.Query().Encode(); q != "" {
		return path + "?" + q
	}
	return path
}

// shortID is the first eight characters of a Nomad UUID, as Nomad's CLI
// shows. Anything else (a Consul node name) is kept whole: cut, it would be
// a different, misleading name.
func shortID(id string) string {
	if len(id) == 36 && strings.Count(id, "-") == 4 {
		return id[:8]
	}
	return id
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

// ReachHref is the reach page asking whether from reaches to.
func ReachHref(from, to string) string {
	return "/reach?" + url.Values{ParamFrom: {from}, ParamTo: {to}}.Encode()
}

// toPort is the port inside the namespace: Nomad leaves `to` at 0 when it
// is the host port itself (host mode, or no mapping).
func toPort(value, to int) int {
	if to <= 0 {
		return value
	}
	return to
}
