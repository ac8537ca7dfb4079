package web

import (
	"net/http"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/views/viewmodel"
)

// built is a route rendered against one snapshot: the HTML page, the JSON
// twin, the status both are served with, and which changes would alter them.
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

// build renders a route against a snapshot.
func (s *Server) build(snap *model.Snapshot, r route) built {
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
	switch r.kind {
	case kindOverview:
		o := viewmodel.NewOverview(snap, r.filter)
		return built{page: views.OverviewPage(c, o), body: o, status: http.StatusOK, deps: everything()}
	case kindTopology:
		return built{page: views.TopologyPage(c, snap, r.filter), body: viewmodel.NewTopology(snap, r.filter), status: http.StatusOK, deps: everything()}
	case kindServices:
		l := viewmodel.NewServiceList(snap, r.filter)
		return built{page: views.ServicesPage(c, l), body: l, status: http.StatusOK, deps: everything()}
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
		return built{page: views.ReachPage(c, v, viewmodel.ReachSuggestions(snap)), body: v, status: status, deps: everything()}
	case kindAllocation:
		a, cand := viewmodel.FindAllocation(snap, r.id)
		if a == nil {
			// Any allocation may make the prefix match or stop matching.
			return built{page: views.CandidatesPage(c, cand), body: cand, status: candidateStatus(cand), deps: anyAllocation()}
		}
		v := viewmodel.NewAllocationView(snap, a)
		return built{page: views.AllocationPage(c, snap, v), body: v, status: http.StatusOK, deps: allocationDeps(snap, a)}
	case kindNode:
		n := viewmodel.FindNode(snap, r.id)
		if n == nil {
			return built{
				page:   views.NotFoundPage(c, "node", r.id),
				body:   errorBody{Error: "no node " + r.id},
				status: http.StatusNotFound,
				// The address may be a name or prefix: any node may match it.
				deps: everything(),
			}
		}
		v := viewmodel.NewNodeLedgerView(snap, n, r.ledger)
		return built{page: views.NodePage(c, v), body: v, status: http.StatusOK, deps: nodeDeps(v)}
	case kindService:
		v, found := viewmodel.NewServiceView(snap, r.id)
		deps := serviceDeps(v)
		if !found {
			return built{
				page:   views.NotFoundPage(c, "service", r.id),
				body:   errorBody{Error: "no service " + r.id},
				status: http.StatusNotFound,
				deps:   deps,
			}
		}
		return built{page: views.ServicePage(c, v), body: v, status: http.StatusOK, deps: deps}
	}
	return built{page: views.NotFoundPage(c, "page", ""), body: errorBody{Error: "no such page"}, status: http.StatusNotFound, deps: keysOnly()}
}

// candidateStatus is 300 Multiple Choices for an ambiguous prefix and 404
// for one that matches nothing.
func candidateStatus(c viewmodel.Candidates) int {
	if len(c.Allocations) == 0 {
		return http.StatusNotFound
	}
	return http.StatusMultipleChoices
}
