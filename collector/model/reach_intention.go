package model

// intentionsKnown reports whether the snapshot knows Consul's intentions:
// Consul answered, or some intention arrived. Before that the default
// action is a guess, and nothing should be called blocked because of it.
func (s *Snapshot) intentionsKnown() bool {
	return s.status.Consul.State == StateConnected || len(s.intentions) > 0
}
