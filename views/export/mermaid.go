package export

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Mermaid writes the graph as a Mermaid flowchart. Identifiers are
// generated (n0, c0); every label is a quoted string in which anything but
// letters, digits, spaces and . , : / - _ = + @ ! ? is written as Mermaid's
// numeric entity (#60; for <), so a name can close neither the string, the
// statement nor an HTML tag in the rendered label.
func (g *Graph) Mermaid() string {
	var b strings.Builder
	if g.Title != "" {
		// A comment cannot start a directive (%%{) with this prefix.
		fmt.Fprintf(&b, "%%%% netviz: %s\n", commentText(g.Title))
	}
	b.WriteString("flowchart LR\n")
	if len(g.Nodes) == 0 {
		fmt.Fprintf(&b, "  empty[\"%s\"]\n", mermaidText(emptyText(g.Title)))
	}
	styled := map[string]bool{}
	g.mermaidCluster(&b, -1, 1, styled)
	for i, e := range g.Edges {
		arrow := "-->"
		if s, ok := styles[e.Class]; ok && s.dashed {
			arrow = "-.->"
		}
		if e.Label != "" {
			fmt.Fprintf(&b, "  n%d %s|\"%s\"| n%d\n", e.From, arrow, mermaidText(e.Label), e.To)
		} else {
			fmt.Fprintf(&b, "  n%d %s n%d\n", e.From, arrow, e.To)
		}
		if s, ok := styles[e.Class]; ok {
			fmt.Fprintf(&b, "  linkStyle %d stroke:%s,color:%s\n", i, s.stroke, s.stroke)
		}
	}
	for _, class := range slices.Sorted(maps.Keys(styled)) {
		s := styles[class]
		fmt.Fprintf(&b, "  classDef %s %s\n", class, mermaidStyle(s))
	}
	return b.String()
}

// emptyText is what a graph with no boxes says.
func emptyText(title string) string {
	if title == "" {
		return "Nothing to draw."
	}
	return title
}

// mermaidCluster writes the subgraphs inside parent, then its nodes.
func (g *Graph) mermaidCluster(b *strings.Builder, parent, depth int, styled map[string]bool) {
	pad := strings.Repeat("  ", depth)
	for i, c := range g.Clusters {
		if c.Parent != parent {
			continue
		}
		fmt.Fprintf(b, "%ssubgraph c%d[\"%s\"]\n", pad, i, mermaidText(c.Label))
		before := b.Len()
		g.mermaidCluster(b, i, depth+1, styled)
		if b.Len() == before {
			// Mermaid rejects a subgraph with nothing in it.
			fmt.Fprintf(b, "%s  c%de[\" \"]\n", pad, i)
		}
		fmt.Fprintf(b, "%send\n", pad)
		if s, ok := styles[c.Class]; ok {
			fmt.Fprintf(b, "%sstyle c%d %s\n", pad, i, mermaidStyle(s))
		}
	}
	for i, n := range g.Nodes {
		if n.Cluster != parent {
			continue
		}
		fmt.Fprintf(b, "%sn%d[\"%s\"]", pad, i, mermaidText(n.Label))
		if _, ok := styles[n.Class]; ok {
			fmt.Fprintf(b, ":::%s", n.Class)
			styled[n.Class] = true
		}
		b.WriteByte('\n')
	}
}

// mermaidStyle is a class's look as Mermaid style properties.
func mermaidStyle(s style) string {
	out := "stroke:" + s.stroke
	if s.fill != "" {
		out += ",fill:" + s.fill
	}
	if s.dashed {
		out += ",stroke-dasharray:5 3"
	}
	return out
}

// mermaidText escapes a label for a double-quoted Mermaid string: line
// breaks become <br/>, and every rune outside a short safe list becomes a
// numeric entity (#34; for ", #35; for #, #60; for <), which Mermaid
// decodes only after parsing and its sanitiser sees as text.
func mermaidText(s string) string {
	var b strings.Builder
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			b.WriteString("<br/>")
		}
		for _, r := range line {
			switch {
			case r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(" .,:/-_=+@!?", r)):
				b.WriteRune(r)
			case unicode.IsControl(r):
				b.WriteByte(' ')
			default:
				b.WriteString("#" + strconv.Itoa(int(r)) + ";")
			}
		}
	}
	return b.String()
}

// commentText keeps a Mermaid comment on its line.
func commentText(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}
