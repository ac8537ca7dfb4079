package web

import (
	"net/http"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/views/viewmodel"
)

// built is a route rendered against one snapshot: the HTML page, the JSON
// twin, the status both are served with, and which changes would alter them
// (routeData fills all but the page).
type built struct {
	page   views.Page
	body   any
	status int
	deps   interest
}

// errorBody is the JSON body of a page that does not exist.
type errorBody struct {
	Error string `json:"error"`
}

// build renders a route against a snapshot: its data (routeData), then the
// page drawn from that data (routePage).
func (s *Server) build(snap *model.Snapshot, r route) built {
	d := routeData(snap, r)
	return built{page: s.routePage(snap, r, d.body), body: d.body, status: d.status, deps: d.deps}
}

// routeData is what a route shows against a snapshot, without its page: the
// JSON twin's body, the status, and which changes would alter them. The
// JSON twin and the downloads need only this.
func routeData(snap *model.Snapshot, r route) built {
	switch r.kind {
	case kindOverview:
		return built{body: viewmodel.NewOverview(snap, r.filter), status: http.StatusOK, deps: everything()}
	case kindTopology:
		return built{body: viewmodel.NewTopology(snap, r.filter), status: http.StatusOK, deps: everything()}
	case kindServices:
		return built{body: viewmodel.NewServiceList(snap, r.filter), status: http.StatusOK, deps: everything()}
	case kindReach:
		v := viewmodel.NewReachView(snap, r.from, r.to, r.window)
		status := http.StatusOK
		if v.Asked && v.Result == nil {
			status = http.StatusNotFound
			if len(v.Candidates) > 0 {
				status = http.StatusMultipleChoices
			}
		}
		// Any change may open or close a path.
		return built{body: v, status: status, deps: everything()}
	case kindAllocation:
		a, cand := viewmodel.FindAllocation(snap, r.id)
		if a == nil {
			// Any allocation may make the prefix match or stop matching.
			return built{body: cand, status: candidateStatus(cand), deps: anyAllocation()}
		}
		return built{body: viewmodel.NewAllocationView(snap, a), status: http.StatusOK, deps: allocationDeps(snap, a)}
	case kindNode:
		n := viewmodel.FindNode(snap, r.id)
		if n == nil {
			// The address may be a name or prefix: any node may match it.
			return built{body: errorBody{Error: "no node " + r.id}, status: http.StatusNotFound, deps: everything()}
		}
		v := viewmodel.NewNodeLedgerView(snap, n, r.ledger)
		return built{body: v, status: http.StatusOK, deps: nodeDeps(v)}
	case kindService:
		v, found := viewmodel.NewServiceView(snap, r.id)
		if !found {
			return built{body: errorBody{Error: "no service " + r.id}, status: http.StatusNotFound, deps: serviceDeps(v)}
		}
		return built{body: v, status: http.StatusOK, deps: serviceDeps(v)}
	}
	return built{body: errorBody{Error: "no such page"}, status: http.StatusNotFound, deps: keysOnly()}
}

// routePage draws a route's page from the body data built for it.
func (s *Server) routePage(snap *model.Snapshot, r route, body any) views.Page {
	c := views.Chrome{
		Assets:  s.assets,
		Version: snap.Version(),
		Status:  snap.Status(),
		SignOut: s.login != nil,
	}
	if r.kind != "" {
		// Only real pages go live; a "no such page" has nothing to update.
		c.View = r.String()
	}
	switch v := body.(type) {
	case viewmodel.Overview:
		return views.OverviewPage(c, v)
	case viewmodel.Topology:
		return views.TopologyPage(c, snap, r.filter)
	case viewmodel.ServiceList:
		return views.ServicesPage(c, v)
	case viewmodel.ReachView:
		return views.ReachPage(c, v, viewmodel.ReachSuggestions(snap))
	case viewmodel.Candidates:
		return views.CandidatesPage(c, v)
	case viewmodel.AllocationView:
		return views.AllocationPage(c, snap, v)
	case viewmodel.NodeView:
		return views.NodePage(c, v)
	case viewmodel.ServiceView:
		return views.ServicePage(c, v)
	}
	switch r.kind {
	case kindNode:
		return views.NotFoundPage(c, "node", r.id)
	case kindService:
		return views.NotFoundPage(c, "service", r.id)
	}
	return views.NotFoundPage(c, "page", "")
}

// candidateStatus is 300 Multiple Choices for an ambiguous prefix and 404
// for one that matches nothing.
func candidateStatus(c viewmodel.Candidates) int {
	if len(c.Allocations) == 0 {
		return http.StatusNotFound
	}
	return http.StatusMultipleChoices
}
