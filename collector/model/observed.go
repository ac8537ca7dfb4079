package model

import (
	"fmt"
	"maps"
	"net/netip"
	"time"
)

// Observed traffic: what netviz agents saw on their nodes' sockets, next to
// what the job specs declare. Agents send ObservationReports; the store keeps
// one ObservedNode per reporting node, merges each report into it and drops
// what was not seen again within the window (ExpireObserved). The mapping of
// flows onto allocations is derived per snapshot (observed_map.go).

// Sides of an observed socket.
const (
	// SideClient: the socket dialled Remote.
	SideClient = "client"
	// SideServer: the socket was accepted on a listener at Local.
	SideServer = "server"
)

// KeyObserved is in Delta.Changed when the set of observed flows or
// listeners changed (not when only counts and last-seen times moved on).
const KeyObserved = "observed"

// Bounds of one report, so a hostile or broken agent cannot make the server
// hold unbounded data. The agent keeps its reports within them.
const (
	MaxReportFlows     = 5000
	MaxReportListeners = 5000
	// MaxNodeFlows bounds what the model keeps per node across reports.
	MaxNodeFlows = 20000
	// MaxObservedNodes bounds how many reporting nodes the model keeps,
	// so an agent that makes up node IDs cannot grow it without end.
	MaxObservedNodes = 10000
)

// ObservedFlow is one aggregated TCP conversation seen on a node, as the
// agent sends it and the model keeps it. A client-side flow keeps the
// remote port (the service dialled) and drops the local ephemeral one; a
// server-side flow keeps the local port (the listener) and drops the
// remote's.
type ObservedFlow struct {
	// Alloc is the allocation whose namespace (or, in host mode, whose
	// process) held the socket; empty for the host itself.
	Alloc string `json:"alloc,omitempty"`
	// Task is the owning task where the agent could tell.
	Task string `json:"task,omitempty"`
	// Side is SideClient or SideServer.
	Side       string `json:"side"`
	LocalIP    string `json:"local_ip"`
	LocalPort  int    `json:"local_port,omitempty"`
	RemoteIP   string `json:"remote_ip"`
	RemotePort int    `json:"remote_port,omitempty"`
	// OrigSrcIP, OrigDstIP and OrigDstPort are the connection's addresses
	// before NAT (conntrack), set on server-side flows that reached the
	// socket through a host port.
	OrigSrcIP   string `json:"orig_src_ip,omitempty"`
	OrigDstIP   string `json:"orig_dst_ip,omitempty"`
	OrigDstPort int    `json:"orig_dst_port,omitempty"`
	// Established is false when only attempts (SYN-SENT) were seen.
	Established bool `json:"established"`
	// Count is how many distinct connections the report adds.
	Count int `json:"count"`
	// FirstSeen and LastSeen are the server's clock when the flow first
	// and last arrived in a report (agents' clocks are not trusted).
	FirstSeen time.Time `json:"first_seen,omitzero"`
	LastSeen  time.Time `json:"last_seen,omitzero"`
}

// ObservedListener is a listening TCP socket.
type ObservedListener struct {
	Alloc string `json:"alloc,omitempty"`
	Task  string `json:"task,omitempty"`
	IP    string `json:"ip"`
	Port  int    `json:"port"`
}

// ObservationReport is what an agent sends: the flows seen since its last
// accepted report, and every listener it sees now.
type ObservationReport struct {
	// Node is the Nomad node ID the agent runs on.
	Node      string             `json:"node"`
	Flows     []ObservedFlow     `json:"flows"`
	Listeners []ObservedListener `json:"listeners"`
	// Dropped counts flows the agent left out to stay within bounds.
	Dropped int `json:"dropped,omitempty"`
}

// Validate rejects a report the model must not take: missing node, too
// many entries, malformed addresses or sides, negative counts.
func (r *ObservationReport) Validate() error {
	if r.Node == "" || len(r.Node) > 64 {
		return fmt.Errorf("node: want a Nomad node ID")
	}
	if len(r.Flows) > MaxReportFlows || len(r.Listeners) > MaxReportListeners {
		return fmt.Errorf("report too large: %d flows, %d listeners (at most %d and %d)",
			len(r.Flows), len(r.Listeners), MaxReportFlows, MaxReportListeners)
	}
	for i, f := range r.Flows {
		if err := f.validate(); err != nil {
			return fmt.Errorf("flows[%d]: %w", i, err)
		}
	}
	for i, l := range r.Listeners {
		if !validIP(l.IP) || !validPort(l.Port) || len(l.Alloc) > 64 || len(l.Task) > 128 {
			return fmt.Errorf("listeners[%d]: bad address or owner", i)
		}
	}
	if r.Dropped < 0 {
		return fmt.Errorf("dropped: negative")
	}
	return nil
}

func (f ObservedFlow) validate() error {
	switch {
	case f.Side != SideClient && f.Side != SideServer:
		return fmt.Errorf("side %q: want client or server", f.Side)
	case !validIP(f.LocalIP) || !validIP(f.RemoteIP):
		return fmt.Errorf("bad address")
	case f.OrigSrcIP != "" && !validIP(f.OrigSrcIP), f.OrigDstIP != "" && !validIP(f.OrigDstIP):
		return fmt.Errorf("bad NAT address")
	case f.LocalPort < 0 || f.LocalPort > 65535 || f.RemotePort < 0 || f.RemotePort > 65535 ||
		f.OrigDstPort < 0 || f.OrigDstPort > 65535:
		return fmt.Errorf("bad port")
	case f.Side == SideClient && f.RemotePort == 0, f.Side == SideServer && f.LocalPort == 0:
		return fmt.Errorf("%s flow without its service port", f.Side)
	case f.Count < 0 || f.Count > 1<<24:
		return fmt.Errorf("bad count %d", f.Count)
	case len(f.Alloc) > 64 || len(f.Task) > 128:
		return fmt.Errorf("owner too long")
	}
	return nil
}

func validIP(s string) bool { _, err := netip.ParseAddr(s); return err == nil }

func validPort(p int) bool { return p > 0 && p <= 65535 }

// flowKey identifies an aggregated flow within a node.
type flowKey struct {
	alloc, side, localIP, remoteIP, origSrc, origDst string
	localPort, remotePort, origDstPort               int
}

func (f ObservedFlow) key() flowKey {
	return flowKey{f.Alloc, f.Side, f.LocalIP, f.RemoteIP, f.OrigSrcIP, f.OrigDstIP, f.LocalPort, f.RemotePort, f.OrigDstPort}
}

// ObservedNode is what the model holds of one reporting node. It is
// immutable once published: every change builds a new one.
type ObservedNode struct {
	NodeID string
	// Since is when this node's agent first reported (since the model last
	// heard nothing from it for a whole window); LastReport its latest.
	Since, LastReport time.Time
	Flows             map[flowKey]ObservedFlow
	Listeners         []ObservedListener
	// Dropped is what the agent said it left out in its latest report.
	Dropped int
}

// observedState is the model's observed data: per node, plus the window.
// Never changed in place.
type observedState struct {
	nodes  map[string]*ObservedNode
	window time.Duration
}

// ApplyObservation merges an agent's report, received at At, into what the
// model holds for its node. Call Validate first.
type ApplyObservation struct {
	Report *ObservationReport
	At     time.Time
}

// ExpireObserved forgets flows last seen before Now-Window, and nodes
// whose agent has not reported within the window. It also records the
// window, which lints read (an upstream is "unused" only after a whole
// window of reports without it).
type ExpireObserved struct {
	Now    time.Time
	Window time.Duration
}

func (c ApplyObservation) apply(t *txn) {
	r := c.Report
	if r == nil {
		return
	}
	cur := t.st.observed.node(r.Node)
	if cur == nil && len(t.st.observed.all()) >= MaxObservedNodes {
		return
	}
	n := &ObservedNode{NodeID: r.Node, Since: c.At, LastReport: c.At, Listeners: r.Listeners, Dropped: r.Dropped}
	if cur != nil {
		n.Since = cur.Since
		n.Flows = maps.Clone(cur.Flows)
	} else {
		n.Flows = map[flowKey]ObservedFlow{}
	}
	changed := cur == nil || !sameListeners(cur.Listeners, r.Listeners)
	for _, f := range r.Flows {
		k := f.key()
		old, ok := n.Flows[k]
		if !ok && len(n.Flows) >= MaxNodeFlows {
			n.Dropped++
			continue
		}
		f.LastSeen = c.At
		if ok {
			f.FirstSeen = old.FirstSeen
			f.Count += old.Count
			f.Established = f.Established || old.Established
			changed = changed || f.Established != old.Established
		} else {
			f.FirstSeen = c.At
			changed = true
		}
		n.Flows[k] = f
	}
	t.st.observed = t.st.observed.with(r.Node, n)
	if changed {
		t.touch(KeyObserved)
	}
}

func (c ExpireObserved) apply(t *txn) {
	o := t.st.observed
	before := c.Now.Add(-c.Window)
	if o != nil && o.window == c.Window && !o.olderThan(before) {
		return // nothing to age: no copy of every node's flows (a tick every few seconds)
	}
	next := &observedState{nodes: map[string]*ObservedNode{}, window: c.Window}
	changed := o == nil || o.window != c.Window
	for id, n := range o.all() {
		if n.LastReport.Before(before) {
			changed = true
			continue
		}
		m := *n
		m.Flows = make(map[flowKey]ObservedFlow, len(n.Flows))
		for k, f := range n.Flows {
			if f.LastSeen.Before(before) {
				changed = true
				continue
			}
			m.Flows[k] = f
		}
		next.nodes[id] = &m
	}
	if changed {
		t.st.observed = next
		t.touch(KeyObserved)
	}
}

// olderThan reports whether a node's last report or a flow is older than t.
func (o *observedState) olderThan(t time.Time) bool {
	for _, n := range o.all() {
		if n.LastReport.Before(t) {
			return true
		}
		for _, f := range n.Flows {
			if f.LastSeen.Before(t) {
				return true
			}
		}
	}
	return false
}

func (o *observedState) node(id string) *ObservedNode {
	if o == nil {
		return nil
	}
	return o.nodes[id]
}

func (o *observedState) all() map[string]*ObservedNode {
	if o == nil {
		return nil
	}
	return o.nodes
}

// with returns a copy of o holding n for node id.
func (o *observedState) with(id string, n *ObservedNode) *observedState {
	next := &observedState{nodes: map[string]*ObservedNode{}}
	if o != nil {
		next.nodes = maps.Clone(o.nodes)
		next.window = o.window
	}
	next.nodes[id] = n
	return next
}

func sameListeners(a, b []ObservedListener) bool {
	if len(a) != len(b) {
		return false
	}
	seen := make(map[ObservedListener]int, len(a))
	for _, l := range a {
		seen[l]++
	}
	for _, l := range b {
		if seen[l] == 0 {
			return false
		}
		seen[l]--
	}
	return true
}

// ObservedNodes returns the nodes whose agents reported within the window.
func (s *Snapshot) ObservedNodes() map[string]*ObservedNode { return maps.Clone(s.observed.all()) }

// ObservedNode returns what the model holds of a node's agent, or nil.
func (s *Snapshot) ObservedNode(id string) *ObservedNode { return s.observed.node(id) }

// ObservedWindow is the window after which observations age out (0 until
// the server set it).
func (s *Snapshot) ObservedWindow() time.Duration {
	if s.observed == nil {
		return 0
	}
	return s.observed.window
}

// CoversWindow reports whether the node's agent has reported for a whole
// window, so "never seen" means "not used in the window".
func (n *ObservedNode) CoversWindow(window time.Duration) bool {
	return window > 0 && n.LastReport.Sub(n.Since) >= window
}
