package consul

import (
	consulapi "github.com/hashicorp/consul/api"
	"github.com/netviz/netviz/collector/model"
)

// checkStates holds the worst check status per node (node-level checks such
// as serfHealth) and per service instance, from one read of
// /v1/health/state/any.
type checkStates struct {
	node    map[string]string // node name → worst node-level status
	service map[string]string // checkKey → worst service-level status
	// unread means the checks could not be read: every instance's health
	// is unknown. A missing read must never look like "no checks", which
	// Consul counts as passing.
	unread bool
}

// unreadChecks is the health of every instance while the checks cannot
// be read.
func unreadChecks() checkStates { return checkStates{unread: true} }

// newCheckStates folds a list of checks into worst statuses.
func newCheckStates(checks consulapi.HealthChecks) checkStates {
	h := checkStates{node: make(map[string]string), service: make(map[string]string)}
	for _, c := range checks {
		if c == nil {
			continue
		}
		if c.ServiceID == "" {
			h.node[c.Node] = worseHealth(h.node[c.Node], checkHealth(c.Status))
			continue
		}
		k := checkKey(c.Node, c.Namespace, c.ServiceID)
		h.service[k] = worseHealth(h.service[k], checkHealth(c.Status))
	}
	return h
}

// of is an instance's health as Consul's own health endpoint would filter it:
// any critical check (its own or its node's) makes it critical, else any
// warning makes it warning; no checks at all means passing. Unread checks
// make it unknown.
func (h checkStates) of(node, namespace, serviceID string) string {
	if h.unread {
		return model.HealthUnknown
	}
	worst := worseHealth(h.node[node], h.service[checkKey(node, namespace, serviceID)])
	if worst == "" {
		return model.HealthPassing
	}
	return worst
}

// checkKey joins what identifies an instance's checks. An empty namespace and
// "default" are the same (Consul CE omits it, Enterprise spells it out).
func checkKey(node, namespace, serviceID string) string {
	if namespace == "default" {
		namespace = ""
	}
	return node + "\x00" + namespace + "\x00" + serviceID
}

// checkHealth maps a Consul check status to a model health. Maintenance mode
// is a critical check in Consul, and a status this code does not know is
// treated as critical rather than hidden.
func checkHealth(status string) string {
	switch status {
	case consulapi.HealthPassing:
		return model.HealthPassing
	case consulapi.HealthWarning:
		return model.HealthWarning
	default:
		return model.HealthCritical
	}
}

// healthRank orders healths from best to worst; "" means no check yet.
var healthRank = map[string]int{
	"":                   0,
	model.HealthPassing:  1,
	model.HealthWarning:  2,
	model.HealthCritical: 3,
}

// worseHealth returns the worse of two healths.
func worseHealth(a, b string) string {
	if healthRank[b] > healthRank[a] {
		return b
	}
	return a
}
