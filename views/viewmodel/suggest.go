package viewmodel

import (
	"slices"

	"github.com/netviz/netviz/collector/model"
)

// Suggestions are the values the filter form offers as the user types: the
// namespaces, jobs and node names the snapshot holds.
type Suggestions struct {
	Namespaces []string
	Jobs       []string
	Nodes      []string
}

// NewSuggestions collects the sorted, distinct filter values of a snapshot.
func NewSuggestions(snap *model.Snapshot) Suggestions {
	var s Suggestions
	for _, a := range snap.Allocations() {
		s.Namespaces = append(s.Namespaces, a.Namespace)
		s.Jobs = append(s.Jobs, a.JobID)
	}
	for _, n := range snap.Nodes() {
		s.Nodes = append(s.Nodes, n.Name)
	}
	for _, l := range []*[]string{&s.Namespaces, &s.Jobs, &s.Nodes} {
		slices.Sort(*l)
		*l = slices.Compact(*l)
	}
	return s
}
