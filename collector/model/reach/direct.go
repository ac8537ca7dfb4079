package reach

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/netviz/netviz/collector/model"
)

// reachFinder collects the paths and warnings of one Reach question.
type reachFinder struct {
	s        *model.Snapshot
	paths    []Path
	warnings []model.Warning
	warned   map[string]bool
}

// warn adds a warning once per code and subjects.
func (r *reachFinder) warn(w model.Warning) {
	k := w.Code + "\x00" + strings.Join(w.Subjects, "\x00")
	if !r.warned[k] {
		r.warned[k] = true
		r.warnings = append(r.warnings, w)
	}
}

// anyReachable reports whether a reachable path has been found.
func (r *reachFinder) anyReachable() bool {
	for _, p := range r.paths {
		if p.Verdict == VerdictReachable {
			return true
		}
	}
	return false
}

// source is where traffic starts: an allocation, or a pseudo-source on (or
// outside) a node.
type source struct {
	alloc  *model.Allocation // nil for host/external
	pseudo string
	nodeID string
}

// inHostNamespace reports whether the source sees the node's own addresses
// as local (host-mode allocations and the host itself).
func (src source) inHostNamespace() bool {
	return src.pseudo == FromHost || src.alloc != nil && src.alloc.Network.Mode == model.ModeHost
}

// hops are the first hops of a path from the source.
func (src source) hops() []Hop {
	switch {
	case src.pseudo == FromExternal:
		return []Hop{{Kind: HopExternal, Label: "client outside the cluster"}}
	case src.pseudo == FromHost:
		return []Hop{{Kind: HopHost, Key: model.NodeKey(src.nodeID), Label: "process on node " + model.ShortID(src.nodeID)}}
	}
	a := src.alloc
	return []Hop{
		{Kind: HopTask, Key: model.TaskKey(a.ID, mainTask(a)), Label: a.Group() + " " + mainTask(a)},
		{Kind: HopNamespace, Key: model.AllocKey(a.ID), Label: namespaceLabel(a)},
	}
}

func namespaceLabel(a *model.Allocation) string {
	l := a.Network.Mode + " namespace of " + model.ShortID(a.ID)
	if a.Network.IP != "" {
		l += " (" + a.Network.IP + ")"
	}
	return l
}

// between finds the network, mesh and discovery paths from allocation a to d.
func (r *reachFinder) between(a, d *model.Allocation, src, dst endpoint) {
	from := source{alloc: a, nodeID: a.NodeID}
	start := len(r.paths)
	for _, t := range Targets(d, dst.service) {
		if a.ID == d.ID {
			r.sameNamespace(a, t)
			continue
		}
		r.direct(from, d, t)
	}
	direct := r.paths[start:]
	r.mesh(a, d, src, dst)
	r.discovery(a, d, dst, direct)
}

// fromPseudo finds the network paths from the host or from outside to d.
func (r *reachFinder) fromPseudo(pseudo string, d *model.Allocation, dst endpoint) {
	from := source{pseudo: pseudo, nodeID: d.NodeID}
	for _, t := range Targets(d, dst.service) {
		r.direct(from, d, t)
	}
}

// sameNamespace is a task talking to a port of its own allocation.
func (r *reachFinder) sameNamespace(a *model.Allocation, t Target) {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(t.Inside))
	reason := fmt.Sprintf("tasks of one allocation share its network namespace: %s is local", addr)
	if a.Network.Mode == model.ModeHost {
		if t.Port.Value == 0 {
			return
		}
		addr = net.JoinHostPort(r.hostIP(a, t.Port), strconv.Itoa(t.Port.Value))
		reason = fmt.Sprintf("host networking: the tasks share the host's namespace and the port is bound on %s", addr)
	}
	r.paths = append(r.paths, Path{
		Kind: PathSameNamespace, Verdict: VerdictReachable, FromAlloc: a.ID, ToAlloc: a.ID, Address: addr,
		Hops:   append(source{alloc: a}.hops(), r.targetHops(a, t, addr)...),
		Reason: reason,
	})
}

// hostIP is the address a host port binds: its own, or the node's when it
// binds every address.
func (r *reachFinder) hostIP(d *model.Allocation, p model.Port) string {
	if !model.WildcardIP(p.HostIP) {
		return p.HostIP
	}
	if n := r.s.Node(d.NodeID); n != nil && n.Address != "" {
		return n.Address
	}
	return d.Network.IP
}

// targetHops are the last hops: the port and the task behind it.
func (r *reachFinder) targetHops(d *model.Allocation, t Target, addr string) []Hop {
	label := addr
	if t.Label != "" {
		label = t.Label + " " + addr
	}
	if model.IsProxyPort(t.Label) {
		label += " (sidecar public listener: mTLS only)"
	}
	hops := []Hop{{Kind: HopPort, Key: model.AllocKey(d.ID), Label: label}}
	if owner := portOwner(d, t); owner != "" {
		task := Hop{Kind: HopTask, Key: model.TaskKey(d.ID, owner), Label: d.Group() + " " + owner + " :" + strconv.Itoa(t.Inside)}
		hops = append(hops, task)
	}
	if t.Service != "" {
		hops = append(hops, Hop{Kind: HopService, Key: model.ServiceKey(t.Service), Label: t.Service})
	}
	return hops
}

// direct adds the host-port and namespace-IP paths from src to port t of d.
func (r *reachFinder) direct(src source, d *model.Allocation, t Target) {
	if t.Port.Value > 0 {
		r.hostPort(src, d, t)
	}
	if d.Network.Mode != model.ModeHost && d.Network.Mode != model.ModeNone {
		r.namespaceIP(src, d, t)
	}
}

// hostPort is a port bound on the node: host mode, or mapped from a bridge.
func (r *reachFinder) hostPort(src source, d *model.Allocation, t Target) {
	ip := r.hostIP(d, t.Port)
	addr := net.JoinHostPort(ip, strconv.Itoa(t.Port.Value))
	v, why := r.routeToNode(src, d, t.Port, ip)
	var how string
	if d.Network.Mode == model.ModeHost {
		how = fmt.Sprintf("host networking binds %s on the node", addr)
		if parsed := net.ParseIP(ip); parsed == nil || !parsed.IsLoopback() {
			r.warn(HostNetworkWarning(d, t))
		}
	} else {
		how = fmt.Sprintf("%s on the node is mapped to port %d in %s's namespace", addr, t.Inside, d.Group())
		if w, ok := MeshBypass(r.s, d, t); ok {
			r.warn(w)
			how += ", around its sidecar and Connect intentions"
		}
	}
	hops := src.hops()
	hop := Hop{Kind: HopHost, Key: model.NodeKey(d.NodeID), Label: "node " + model.ShortID(d.NodeID) + " " + addr}
	if t.Port.Static {
		hop.Label += " (static)"
	}
	if t.Port.HostNetwork != "" {
		hop.Label += " on host network " + t.Port.HostNetwork
	}
	hop.Blocked = v == VerdictUnreachable
	hops = append(hops, hop)
	if d.Network.Mode != model.ModeHost {
		hops = append(hops, Hop{Kind: HopNamespace, Key: model.AllocKey(d.ID), Label: namespaceLabel(d)})
	}
	hops = append(hops, r.targetHops(d, t, addr)...)
	r.paths = append(r.paths, Path{
		Kind: PathHostPort, Verdict: v, FromAlloc: allocID(src.alloc), ToAlloc: d.ID, Address: addr,
		Hops: hops, Reason: how + "; " + why,
	})
}

func allocID(a *model.Allocation) string {
	if a == nil {
		return ""
	}
	return a.ID
}

// routeToNode decides whether src reaches a host address of d's node.
func (r *reachFinder) routeToNode(src source, d *model.Allocation, p model.Port, ip string) (Verdict, string) {
	sameNode := src.nodeID == d.NodeID
	if parsed := net.ParseIP(ip); parsed != nil && parsed.IsLoopback() {
		switch {
		case sameNode && src.inHostNamespace():
			return VerdictReachable, "the loopback address is local to the node's own namespace"
		case sameNode && src.alloc != nil:
			return VerdictUnreachable, "the port binds loopback, and 127.0.0.1 inside a namespace is the namespace itself"
		default:
			return VerdictUnreachable, "the port binds loopback, which only the node itself reaches"
		}
	}
	if ip == "" {
		return VerdictUnknown, "the host address is not known yet"
	}
	switch {
	case src.pseudo == FromExternal && p.HostNetwork != "" && p.HostNetwork != "default":
		return VerdictUnknown, "only clients on host network " + p.HostNetwork + " reach it"
	case src.pseudo == FromExternal:
		return VerdictReachable, "anyone who routes to the node reaches it; Nomad applies no access control"
	case sameNode:
		return VerdictReachable, "the source is on the same node"
	}
	sn, dn := r.s.Node(src.nodeID), r.s.Node(d.NodeID)
	if sn != nil && dn != nil && sn.Datacenter != dn.Datacenter {
		return VerdictUnknown, "the nodes are in different datacenters; routing between them is outside the model"
	}
	return VerdictReachable, "nodes of a datacenter route to each other's addresses"
}

// namespaceIP is a dial straight to d's namespace address, which only d's node routes.
func (r *reachFinder) namespaceIP(src source, d *model.Allocation, t Target) {
	ip := d.Network.IP
	addr := ""
	if ip != "" {
		addr = net.JoinHostPort(ip, strconv.Itoa(t.Inside))
	}
	var v Verdict
	var why string
	switch {
	case ip == "":
		v, why = VerdictUnknown, "the namespace's address is not known yet"
	case strings.HasPrefix(d.Network.Mode, model.ModeCNIPrefix):
		v, why = VerdictUnknown, "routing on CNI network "+strings.TrimPrefix(d.Network.Mode, model.ModeCNIPrefix)+" is outside the model"
	case src.pseudo == FromExternal:
		v, why = VerdictUnreachable, "a namespace address is routed only on its own node"
	case src.nodeID != d.NodeID:
		v, why = VerdictUnreachable, "a namespace address is routed only on its own node, and the source is on another"
	case t.Label == "":
		v, why = VerdictUnknown, fmt.Sprintf("port %d is not in the network block: only a task binding the namespace address (not 127.0.0.1) answers here", t.Inside)
	case src.pseudo == FromHost:
		v, why = VerdictReachable, "the node routes to its bridge's namespaces"
	default:
		v, why = VerdictReachable, "namespaces on one node's bridge reach each other's addresses on any listening port"
	}
	if v != VerdictUnreachable {
		if w, ok := peerBypass(r.s, src, d, t); ok {
			r.warn(w)
			why += "; this skips the sidecar and its intentions"
		}
	}
	hops := src.hops()
	hops = append(hops, Hop{Kind: HopNamespace, Key: model.AllocKey(d.ID), Label: namespaceLabel(d), Blocked: v == VerdictUnreachable})
	hops = append(hops, r.targetHops(d, t, addr)...)
	r.paths = append(r.paths, Path{
		Kind: PathNamespaceIP, Verdict: v, FromAlloc: allocID(src.alloc), ToAlloc: d.ID, Address: addr,
		Hops: hops, Reason: fmt.Sprintf("%s's namespace address %s: %s", d.Group(), addr, why),
	})
}
