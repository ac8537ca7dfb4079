package diagram

import (
	"cmp"
	"math"
	"slices"
)

// Graphviz keeps edge labels apart when it can give each one a place in a
// rank, but not always: labels of edges within one rank, of edges that do
// not pull ranks (constraint=false) and of edges leaving clusters can land
// on each other (two mesh arrows' `mTLS · allow` and `mTLS · deny` drawn
// as one smudge). spreadLabels moves a label that would cover an earlier
// one to the nearest free point along its own arrow, so it still reads as
// that arrow's, or, failing that, just above or below where it was.

// labelFont is the size of arrow labels (.arrow-label in diagramCSS).
const labelFont = 10

// LabelBox is the box an arrow's label covers: its text, centred on
// (LabelX, LabelY), with the white halo drawn around it. It is empty for an
// arrow without a label.
func (a Arrow) LabelBox() Rect {
	if a.Label == "" {
		return Rect{}
	}
	w := textWidth(a.Label, labelFont) + 4
	return Rect{X: a.LabelX - w/2, Y: a.LabelY - 7, W: w, H: 14}
}

// Overlaps reports whether r and o share any area.
func (r Rect) Overlaps(o Rect) bool {
	return r.X < o.X+o.W && o.X < r.X+r.W && r.Y < o.Y+o.H && o.Y < r.Y+r.H
}

// spreadLabels moves labels so that no two label boxes overlap. Labels are
// settled in the arrows' order (deterministic), each keeping its place
// when free.
func spreadLabels(arrows []Arrow) {
	var placed []Rect
	free := func(r Rect) bool {
		for _, p := range placed {
			if r.Overlaps(p) {
				return false
			}
		}
		return true
	}
	for i := range arrows {
		a := &arrows[i]
		if a.Label == "" {
			continue
		}
		if box := a.LabelBox(); free(box) {
			placed = append(placed, box)
			continue
		}
		x, y := a.LabelX, a.LabelY
		for _, c := range labelSpots(a) {
			a.LabelX, a.LabelY = c.x, c.y
			if free(a.LabelBox()) {
				break
			}
		}
		// Still covered: step away from where Graphviz put it, below
		// then above, until free (there is always room far enough).
		for k := 1; !free(a.LabelBox()); k++ {
			step := float64((k+1)/2) * 14
			if k%2 == 0 {
				step = -step
			}
			a.LabelX, a.LabelY = x, round(y+step)
		}
		placed = append(placed, a.LabelBox())
	}
}

// labelSpots are the points along an arrow where its label may sit, just
// above the line, nearest the label's own place first.
func labelSpots(a *Arrow) []pt {
	var spots []pt
	for _, p := range a.curve {
		spots = append(spots, pt{round(p.x), round(p.y - 8)}, pt{round(p.x), round(p.y + 8)})
	}
	slices.SortStableFunc(spots, func(p, q pt) int {
		return cmp.Compare(math.Hypot(p.x-a.LabelX, p.y-a.LabelY), math.Hypot(q.x-a.LabelX, q.y-a.LabelY))
	})
	return spots
}

// sampleCurve samples a cubic B-spline path given as Graphviz's control
// points (1 + 3n of them) at a few points per segment, away from its ends
// (where arrowheads and boxes are).
func sampleCurve(points []pt) []pt {
	var out []pt
	for i := 0; i+3 < len(points); i += 3 {
		p0, p1, p2, p3 := points[i], points[i+1], points[i+2], points[i+3]
		for _, t := range []float64{0.2, 0.35, 0.5, 0.65, 0.8} {
			u := 1 - t
			out = append(out, pt{
				x: u*u*u*p0.x + 3*u*u*t*p1.x + 3*u*t*t*p2.x + t*t*t*p3.x,
				y: u*u*u*p0.y + 3*u*u*t*p1.y + 3*u*t*t*p2.y + t*t*t*p3.y,
			})
		}
	}
	return out
}
