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
// of the pages and of /api/v1/topology. The templ components in diagram.templ draw a Layout as inline
// SVG with links, classes and data-testid attributes. A Drawer caches each
// layout and its SVG per snapshot and filter, because many browsers watch
// the same page.
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
// Past 200 allocations the topology draws one box per job/group instead and
// says so on the picture.
package diagram
