package lint

import (
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/reach"
)

func meshBypassLint(s *model.Snapshot) []model.Warning {
	var out []model.Warning
	for _, d := range s.Allocations() {
		if !d.Live() {
			continue
		}
		for _, t := range reach.Targets(d, "") {
			if w, ok := reach.MeshBypass(s, d, t); ok {
				out = append(out, w)
			}
		}
	}
	return out
}

// guardedPort is a port of a mesh allocation that its service listens on.
type guardedPort struct {
	t    reach.Target
	spec model.ServiceSpec
}

// peer is a live bridge allocation with the Connect names it speaks as.
type peer struct {
	a   *model.Allocation
	ids []string
}

func bridgePeerLint(s *model.Snapshot) []model.Warning {
	if !s.IntentionsKnown() {
		return nil
	}
	var out []model.Warning
	peers := map[string][]peer{} // node → its live bridge allocations
	for _, d := range s.Allocations() {
		if !d.Live() || d.Network.Mode != model.ModeBridge || len(d.MeshSpecs("")) == 0 {
			continue
		}
		var ports []guardedPort
		for _, t := range reach.Targets(d, "") {
			if spec, ok := reach.MeshSpecOn(d, t); ok {
				ports = append(ports, guardedPort{t, spec})
			}
		}
		if len(ports) == 0 {
			continue
		}
		onNode, ok := peers[d.NodeID]
		if !ok {
			for _, a := range s.AllocationsOnNode(d.NodeID) {
				if a.Live() && a.Network.Mode == model.ModeBridge {
					onNode = append(onNode, peer{a, reach.Identities(a)})
				}
			}
			peers[d.NodeID] = onNode
		}
		for _, p := range onNode {
			if p.a.ID == d.ID {
				continue
			}
			for _, gp := range ports {
				if w, ok := reach.PeerBypassOf(s, p.a, p.ids, d, gp.t, gp.spec); ok {
					out = append(out, w)
					break // one finding per pair of allocations
				}
			}
		}
	}
	return dedupe(out)
}

// dedupe drops repeated warnings (same code and subjects), keeping the first.
func dedupe(in []model.Warning) []model.Warning {
	seen := map[string]bool{}
	var out []model.Warning
	for _, w := range in {
		k := w.Code
		for _, sub := range w.Subjects {
			k += "\x00" + sub
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, w)
		}
	}
	return out
}
