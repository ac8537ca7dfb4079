package views

import (
	"github.com/a-h/templ"

	"github.com/netviz/netviz/collector/graph"
)

// matrixCell returns the matrix's cell for (from, to); ok is false on the
// diagonal.
func matrixCell(m graph.Matrix, from, to string) (graph.MatrixCell, bool) {
	return m.Cell(from, to)
}

// verdictMark is the cell's one-character mark, so the table reads without colour.
func verdictMark(v graph.Verdict) string {
	switch v {
	case graph.VerdictReachable:
		return "✓"
	case graph.VerdictBlocked:
		return "✗"
	case graph.VerdictUnknown:
		return "?"
	default:
		return "✕"
	}
}

// cellStyle tints a matrix cell by its verdict, in the reach page's colours
// (green reachable, red blocked or unreachable, grey unknown). Inline,
// because the cells are the only place that needs it.
func cellStyle(v graph.Verdict) templ.SafeCSS {
	bg := "transparent"
	switch v {
	case graph.VerdictReachable:
		bg = "#e8f5e9"
	case graph.VerdictBlocked, graph.VerdictUnreachable:
		bg = "#ffebee"
	case graph.VerdictUnknown:
		bg = "#f5f5f5"
	}
	return templ.SafeCSS("background: " + bg + "; border: 1px solid #cfd8dc; padding: 0.3rem 0.6rem; text-align: center")
}
