package viewmodel

import (
	"cmp"
	"slices"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/lint"
)

// ServiceSummary is one line of the services list.
type ServiceSummary struct {
	Name      string   `json:"name"`
	Providers []string `json:"providers"`
	Instances int      `json:"instances"`
	Passing   int      `json:"passing"`
	Connect   bool     `json:"connect"`
}

// ServiceList is the services page's content and the /api/v1/services body.
type ServiceList struct {
	Version  uint64           `json:"version"`
	Filter   Filter           `json:"filter"`
	Services []ServiceSummary `json:"services"`
}

// NewServiceList summarises every service name with an instance that passes
// the filter.
func NewServiceList(snap *model.Snapshot, f Filter) ServiceList {
	l := ServiceList{Version: snap.Version(), Filter: f}
	// Services() is sorted by name: consecutive instances share a summary.
	var sum *ServiceSummary
	for _, s := range snap.Services() {
		if !f.MatchService(snap, s) {
			continue
		}
		if sum == nil || sum.Name != s.Name {
			l.Services = append(l.Services, ServiceSummary{Name: s.Name})
			sum = &l.Services[len(l.Services)-1]
		}
		sum.Instances++
		if s.Health == model.HealthPassing {
			sum.Passing++
		}
		sum.Providers = appendOnce(sum.Providers, s.Provider)
		sum.Connect = sum.Connect || s.Connect != nil
	}
	for i := range l.Services {
		slices.Sort(l.Services[i].Providers)
	}
	return l
}

// ServiceView is a service's page content and the /api/v1/services/:name body.
type ServiceView struct {
	Version   uint64           `json:"version"`
	Name      string           `json:"name"`
	Instances []*model.Service `json:"instances"`
	// Downstreams are edges into the service: Connect upstreams of other
	// allocations and ingress routes.
	Downstreams []EdgeRow `json:"downstreams"`
	// Upstreams are the Connect upstreams of the allocations behind the service.
	Upstreams []EdgeRow `json:"upstreams"`
	// Referrers are tasks that discover the service through templates or env.
	Referrers []EdgeRow    `json:"referrers"`
	Warnings  []WarningRow `json:"warnings"`
	// ObservedClients and ObservedDestinations are the connections
	// netviz agents saw into and out of the allocations behind the service.
	ObservedClients      []ObservedRow `json:"observed_clients,omitempty"`
	ObservedDestinations []ObservedRow `json:"observed_destinations,omitempty"`
}

// NewServiceView gathers what the service page shows. Found is false when
// neither an instance nor an edge mentions the name.
func NewServiceView(snap *model.Snapshot, name string) (v ServiceView, found bool) {
	v = ServiceView{Version: snap.Version(), Name: name, Instances: snap.ServicesNamed(name)}
	// Consul registers a Connect service's proxies under "<name>-sidecar-proxy";
	// they are part of the service as the mesh sees it.
	for _, s := range snap.ServicesNamed(name + "-sidecar-proxy") {
		if s.Connect != nil && s.Connect.DestinationService == name {
			v.Instances = append(v.Instances, s)
		}
	}
	key := model.ServiceKey(name)
	var down []model.Edge
	for _, e := range snap.EdgesTo(key) {
		if e.Kind != model.EdgeDiscovery {
			down = append(down, e)
		}
	}
	v.Downstreams = edgeRows(snap, down)
	var disc []model.Edge
	for _, e := range snap.Referrers(name) {
		if e.Kind == model.EdgeDiscovery {
			disc = append(disc, e)
		}
	}
	v.Referrers = edgeRows(snap, disc)

	// The allocations behind the service: those with an instance of it, and
	// those whose job declares it (instances may not be registered yet).
	backers := map[string]bool{}
	for _, s := range v.Instances {
		if s.AllocID != "" {
			backers[s.AllocID] = true
		}
	}
	for _, a := range snap.Allocations() {
		if declares(a, name) {
			backers[a.ID] = true
		}
	}
	var up []model.Edge
	seen := map[model.Edge]bool{}
	for id := range backers {
		a := snap.Allocation(id)
		if a == nil {
			continue
		}
		keys := []string{model.AllocKey(id)}
		for _, t := range a.Tasks {
			keys = append(keys, model.TaskKey(id, t.Name))
		}
		for _, k := range keys {
			for _, e := range snap.EdgesFrom(k) {
				if e.Kind == model.EdgeUpstream && !seen[e] {
					seen[e] = true
					up = append(up, e)
				}
			}
		}
	}
	slices.SortFunc(up, compareEdges)
	v.Upstreams = edgeRows(snap, up)
	v.ObservedClients, v.ObservedDestinations = observedAround(snap, backers, name)
	v.Warnings = warningRows(snap, warningsAbout(lint.Warnings(snap), key))
	found = len(v.Instances) > 0 || len(backers) > 0 || len(down) > 0 || len(v.Referrers) > 0
	return v, found
}

// declares reports whether an allocation's job declares a service named name.
func declares(a *model.Allocation, name string) bool {
	for _, s := range a.Services {
		if s.Name == name {
			return true
		}
	}
	return false
}

// compareEdges orders edges by their ends, so pages list them stably.
func compareEdges(a, b model.Edge) int {
	return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), cmp.Compare(a.Label, b.Label))
}
