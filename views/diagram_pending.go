package views

import (
	"github.com/a-h/templ"

	"github.com/netviz/netviz/collector/graph"
)

// TODO(diagram): topologyDiagram and namespaceDiagram stand in for
// diagram.Topology and diagram.Namespace from views/diagram, which is being
// written at the same time. When it lands, make these two functions return
// diagram.Topology(snap, diagram.Filter{…}) and diagram.Namespace(snap, allocID)
// and delete pendingDiagram.

// topologyDiagram is the cluster picture for the topology page.
func topologyDiagram(snap *graph.Snapshot, f Filter) templ.Component {
	return pendingDiagram("topology-pending")
}

// namespaceDiagram is the picture of one allocation's network namespace.
func namespaceDiagram(snap *graph.Snapshot, allocID string) templ.Component {
	return pendingDiagram("namespace-pending")
}
