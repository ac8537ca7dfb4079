package export

import (
	"fmt"
	"strings"

	"github.com/netviz/netviz/views/diagram"
)

// Graph is a view as boxes and arrows, the common ground of the DOT and
// Mermaid writers: the views without a drawn picture are built as one, and
// the drawn pictures' DOT is read back into one (fromdot.go) for Mermaid.
// Identifiers are the indexes of Nodes and Clusters, so no name from the
// cluster ever becomes an identifier in either language.
type Graph struct {
	// Title says what the graph shows; it is the DOT graph's label.
	Title    string
	Clusters []Cluster
	Nodes    []Node
	Edges    []Edge
}

// Cluster is a box around nodes (a host, a namespace, a path).
type Cluster struct {
	Label string
	// Parent is the index of the enclosing cluster, or -1.
	Parent int
	Class  string
}

// Node is a box; its label's lines are separated by "\n".
type Node struct {
	Label string
	// Cluster is the index of the innermost cluster holding it, or -1.
	Cluster int
	Class   string
}

// Edge is an arrow between two nodes, by index.
type Edge struct {
	From, To int
	Label    string
	Class    string
}

// Classes of nodes and edges, each drawn in one style in both languages
// (style): the colours mean what they mean on the pages.
const (
	classHost      = "host"
	classNamespace = "namespace"
	classRegistry  = "registry"
	classService   = "service"
	classTask      = "task"
	classProxy     = "proxy"
	classAllow     = "allow"
	classDeny      = "deny"
	classUnknown   = "unknown"
	classBroken    = "broken"
	classError     = "error"
	classWarning   = "warning"
	classInfo      = "info"
)

// style is how a class looks: stroke and fill colours, dashes.
type style struct {
	stroke, fill string
	dashed       bool
}

// styles are the diagram's colours (views/diagram's CSS) by class.
var styles = map[string]style{
	classHost:      {stroke: "#2f6f6a", fill: "#f7fbfa"},
	classNamespace: {stroke: "#d97706", fill: "#fffaf2", dashed: true},
	classRegistry:  {stroke: "#6b7280", fill: "#f9fafb", dashed: true},
	classService:   {stroke: "#6b7280", fill: "#ffffff"},
	classTask:      {stroke: "#1f5fae", fill: "#ffffff"},
	classProxy:     {stroke: "#6b46c1", fill: "#efe9fb"},
	classAllow:     {stroke: "#1f9d3a"},
	classDeny:      {stroke: "#d62828"},
	classUnknown:   {stroke: "#8a8a8a"},
	classBroken:    {stroke: "#d62828", dashed: true},
	classError:     {stroke: "#d62828", fill: "#fef2f2"},
	classWarning:   {stroke: "#b45309", fill: "#fffbeb"},
	classInfo:      {stroke: "#6b7280", fill: "#f9fafb"},
}

// addCluster appends a cluster and returns its index.
func (g *Graph) addCluster(parent int, class string, label ...string) int {
	g.Clusters = append(g.Clusters, Cluster{Label: strings.Join(label, "\n"), Parent: parent, Class: class})
	return len(g.Clusters) - 1
}

// addNode appends a node and returns its index.
func (g *Graph) addNode(cluster int, class string, label ...string) int {
	g.Nodes = append(g.Nodes, Node{Label: strings.Join(label, "\n"), Cluster: cluster, Class: class})
	return len(g.Nodes) - 1
}

// addEdge appends an arrow.
func (g *Graph) addEdge(from, to int, class, label string) {
	g.Edges = append(g.Edges, Edge{From: from, To: to, Label: label, Class: class})
}

// quote is a DOT string for a label: one rule for every DOT netviz writes
// (diagram.QuoteDOT), so a name cannot end the string or the graph.
func quote(label string) string { return diagram.QuoteDOT(strings.Split(label, "\n")...) }

// DOT writes the graph in Graphviz's language.
func (g *Graph) DOT() string {
	var b strings.Builder
	b.WriteString("digraph netviz {\n")
	b.WriteString(`  graph [rankdir=LR, fontname="Helvetica", fontsize=11, labelloc=t, labeljust=l`)
	if g.Title != "" {
		b.WriteString(", label=" + quote(g.Title))
	}
	b.WriteString("];\n")
	b.WriteString(`  node [shape=box, style="rounded", fontname="Helvetica", fontsize=11, margin="0.16,0.06"];` + "\n")
	b.WriteString(`  edge [fontname="Helvetica", fontsize=10, arrowsize=0.6];` + "\n")
	g.dotCluster(&b, -1, 1)
	for _, e := range g.Edges {
		kv := []string{}
		if e.Label != "" {
			kv = append(kv, "label="+quote(e.Label))
		}
		kv = append(kv, dotStyle(e.Class, false)...)
		attrs := ""
		if len(kv) > 0 {
			attrs = " [" + strings.Join(kv, ", ") + "]"
		}
		fmt.Fprintf(&b, "  n%d -> n%d%s;\n", e.From, e.To, attrs)
	}
	b.WriteString("}\n")
	return b.String()
}

// dotCluster writes the clusters inside parent, then its own nodes.
func (g *Graph) dotCluster(b *strings.Builder, parent, depth int) {
	pad := strings.Repeat("  ", depth)
	for i, c := range g.Clusters {
		if c.Parent != parent {
			continue
		}
		fmt.Fprintf(b, "%ssubgraph cluster_%d {\n", pad, i)
		fmt.Fprintf(b, "%s  graph [label=%s%s];\n", pad, quote(c.Label), strings.Join(prefixed(dotStyle(c.Class, true)), ""))
		g.dotCluster(b, i, depth+1)
		fmt.Fprintf(b, "%s}\n", pad)
	}
	for i, n := range g.Nodes {
		if n.Cluster == parent {
			fmt.Fprintf(b, "%sn%d [%s];\n", pad, i, strings.Join(append([]string{"label=" + quote(n.Label)}, dotStyle(n.Class, true)...), ", "))
		}
	}
}

func prefixed(kv []string) []string {
	for i := range kv {
		kv[i] = ", " + kv[i]
	}
	return kv
}

// dotStyle is a class's look as DOT attributes.
func dotStyle(class string, box bool) []string {
	s, ok := styles[class]
	if !ok {
		return nil
	}
	kv := []string{fmt.Sprintf("color=%q", s.stroke)}
	var st []string
	if box {
		st = append(st, "rounded")
	}
	if s.fill != "" && box {
		st = append(st, "filled")
		kv = append(kv, fmt.Sprintf("fillcolor=%q", s.fill))
	}
	if s.dashed {
		st = append(st, "dashed")
	}
	if len(st) > 0 {
		kv = append(kv, fmt.Sprintf("style=%q", strings.Join(st, ",")))
	}
	if !box {
		kv = append(kv, fmt.Sprintf("fontcolor=%q", s.stroke))
	}
	return kv
}
