package model

import "fmt"

// staticPortLint flags static ports that a registered service advertises.
// System jobs are left out: an ingress on every node needs fixed ports for
// the load balancer in front of it.
func staticPortLint(s *Snapshot) []Warning {
	var out []Warning
	for _, a := range s.Allocations() {
		if !a.Live() || a.JobType == "system" {
			continue
		}
		for _, spec := range a.Services {
			p, ok := a.PortByLabel(spec.PortLabel)
			if !ok || !p.Static || p.Value == 0 {
				continue
			}
			out = append(out, Warning{
				Code: CodeStaticPort, Severity: SeverityInfo,
				Subjects: []string{AllocKey(a.ID), ServiceKey(spec.Name)},
				Message: fmt.Sprintf("%s registers service %s on static host port %d: static ports collide when two allocations land on one node, and clients that find %s through the %s registry do not need a fixed port",
					a.Group(), spec.Name, p.Value, spec.Name, spec.Provider),
				Fix: fmt.Sprintf("drop static = %d from port %q and let clients look the address up (a nomadService/service template or a Connect upstream)", p.Value, p.Label),
			})
		}
	}
	return out
}
