package views

import (
	"strconv"

	"github.com/netviz/netviz/collector/graph"
)

// Geometry of the path drawing: boxes in one row, left to right, in the
// order traffic flows. Widths follow the label (about 6.5 px a character
// at the drawing's 11 px font), within bounds that keep a 7-hop path on
// a laptop screen.
const (
	hopHeight   = 46
	hopGap      = 34
	hopMinWidth = 84
	hopMaxChars = 30
	hopPad      = 8
)

// Colours of the drawing: one meaning each.
const (
	colourAllow   = "#2e7d32" // reachable
	colourDeny    = "#c62828" // blocked or unreachable
	colourUnknown = "#757575"
)

// HopBox is one hop placed in the path drawing.
type HopBox struct {
	X, Width int
	Kind     string
	Label    string // shortened to fit
	Full     string // the whole label, as the box's tooltip
	Href     string
	Blocked  bool
	// ArrowX1, ArrowX2 are the arrow into this box (0, 0 for the first).
	ArrowX1, ArrowX2 int
}

// PathDrawing is a path laid out left to right.
type PathDrawing struct {
	Width, Height int
	Colour        string
	Boxes         []HopBox
}

// verdictColour is the colour of a verdict.
func verdictColour(v graph.Verdict) string {
	switch v {
	case graph.VerdictReachable:
		return colourAllow
	case graph.VerdictBlocked, graph.VerdictUnreachable:
		return colourDeny
	}
	return colourUnknown
}

// shorten cuts a label to n characters, marking the cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// LayoutPath places a path's hops in one row.
func LayoutPath(p PathRow) PathDrawing {
	d := PathDrawing{Height: hopHeight + 2*hopPad, Colour: verdictColour(p.Verdict)}
	x := hopPad
	for i, h := range p.Steps {
		label := shorten(h.Link.Text, hopMaxChars)
		if label == "" {
			label = shorten(h.Label, hopMaxChars)
		}
		w := max(hopMinWidth, len([]rune(label))*13/2+2*hopPad)
		b := HopBox{X: x, Width: w, Kind: h.Kind, Label: label, Full: h.Label, Href: h.Link.Href, Blocked: h.Blocked}
		if i > 0 {
			b.ArrowX1, b.ArrowX2 = x-hopGap+2, x-2
		}
		d.Boxes = append(d.Boxes, b)
		x += w + hopGap
	}
	d.Width = x - hopGap + hopPad
	return d
}

// boxStroke is a box's outline colour: red where the traffic stops.
func boxStroke(b HopBox) string {
	if b.Blocked {
		return colourDeny
	}
	return "#90a4ae"
}

func itoa(n int) string { return strconv.Itoa(n) }

func boolAttr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func strokeWidth(b HopBox) string {
	if b.Blocked {
		return "3"
	}
	return "1.5"
}
