package model

import (
	"net"
)

// hostNetworkOpen flags host-mode ports on routable addresses. Ingress
// routers are left out: being reachable from everywhere is their job.
func hostNetworkOpen(s *Snapshot) []Warning {
	var out []Warning
	for _, a := range s.Allocations() {
		if !a.Live() || a.Network.Mode != ModeHost || a.IsIngress() {
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
