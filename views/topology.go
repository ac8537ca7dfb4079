package views

import (
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views/viewmodel"
)

// TopologyPage assembles the topology page: the filter and the cluster picture.
func TopologyPage(c Chrome, snap *model.Snapshot, f viewmodel.Filter) Page {
	c.Nav = NavTopology
	return Page{
		Chrome:    c,
		Heading:   "Topology",
		Form:      &Form{Action: "/topology", Filter: f},
		Fragments: []Fragment{{ID: "topology-diagram", Body: topologyDiagram(snap, f)}},
	}
}
