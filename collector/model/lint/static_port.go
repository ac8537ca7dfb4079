package lint

import (
	"fmt"

	"github.com/netviz/netviz/collector/model"
)

// staticPortLint flags static ports that a registered service advertises.
// System jobs are left out: an ingress on every node needs fixed ports for
// the load balancer in front of it.
func staticPortLint(s *model.Snapshot) []model.Warning {
	var out []model.Warning
	for _, a := range s.Allocations() {
		if !a.Live() || a.JobType == "system" {
			continue
		}
		for _, spec := range a.Services {
			p, ok := a.PortByLabel(spec.PortLabel)
			if !ok || !p.Static || p.Value == 0 {
				continue
			}
			out = append(out, model.Warning{
				Code: model.CodeStaticPort, Severity: model.SeverityInfo,
				Subjects: []string{model.AllocKey(a.ID), model.ServiceKey(spec.Name)},
				Message: fmt.Sprintf("%s registers service %s on static host port %d: static ports collide when two allocations land on one node, and clients that find %s through the %s registry do not need a fixed port",
					a.Group(), spec.Name, p.Value, spec.Name, spec.Provider),
				Fix: fmt.Sprintf("drop static = %d from port %q and let clients look the address up (a nomadService/service template or a Connect upstream)", p.Value, p.Label),
			})
		}
	}
	return out
}
