package export

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/goccy/go-graphviz"
	"github.com/goccy/go-graphviz/cgraph"

	"github.com/netviz/netviz/views/diagram"
)

// errNoGraph stands for a DOT text Graphviz read as no graph at all.
var errNoGraph = errors.New("graphviz read no graph")

// fromDOT reads a drawn picture's DOT back into a Graph with Graphviz's
// own parser, so the Mermaid of a picture has the boxes, clusters and
// arrows its layout had. Clusters named cluster_h…, cluster_n…,
// cluster_r… are the builder's hosts, namespaces and registries.
func fromDOT(ctx context.Context, dot string) (Graph, error) {
	var g Graph
	err := diagram.UseGraphviz(ctx, func(context.Context, *graphviz.Graphviz) error {
		root, err := graphviz.ParseBytes([]byte(dot))
		if err != nil || root == nil {
			return fmt.Errorf("parse dot: %w", cmp.Or(err, errNoGraph))
		}
		defer root.Close()
		r := dotReader{g: &g, index: map[string]int{}}
		return r.read(root)
	})
	return g, err
}

// dotReader walks a parsed DOT graph.
type dotReader struct {
	g     *Graph
	index map[string]int // node name → Nodes index
}

func (r *dotReader) read(root *cgraph.Graph) error {
	r.g.Title = dotLabel(root.GetStr("label"))
	// Clusters first, depth first, so a node lands in its innermost one.
	if err := r.clusters(root, -1); err != nil {
		return err
	}
	// Then the nodes no cluster holds, and every edge.
	for n, err := root.FirstNode(); n != nil || err != nil; n, err = root.NextNode(n) {
		if err != nil {
			return fmt.Errorf("read dot nodes: %w", err)
		}
		if _, err := r.node(n, -1); err != nil {
			return err
		}
	}
	for n, err := root.FirstNode(); n != nil || err != nil; n, err = root.NextNode(n) {
		if err != nil {
			return fmt.Errorf("read dot nodes: %w", err)
		}
		for e, err := root.FirstOut(n); e != nil || err != nil; e, err = root.NextOut(e) {
			if err != nil {
				return fmt.Errorf("read dot edges: %w", err)
			}
			if err := r.edge(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// clusters reads the cluster subgraphs of g (anonymous subgraphs such as
// rank groups only pass their clusters through).
func (r *dotReader) clusters(g *cgraph.Graph, parent int) error {
	for sub, err := g.FirstSubGraph(); sub != nil || err != nil; sub, err = sub.NextSubGraph() {
		if err != nil {
			return fmt.Errorf("read dot subgraphs: %w", err)
		}
		name, err := sub.Name()
		if err != nil {
			return fmt.Errorf("read dot subgraph: %w", err)
		}
		ci := parent
		if rest, ok := strings.CutPrefix(name, "cluster_"); ok {
			ci = r.g.addCluster(parent, clusterClass(rest), dotLabel(sub.GetStr("label")))
		}
		if err := r.clusters(sub, ci); err != nil {
			return err
		}
		if ci == parent {
			continue
		}
		for n, err := sub.FirstNode(); n != nil || err != nil; n, err = sub.NextNode(n) {
			if err != nil {
				return fmt.Errorf("read dot nodes: %w", err)
			}
			if _, err := r.node(n, ci); err != nil {
				return err
			}
		}
	}
	return nil
}

// clusterClass names the builder's clusters by their name's prefix.
func clusterClass(name string) string {
	switch {
	case strings.HasPrefix(name, "h"):
		return classHost
	case strings.HasPrefix(name, "n"):
		return classNamespace
	case strings.HasPrefix(name, "r"):
		return classRegistry
	}
	return ""
}

// node adds n once, in the first (innermost) cluster it is met in.
func (r *dotReader) node(n *cgraph.Node, cluster int) (int, error) {
	name, err := n.Name()
	if err != nil {
		return 0, fmt.Errorf("read dot node: %w", err)
	}
	if i, ok := r.index[name]; ok {
		return i, nil
	}
	label := dotLabel(n.GetStr("label"))
	if label == `\N` || label == "" {
		label = name
	}
	i := r.g.addNode(cluster, boxClass(n.GetStr("class")), label)
	r.index[name] = i
	return i, nil
}

// edge adds a visible arrow; the builder's invisible grid edges only
// arrange boxes.
func (r *dotReader) edge(e *cgraph.Edge) error {
	if strings.Contains(e.GetStr("style"), "invis") {
		return nil
	}
	tail, err := e.Tail()
	if err != nil {
		return fmt.Errorf("read dot edge: %w", err)
	}
	head, err := e.Head()
	if err != nil {
		return fmt.Errorf("read dot edge: %w", err)
	}
	from, err := r.node(tail, -1)
	if err != nil {
		return err
	}
	to, err := r.node(head, -1)
	if err != nil {
		return err
	}
	r.g.addEdge(from, to, arrowClass(e.GetStr("class")), dotLabel(e.GetStr("label")))
	return nil
}

// boxClass maps a diagram box's kind (its DOT class) to an export class.
func boxClass(kind string) string {
	switch kind {
	case "task":
		return classTask
	case "proxy":
		return classProxy
	case "entry":
		return classService
	}
	return ""
}

// arrowClass maps a diagram arrow's CSS classes to an export class.
func arrowClass(css string) string {
	switch {
	case strings.Contains(css, "broken"):
		return classBroken
	case strings.Contains(css, "intent-deny"):
		return classDeny
	case strings.Contains(css, "intent-allow"):
		return classAllow
	case strings.Contains(css, "intent-unknown"), strings.Contains(css, "arrow-lookup"):
		return classUnknown
	}
	return ""
}

// dotLabel undoes DOT's label escapes: Graphviz keeps \n, \l, \r and \\
// in the parsed string, as a label's line breaks and backslashes.
func dotLabel(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n', 'l', 'r':
			b.WriteByte('\n')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
