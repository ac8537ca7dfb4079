package views

import (
	"fmt"
	"strings"

	"github.com/a-h/templ"
	"github.com/netviz/netviz/collector/model/reach"
	"github.com/netviz/netviz/views/viewmodel"
)

// matrixCell returns the matrix's cell for (from, to); ok is false on the
// diagonal.
func matrixCell(m reach.Matrix, from, to string) (reach.MatrixCell, bool) {
	return m.Cell(from, to)
}

// verdictMark is the cell's one-character mark, so the table reads without colour.
func verdictMark(v reach.Verdict) string {
	switch v {
	case reach.VerdictReachable:
		return "✓"
	case reach.VerdictBlocked:
		return "✗"
	case reach.VerdictUnknown:
		return "?"
	default:
		return "✕"
	}
}

// cellStyle tints a matrix cell by its verdict, in the reach page's colours
// (green reachable, red blocked or unreachable, grey unknown). Inline,
// because the cells are the only place that needs it.
func cellStyle(v reach.Verdict) templ.SafeCSS {
	bg := "transparent"
	switch v {
	case reach.VerdictReachable:
		bg = "#e8f5e9"
	case reach.VerdictBlocked, reach.VerdictUnreachable:
		bg = "#ffebee"
	case reach.VerdictUnknown:
		bg = "#f5f5f5"
	}
	return templ.SafeCSS("background: " + bg + "; border: 1px solid #cfd8dc; padding: 0.3rem 0.6rem; text-align: center")
}

// groupText says how many allocation pairs a group of paths stands for and
// where: "100 × 100 allocation pairs (10,000 paths) like this one, to node a, b".
func groupText(g reach.PathGroup) string {
	var b strings.Builder
	if g.FromAllocs > 0 {
		fmt.Fprintf(&b, "%d × %d allocation pairs", g.FromAllocs, g.ToAllocs)
	} else {
		b.WriteString(plural(g.ToAllocs, "target allocation"))
	}
	fmt.Fprintf(&b, " (%s) like this one", plural(g.Count, "path"))
	if len(g.ToNodes) > 0 {
		b.WriteString(", to node")
		if len(g.ToNodes) > 1 || g.MoreNodes > 0 {
			b.WriteString("s")
		}
		b.WriteString(" " + strings.Join(g.ToNodes, ", "))
		if g.MoreNodes > 0 {
			fmt.Fprintf(&b, " and %d more", g.MoreNodes)
		}
	}
	return b.String()
}

// matrixMoves are the links that move a matrix window by a page in each
// direction that has more services.
func matrixMoves(m reach.Matrix) []viewmodel.Link {
	w, n := m.Window, len(m.Services)
	var out []viewmodel.Link
	move := func(text string, row, col int) {
		to := reach.Window{Row: row, Col: col, Size: w.Size}
		out = append(out, viewmodel.Link{Text: text, Href: viewmodel.MatrixHref(to)})
	}
	if w.Row > 0 {
		move("↑ rows", max(w.Row-w.Size, 0), w.Col)
	}
	if w.Row+len(m.Rows) < n {
		move("↓ rows", w.Row+w.Size, w.Col)
	}
	if w.Col > 0 {
		move("← columns", w.Row, max(w.Col-w.Size, 0))
	}
	if w.Col+len(m.Cols) < n {
		move("→ columns", w.Row, w.Col+w.Size)
	}
	return out
}
