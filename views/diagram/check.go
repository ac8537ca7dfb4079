package diagram

import (
	"context"
	"strings"

	"github.com/a-h/templ"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views/viewmodel"
)

// Marks say what a job check's picture highlights: the boxes of the new
// version's allocations, and inside them what the networking diff adds or
// changes. Keys are "group/name".
type Marks struct {
	// New are the IDs of the would-be allocations: their namespace boxes
	// get the class "new", and their links (to allocation pages that do
	// not exist) point at NewHref instead.
	New     map[string]bool
	NewHref string
	// Ports (by label), Tasks and Services (sidecar proxies, by service
	// name) get the class "changed" in the new allocations.
	Ports, Tasks, Services map[string]bool
}

// Check draws a job check's dry run: snap (the model with the job placed)
// narrowed by f, in the topology's visual language, with m's marks. It is
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
	group := map[string]string{} // drawn id -> task group, new allocations only
	hrefs := map[string]bool{}
	for i := range lay.Namespaces {
		n := &lay.Namespaces[i]
		if !m.New[n.AllocID] {
			continue
		}
		n.Mark = "new"
		hrefs[n.Href] = true
		if a := snap.Allocation(n.AllocID); a != nil {
			group[strings.TrimPrefix(n.TestID, "ns-")] = a.TaskGroup
		}
	}
	// marked says whether a box "<prefix><id>-<name>" of a new allocation
	// is in set.
	marked := func(testID, prefix string, set map[string]bool) bool {
		rest, ok := strings.CutPrefix(testID, prefix)
		if !ok {
			return false
		}
		for id, g := range group {
			if name, ok := strings.CutPrefix(rest, id+"-"); ok && set[g+"/"+name] {
				return true
			}
		}
		return false
	}
	relink := func(href *string) {
		if hrefs[*href] {
			*href = m.NewHref
		}
	}
	for i := range lay.Namespaces {
		relink(&lay.Namespaces[i].Href)
	}
	for i := range lay.Pins {
		p := &lay.Pins[i]
		if marked(p.TestID, "port-", m.Ports) {
			p.Mark = "changed"
		}
		relink(&p.Href)
	}
	for i := range lay.Tasks {
		t := &lay.Tasks[i]
		if marked(t.TestID, "task-", m.Tasks) {
			t.Mark = "changed"
		}
		relink(&t.Href)
	}
	for i := range lay.Proxies {
		if marked(lay.Proxies[i].TestID, "proxy-", m.Services) {
			lay.Proxies[i].Mark = "changed"
		}
	}
	for i := range lay.Hosts {
		for j := range lay.Hosts[i].Ruler.Ticks {
			relink(&lay.Hosts[i].Ruler.Ticks[j].Href)
		}
	}
}
