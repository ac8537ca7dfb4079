package model

func meshBypassLint(s *Snapshot) []Warning {
	var out []Warning
	for _, d := range s.Allocations() {
		if !d.Live() {
			continue
		}
		for _, t := range targets(d, "") {
			if w, ok := s.meshBypass(d, t); ok {
				out = append(out, w)
			}
		}
	}
	return out
}

// guardedPort is a port of a mesh allocation that its service listens on.
type guardedPort struct {
	t    target
	spec ServiceSpec
}

// peer is a live bridge allocation with the Connect names it speaks as.
type peer struct {
	a   *Allocation
	ids []string
}

func bridgePeerLint(s *Snapshot) []Warning {
	if !s.IntentionsKnown() {
		return nil
	}
	var out []Warning
	peers := map[string][]peer{} // node → its live bridge allocations
	for _, d := range s.Allocations() {
		if !d.Live() || d.Network.Mode != ModeBridge || len(d.MeshSpecs("")) == 0 {
			continue
		}
		var ports []guardedPort
		for _, t := range targets(d, "") {
			if spec, ok := meshSpecOn(d, t); ok {
				ports = append(ports, guardedPort{t, spec})
			}
		}
		if len(ports) == 0 {
			continue
		}
		onNode, ok := peers[d.NodeID]
		if !ok {
			for _, a := range s.AllocationsOnNode(d.NodeID) {
				if a.Live() && a.Network.Mode == ModeBridge {
					onNode = append(onNode, peer{a, identities(a)})
				}
			}
			peers[d.NodeID] = onNode
		}
		for _, p := range onNode {
			if p.a.ID == d.ID {
				continue
			}
			for _, gp := range ports {
				if w, ok := s.peerBypassOf(p.a, p.ids, d, gp.t, gp.spec); ok {
					out = append(out, w)
					break // one finding per pair of allocations
				}
			}
		}
	}
	return dedupe(out)
}

// dedupe drops repeated warnings (same code and subjects), keeping the first.
func dedupe(in []Warning) []Warning {
	seen := map[string]bool{}
	var out []Warning
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
