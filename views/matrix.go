package views

import "github.com/netviz/netviz/collector/graph"

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
		return "·"
	}
}
