package model

import (
	"fmt"
	"net"
)

// CodeHostNetworkOpen marks a host-networking port: it binds the node's
// address, so anything that routes to the node reaches it.
const CodeHostNetworkOpen = "host-network-open"

func init() { RegisterLint(hostNetworkOpen) }

// hostNetworkOpen flags host-mode ports on routable addresses. Ingress
// routers are left out: being reachable from everywhere is their job.
func hostNetworkOpen(s *Snapshot) []Warning {
	var out []Warning
	for _, a := range s.Allocations() {
		if !a.Live() || a.Network.Mode != ModeHost || isIngressAlloc(a) {
			continue
		}
		for _, p := range a.Ports {
			if ip := net.ParseIP(p.HostIP); p.Value == 0 || ip != nil && ip.IsLoopback() {
				continue
			}
			out = append(out, hostNetworkWarning(a, target{label: p.Label, port: p, nsPort: p.Value}))
		}
	}
	return out
}

func hostNetworkWarning(a *Allocation, t target) Warning {
	return Warning{
		Code:     CodeHostNetworkOpen,
		Severity: SeverityWarning,
		Subjects: []string{AllocKey(a.ID)},
		Message: fmt.Sprintf("%s uses host networking: port %s (%d) binds the node's address %s with no access control; anything that routes to the node reaches it",
			a.Group(), t.label, t.port.Value, t.port.HostIP),
		Fix: "use network mode \"bridge\" and reach it through service discovery or a Connect upstream, or bind a host_network that only trusted clients route to",
	}
}
