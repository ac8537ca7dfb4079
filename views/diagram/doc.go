// Package diagram draws netviz's pictures of a cluster's network: hosts with
// their port rulers, allocation namespaces, tasks, Connect sidecars, service
// registries and the edges between them, in the visual language of the
// Nomad networking article (see /docs and DIAGRAMS.md).
//
// The work is split in two so each half can be tested alone: layout.go and
// its helpers turn a graph.Snapshot into a Layout (plain boxes, pins and
// arrows with coordinates, computed by Graphviz running in-process), and the
// templ components in diagram.templ draw a Layout as inline SVG with links,
// classes and data-testid attributes. Layouts are cached per snapshot version
// and filter, because many browsers watch the same page.
package diagram
