package lint

import (
	"fmt"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/reach"
)

// meshNames returns the service names that are in the mesh (declared with a
// sidecar or native, or registered with a sidecar proxy), and every name
// declared or registered at all.
func meshNames(s *model.Snapshot) (mesh, known map[string]bool) {
	mesh, known = map[string]bool{}, map[string]bool{}
	for _, a := range s.Allocations() {
		for _, spec := range a.Services {
			known[spec.Name] = true
			if spec.InMesh() {
				mesh[spec.Name] = true
			}
		}
	}
	for _, svc := range s.Services() {
		known[svc.Name] = true
		if c := svc.Connect; c != nil {
			switch c.Kind {
			case model.ConnectSidecar:
				mesh[c.DestinationService] = true
			case model.ConnectNative:
				mesh[svc.Name] = true
			}
		}
	}
	return mesh, known
}

func upstreamLint(s *model.Snapshot) []model.Warning {
	mesh, known := meshNames(s)
	var out []model.Warning
	for _, a := range s.Allocations() {
		if !a.Live() {
			continue
		}
		for _, spec := range a.MeshSpecs("") {
			for _, u := range spec.Connect.Upstreams {
				subjects := []string{model.AllocKey(a.ID), model.ServiceKey(spec.Name), model.ServiceKey(u.DestinationName)}
				switch {
				case !known[u.DestinationName]:
					out = append(out, model.Warning{
						Code: model.CodeUpstreamDangling, Severity: model.SeverityError, Subjects: subjects,
						Message: fmt.Sprintf("%s has an upstream %s, but no job declares and no registry holds a service %q", spec.Name, u.Label(), u.DestinationName),
						Fix:     "correct destination_name, or deploy the service it names",
					})
				case !mesh[u.DestinationName]:
					out = append(out, model.Warning{
						Code: model.CodeUpstreamDangling, Severity: model.SeverityError, Subjects: subjects,
						Message: fmt.Sprintf("%s has an upstream %s, but %s has no Connect sidecar and is not native: its proxy has nowhere to send the traffic", spec.Name, u.Label(), u.DestinationName),
						Fix:     fmt.Sprintf("add connect { sidecar_service {} } to the %s service", u.DestinationName),
					})
				default:
					if action, in := s.IntentionFor(spec.Name, u.DestinationName); action == model.ActionDeny && s.IntentionsKnown() {
						out = append(out, reach.IntentionDenyWarning(a, spec.Name, u.DestinationName, in))
					}
				}
			}
		}
	}
	return out
}
