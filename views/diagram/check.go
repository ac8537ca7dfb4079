package diagram

import (
	"cmp"
	"context"
	"strings"

	"github.com/a-h/templ"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views/viewmodel"
)

// Marks say what a picture highlights: for a job check, the boxes of the
// new version's allocations and inside them what the networking diff adds
// or changes; for the diff between two times (/diff), what appeared,
// changed or disappeared.
type Marks struct {
	// New are the IDs of allocations that are new: their namespace boxes
	// get the class NewMark ("new" when empty), and, when NewHref is set,
	// their links (to allocation pages that do not exist) point there.
	New     map[string]bool
	NewHref string
	NewMark string
	// Changed are the IDs of allocations that exist but differ: their
	// namespace boxes get the class "changed".
	Changed map[string]bool
	// Removed are the IDs of allocations gone since (drawn from an earlier
	// model): their boxes, pins and tasks get the class "removed", and
	// their links go to RemovedHref(link), their pages as they were.
	Removed     map[string]bool
	RemovedHref func(string) string
	// Nodes gives host boxes, by node ID, a class: "added", "changed" or
	// "removed".
	Nodes map[string]string
	// Ports (by label), Tasks and Services (sidecar proxies, by service
	// name) get the class "changed" in the new and changed allocations.
	// Keys are "group/name", or "<allocation ID>/name" for one allocation.
	Ports, Tasks, Services map[string]bool
}

// Check draws a marked picture: a job check's dry run (snap is the model
// with the job placed), or the diff between two times (snap is the later
// model with what disappeared put back), narrowed by f, in the topology's
// visual language, with m's marks. It is
// laid out for this call only and neither cached nor remembered as a
// view's latest picture: the page that asks keeps nothing. ctx bounds the
// wait for Graphviz.
func Check(ctx context.Context, snap *model.Snapshot, f viewmodel.Filter, m Marks) (templ.Component, error) {
	return defaultDrawer().Check(ctx, snap, f, m)
}

// Check is the package-level Check on this Drawer's Graphviz.
func (d *Drawer) Check(ctx context.Context, snap *model.Snapshot, f viewmodel.Filter, m Marks) (templ.Component, error) {
	lay, err := d.build(ctx, snap, func(b *builder) map[int]*model.Node { return b.topology(f) })
	if err != nil {
		return nil, err
	}
	m.apply(snap, lay)
	return svg(lay), nil
}

// apply marks the layout's boxes. Boxes name their allocation by the test
// ID the builder gives them ("ns-<id>", "port-<id>-<label>", ...), so the
// marks need nothing from the builder.
func (m Marks) apply(snap *model.Snapshot, lay *Layout) {
	type drawn struct{ alloc, group string }
	marked := map[string]drawn{} // drawn id -> allocation, new and changed ones
	removed := map[string]bool{} // drawn ids of removed allocations
	hrefs := map[string]string{} // link -> where it points instead
	for i := range lay.Namespaces {
		n := &lay.Namespaces[i]
		id := strings.TrimPrefix(n.TestID, "ns-")
		switch {
		case m.New[n.AllocID]:
			n.Mark = cmp.Or(m.NewMark, "new")
			if m.NewHref != "" {
				hrefs[n.Href] = m.NewHref
			}
		case m.Changed[n.AllocID]:
			n.Mark = "changed"
		case m.Removed[n.AllocID]:
			n.Mark, removed[id] = "removed", true
			if m.RemovedHref != nil {
				hrefs[n.Href] = m.RemovedHref(n.Href)
			}
			continue
		default:
			continue
		}
		if a := snap.Allocation(n.AllocID); a != nil {
			marked[id] = drawn{a.ID, a.TaskGroup}
		}
	}
	// mark gives a box "<prefix><id>-<name>" of a marked allocation the
	// class "changed" when its name is in set, or "removed" when the
	// allocation is.
	mark := func(testID, prefix string, set map[string]bool, class *string) {
		rest, ok := strings.CutPrefix(testID, prefix)
		if !ok {
			return
		}
		for id := range removed {
			if strings.HasPrefix(rest, id+"-") {
				*class = "removed"
				return
			}
		}
		for id, d := range marked {
			if name, ok := strings.CutPrefix(rest, id+"-"); ok && (set[d.group+"/"+name] || set[d.alloc+"/"+name]) {
				*class = "changed"
				return
			}
		}
	}
	relink := func(href *string) {
		if h, ok := hrefs[*href]; ok {
			*href = h
		}
	}
	for i := range lay.Namespaces {
		relink(&lay.Namespaces[i].Href)
	}
	for i := range lay.Pins {
		p := &lay.Pins[i]
		mark(p.TestID, "port-", m.Ports, &p.Mark)
		relink(&p.Href)
	}
	for i := range lay.Tasks {
		t := &lay.Tasks[i]
		mark(t.TestID, "task-", m.Tasks, &t.Mark)
		relink(&t.Href)
	}
	for i := range lay.Proxies {
		mark(lay.Proxies[i].TestID, "proxy-", m.Services, &lay.Proxies[i].Mark)
		relink(&lay.Proxies[i].Href)
	}
	for i := range lay.Hosts {
		h := &lay.Hosts[i]
		h.Mark = m.Nodes[h.NodeID]
		for j := range h.Ruler.Ticks {
			relink(&h.Ruler.Ticks[j].Href)
		}
	}
}
