package diagram

// Layout is a computed diagram: every box, pin and arrow the components draw,
// with coordinates in SVG user units (Graphviz points), y pointing down. It
// holds plain values only, so tests can check geometry without rendering.
type Layout struct {
	Width, Height float64
	// Top is where the picture starts below the legend and notice.
	Top float64
	// Notice explains a simplification (aggregation) or an empty picture.
	Notice string
	// Aggregated is true when allocations are drawn one box per job/group
	// (the scale view).
	Aggregated bool
	// Banner says the picture is not the one asked for: an older version
	// shown because the new layout missed its deadline. It is drawn above
	// everything else.
	Banner string

	Hosts      []HostBox
	Registries []RegistryBox
	Namespaces []NamespaceBox
	Tasks      []TaskBox
	Proxies    []ProxyBox
	Pins       []PinBox
	Entries    []EntryBox
	Arrows     []Arrow

	// The scale view: job/group boxes, the node band, and the groups left out.
	Groups   []GroupBox
	Sections []Caption
	Bands    []NodeBand
	More     []MoreBox
}

// Rect is an axis-aligned box.
type Rect struct{ X, Y, W, H float64 }

// Contains reports whether r contains o entirely (with a small tolerance for
// Graphviz's rounding).
func (r Rect) Contains(o Rect) bool {
	const eps = 0.5
	return o.X >= r.X-eps && o.Y >= r.Y-eps && o.X+o.W <= r.X+r.W+eps && o.Y+o.H <= r.Y+r.H+eps
}

// HostBox is a Nomad node: a solid box with a port ruler along its lower edge.
type HostBox struct {
	Rect
	NodeID, Name, Address string
	Href, TestID, Title   string
	Ruler                 Ruler
	// Mark is an extra CSS class: the diff between two times' "added",
	// "changed" or "removed".
	Mark string
}

// Ruler is a host's port space 0…65535 drawn as a band.
type Ruler struct {
	Rect
	// DynX and DynW shade the node's dynamic port range.
	DynX, DynW float64
	// LabelY is the baseline of the tick labels; NameY of the host name.
	LabelY, NameY float64
	Ticks         []Tick
}

// Tick is a used host port on a ruler.
type Tick struct {
	X      float64
	Port   int
	Static bool
	// ShowLabel is false when the tick sits too close to a labelled neighbour.
	ShowLabel     bool
	Title, TestID string
	Href          string
	// Lead is an SVG path from the tick to the port's pin, drawn when the
	// host has few ports.
	Lead string
}

// NamespaceBox is an allocation's network namespace (or, when aggregated, a
// job/group standing for Count allocations).
type NamespaceBox struct {
	Rect
	AllocID string
	// Title is job/group; Sub is mode and IP.
	Title, Sub            string
	Href, TestID, Tooltip string
	// HostNetwork is true for host-mode allocations: their tasks sit on the
	// host's own network, drawn in another style.
	HostNetwork bool
	Count       int
	// Mark is an extra CSS class: a job check's "new" or "changed"; a diff's "added",
	// "changed" or "removed".
	Mark string
}

// TaskBox is a task inside its namespace.
type TaskBox struct {
	Rect
	Name, Driver, Lifecycle string
	Href, TestID, Title     string
	// Mark is an extra CSS class: a job check's "changed"; a diff's
	// "changed" or "removed".
	Mark string
}

// ProxyBox is a Connect sidecar proxy, with its public port.
type ProxyBox struct {
	Rect
	Service, Port       string
	Href, TestID, Title string
	// Mark is an extra CSS class: a job check's "changed"; a diff's
	// "changed" or "removed".
	Mark string
}

// PinBox is a port of a namespace: a pin on the namespace's left edge (where
// traffic enters) and its label.
type PinBox struct {
	Rect
	PinX, PinY          float64
	Text                string
	Static              bool
	Href, TestID, Title string
	// OnProxy is true for a sidecar's public port: the proxy box carries it.
	OnProxy bool
	// Mark is an extra CSS class: a job check's "changed"; a diff's
	// "changed" or "removed".
	Mark string
}

// EntryBox is a service in a registry box, or a service drawn outside any
// host because its instances are filtered out or missing.
type EntryBox struct {
	Rect
	Kind                string // "registry" or "service"
	Lines               []string
	Broken              bool
	Href, TestID, Title string
}

// RegistryBox is a dotted service registry (Nomad or Consul).
type RegistryBox struct {
	Rect
	Title, TestID string
}

// Arrow is an edge drawn from Graphviz's spline.
type Arrow struct {
	// Path is an SVG path (d attribute).
	Path           string
	Kind           string
	Label          string
	LabelX, LabelY float64
	Class          string
	TestID, Title  string
	Href           string
	// curve is points along the path, where the label may move to.
	curve []pt
}

// GroupBox is a job/group standing for its allocations in the scale view:
// allocation count, network modes, port and sidecar summaries, tasks. A
// compact one (a card in the grid below the graph) says the same in two
// lines and has no arrows.
type GroupBox struct {
	Rect
	// Title is job/group; Count its allocations; Sub its network modes
	// and how many nodes it runs on.
	Title, Sub  string
	Count       int
	HostNetwork bool
	Ports       []GroupPort
	// Entries are connections into the group drawn as a bold mark on its
	// left edge instead of an arrow (their source reaches too many
	// groups to draw each); Fans say what such a source reaches.
	Entries []GroupPort
	Fans    []GroupPort
	// Tasks are chips: blue for tasks, hatched purple for Connect
	// sidecar proxies.
	Tasks                 []GroupTask
	Line                  string // a compact card's second line
	More                  string // connections not drawn as arrows
	MoreY                 float64
	Problem, Compact      bool
	Href, TestID, Tooltip string
}

// GroupPort is a line of a group box: a port summary with its pin on the
// box's left edge, or a way in or out.
type GroupPort struct {
	Text   string
	Static bool
	Title  string
	Y      float64 // the line's middle
}

// GroupTask is a task chip in a group box, or a Connect sidecar proxy's.
type GroupTask struct {
	Rect
	Name, Title string
	Proxy       bool
}

// Caption is a line of text heading a part of the scale view.
type Caption struct {
	X, Y float64
	Text string
}

// NodeBand is the nodes of one datacenter and node pool in the scale view:
// a host box whose ruler ticks the static ports its allocations hold, with
// a chip per node (the busiest first) opening that node's allocations.
type NodeBand struct {
	Rect
	Title, Sub    string
	Ruler         Ruler
	Chips         []NodeChip
	More          string
	TestID, Label string
}

// NodeChip is one node in a band.
type NodeChip struct {
	Rect
	Name, Count         string
	Href, TestID, Title string
}

// MoreBox stands for the job/groups the scale view leaves out, with a link
// per line to where they are listed.
type MoreBox struct {
	Rect
	Lines  []MoreLine
	TestID string
}

// MoreLine is a line of a MoreBox.
type MoreLine struct {
	Text, Href string
}
