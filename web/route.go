package web

import (
	"net/url"
	"strings"

	"github.com/netviz/netviz/collector/model/reach"
	"github.com/netviz/netviz/views/viewmodel"
)

// pageKind names the kinds of pages; it is the path pattern they live under.
type pageKind string

// Kinds of pages.
const (
	kindOverview   pageKind = "/"
	kindTopology   pageKind = "/topology"
	kindAllocation pageKind = "/allocations/:id"
	kindNode       pageKind = "/nodes/:id"
	kindServices   pageKind = "/services"
	kindService    pageKind = "/services/:name"
	kindReach      pageKind = "/reach"
)

// route is a parsed page address: which page, of what, through which filter.
// The HTML handlers, the JSON API and the websocket hub all go through it, so
// a page and its live updates cannot disagree about what it shows.
type route struct {
	kind pageKind
	// id is the allocation ID (or prefix), node ID or service name.
	id     string
	filter viewmodel.Filter
	// from and to are the ends of the reach question.
	from, to string
	// window is the part of the reach matrix shown.
	window reach.Window
	// ledger narrows a node page's port ledger.
	ledger viewmodel.LedgerQuery
}

// parseRoute reads a page address: a decoded URL path and its query.
func parseRoute(path string, query url.Values) (route, bool) {
	r := route{filter: viewmodel.FilterFromQuery(query)}
	switch path {
	case "/", "":
		r.kind = kindOverview
		return r, true
	case "/topology":
		r.kind = kindTopology
		return r, true
	case "/services":
		r.kind = kindServices
		return r, true
	case "/reach":
		r = route{kind: kindReach, from: strings.TrimSpace(query.Get(viewmodel.ParamFrom)), to: strings.TrimSpace(query.Get(viewmodel.ParamTo)),
			window: viewmodel.WindowFromQuery(query)}
		return r, true
	}
	for _, k := range []struct {
		prefix string
		kind   pageKind
	}{
		{"/allocations/", kindAllocation},
		{"/nodes/", kindNode},
		{"/services/", kindService},
	} {
		id, ok := strings.CutPrefix(path, k.prefix)
		if ok && id != "" && !strings.Contains(id, "/") {
			// A page of one object shows all of it: drop the filter so
			// equivalent addresses share one live view.
			r.kind, r.id, r.filter = k.kind, id, viewmodel.Filter{}
			if k.kind == kindNode {
				r.ledger = viewmodel.LedgerQueryFromQuery(query)
			}
			return r, true
		}
	}
	return route{}, false
}

// parseView reads the view parameter of /ws: a page path with its query.
func parseView(view string) (route, bool) {
	u, err := url.Parse(view)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return route{}, false
	}
	return parseRoute(u.Path, u.Query())
}

// String is the route's canonical address: equal routes give equal strings,
// which key the hub's views.
func (r route) String() string {
	var path string
	switch r.kind {
	case kindAllocation:
		path = viewmodel.AllocationHref(r.id)
	case kindNode:
		path = viewmodel.NodeLedgerHref(r.id, r.ledger)
	case kindService:
		path = viewmodel.ServiceHref(r.id)
	case kindReach:
		q := url.Values{}
		if r.from != "" {
			q.Set(viewmodel.ParamFrom, r.from)
		}
		if r.to != "" {
			q.Set(viewmodel.ParamTo, r.to)
		}
		viewmodel.SetWindowQuery(q, r.window)
		if len(q) > 0 {
			return "/reach?" + q.Encode()
		}
		return "/reach"
	default:
		path = string(r.kind)
	}
	if q := r.filter.Query().Encode(); q != "" {
		return path + "?" + q
	}
	return path
}
