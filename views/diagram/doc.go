// Package diagram draws netviz's pictures of a cluster's network: hosts with
// their port rulers, allocation namespaces, tasks, Connect sidecars, service
// registries and the edges between them, in the visual language of the
// Nomad networking article's figures.
//
// The work is split in two so each half can be tested alone. The builder
// (build.go, namespace.go, edges.go, view.go) turns a model.Snapshot into
// DOT; Graphviz, running in-process (engine.go), lays it out; place.go
// copies the coordinates into a Layout (layout.go: plain boxes, pins and
// arrows). The topology draws what viewmodel.Filter keeps, the one filter
// of the pages and of /api/v1/topology. The templ components in
// diagram.templ and scale.templ draw a Layout as inline SVG with links,
// classes and data-testid attributes. A Drawer caches each layout and its
// SVG per snapshot and filter, because many browsers watch the same page.
//
// What each picture means:
//   - a solid teal box is a Nomad node; the band along its lower edge is
//     its port space 0…65535, the dynamic range shaded, a tick per used
//     host port (with an arrow up to the port's pin when the host has few);
//   - a dashed orange box is an allocation's network namespace (job/group,
//     mode, IP); a solid tinted box is an allocation on the host network;
//   - pins on a namespace's left edge are its ports (host_ip:port → to,
//     bold when static); blue boxes are tasks; hatched purple boxes on the
//     edge are Connect sidecar proxies with their public port;
//   - arrows run left to right in the order traffic flows: dashed within a
//     namespace (labelled with the env var), green/red/grey between proxies
//     for allowed/denied/unknown intentions, dashed for discovery (labelled
//     with the query) with a dotted lookup to the registry box, bold for
//     ingress rules; red dashes mark a broken edge.
//
// Past 200 allocations (or past the Drawer's cap on boxes) the topology is
// the scale view (scale.go, scalelayout.go, columns.go, band.go), in the
// same language: a dashed orange box per job/group (teal when it shares
// the host network) with its allocation count, network modes, port pins
// summarised (`http dynamic ×100 → 8080`, `https 443 static`; a dynamic
// host port's number is never shown as the group's), task chips and hatched
// sidecar chips; arrows between groups folded from the snapshot's edges,
// counted and coloured as above; a bold mark on the left edge where a
// group is reached by a source with too many arrows to draw (an ingress
// routing to every service); the groups without drawn arrows as two-line
// cards, the rest counted in a summary box; and the nodes as a band per
// datacenter and node pool, a chip per busy node, the ruler ticking the
// static ports held there. Every box opens the topology narrowed to its
// job or node. docs/topology-at-scale.md says what it draws and what it
// costs.
//
// Graphviz runs in one WebAssembly module per process, so one layout runs
// at a time (engine.go); a render waits for its layout no longer than its
// deadline and otherwise draws the previous picture or the scale view
// without Graphviz, saying so (drawer.go). Labels Graphviz put on top of
// each other are moved apart along their arrows (labels.go).
package diagram
