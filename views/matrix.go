package views

import (
	"github.com/a-h/templ"
	"github.com/netviz/netviz/collector/model/reach"
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
