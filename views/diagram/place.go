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
)

// Geometry of the drawing around Graphviz's coordinates, in points.
const (
	legendHeight = 44 // two legend rows
	// padX keeps the boxes' strokes off the picture's edges.
	padX         = 8
	noticeHeight = 20
	// minTickGap is the closest two tick labels may sit on a ruler before
	// the later one is left to its tooltip.
	minTickGap = 30
	maxPort    = 65535
	// Nomad's default dynamic port range, used when a node reports none.
	defaultMinDynamic = 20000
	defaultMaxDynamic = 32000
)

// place copies Graphviz's coordinates into the Layout, flipping y so it
// points down and shifting everything below the legend.
func (b *builder) place(out *gvOutput, nodes map[int]*model.Node) error {
	bb, err := floats(out.BB)
	if err != nil || len(bb) != 4 {
		return fmt.Errorf("graph bounding box %q: %w", out.BB, err)
	}
	lay := b.lay
	lay.Top = legendHeight
	if lay.Notice != "" {
		lay.Top += noticeHeight
	}
	height := bb[3]
	flip := func(x, y float64) (float64, float64) { return round(x + padX), round(height - y + lay.Top) }
	rect := func(x0, y0, x1, y1 float64) Rect {
		x, y := flip(x0, y1)
		return Rect{X: x, Y: y, W: round(x1 - x0), H: round(y1 - y0)}
	}
	lay.Width = math.Max(round(bb[2]+2*padX), legendMinWidth)
	lay.Height = round(height + lay.Top + padX)

	labelHeight := map[int]float64{}
	for _, o := range out.Objects {
		ref, ok := b.elems[o.Name]
		if !ok {
			continue
		}
		var r Rect
		if o.BB != "" {
			v, err := floats(o.BB)
			if err != nil || len(v) != 4 {
				return fmt.Errorf("cluster box %q: %w", o.BB, err)
			}
			r = rect(v[0], v[1], v[2], v[3])
		} else {
			c, err := parsePoint(o.Pos)
			if err != nil {
				return fmt.Errorf("node position: %w", err)
			}
			w, h := inches(o.Width), inches(o.Height)
			r = rect(c.x-w/2, c.y-h/2, c.x+w/2, c.y+h/2)
		}
		switch ref.kind {
		case elemHost:
			lay.Hosts[ref.i].Rect = r
			labelHeight[ref.i] = inches(o.LHeight)
		case elemNS:
			lay.Namespaces[ref.i].Rect = r
		case elemRegistry:
			lay.Registries[ref.i].Rect = r
		case elemTask:
			lay.Tasks[ref.i].Rect = r
		case elemProxy:
			lay.Proxies[ref.i].Rect = r
		case elemPin:
			lay.Pins[ref.i].Rect = r
		case elemEntry:
			lay.Entries[ref.i].Rect = r
		case elemGroup:
			lay.Groups[ref.i].Rect = r
		}
	}
	b.proxiesOnEdge()
	for i := range lay.Pins {
		p := &lay.Pins[i]
		if proxy, ok := b.pinOn[i]; ok {
			p.Rect = lay.Proxies[b.elems[proxy].i].Rect
			p.PinX, p.PinY = p.X, round(p.Y+p.H/2)
			continue
		}
		p.PinX, p.PinY = lay.Namespaces[b.pinNS[i]].X, round(p.Y+p.H/2)
	}
	for hi := range lay.Hosts {
		b.ruler(hi, nodes[hi], labelHeight[hi])
	}
	for _, e := range out.Edges {
		i, err := strconv.Atoi(strings.TrimPrefix(e.ID, "e"))
		if err != nil || i < 0 || i >= len(b.arrows) {
			continue
		}
		a, err := b.arrow(b.arrows[i], e, flip)
		if err != nil {
			return err
		}
		lay.Arrows = append(lay.Arrows, a)
	}
	spreadLabels(lay.Arrows)
	for _, f := range b.post {
		f()
	}
	return nil
}

// placeBare finishes a picture Graphviz had nothing to lay out in.
func (b *builder) placeBare() {
	lay := b.lay
	lay.Top = legendHeight
	if lay.Notice != "" {
		lay.Top += noticeHeight
	}
	lay.Width, lay.Height = legendMinWidth, lay.Top
	for _, f := range b.post {
		f()
	}
}

// proxiesOnEdge draws each sidecar proxy astride its namespace's edge, as
// the article does: when a proxy is the outermost box on a side (the
// outbound proxy on the right, the inbound one on the left), that side of
// the namespace box is moved to the proxy's middle. Graphviz cannot place a
// node on a cluster border itself.
func (b *builder) proxiesOnEdge() {
	lay := b.lay
	// Outer edges of everything else in each namespace.
	type extent struct{ left, right float64 }
	others := map[int]map[string]extent{}
	for n, ref := range b.elems {
		d := b.owner[n]
		if d == nil {
			continue
		}
		var r Rect
		switch ref.kind {
		case elemTask:
			r = lay.Tasks[ref.i].Rect
		case elemProxy:
			r = lay.Proxies[ref.i].Rect
		case elemPin:
			r = lay.Pins[ref.i].Rect
		default:
			continue
		}
		if others[d.ns] == nil {
			others[d.ns] = map[string]extent{}
		}
		others[d.ns][n] = extent{r.X, r.X + r.W}
	}
	for _, n := range slices.Sorted(maps.Keys(b.elems)) {
		ref := b.elems[n]
		d := b.owner[n]
		if ref.kind != elemProxy || d == nil {
			continue
		}
		p := lay.Proxies[ref.i].Rect
		ns := &lay.Namespaces[d.ns]
		mid := p.X + p.W/2
		left, right := math.Inf(1), math.Inf(-1)
		for m, e := range others[d.ns] {
			if m != n {
				left, right = math.Min(left, e.left), math.Max(right, e.right)
			}
		}
		const gap = 6
		switch {
		case right < mid-gap && mid-ns.X >= ns.W/2:
			ns.W = round(mid - ns.X)
		case left > mid+gap && mid-ns.X < ns.W/2 && fits(ns, mid):
			ns.W, ns.X = round(ns.X+ns.W-mid), round(mid)
		}
	}
}

// fits reports whether a namespace's title still fits once its left edge
// moves to x (titles are drawn from the left edge; 6.5 points a character
// is generous for 11px Helvetica bold).
func fits(ns *NamespaceBox, x float64) bool {
	chars := max(utf8.RuneCountInString(clip(ns.Title)), utf8.RuneCountInString(ns.Sub))
	w := float64(chars) * 6.5
	return ns.X+ns.W-x >= w+12
}

// ruler places a host's port ruler in the band Graphviz reserved for the
// host's label, and its ticks.
func (b *builder) ruler(hi int, n *model.Node, labelHeight float64) {
	h := &b.lay.Hosts[hi]
	bottom := h.Y + h.H
	r := &h.Ruler
	r.X, r.W, r.H = round(h.X+10), round(h.W-20), 8
	r.Y = round(bottom - 40)
	r.LabelY = round(r.Y + r.H + 10)
	r.NameY = round(bottom - 6)
	x := func(port int) float64 { return round(r.X + float64(port)/maxPort*r.W) }
	lo, hi2 := defaultMinDynamic, defaultMaxDynamic
	if n != nil && n.MinDynamicPort > 0 && n.MaxDynamicPort > n.MinDynamicPort {
		lo, hi2 = n.MinDynamicPort, n.MaxDynamicPort
	}
	r.DynX, r.DynW = x(lo), round(x(hi2)-x(lo))
	ticks := b.ticks[hi]
	// Sort by port so labels are thinned left to right.
	slices.SortFunc(ticks, func(x, y tickSpec) int {
		return cmp.Or(cmp.Compare(x.port, y.port), cmp.Compare(x.testID, y.testID))
	})
	last := math.Inf(-1)
	for _, t := range ticks {
		tx := x(t.port)
		show := tx-last >= minTickGap
		if show {
			last = tx
		}
		tk := Tick{X: tx, Port: t.port, Static: t.static, ShowLabel: show,
			Title: t.title, TestID: t.testID, Href: t.href}
		if len(ticks) <= maxLeads {
			tk.Lead = b.lead(r, tx, len(r.Ticks), t.pin)
		}
		r.Ticks = append(r.Ticks, tk)
	}
}

// maxLeads is the most ports a host draws as arrows from its ruler to
// their pins, the article's picture; past it the leads would cross each
// other and the boxes, and the ticks stand alone (their tooltips and the
// pins' labels still pair them).
const maxLeads = 4

// lead routes a port's arrow from its tick up to its pin: up from the
// ruler, along a lane of its own above it, then up the namespace's left
// side into the pin, or straight up into a proxy carrying the port.
func (b *builder) lead(r *Ruler, tx float64, k, pin int) string {
	p := b.lay.Pins[pin]
	lane := r.Y - 5 - 4*float64(k)
	if p.OnProxy {
		mid := p.X + p.W/2 + 3*float64(k)
		return fmt.Sprintf("M %s %s V %s H %s V %s", num(tx), num(r.Y), num(lane), num(mid), num(p.Y+p.H))
	}
	side := p.PinX - 8 - 3*float64(k)
	return fmt.Sprintf("M %s %s V %s H %s V %s H %s", num(tx), num(r.Y), num(lane), num(side), num(p.PinY), num(p.PinX-4))
}

// arrow converts a Graphviz spline into an SVG path.
func (b *builder) arrow(a arrowSpec, e gvEdge, flip func(x, y float64) (float64, float64)) (Arrow, error) {
	sp, err := parseSpline(e.Pos)
	if err != nil {
		return Arrow{}, fmt.Errorf("edge %s: %w", e.ID, err)
	}
	var d strings.Builder
	flipped := make([]pt, 0, len(sp.points))
	for i, p := range sp.points {
		x, y := flip(p.x, p.y)
		flipped = append(flipped, pt{x, y})
		switch {
		case i == 0:
			d.WriteString("M")
		case i%3 == 1:
			d.WriteString(" C")
		}
		fmt.Fprintf(&d, " %s %s", num(x), num(y))
	}
	if sp.end != nil {
		x, y := flip(sp.end.x, sp.end.y)
		fmt.Fprintf(&d, " L %s %s", num(x), num(y))
	}
	out := Arrow{Path: d.String(), Kind: a.kind, Label: a.label, Class: a.class, Title: a.title,
		TestID: cmp.Or(a.testID, "edge-"+a.kind+"-"+b.refs[a.from]+"-"+b.refs[a.to]), Href: b.href(a.to),
		curve: sampleCurve(flipped)}
	if e.LP != "" {
		if p, err := parsePoint(e.LP); err == nil {
			out.LabelX, out.LabelY = flip(p.x, p.y)
		}
	}
	return out, nil
}

// href is the page of a drawn node: an arrow links to where it leads.
func (b *builder) href(node string) string {
	ref, ok := b.elems[node]
	if !ok {
		return ""
	}
	switch ref.kind {
	case elemTask:
		return b.lay.Tasks[ref.i].Href
	case elemProxy:
		return b.lay.Proxies[ref.i].Href
	case elemPin:
		return b.lay.Pins[ref.i].Href
	case elemEntry:
		return b.lay.Entries[ref.i].Href
	case elemGroup:
		return b.lay.Groups[ref.i].Href
	}
	return ""
}

// round keeps one decimal: enough for the eye, stable in golden files.
func round(v float64) float64 { return math.Round(v*10) / 10 }

// num formats a coordinate compactly, to one decimal, so sums like X+W/2
// computed while drawing stay short.
func num(v float64) string { return strconv.FormatFloat(round(v), 'f', -1, 64) }
