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
//	/readyz               200 once every source read and none down or stale, else 503
//	/metrics              Prometheus metrics (metrics.go), in the server's own registry
//
// The JSON bodies are package viewmodel's values; docs/api.md documents
// each, and apidoc_test.go checks it against the code.
//
// Every request passes the Host allowlist (hosts.go: IP addresses,
// localhost, the listen host and Options.AllowedHosts), which refuses
// DNS-rebinding pages with 421, and is counted by route pattern.
//
// Live updates. A page opens /ws?view=<its own path and query> through the
// htmx ws extension. The hub keys views by their canonical address, so all
// clients of one view share one render. On connect the client gets the
// view's last push if no change since touched it, else a fresh render (a
// resync after any reconnect). Model deltas are gathered for a short
// debounce; then each view gets what the burst changed for it (interest.go):
//
//   - its content (a key it shows, a full delta, or Consul's state, which
//     the model derives edges and verdicts from): the whole view, rendered
//     once and the same bytes sent to each of its clients;
//   - only the sources' status (model.KeyStatus, part of every Nomad frame
//     and Consul answer): a status push, and only when the badges (or, on
//     the overview, the sources table) render differently from what the
//     page shows; a frame's new index and time change the overview alone;
//   - nothing otherwise.
//
// Full renders run on a pool of workers (one per processor, at least two),
// each view at most once at a time and under a deadline, so a slow view
// holds one worker while every other view is pushed; a change that lands
// during a render asks for another. Status pushes are constant-size and
// rendered by the hub itself. A full push older than the status its page
// already shows is followed by that status. RedrawDiagrams renders the
// pages of a diagram again once a layout that missed its deadline is done.
//
// Wire format: one text message per push, a sequence of elements the ws
// extension swaps out of band by id. A full push:
//
//	<div id="page-shape" hx-swap-oob="true" data-shape="…" hidden></div>
//	<span id="snapshot-version" hx-swap-oob="innerHTML">…</span>
//	<span id="source-status" hx-swap-oob="innerHTML">…</span>
//	<div id="<fragment id>" hx-swap-oob="innerHTML">…</div>   (one per fragment)
//
// A status push is the version and the sources, plus, on the overview, the
// overview-sources fragment; it has no shape marker, the page's kind being
// unchanged. Pushes of 2 KiB or more are compressed (permessage-deflate,
// which browsers offer on every websocket), once per push for all clients.
//
// data-shape lists the page's fragment ids; when it differs from the page's
// own (an unknown node appeared), static/app.js reloads the page. Filter and
// question forms are never part of a push, so typing is not disturbed.
//
// A client whose bounded send queue is full is dropped (it reconnects and
// resyncs); at shutdown every socket is closed with 1012 "service restart",
// a code on which the ws extension reconnects.
package web
