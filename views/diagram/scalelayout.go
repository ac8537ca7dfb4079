package diagram

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views/viewmodel"
)

// How much the scale view draws. At 10,000 allocations in 1,000 job/groups
// one box each would be a wall of 1,000 boxes; the picture keeps to what
// fits a browser window or two and leaves the rest to a summary box.
const (
	// maxScaleGroups is the most job/groups drawn as boxes or cards.
	maxScaleGroups = 50
	// maxGraphGroups is the most job/groups laid out by Graphviz with
	// their connections, maxGraphEdges the most arrows between them; the
	// next ones go to the card grid below, their arrows counted.
	maxGraphGroups = 30
	maxGraphEdges  = 40
	// maxGroupPorts is the most port lines a group box lists.
	maxGroupPorts = 4
	// maxGroupEntries is the most entry marks a group box lists.
	maxGroupEntries = 2
	// maxGroupTasks is the most task and proxy chips a group box shows.
	maxGroupTasks = 4
	// maxNodeChips is the most nodes drawn as chips across all bands.
	maxNodeChips = 48
	// fanOut is the most arrows of one kind a group sends; past it (an
	// ingress routing to every group) its targets carry entry marks
	// instead of arrows, or a fan of long arrows would cross everything.
	fanOut = 6
)

// Geometry of the scale view's boxes, in points.
const (
	// scaleMinWidth is the scale view's narrowest: a browser window, the
	// width the cards and the node band spread over and its notice needs.
	scaleMinWidth = 1400
	groupMinW     = 210
	groupMaxW     = 320
	groupHead     = 32 // title and sub lines
	groupLine     = 14 // a port line
	groupTasksH   = 22 // the row of task chips
	groupPad      = 6
	cardW         = 236
	cardH         = 36
	cardGap       = 8
	chipW         = 150
	chipH         = 18
	chipGap       = 6
	sectionGap    = 18
	captionH      = 16
)

// textWidth estimates the width of s in Helvetica at size points (0.6 em
// a character, generous, so boxes never cut their text).
func textWidth(s string, size float64) float64 {
	return float64(utf8.RuneCountInString(s)) * size * 0.6
}

// count formats a count with thousands separators (10,000).
func count(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return s
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// scale draws the cluster one box per job/group: the most important groups
// laid out by Graphviz in columns that follow the traffic, with aggregated
// arrows; the next ones as cards; the rest counted in a summary box; and the
// nodes as a band of datacenter/pool boxes with a chip per busy node.
// reason says why the allocations are not drawn one by one.
func (b *builder) scale(f viewmodel.Filter, allocs []*model.Allocation, reason string) {
	b.header()
	lay := b.lay
	lay.Aggregated = true
	d := gatherScaleShared(b.snap, f, allocs)
	ranked := d.ranked()
	picked, rest := pick(ranked, maxScaleGroups)
	namespaces := map[string]bool{}
	for _, g := range ranked {
		namespaces[g.key.ns] = true
	}
	multiNS := len(namespaces) > 1
	graph, cards, edges := b.split(d, picked, maxGraphGroups)
	if room := graphRoom(f, graph, multiNS); room < len(graph) {
		graph, cards, edges = b.split(d, picked, room)
	}
	if b.noGraph {
		cards, graph, edges = picked, nil, nil
	}

	b.scaleGraph(f, graph, edges, multiNS)
	for _, g := range cards {
		lay.Groups = append(lay.Groups, describeGroup(f, g, multiNS, true))
	}
	var notice strings.Builder
	fmt.Fprintf(&notice, "%s in %s, %s: one box per job/group", plural(d.total, "allocation"), plural(len(ranked), "job/group"), reason)
	switch {
	case b.noGraph:
		fmt.Fprintf(&notice, "; %s", b.noGraphWhy)
	case len(graph) > 0:
		fmt.Fprintf(&notice, ", %d with their connections", len(graph))
	}
	if len(rest) > 0 {
		fmt.Fprintf(&notice, "; %s summarised", count(len(rest)))
	}
	notice.WriteString(". Open a box or a node for its allocations.")
	lay.Notice = notice.String()
	b.post = append(b.post, func() { b.placeScale(f, d, graph, cards, rest, multiNS) })
}

// pick takes the first n ranked groups, letting groups with a denied or
// broken connection jump the queue for up to a quarter of the places: the
// picture is for finding those.
func pick(ranked []*group, n int) (picked, rest []*group) {
	if len(ranked) <= n {
		return ranked, nil
	}
	var problems []*group
	for _, g := range ranked[n:] {
		if g.problem && len(problems) < n/4 {
			problems = append(problems, g)
		}
	}
	picked = slices.Clone(ranked[:n])
	// Replace the lowest-ranked picks that have no problem.
	for i := len(picked) - 1; i >= 0 && len(problems) > 0; i-- {
		if !picked[i].problem {
			picked[i] = problems[0]
			problems = problems[1:]
		}
	}
	in := map[*group]bool{}
	for _, g := range picked {
		in[g] = true
	}
	picked = picked[:0]
	for _, g := range ranked {
		if in[g] {
			picked = append(picked, g)
		} else {
			rest = append(rest, g)
		}
	}
	return picked, rest
}

// split chooses the groups Graphviz lays out and the arrows between them.
// A group sending more than fanOut arrows of one kind (an ingress routing
// to every service) gets none: each picked target carries an entry mark
// instead, and the source says how many it reaches. Then the most
// important arrows left, up to maxGraphEdges between up to room groups, go
// to Graphviz with their ends; the other picked groups become cards. Every
// connection not drawn as an arrow or an entry mark is counted on the ends
// that are drawn.
func (b *builder) split(d *scaleData, picked []*group, room int) (graph, cards []*group, edges []*groupEdge) {
	in := map[groupKey]bool{}
	for _, g := range picked {
		in[g.key] = true
		g.resetDrawn()
	}
	all := d.sortedEdges()
	fans := map[fanKey]int{}
	for _, e := range all {
		fans[fanKey{e.from, e.kind}]++
	}
	var candidates []*groupEdge
	shown := map[*groupEdge]bool{}
	for _, e := range all {
		switch {
		case !in[e.from] || !in[e.to]:
		case fans[fanKey{e.from, e.kind}] > fanOut:
			d.groups[e.to].entries = append(d.groups[e.to].entries, e)
			shown[e] = true
		default:
			candidates = append(candidates, e)
		}
	}
	for k, n := range fans {
		if n > fanOut && in[k.from] {
			d.groups[k.from].fans = append(d.groups[k.from].fans, fan{k.kind, n})
		}
	}
	// The arrows that matter most first: denied or broken ones, then those
	// between the highest-ranked groups; each may bring its ends into the
	// graph while there is room.
	rank := map[groupKey]int{}
	for i, g := range picked {
		rank[g.key] = i
	}
	slices.SortStableFunc(candidates, func(x, y *groupEdge) int {
		return cmp.Or(cmp.Compare(boolInt(y.problem()), boolInt(x.problem())),
			cmp.Compare(min(rank[x.from], rank[x.to]), min(rank[y.from], rank[y.to])),
			cmp.Compare(max(rank[x.from], rank[x.to]), max(rank[y.from], rank[y.to])))
	})
	linked := map[groupKey]bool{}
	for _, e := range candidates {
		grow := boolInt(!linked[e.from]) + boolInt(!linked[e.to])
		if len(edges) == maxGraphEdges || len(linked)+grow > room {
			continue
		}
		edges = append(edges, e)
		shown[e] = true
		linked[e.from], linked[e.to] = true, true
	}
	slices.SortStableFunc(edges, compareEdgeKeys)
	for _, g := range picked {
		slices.SortFunc(g.fans, func(x, y fan) int { return cmp.Compare(x.kind, y.kind) })
		if linked[g.key] {
			graph = append(graph, g)
		} else {
			cards = append(cards, g)
		}
	}
	for _, e := range all {
		if shown[e] {
			continue
		}
		if in[e.from] {
			d.groups[e.from].noteHidden(e.problem())
		}
		if in[e.to] {
			d.groups[e.to].noteHidden(e.problem())
		}
	}
	return graph, cards, edges
}

// fanKey is a group's arrows of one kind.
type fanKey struct {
	from groupKey
	kind model.EdgeKind
}

// graphRoom is how many group boxes the graph has room for: as many as
// fill the window-sized grid of columns (see columns.go) at the graph's
// average box size, within [8, maxGraphGroups].
func graphRoom(f viewmodel.Filter, graph []*group, multiNS bool) int {
	if len(graph) == 0 {
		return maxGraphGroups
	}
	var w, h float64
	for _, g := range graph {
		box := describeGroup(f, g, multiNS, false)
		w += box.W / float64(len(graph))
		h += box.H / float64(len(graph))
	}
	cols := graphWidth / (w + rankGap)
	rows := graphHeight / (h + rowGap)
	return min(maxGraphGroups, max(8, int(cols*rows)))
}

// scaleGraph writes the groups Graphviz lays out and their arrows. Columns
// follow the traffic: a group sits right of the groups that reach it (a
// longest-path layering, cycles broken), and a layer taller than the
// window wraps into further columns. Arrows do not pull the boxes
// (constraint=false): the columns alone fix where each box goes.
func (b *builder) scaleGraph(f viewmodel.Filter, graph []*group, edges []*groupEdge, multiNS bool) {
	if len(graph) == 0 {
		b.skipLayout = true
		return
	}
	var avg Rect
	for _, g := range graph {
		box := describeGroup(f, g, multiNS, false)
		avg.W += box.W / float64(len(graph))
		avg.H += box.H / float64(len(graph))
	}
	cols := columns(graph, edges, avg)
	colOf := map[groupKey]int{}
	byKey := map[groupKey]*group{}
	for c, col := range cols {
		for _, g := range col {
			colOf[g.key], byKey[g.key] = c, g
		}
	}
	// An arrow between two boxes of one column would be a flat edge of a
	// rank=same rank, which sends this build of Graphviz (go-graphviz's
	// WebAssembly dot) into corrupting its memory after a few dozen
	// layouts, for every later picture of the process: such a connection
	// is counted as not drawn instead (TestScaleLayoutsRepeat).
	var drawn []*groupEdge
	for _, e := range edges {
		if colOf[e.from] == colOf[e.to] {
			byKey[e.from].noteHidden(e.problem())
			byKey[e.to].noteHidden(e.problem())
			continue
		}
		drawn = append(drawn, e)
	}
	node := map[groupKey]string{}
	for _, col := range cols {
		for _, g := range col {
			n := b.node()
			node[g.key] = n
			gi := len(b.lay.Groups)
			b.lay.Groups = append(b.lay.Groups, describeGroup(f, g, multiNS, false))
			box := b.lay.Groups[gi]
			b.elems[n] = elemRef{elemGroup, gi}
			b.refs[n] = g.key.String()
			label := `""`
			if b.export {
				label = quoteDOT(box.Title, box.Sub)
			}
			b.w.line("%s %s;", n, attrs("label", label, "fixedsize", "true",
				"width", num(box.W/72), "height", num(box.H/72)))
		}
	}
	for c, col := range cols {
		names := make([]string, len(col))
		for i, g := range col {
			names[i] = node[g.key]
		}
		b.w.line("{ rank=same; %s; }", strings.Join(names, "; "))
		if c > 0 {
			b.invis = append(b.invis, [2]string{node[cols[c-1][0].key], names[0]})
		}
	}
	for _, e := range drawn {
		class := "arrow-" + string(e.kind)
		if e.kind == model.EdgeUpstream {
			class += " intent-" + cmp.Or(e.intent, "unknown")
		}
		if e.broken {
			class += " broken"
		}
		label := e.label()
		title := fmt.Sprintf("%s → %s: %s (%s)", e.from.job+"/"+e.from.group, e.to.job+"/"+e.to.group, label, e.kind)
		if len(e.labels) > 1 {
			title += ": " + strings.Join(slices.Sorted(maps.Keys(e.labels)), ", ")
		}
		id := "edge-" + string(e.kind) + "-" + e.from.String() + "-" + e.to.String()
		if e.intent != "" {
			id += "-" + e.intent
		}
		if e.broken {
			id += "-broken"
		}
		// An arrow running to a later column pulls its target right, as
		// in the per-allocation view; one running back (a cycle) does not.
		forward := colOf[e.from] < colOf[e.to]
		b.addArrow(arrowSpec{kind: string(e.kind), from: node[e.from], to: node[e.to], label: label,
			class: class, title: title, loose: !forward, sides: forward, testID: id})
	}
}

// placeScale finishes the scale view once Graphviz has placed the graph:
// it lays out the group boxes' lines, then, below the graph, the cards, the
// summary of the groups left out, and the node band.
func (b *builder) placeScale(f viewmodel.Filter, d *scaleData, graph, cards, rest []*group, multiNS bool) {
	lay := b.lay
	for i := range lay.Groups {
		if !lay.Groups[i].Compact {
			lay.Groups[i].arrange()
		}
	}
	lay.Width = round(math.Max(lay.Width, scaleMinWidth))
	width := lay.Width - 2*padX
	y := lay.Height
	if len(graph) == 0 {
		y = lay.Top
	}
	y += sectionGap / 2
	caption := func(text string) {
		lay.Sections = append(lay.Sections, Caption{X: padX, Y: round(y + 11), Text: text})
		y += captionH + 4
	}
	if len(cards) > 0 || len(rest) > 0 {
		switch {
		case len(graph) == 0:
			caption("Job/groups, largest first")
		default:
			caption("More job/groups, with no connection drawn")
		}
		perRow := max(1, int((width+cardGap)/(cardW+cardGap)))
		slot := 0
		at := func() Rect {
			r := Rect{X: round(padX + float64(slot%perRow)*(cardW+cardGap)), Y: round(y + float64(slot/perRow)*(cardH+cardGap)), W: cardW, H: cardH}
			slot++
			return r
		}
		for i := range lay.Groups {
			if g := &lay.Groups[i]; g.Compact {
				g.Rect = at()
			}
		}
		if len(rest) > 0 {
			m := b.moreBox(f, rest, multiNS)
			r := at()
			m.Rect = Rect{X: r.X, Y: r.Y, W: cardW, H: math.Max(cardH, float64(len(m.Lines))*13+10)}
			lay.More = append(lay.More, m)
		}
		rows := (slot + perRow - 1) / perRow
		y += float64(rows)*(cardH+cardGap) - cardGap + sectionGap
		if len(lay.More) > 0 {
			y = math.Max(y, lay.More[0].Y+lay.More[0].H+sectionGap)
		}
	}
	caption("Nodes: a chip per node, the busiest first; the ruler ticks the static host ports in use")
	y = b.bands(f, d, y, width)
	lay.Height = round(y + padX)
}

// moreBox summarises the groups left out: how many and how many
// allocations, per namespace when there are several (each line opening
// that namespace), else one line opening the overview's job list.
func (b *builder) moreBox(f viewmodel.Filter, rest []*group, multiNS bool) MoreBox {
	allocs := 0
	perNS := map[string][2]int{}
	for _, g := range rest {
		allocs += g.allocs
		c := perNS[g.key.ns]
		perNS[g.key.ns] = [2]int{c[0] + 1, c[1] + g.allocs}
	}
	m := MoreBox{TestID: "more-groups"}
	m.Lines = append(m.Lines, MoreLine{Text: fmt.Sprintf("+%s more job/groups", count(len(rest))), Href: overviewHref(f)},
		MoreLine{Text: plural(allocs, "allocation") + " · listed by job", Href: overviewHref(f)})
	if multiNS {
		for _, ns := range slices.Sorted(maps.Keys(perNS)) {
			nf := f
			nf.Namespace = ns
			m.Lines = append(m.Lines, MoreLine{Text: fmt.Sprintf("%s: %s groups", ns, count(perNS[ns][0])), Href: viewmodel.TopologyHref(nf)})
		}
	}
	return m
}

// overviewHref is the overview page, whose job list opens each job's
// topology, narrowed by f.
func overviewHref(f viewmodel.Filter) string {
	if q := f.Query().Encode(); q != "" {
		return "/?" + q
	}
	return "/"
}
