package check

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/netviz/netviz/collector/model"
)

// diffJob compares the running version (its newest live allocation per
// group) with the new job, on what matters to the network only.
func diffJob(old []*model.Allocation, job Job) Diff {
	running := map[string]*model.Allocation{}
	for _, a := range old {
		if cur := running[a.TaskGroup]; cur == nil || a.JobVersion > cur.JobVersion || a.JobVersion == cur.JobVersion && a.ID < cur.ID {
			running[a.TaskGroup] = a
		}
	}
	d := Diff{New: len(running) == 0, Changes: []Change{}}
	seen := map[string]bool{}
	for _, g := range job.Groups {
		seen[g.Name] = true
		d.Changes = append(d.Changes, diffGroup(g.Name, running[g.Name], g.Alloc)...)
	}
	var gone []string
	for name := range running {
		if !seen[name] {
			gone = append(gone, name)
		}
	}
	slices.Sort(gone)
	for _, name := range gone {
		d.Changes = append(d.Changes, diffGroup(name, running[name], nil)...)
	}
	switch {
	case d.New:
		d.Summary = fmt.Sprintf("new job: no version of %s runs in namespace %s", job.ID, job.Namespace)
	case len(d.Changes) == 0:
		d.Summary = "No networking change"
	default:
		d.Summary = fmt.Sprintf("%d networking change(s)", len(d.Changes))
	}
	return d
}

// diffGroup compares one group; old or new is nil when the group is added
// or removed.
func diffGroup(group string, old, new *model.Allocation) []Change {
	var out []Change
	add := func(kind, op, subject, before, after string) {
		out = append(out, Change{Group: group, Kind: kind, Op: op, Subject: subject, Before: before, After: after})
	}
	both := old != nil && new != nil
	switch {
	case old == nil && new == nil:
		return nil
	case old == nil:
		add(ChangeGroup, OpAdded, "group", "", "network mode "+modeOf(new))
		old = &model.Allocation{}
	case new == nil:
		add(ChangeGroup, OpRemoved, "group", "network mode "+modeOf(old), "")
		new = &model.Allocation{}
	}
	if om, nm := modeOf(old), modeOf(new); both && om != nm {
		add(ChangeNetworkMode, OpChanged, "network mode", om, nm)
	}
	diffKeyed(portsByLabel(old), portsByLabel(new), func(op, k, b, a string) { add(ChangePort, op, k, b, a) })
	diffServices(old, new, add)
	diffKeyed(taskFacts(old), taskFacts(new), func(op, k, b, a string) { add(ChangeTask, op, k, b, a) })
	diffKeyed(refsOf(old), refsOf(new), func(op, k, b, a string) { add(ChangeRef, op, k, b, a) })
	return out
}

func modeOf(a *model.Allocation) string { return cmp.Or(a.Network.Mode, model.ModeHost) }

// diffKeyed reports what was added, removed or changed between two maps of
// descriptions, in key order.
func diffKeyed(old, new map[string]string, report func(op, key, before, after string)) {
	keys := make([]string, 0, len(old)+len(new))
	for k := range old {
		keys = append(keys, k)
	}
	for k := range new {
		keys = append(keys, k)
	}
	for _, k := range sortedNames(keys) {
		o, inOld := old[k]
		n, inNew := new[k]
		switch {
		case !inOld:
			report(OpAdded, k, "", n)
		case !inNew:
			report(OpRemoved, k, o, "")
		case o != n:
			report(OpChanged, k, o, n)
		}
	}
}

// portsByLabel describes each port by what the job spec decides: static
// value or dynamic, `to`, host network. A dynamic port's value is Nomad's
// choice, not a change.
func portsByLabel(a *model.Allocation) map[string]string {
	out := map[string]string{}
	for _, p := range a.Ports {
		var parts []string
		if p.Static {
			parts = append(parts, "static "+strconv.Itoa(p.Value))
		} else {
			parts = append(parts, "dynamic")
		}
		// A `to` equal to the host port is Nomad's "same as the value"
		// (its sidecar ports come back so): no mapping to speak of.
		if p.To > 0 && p.To != p.Value {
			parts = append(parts, "to "+strconv.Itoa(p.To))
		}
		if p.HostNetwork != "" && p.HostNetwork != "default" {
			parts = append(parts, "host_network "+p.HostNetwork)
		}
		out["port "+p.Label] = strings.Join(parts, ", ")
	}
	return out
}

// diffServices compares service specs by name and task: port, provider,
// tags, Connect sidecar, upstreams.
func diffServices(old, new *model.Allocation, add func(kind, op, subject, before, after string)) {
	key := func(s model.ServiceSpec) string {
		if s.Task != "" {
			return "service " + s.Name + " (task " + s.Task + ")"
		}
		return "service " + s.Name
	}
	specs := func(a *model.Allocation) map[string]model.ServiceSpec {
		m := map[string]model.ServiceSpec{}
		for _, s := range a.Services {
			m[key(s)] = s
		}
		return m
	}
	os, ns := specs(old), specs(new)
	describe := func(m map[string]model.ServiceSpec) map[string]string {
		out := map[string]string{}
		for k, s := range m {
			out[k] = fmt.Sprintf("provider %s, port %s", s.Provider, cmp.Or(s.PortLabel, "-"))
		}
		return out
	}
	diffKeyed(describe(os), describe(ns), func(op, k, b, a string) { add(ChangeService, op, k, b, a) })
	for k, n := range ns {
		o, ok := os[k]
		if !ok {
			continue
		}
		if ot, nt := tagsOf(o), tagsOf(n); ot != nt {
			add(ChangeService, OpChanged, k+" tags", ot, nt)
		}
	}
	facts := func(m map[string]model.ServiceSpec) (sidecars, upstreams map[string]string) {
		sidecars, upstreams = map[string]string{}, map[string]string{}
		for k, s := range m {
			if s.Connect == nil {
				continue
			}
			sidecars[k+" connect"] = s.Connect.Kind
			for _, u := range s.Connect.Upstreams {
				upstreams[k+" upstream "+u.DestinationName] = u.Label()
			}
		}
		return sidecars, upstreams
	}
	osc, ou := facts(os)
	nsc, nu := facts(ns)
	diffKeyed(osc, nsc, func(op, k, b, a string) { add(ChangeSidecar, op, k, b, a) })
	diffKeyed(ou, nu, func(op, k, b, a string) { add(ChangeUpstream, op, k, b, a) })
}

func tagsOf(s model.ServiceSpec) string {
	t := slices.Clone(s.Tags)
	slices.Sort(t)
	return "[" + strings.Join(t, ", ") + "]"
}

// taskFacts describes each task's networking settings: the docker-style
// network_mode and the ports it publishes (config.ports).
func taskFacts(a *model.Allocation) map[string]string {
	out := map[string]string{}
	for _, t := range a.Tasks {
		if t.Kind != "" {
			continue // a sidecar Nomad adds: diffed through its service
		}
		var parts []string
		if t.NetworkMode != "" {
			parts = append(parts, "network_mode "+t.NetworkMode)
		}
		if len(t.ConfigPorts) > 0 {
			parts = append(parts, "config.ports ["+strings.Join(t.ConfigPorts, ", ")+"]")
		}
		if len(parts) > 0 {
			out["task "+t.Name] = strings.Join(parts, ", ")
		}
	}
	return out
}

// refsOf lists each task's references to ports, upstreams and services, as
// found in env and templates.
func refsOf(a *model.Allocation) map[string]string {
	out := map[string]string{}
	for _, t := range a.Tasks {
		for _, r := range t.Refs {
			out[fmt.Sprintf("task %s %s %s (%s)", t.Name, r.Kind, r.Target, r.Source)] = cmp.Or(r.Text, r.Source)
		}
	}
	return out
}
