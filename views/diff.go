package views

import (
	"slices"
	"time"

	"github.com/netviz/netviz/collector/history"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views/diagram"
	"github.com/netviz/netviz/views/viewmodel"
)

// DiffPicture is what the diff between two times draws: the later model
// with what disappeared since the earlier one put back (allocations and
// nodes, from the earlier model), and the marks that tell them apart:
// "added" for allocations and nodes that appeared, "changed" for those
// whose networking facts differ (history.SameFacts, the rule the timeline
// uses) and inside them the ports and tasks that differ, "removed" for
// those put back, which link to their pages as of from.
func DiffPicture(before, after *model.Snapshot, from time.Time) (*model.Snapshot, diagram.Marks) {
	m := diagram.Marks{
		New: map[string]bool{}, NewMark: "added", Changed: map[string]bool{}, Removed: map[string]bool{},
		RemovedHref: func(href string) string { return viewmodel.AtHref(href, from) },
		Nodes:       map[string]string{}, Ports: map[string]bool{}, Tasks: map[string]bool{},
	}
	var back []model.Change
	for _, n := range before.Nodes() {
		if after.Node(n.ID) == nil {
			m.Nodes[n.ID] = "removed"
			back = append(back, model.UpsertNode{Node: n})
		}
	}
	for _, n := range after.Nodes() {
		if before.Node(n.ID) == nil {
			m.Nodes[n.ID] = "added"
		} else if es, _ := history.Diff(before, after, []string{"node/" + n.ID}, false, time.Time{}); len(es) > 0 {
			m.Nodes[n.ID] = "changed"
		}
	}
	for _, b := range before.Allocations() {
		if a := after.Allocation(b.ID); !b.Terminal() && (a == nil || a.Terminal()) {
			m.Removed[b.ID] = true
			back = append(back, model.UpsertAllocation{Alloc: b})
		}
	}
	for _, a := range after.Allocations() {
		b := before.Allocation(a.ID)
		switch {
		case a.Terminal():
		case b == nil || b.Terminal():
			m.New[a.ID] = true
		case !history.SameFacts(b, a):
			m.Changed[a.ID] = true
			markParts(m, b, a)
		}
	}
	if len(back) == 0 {
		return after, m
	}
	return after.DryRun(back...), m
}

// markParts marks, in an allocation that changed, the ports whose mapping
// differs and the tasks it did not have before.
func markParts(m diagram.Marks, b, a *model.Allocation) {
	for _, p := range a.Ports {
		if i := slices.IndexFunc(b.Ports, func(q model.Port) bool { return q.Label == p.Label }); i < 0 || b.Ports[i] != p {
			m.Ports[a.ID+"/"+p.Label] = true
		}
	}
	for _, t := range a.Tasks {
		if !slices.ContainsFunc(b.Tasks, func(u model.Task) bool { return u.Name == t.Name }) {
			m.Tasks[a.ID+"/"+t.Name] = true
		}
	}
}
