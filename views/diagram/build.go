package diagram

import (
	"fmt"

	"github.com/netviz/netviz/collector/model"
)

// elemKind says which Layout slice a Graphviz object fills.
type elemKind int

const (
	elemHost elemKind = iota
	elemNS
	elemTask
	elemProxy
	elemPin
	elemEntry
	elemRegistry
	elemGroup
)

type elemRef struct {
	kind elemKind
	i    int
}

// allocDraw records the Graphviz nodes drawn for one allocation, or for one
// job/group when allocations are aggregated (then all members share it).
type allocDraw struct {
	// id is the allocation ID, or group:<ns>/<job>/<group>, for test IDs.
	id      string
	ns      int
	rep     *model.Allocation
	tasks   map[string]string // task name → node
	proxies map[string]string // destination service → proxy node
	pins    map[string]string // port label → pin node
	main    string            // the node standing for the whole allocation
}

// arrowSpec is an arrow waiting to be written as a DOT edge.
type arrowSpec struct {
	kind, from, to, label, class, title string
	// loose arrows do not pull ranks (constraint=false), for arrows that
	// run against the flow inside a namespace.
	loose bool
	// testID, when set, replaces the one made of the ends' names.
	testID string
	// sides makes the arrow leave its source's right side and enter its
	// target's left side, where a group box's pins are.
	sides bool
}

// tickSpec is a host port waiting for its ruler's geometry.
type tickSpec struct {
	port          int
	static        bool
	title, testID string
	href          string
	pin           int // index of the port's pin
}

// builder turns a snapshot into DOT and remembers which Graphviz object is
// which Layout element, so place can copy the coordinates back.
type builder struct {
	snap *model.Snapshot
	w    dotWriter
	lay  *Layout
	n    int

	elems   map[string]elemRef
	refs    map[string]string     // node → short name for edge test IDs
	owner   map[string]*allocDraw // node → its allocation drawing
	keys    map[string]string     // model key (task/…, alloc/…) → node
	allocs  map[string]*allocDraw // allocation ID → drawing
	pinNS   map[int]int           // pin index → namespace index
	pinOn   map[int]string        // pin index → proxy node carrying it
	ticks   map[int][]tickSpec    // host index → ticks
	arrows  []arrowSpec
	seen    map[arrowSpec]bool
	entries map[string]string   // entry key → node
	regs    map[string][]string // provider → entry nodes, in creation order
	loose   []string            // top-level entry nodes (services not drawn)
	// declared maps a service name to the nodes of drawn allocations whose
	// job spec declares it, for services not (yet) registered.
	declared map[string][]string
	// spans holds each namespace's first and last node; invis the
	// invisible edges that arrange boxes in a grid.
	spans []span
	invis [][2]string

	insts      map[string][]*model.Service
	targetMemo map[targetKey]targetSet

	// maxBoxes caps the boxes of a per-allocation picture (see
	// WithMaxBoxes); past it the topology is the scale view. 0 means
	// DefaultMaxBoxes.
	maxBoxes int
	// noGraph asks for a picture Graphviz need not lay out (when it
	// could not in time); noGraphWhy says so on the picture.
	noGraph    bool
	noGraphWhy string
	// skipLayout is set when the picture has nothing for Graphviz.
	skipLayout bool
	// export writes the DOT for someone else's Graphviz (export.go): boxes
	// the SVG components draw themselves get their text as DOT labels.
	export bool
	// post runs once Graphviz's coordinates are in the Layout.
	post []func()
}

// targetKey and targetSet memoise builder.targets per service.
type targetKey struct {
	name string
	mesh bool
}

type targetSet struct {
	nodes []string
	total int
}

func newBuilder(snap *model.Snapshot) *builder {
	return &builder{
		snap:    snap,
		lay:     &Layout{},
		elems:   map[string]elemRef{},
		refs:    map[string]string{},
		owner:   map[string]*allocDraw{},
		keys:    map[string]string{},
		allocs:  map[string]*allocDraw{},
		pinNS:   map[int]int{},
		pinOn:   map[int]string{},
		ticks:   map[int][]tickSpec{},
		seen:    map[arrowSpec]bool{},
		entries: map[string]string{},
		regs:    map[string][]string{},

		declared: map[string][]string{},

		insts:      map[string][]*model.Service{},
		targetMemo: map[targetKey]targetSet{},
	}
}

// node returns a fresh Graphviz node name. Names are generated, never taken
// from cluster data.
func (b *builder) node() string {
	b.n++
	return fmt.Sprintf("n%d", b.n)
}

// header opens the graph with the settings every diagram shares: left to
// right, so arrows read in the order traffic flows.
func (b *builder) header() {
	b.w.open("digraph netviz")
	b.w.line(`graph [rankdir=LR, fontname="Helvetica", fontsize=11, nodesep=0.18, ranksep=0.45, newrank=true, mclimit=0.3];`)
	b.w.line(`node [shape=box, fontname="Helvetica", fontsize=11, margin="0.1,0.05", height=0.3, width=0.3];`)
	b.w.line(`edge [fontname="Helvetica", fontsize=10, arrowsize=0.6];`)
}

// addArrow queues an arrow once.
func (b *builder) addArrow(a arrowSpec) {
	if a.from == "" || a.to == "" || b.seen[a] {
		return
	}
	b.seen[a] = true
	b.arrows = append(b.arrows, a)
}
