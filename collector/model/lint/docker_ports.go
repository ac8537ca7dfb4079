package lint

import (
	"fmt"
	"strings"

	"github.com/netviz/netviz/collector/model"
)

// dockerPortLint applies where docker publishes ports itself: a group
// network in host mode (Docker's own bridge), with docker tasks that are
// not in network_mode host. In bridge mode Nomad's CNI maps the ports and
// config.ports is not needed.
func dockerPortLint(s *model.Snapshot) []model.Warning {
	var out []model.Warning
	for _, a := range s.Allocations() {
		if !a.Live() || a.Network.Mode != model.ModeHost {
			continue
		}
		listed := map[string]bool{}
		docker := 0
		for _, t := range a.Tasks {
			if t.Driver != "docker" || t.NetworkMode == "host" || strings.HasPrefix(t.Kind, "connect-") {
				continue
			}
			docker++
			for _, l := range t.ConfigPorts {
				listed[l] = true
			}
		}
		if docker == 0 || docker != countMain(a) {
			continue // another driver may bind the port on the host itself
		}
		for _, p := range a.Ports {
			if listed[p.Label] || model.IsProxyPort(p.Label) {
				continue
			}
			subjects := []string{model.AllocKey(a.ID)}
			for _, spec := range a.Services {
				if spec.PortLabel == p.Label {
					subjects = append(subjects, model.ServiceKey(spec.Name))
				}
			}
			out = append(out, model.Warning{
				Code: model.CodeDockerPortUnpublished, Severity: model.SeverityError, Subjects: subjects,
				Message: fmt.Sprintf("%s reserves port %q (host port %d), but no docker task lists it in config.ports, so Docker never publishes it",
					a.Group(), p.Label, p.Value),
				Fix: fmt.Sprintf("add ports = [%q] to the config of the docker task that serves it", p.Label),
			})
		}
	}
	return out
}

// countMain counts an allocation's tasks that are not Connect proxies.
func countMain(a *model.Allocation) int {
	n := 0
	for _, t := range a.Tasks {
		if !strings.HasPrefix(t.Kind, "connect-") {
			n++
		}
	}
	return n
}
