package views

import (
	"github.com/a-h/templ"

	"github.com/netviz/netviz/collector/model"
)

// matrixCell returns the matrix's cell for (from, to); ok is false on the
// diagonal.
func matrixCell(m model.Matrix, from, to string) (model.MatrixCell, bool) {
	return m.Cell(from, to)
}

// verdictMark is the cell's one-character mark, so the table reads without colour.
func verdictMark(v model.Verdict) string {
	switch v {
	case model.VerdictReachable:
		return "✓"
	case model.VerdictBlocked:
		return "✗"
	case model.VerdictUnknown:
		return "?"
	default:
		return "✕"
	}
}

// cellStyle tints a matrix cell by its verdict, in the reach page's colours
// (green reachable, red blocked or unreachable, grey unknown). Inline,
// because the cells are the only place that needs it.
func cellStyle(v model.Verdict) templ.SafeCSS {
	bg := "transparent"
	switch v {
	case model.VerdictReachable:
		bg = "#e8f5e9"
	case model.VerdictBlocked, model.VerdictUnreachable:
		bg = "#ffebee"
	case model.VerdictUnknown:
		bg = "#f5f5f5"
	}
	return templ.SafeCSS("background: " + bg + "; border: 1px solid #cfd8dc; padding: 0.3rem 0.6rem; text-align: center")
}
