// Package viewmodel builds what each page of the dashboard shows, as plain
// data read from one model snapshot. The same values are the bodies of the
// JSON API under /api/v1 (documented in docs/api.md), so the JSON contract
// is fixed here and an HTML change in package views cannot alter it.
//
// One builder per page: NewOverview, NewTopology, NewAllocationView (with
// FindAllocation and its Candidates), NewNodeView (FindNode),
// NewServiceList, NewServiceView, NewReachView, Warnings, and NewGraph for
// the whole model. Filter is the one page filter (?namespace=&job=&node=&q=,
// node ID prefixes accepted) that these builders and the topology diagram
// apply. Links (KeyLink, the *Href functions) and the few shared ways of
// writing IDs and addresses (ShortID, HostPort, ModeName) are here because
// they are part of the JSON too. This package imports neither templ nor
// views.
package viewmodel
