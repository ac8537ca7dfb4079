package diagram

import (
	"fmt"
	"strings"
	"unicode"
)

// dotWriter builds a DOT graph as text. Every identifier it writes is one the
// layout generated itself (n12, cluster_3); cluster data only ever reaches
// DOT inside quoted, escaped attribute values, so hostile job or task names
// cannot change the graph's structure.
type dotWriter struct {
	b     strings.Builder
	depth int
}

// maxLabelRunes caps a label line: Graphviz sizes boxes from labels, and one
// absurdly long name must not stretch a whole host box. The full text stays
// in the SVG <title>.
const maxLabelRunes = 48

// quoteDOT returns s as a DOT double-quoted string whose label escapes are
// neutralised: a backslash is doubled (so \N, \G, \l mean nothing), quotes are
// escaped, and newlines in lines become separate label lines (\n).
func quoteDOT(lines ...string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, line := range lines {
		if i > 0 {
			b.WriteString(`\n`)
		}
		for _, r := range clip(line) {
			switch {
			case r == '\\':
				b.WriteString(`\\`)
			case r == '"':
				b.WriteString(`\"`)
			case unicode.IsControl(r):
				b.WriteByte(' ')
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// clip shortens s to maxLabelRunes runes, marking the cut with an ellipsis.
func clip(s string) string { return clipN(s, maxLabelRunes) }

// clipN shortens s to n runes, marking the cut with an ellipsis.
func clipN(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:max(n-1, 0)]) + "…"
}

func (w *dotWriter) line(format string, args ...any) {
	w.b.WriteString(strings.Repeat("  ", w.depth))
	fmt.Fprintf(&w.b, format, args...)
	w.b.WriteByte('\n')
}

// open starts a block (graph or subgraph); close ends it.
func (w *dotWriter) open(format string, args ...any) {
	w.line(format+" {", args...)
	w.depth++
}

func (w *dotWriter) close() {
	w.depth--
	w.line("}")
}

// attrs formats attribute pairs; values must already be quoted or numeric.
func attrs(kv ...string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(kv[i])
		b.WriteByte('=')
		b.WriteString(kv[i+1])
	}
	b.WriteByte(']')
	return b.String()
}

func (w *dotWriter) String() string { return w.b.String() }
