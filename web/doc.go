// Package web serves netviz's pages, their JSON twins under /api/v1 and the
// websocket that keeps open pages live.
//
// Pages and their twins (every list page filters by ?namespace=&job=&node=&q=):
//
//	/                     /api/v1/overview      counts, source status, links
//	/topology             /api/v1/topology      the cluster diagram
//	/allocations/:id      /api/v1/allocations/:id   (ID or unique prefix; 300 lists candidates)
//	/nodes/:id            /api/v1/nodes/:id     (ID, name or unique prefix)
//	/services             /api/v1/services
//	/services/:name       /api/v1/services/:name
//	/reach?from=&to=      /api/v1/reach?from=&to=
//	                      /api/v1/reach/matrix  who can reach whom among the services
//	                      /api/v1/graph         the whole snapshot (as `netviz dump`)
//	                      /api/v1/warnings      (?q= narrows)
//	/healthz, /static/<content hash>/…, /ws?view=<page path and query>
//
// The JSON bodies are package viewmodel's values; docs/api.md documents
// each, and apidoc_test.go checks it against the code.
//
// Live updates. A page opens /ws?view=<its own path and query> through the
// htmx ws extension. The hub keys views by their canonical address, so all
// clients of one view share one render. On connect the client gets the
// view's current render (a resync after any reconnect). Model deltas are
// gathered for a short debounce; each view whose interest the burst touches
// is rendered once and the same bytes go to each of its clients.
//
// Wire format: one text message per push, a sequence of elements the ws
// extension swaps out of band by id:
//
//	<div id="page-shape" hx-swap-oob="true" data-shape="…" hidden></div>
//	<span id="snapshot-version" hx-swap-oob="innerHTML">…</span>
//	<span id="source-status" hx-swap-oob="innerHTML">…</span>
//	<div id="<fragment id>" hx-swap-oob="innerHTML">…</div>   (one per fragment)
//
// data-shape lists the page's fragment ids; when it differs from the page's
// own (an unknown node appeared), static/app.js reloads the page. Filter and
// question forms are never part of a push, so typing is not disturbed.
//
// A client whose bounded send queue is full is dropped (it reconnects and
// resyncs); at shutdown every socket is closed with 1012 "service restart",
// a code on which the ws extension reconnects.
package web
