package diagram

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views/viewmodel"
)

// The node band of the scale view: where the allocations run. One host box
// per datacenter and node pool (placement constraints and static ports are
// per pool), with the port ruler of the per-allocation view ticking the
// static host ports held there (they are what collides), and a chip per
// node, busiest first, each opening that node's allocations, which one box
// per allocation can draw again.

// bandKey is a datacenter and node pool.
type bandKey struct{ dc, pool string }

// band is the nodes of one bandKey that run drawn allocations.
type band struct {
	key    bandKey
	nodes  []*model.Node
	allocs int
	// static maps a static host port to the job/groups holding it.
	static map[int]map[groupKey]bool
}

// bands places the band boxes from y on, width wide, and returns the y
// below them.
func (b *builder) bands(f viewmodel.Filter, d *scaleData, y, width float64) float64 {
	byKey := map[bandKey]*band{}
	nodeBand := map[string]*band{}
	for id, n := range d.nodes {
		node := b.snap.Node(id)
		if node == nil {
			node = &model.Node{ID: id, Name: id, Status: "unknown"}
		}
		k := bandKey{cmp.Or(node.Datacenter, "unknown datacenter"), cmp.Or(node.NodePool, "default")}
		bd := byKey[k]
		if bd == nil {
			bd = &band{key: k, static: map[int]map[groupKey]bool{}}
			byKey[k] = bd
		}
		bd.nodes = append(bd.nodes, node)
		bd.allocs += n
		nodeBand[id] = bd
	}
	for _, a := range d.allocs {
		bd := nodeBand[a.NodeID]
		for _, p := range a.Ports {
			if p.Static && p.Value > 0 {
				if bd.static[p.Value] == nil {
					bd.static[p.Value] = map[groupKey]bool{}
				}
				bd.static[p.Value][groupOf(a)] = true
			}
		}
	}
	list := slices.SortedFunc(maps.Values(byKey), func(x, y *band) int {
		return cmp.Or(cmp.Compare(y.allocs, x.allocs), cmp.Compare(x.key.dc, y.key.dc), cmp.Compare(x.key.pool, y.key.pool))
	})
	chips := maxNodeChips
	perRow := max(1, int((width-20+chipGap)/(chipW+chipGap)))
	for _, bd := range list {
		slices.SortFunc(bd.nodes, func(x, y *model.Node) int {
			return cmp.Or(cmp.Compare(d.nodes[y.ID], d.nodes[x.ID]), cmp.Compare(x.Name, y.Name), cmp.Compare(x.ID, y.ID))
		})
		nb := NodeBand{
			Rect:   Rect{X: padX, Y: round(y), W: round(width)},
			Title:  bd.key.dc + " · node pool " + bd.key.pool,
			Sub:    plural(len(bd.nodes), "node") + " · " + plural(bd.allocs, "allocation"),
			TestID: "band-" + bd.key.dc + "/" + bd.key.pool,
		}
		nb.Label = fmt.Sprintf("datacenter %s, node pool %s: %s, %s", bd.key.dc, bd.key.pool,
			plural(len(bd.nodes), "node"), plural(bd.allocs, "allocation"))
		shown := min(len(bd.nodes), chips)
		chips -= shown
		for i, n := range bd.nodes[:shown] {
			nf := f
			nf.Node = n.ID
			name := cmp.Or(n.Name, n.ID)
			nb.Chips = append(nb.Chips, NodeChip{
				Rect: Rect{X: round(nb.X + 10 + float64(i%perRow)*(chipW+chipGap)), Y: round(y + 24 + float64(i/perRow)*(chipH+chipGap)),
					W: chipW, H: chipH},
				Name: name, Count: count(d.nodes[n.ID]),
				Href: viewmodel.TopologyHref(nf), TestID: "node-" + n.ID,
				Title: fmt.Sprintf("node %s (%s) %s: %s drawn here; open its allocations", name, n.ID, n.Address, plural(d.nodes[n.ID], "allocation")),
			})
		}
		if hidden := len(bd.nodes) - shown; hidden > 0 {
			nb.More = fmt.Sprintf("+%s more nodes: filter by node name to see one", count(hidden))
		}
		rows := (shown + perRow - 1) / perRow
		top := y + 24 + float64(rows)*(chipH+chipGap)
		if nb.More != "" {
			top += 14
		}
		r := &nb.Ruler
		r.X, r.W, r.H = round(nb.X+10), round(nb.W-20), 8
		r.Y = round(top + 12)
		r.LabelY = round(r.Y + r.H + 10)
		x := func(port int) float64 { return round(r.X + float64(port)/maxPort*r.W) }
		lo, hi := dynamicRange(bd.nodes)
		r.DynX, r.DynW = x(lo), round(x(hi)-x(lo))
		last := math.Inf(-1)
		for _, port := range slices.Sorted(maps.Keys(bd.static)) {
			tx := x(port)
			show := tx-last >= minTickGap
			if show {
				last = tx
			}
			holders := slices.SortedFunc(maps.Keys(bd.static[port]), compareGroupKeys)
			names := make([]string, len(holders))
			for i, k := range holders {
				names[i] = k.job + "/" + k.group
			}
			// The tick opens the allocations holding the port when one
			// job holds it; its tooltip names the holders either way.
			tf := f
			if len(holders) == 1 || holders[0].job == holders[len(holders)-1].job && holders[0].ns == holders[len(holders)-1].ns {
				tf.Namespace, tf.Job = holders[0].ns, holders[0].job
			}
			r.Ticks = append(r.Ticks, Tick{X: tx, Port: port, Static: true, ShowLabel: show,
				Title:  fmt.Sprintf("static port %d held by %s", port, joinClipped(names, 3)),
				TestID: fmt.Sprintf("tick-%s/%s-%d", bd.key.dc, bd.key.pool, port),
				Href:   viewmodel.TopologyHref(tf)})
		}
		nb.H = round(r.LabelY + 8 - nb.Y)
		b.lay.Bands = append(b.lay.Bands, nb)
		y = nb.Y + nb.H + 10
	}
	return y
}

// dynamicRange is the nodes' dynamic port range when they agree, else
// Nomad's default.
func dynamicRange(nodes []*model.Node) (lo, hi int) {
	lo, hi = defaultMinDynamic, defaultMaxDynamic
	for i, n := range nodes {
		if n.MinDynamicPort <= 0 || n.MaxDynamicPort <= n.MinDynamicPort {
			return defaultMinDynamic, defaultMaxDynamic
		}
		if i == 0 {
			lo, hi = n.MinDynamicPort, n.MaxDynamicPort
		} else if n.MinDynamicPort != lo || n.MaxDynamicPort != hi {
			return defaultMinDynamic, defaultMaxDynamic
		}
	}
	return lo, hi
}

// joinClipped lists up to n names and counts the others.
func joinClipped(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:n], ", "), len(names)-n)
}
