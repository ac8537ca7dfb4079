package lint

import (
	"net"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/reach"
)

// hostNetworkOpen flags host-mode ports on routable addresses. Ingress
// routers are left out: being reachable from everywhere is their job.
func hostNetworkOpen(s *model.Snapshot) []model.Warning {
	var out []model.Warning
	for _, a := range s.Allocations() {
		if !a.Live() || a.Network.Mode != model.ModeHost || a.IsIngress() {
			continue
		}
		for _, p := range a.Ports {
			if ip := net.ParseIP(p.HostIP); p.Value == 0 || ip != nil && ip.IsLoopback() {
				continue
			}
			out = append(out, reach.HostNetworkWarning(a, reach.Target{Label: p.Label, Port: p, Inside: p.Value}))
		}
	}
	return out
}
