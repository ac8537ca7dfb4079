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
	// Aggregated is true when allocations are drawn one box per job/group.
	Aggregated bool

	Hosts      []HostBox
	Registries []RegistryBox
	Namespaces []NamespaceBox
	Tasks      []TaskBox
	Proxies    []ProxyBox
	Pins       []PinBox
	Entries    []EntryBox
	Arrows     []Arrow
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
}

// TaskBox is a task inside its namespace.
type TaskBox struct {
	Rect
	Name, Driver, Lifecycle string
	Href, TestID, Title     string
}

// ProxyBox is a Connect sidecar proxy, with its public port.
type ProxyBox struct {
	Rect
	Service, Port       string
	Href, TestID, Title string
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
}
