package reach

import (
	"strings"

	"github.com/netviz/netviz/collector/model"
)

// target is one port of a destination allocation that a source may dial.
type Target struct {
	// label is the network block's port label; empty for a port known only
	// as a number (a service's `port = "6379"`).
	Label string
	// port is the allocation's port; Value 0 when not mapped to the host.
	Port model.Port
	// nsPort is the port inside the namespace (host mode: the host port).
	Inside int
	// service names the service on this port, if one does.
	Service string
	// task is the task serving it, when the spec says.
	Task string
}

// targets lists the ports of d that the endpoint designates: the named
// service's port, or every port of the allocation.
func Targets(d *model.Allocation, service string) []Target {
	var out []Target
	byLabel := map[string]int{}
	addPort := func(p model.Port, svc, task string) {
		if i, ok := byLabel[p.Label]; ok {
			if out[i].Service == "" {
				out[i].Service, out[i].Task = svc, task
			}
			return
		}
		byLabel[p.Label] = len(out)
		out = append(out, Target{Label: p.Label, Port: p, Inside: p.InsidePort(), Service: svc, Task: task})
	}
	addSpec := func(spec model.ServiceSpec) {
		if spec.PortLabel == "" {
			return
		}
		if p, ok := d.PortByLabel(spec.PortLabel); ok {
			addPort(p, spec.Name, spec.Task)
			return
		}
		// Not a label: a number, which the task listens on inside the
		// namespace (InsidePortOf's rule). Every mapped port reaching it
		// publishes it, so all are added, not only PortInside's first.
		n := d.InsidePortOf(spec.PortLabel)
		if n <= 0 {
			return
		}
		for _, p := range d.Ports {
			if p.InsidePort() == n && d.Network.Mode != model.ModeHost {
				addPort(p, spec.Name, spec.Task)
			}
		}
		for _, t := range out {
			if t.Inside == n && (t.Label == "" || t.Port.Value > 0) {
				return
			}
		}
		out = append(out, Target{Inside: n, Service: spec.Name, Task: spec.Task})
	}
	for _, spec := range d.Services {
		if service == "" || spec.Name == service {
			addSpec(spec)
		}
	}
	if service != "" && len(out) == 0 {
		// No spec (job not read yet): fall back to what the registry holds.
		for _, p := range d.Ports {
			if p.Label == service {
				addPort(p, service, "")
			}
		}
	}
	if service == "" {
		for _, p := range d.Ports {
			addPort(p, "", "")
		}
	}
	return out
}

// portOwner is the task that serves a port: the one listing it in
// config.ports, the task of the service on it, or the first main task.
func portOwner(d *model.Allocation, t Target) string {
	if t.Task != "" {
		return t.Task
	}
	for _, task := range d.Tasks {
		for _, l := range task.ConfigPorts {
			if l == t.Label && t.Label != "" {
				return task.Name
			}
		}
	}
	if model.IsProxyPort(t.Label) {
		for _, task := range d.Tasks {
			if task.Kind == "connect-proxy:"+strings.TrimPrefix(t.Label, "connect-proxy-") {
				return task.Name
			}
		}
	}
	return mainTask(d)
}

// mainTask is the allocation's first task that is not a sidecar proxy or a
// lifecycle hook: the one a reader thinks of as "the app".
func mainTask(a *model.Allocation) string {
	for _, t := range a.Tasks {
		if t.Lifecycle == "" && !strings.HasPrefix(t.Kind, "connect-") {
			return t.Name
		}
	}
	if len(a.Tasks) > 0 {
		return a.Tasks[0].Name
	}
	return ""
}
