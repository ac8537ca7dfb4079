package lint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/netviz/netviz/collector/model"
)

// portConflicts finds host ports held by more than one allocation on a node.
func portConflicts(s *model.Snapshot) []model.Warning {
	var out []model.Warning
	for _, nodeID := range s.NodesWithAllocations() {
		uses := s.PortsOnNode(nodeID) // sorted by port
		for i := 0; i < len(uses); {
			j := i
			for j < len(uses) && uses[j].Port == uses[i].Port {
				j++
			}
			if w, ok := conflictAt(nodeID, uses[i:j]); ok {
				out = append(out, w)
			}
			i = j
		}
	}
	return out
}

// conflictAt checks the uses of one port on one node.
func conflictAt(nodeID string, uses []model.PortUse) (model.Warning, bool) {
	involved := map[int]bool{}
	for a := range uses {
		for b := a + 1; b < len(uses); b++ {
			if uses[a].AllocID != uses[b].AllocID && model.HostIPsOverlap(uses[a].HostIP, uses[b].HostIP) {
				involved[a], involved[b] = true, true
			}
		}
	}
	if len(involved) == 0 {
		return model.Warning{}, false
	}
	subjects := []string{model.NodeKey(nodeID)}
	var holders []string
	for i, u := range uses {
		if !involved[i] {
			continue
		}
		subjects = append(subjects, model.AllocKey(u.AllocID))
		holders = append(holders, fmt.Sprintf("%s/%s %s (%s)", u.JobID, u.TaskGroup, model.ShortID(u.AllocID), u.Label))
	}
	slices.Sort(subjects[1:])
	subjects = slices.Compact(subjects)
	return model.Warning{
		Code:     model.CodePortConflict,
		Severity: model.SeverityError,
		Subjects: subjects,
		Message:  fmt.Sprintf("host port %d on node %s is held by more than one allocation: %s", uses[0].Port, nodeID, strings.Join(holders, ", ")),
		Fix:      "give one of them another static port, or let Nomad pick a dynamic port",
	}, true
}
