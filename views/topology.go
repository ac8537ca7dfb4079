package views

import "github.com/netviz/netviz/collector/graph"

// TopologyPage assembles the topology page: the filter and the cluster picture.
func TopologyPage(c Chrome, snap *graph.Snapshot, f Filter) Page {
	c.Nav = NavTopology
	return Page{
		Chrome:    c,
		Heading:   "Topology",
		Form:      &Form{Action: "/topology", Filter: f},
		Fragments: []Fragment{{ID: "topology-diagram", Body: topologyDiagram(snap, f)}},
	}
}
