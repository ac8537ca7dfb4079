package model

import (
	"strconv"
	"strings"
)

// target is one port of a destination allocation that a source may dial.
type target struct {
	// label is the network block's port label; empty for a port known only
	// as a number (a service's `port = "6379"`).
	label string
	// port is the allocation's port; Value 0 when not mapped to the host.
	port Port
	// nsPort is the port inside the namespace (host mode: the host port).
	nsPort int
	// service names the service on this port, if one does.
	service string
	// task is the task serving it, when the spec says.
	task string
}

// targets lists the ports of d that the endpoint designates: the named
// service's port, or every port of the allocation.
func targets(d *Allocation, service string) []target {
	var out []target
	byLabel := map[string]int{}
	addPort := func(p Port, svc, task string) {
		if i, ok := byLabel[p.Label]; ok {
			if out[i].service == "" {
				out[i].service, out[i].task = svc, task
			}
			return
		}
		byLabel[p.Label] = len(out)
		out = append(out, target{label: p.Label, port: p, nsPort: p.InsidePort(), service: svc, task: task})
	}
	addSpec := func(spec ServiceSpec) {
		if spec.PortLabel == "" {
			return
		}
		for _, p := range d.Ports {
			if p.Label == spec.PortLabel {
				addPort(p, spec.Name, spec.Task)
				return
			}
		}
		n, err := strconv.Atoi(spec.PortLabel)
		if err != nil || n <= 0 {
			return
		}
		// A number: the task listens on it inside the namespace. A mapped
		// port with the same `to` publishes it too.
		for _, p := range d.Ports {
			if p.InsidePort() == n && d.Network.Mode != ModeHost {
				addPort(p, spec.Name, spec.Task)
			}
		}
		for _, t := range out {
			if t.nsPort == n && (t.label == "" || t.port.Value > 0) {
				return
			}
		}
		out = append(out, target{nsPort: n, service: spec.Name, task: spec.Task})
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
func portOwner(d *Allocation, t target) string {
	if t.task != "" {
		return t.task
	}
	for _, task := range d.Tasks {
		for _, l := range task.ConfigPorts {
			if l == t.label && t.label != "" {
				return task.Name
			}
		}
	}
	if IsProxyPort(t.label) {
		for _, task := range d.Tasks {
			if task.Kind == "connect-proxy:"+strings.TrimPrefix(t.label, "connect-proxy-") {
				return task.Name
			}
		}
	}
	return mainTask(d)
}

// mainTask is the allocation's first task that is not a sidecar proxy or a
// lifecycle hook: the one a reader thinks of as "the app".
func mainTask(a *Allocation) string {
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
