package lint

import (
	"fmt"
	"strconv"

	"github.com/netviz/netviz/collector/model"
)

// connectPortLint flags Connect sidecar services whose port is a label
// that is not in the network block, or that has no `to`: the sidecar then
// forwards to a port number the app does not listen on.
func connectPortLint(s *model.Snapshot) []model.Warning {
	var out []model.Warning
	for _, a := range s.Allocations() {
		if !a.Live() {
			continue
		}
		for _, spec := range a.Services {
			if spec.Connect == nil || spec.Connect.Kind != model.ConnectSidecar || spec.PortLabel == "" {
				continue
			}
			if _, err := strconv.Atoi(spec.PortLabel); err == nil {
				continue
			}
			p, ok := a.PortByLabel(spec.PortLabel)
			if ok && p.To > 0 {
				continue
			}
			why := fmt.Sprintf("port %q is not in the group's network block", spec.PortLabel)
			if ok {
				why = fmt.Sprintf("port %q has no `to`, so the sidecar forwards to the random host port %d inside the namespace", spec.PortLabel, p.Value)
			}
			out = append(out, model.Warning{
				Code: model.CodeConnectPortLabel, Severity: model.SeverityError,
				Subjects: []string{model.AllocKey(a.ID), model.ServiceKey(spec.Name)},
				Message:  fmt.Sprintf("Connect service %s gives its port as the label %q, but %s", spec.Name, spec.PortLabel, why),
				Fix:      "set the service's port to the number the app listens on inside the namespace (e.g. port = \"6379\"), or give the port a `to`",
			})
		}
	}
	return out
}
