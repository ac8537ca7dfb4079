package agent

import (
	"net/netip"

	"github.com/netviz/netviz/collector/model"
)

// Socket is one TCP socket as a sample saw it, with its owner.
type Socket struct {
	// Alloc owns the namespace (or the process) the socket is in; "" the host.
	Alloc, Task   string
	Local, Remote netip.AddrPort
	State         State
}

// State is the part of a TCP state the agent cares about.
type State int

// Socket states, folded: anything past the handshake counts as a connection.
const (
	StateOther State = iota
	StateListen
	StateAttempt
	StateConnected
)

// NAT is a conntrack entry whose destination was rewritten: the connection
// was addressed to OrigDst (a host port) and delivered to ReplySrc, inside
// Alloc's namespace. Conntrack keeps entries for a while after a
// connection closes, so they catch short connections that sockets sampled
// every few seconds miss (a sidecar's hop, an HTTP request).
type NAT struct {
	Alloc              string
	OrigSrc, OrigDst   netip.AddrPort
	ReplySrc, ReplyDst netip.AddrPort
	// Established: the reply direction was seen (not only an attempt).
	Established bool
}

// Sample is everything one pass over the node saw.
type Sample struct {
	Sockets []Socket
	NATs    []NAT
}

// conn identifies one TCP connection across samples.
type conn struct {
	alloc         string
	local, remote netip.AddrPort
}

// listenKey finds a listener by owner namespace and port.
type listenKey struct {
	alloc string
	port  uint16
}

// Aggregator turns consecutive samples into bounded flow counts: a
// connection counts once however many samples see it. Not safe for
// concurrent use; the agent's loop owns it.
type Aggregator struct {
	// MaxFlows bounds the pending flows (default model.MaxReportFlows).
	MaxFlows int

	prev      map[conn]bool
	pending   map[model.ObservedFlow]int // flow without counts → count
	listeners []model.ObservedListener
	dropped   int
}

// Add folds one sample in.
func (g *Aggregator) Add(s Sample) {
	if g.pending == nil {
		g.pending = map[model.ObservedFlow]int{}
	}
	limit := g.MaxFlows
	if limit <= 0 {
		limit = model.MaxReportFlows
	}
	listening := map[listenKey][]netip.Addr{}
	g.listeners = g.listeners[:0]
	for _, so := range s.Sockets {
		if so.State != StateListen {
			continue
		}
		k := listenKey{so.Alloc, so.Local.Port()}
		listening[k] = append(listening[k], so.Local.Addr())
		if len(g.listeners) < model.MaxReportListeners {
			g.listeners = append(g.listeners, model.ObservedListener{Alloc: so.Alloc, Task: so.Task,
				IP: so.Local.Addr().Unmap().String(), Port: int(so.Local.Port())})
		}
	}
	nat := make(map[[2]netip.AddrPort]NAT, len(s.NATs))
	for _, n := range s.NATs {
		nat[[2]netip.AddrPort{n.ReplySrc, n.ReplyDst}] = n
	}
	cur := make(map[conn]bool, len(g.prev))
	for _, so := range s.Sockets {
		if so.State != StateAttempt && so.State != StateConnected {
			continue
		}
		f := flowOf(so, isListening(listening[listenKey{so.Alloc, so.Local.Port()}], so.Local.Addr()))
		if f.Side == model.SideServer {
			if n, ok := nat[[2]netip.AddrPort{so.Local, so.Remote}]; ok {
				withNAT(&f, n)
			}
		}
		g.count(cur, conn{so.Alloc, so.Local, so.Remote}, f, limit)
	}
	// Connections delivered through NAT that no socket showed any more.
	for _, n := range s.NATs {
		c := conn{n.Alloc, n.ReplySrc, n.ReplyDst}
		if n.Alloc == "" || cur[c] {
			continue
		}
		f := model.ObservedFlow{Alloc: n.Alloc, Side: model.SideServer, LocalIP: addr(n.ReplySrc.Addr()),
			LocalPort: int(n.ReplySrc.Port()), RemoteIP: addr(n.ReplyDst.Addr()), Established: n.Established}
		withNAT(&f, n)
		g.count(cur, c, f, limit)
	}
	g.prev = cur
}

// count adds connection c to flow f: once per connection, however many
// samples (or sockets and conntrack entries in one sample) show it.
func (g *Aggregator) count(cur map[conn]bool, c conn, f model.ObservedFlow, limit int) {
	n, seen := g.pending[f]
	if !seen && len(g.pending) >= limit {
		g.dropped++
		return
	}
	if !g.prev[c] && !cur[c] {
		n++
	}
	cur[c] = true
	g.pending[f] = n
}

func withNAT(f *model.ObservedFlow, n NAT) {
	f.OrigSrcIP, f.OrigDstIP, f.OrigDstPort = addr(n.OrigSrc.Addr()), addr(n.OrigDst.Addr()), int(n.OrigDst.Port())
}

// isListening reports whether a listener on one of addrs accepts at a.
func isListening(addrs []netip.Addr, a netip.Addr) bool {
	for _, l := range addrs {
		if l.IsUnspecified() || l.Unmap() == a.Unmap() {
			return true
		}
	}
	return false
}

func addr(a netip.Addr) string { return a.Unmap().String() }

// flowOf keys a socket as a flow: a client keeps the port it dialled, a
// server the port it accepted on; the other end's ephemeral port goes.
func flowOf(so Socket, server bool) model.ObservedFlow {
	f := model.ObservedFlow{Alloc: so.Alloc, Task: so.Task, LocalIP: addr(so.Local.Addr()),
		RemoteIP: addr(so.Remote.Addr()), Established: so.State == StateConnected}
	if server {
		f.Side, f.LocalPort = model.SideServer, int(so.Local.Port())
	} else {
		f.Side, f.RemotePort = model.SideClient, int(so.Remote.Port())
	}
	return f
}

// Report is what to send now: the flows seen since the last Sent, and the
// current listeners.
func (g *Aggregator) Report(node string) *model.ObservationReport {
	r := &model.ObservationReport{Node: node, Flows: make([]model.ObservedFlow, 0, len(g.pending)),
		Listeners: append([]model.ObservedListener{}, g.listeners...), Dropped: g.dropped}
	for f, n := range g.pending {
		f.Count = n
		r.Flows = append(r.Flows, f)
	}
	return r
}

// Sent forgets what the server accepted; until then flows keep adding up,
// so a server that is away loses nothing but resolution.
func (g *Aggregator) Sent() {
	clear(g.pending)
	g.dropped = 0
}
