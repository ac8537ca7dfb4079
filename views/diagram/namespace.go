package diagram

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views/viewmodel"
)

// rulerMinWidth is a label line that keeps a host box, and so its port
// ruler, at least about 300 points wide: a ruler squeezed under one small
// namespace cannot separate its ticks. Graphviz only measures it; the
// components never draw Graphviz's labels.
var rulerMinWidth = strings.Repeat("M", 36)

// host opens a node's cluster and draws its allocations inside it.
func (b *builder) host(n *model.Node, allocs []*model.Allocation) {
	hi := len(b.lay.Hosts)
	name := cmp.Or(n.Name, n.ID)
	b.lay.Hosts = append(b.lay.Hosts, HostBox{
		NodeID:  n.ID,
		Name:    name,
		Address: n.Address,
		Href:    viewmodel.NodeHref(n.ID),
		TestID:  "host-" + n.ID,
		Title:   fmt.Sprintf("node %s (%s) %s, %s", name, n.ID, n.Address, n.Status),
	})
	cname := fmt.Sprintf("cluster_h%d", hi)
	b.elems[cname] = elemRef{elemHost, hi}
	b.w.open("subgraph %s", cname)
	// Four label lines at the bottom reserve the band where the port
	// leads turn, and the ruler, its tick labels and the host name sit.
	label := quoteDOT(name+"   "+n.Address, " ", " ", rulerMinWidth)
	if b.export {
		// No ruler is drawn from an export: the name is the label.
		label = quoteDOT(name + "   " + n.Address)
	}
	b.w.line("label=%s; labelloc=b; labeljust=l; fontsize=10; margin=12;", label)
	if len(allocs) == 0 {
		b.w.line("%s %s;", b.node(), attrs("label", quoteDOT("no allocations"), "shape", "plaintext"))
	}
	first := len(b.spans)
	for _, a := range allocs {
		b.namespace(a, []*model.Allocation{a}, hi, 1)
	}
	b.grid(b.spans[first:], nsAspect)
	b.w.close()
}

// namespace draws one allocation's namespace cluster, or a job/group box
// standing for members when aggregated (host is then -1).
func (b *builder) namespace(rep *model.Allocation, members []*model.Allocation, host, nodes int) {
	nsi := len(b.lay.Namespaces)
	aggregated := host < 0
	d := &allocDraw{
		id: rep.ID, ns: nsi, rep: rep,
		tasks: map[string]string{}, proxies: map[string]string{}, pins: map[string]string{},
	}
	title := rep.JobID + "/" + rep.TaskGroup
	sub := modeText(rep, !aggregated)
	box := NamespaceBox{
		AllocID:     rep.ID,
		Href:        viewmodel.AllocationHref(rep.ID),
		HostNetwork: isHostMode(rep.Network.Mode),
		Count:       len(members),
	}
	if aggregated {
		d.id = "group:" + rep.Namespace + "/" + rep.JobID + "/" + rep.TaskGroup
		box.AllocID = ""
		title += fmt.Sprintf(" ×%d", len(members))
		sub += fmt.Sprintf(" · on %d nodes", nodes)
		// The group's allocations, on a topology narrowed to its job.
		box.Href = viewmodel.TopologyHref(viewmodel.Filter{Namespace: rep.Namespace, Job: rep.JobID})
	}
	box.Title, box.Sub, box.TestID = title, sub, "ns-"+d.id
	box.Tooltip = fmt.Sprintf("%s · %s · %s", title, sub, rep.Name)
	b.lay.Namespaces = append(b.lay.Namespaces, box)
	for _, m := range members {
		b.allocs[m.ID] = d
	}

	cname := fmt.Sprintf("cluster_n%d", nsi)
	b.elems[cname] = elemRef{elemNS, nsi}
	b.w.open("subgraph %s", cname)
	b.w.line("label=%s; labelloc=t; labeljust=l; fontsize=11; margin=10;", quoteDOT(title, sub))

	tasks := slices.Clone(rep.Tasks)
	slices.SortFunc(tasks, func(x, y model.Task) int { return cmp.Compare(x.Name, y.Name) })
	for _, t := range tasks {
		if svc, ok := strings.CutPrefix(t.Kind, "connect-proxy:"); ok {
			b.proxy(d, t, svc)
			continue
		}
		b.task(d, t)
	}
	if d.main == "" {
		d.main = b.node()
		b.w.line("%s %s;", d.main, attrs("label", quoteDOT("(no tasks)"), "shape", "plaintext"))
	}
	ports := slices.Clone(rep.Ports)
	slices.SortFunc(ports, func(x, y model.Port) int { return cmp.Compare(x.Label, y.Label) })
	var pins []string
	for _, p := range ports {
		if n := b.pin(d, p, host, aggregated); n != "" {
			pins = append(pins, n)
		}
	}
	// Pins share a rank so they line up along the namespace's left edge,
	// where traffic enters, however far their tasks sit.
	if len(pins) > 1 {
		b.w.line("{ rank=same; %s; }", strings.Join(pins, "; "))
	}
	b.w.close()
	sp := span{first: d.main, last: d.main}
	if len(pins) > 0 {
		sp.first = pins[0]
	}
	b.spans = append(b.spans, sp)

	for _, m := range members {
		b.keys[model.AllocKey(m.ID)] = d.main
		for name, n := range d.tasks {
			b.keys[model.TaskKey(m.ID, name)] = n
		}
		for _, t := range m.Tasks {
			if svc, ok := strings.CutPrefix(t.Kind, "connect-proxy:"); ok && d.proxies[svc] != "" {
				b.keys[model.TaskKey(m.ID, t.Name)] = d.proxies[svc]
			}
		}
	}
	for _, s := range rep.Services {
		b.declared[s.Name] = append(b.declared[s.Name], cmp.Or(d.tasks[s.Task], d.main))
	}
	b.connect(d)
}

// task draws a task box.
func (b *builder) task(d *allocDraw, t model.Task) {
	n := b.node()
	ti := len(b.lay.Tasks)
	driver := t.Driver
	if t.Lifecycle != "" {
		driver += " · " + t.Lifecycle
	}
	b.lay.Tasks = append(b.lay.Tasks, TaskBox{
		Name: t.Name, Driver: driver, Lifecycle: t.Lifecycle,
		Href:   b.lay.Namespaces[d.ns].Href,
		TestID: "task-" + d.id + "-" + t.Name,
		Title:  fmt.Sprintf("task %s (%s)", t.Name, driver),
	})
	b.elems[n] = elemRef{elemTask, ti}
	b.refs[n] = d.id + "-" + t.Name
	b.owner[n] = d
	d.tasks[t.Name] = n
	if d.main == "" && t.Lifecycle == "" {
		d.main = n
	}
	b.w.line("%s %s;", n, b.nodeAttrs("task", "label", quoteDOT(t.Name, driver)))
}

// proxy draws a Connect sidecar task as a proxy box.
func (b *builder) proxy(d *allocDraw, t model.Task, svc string) {
	n := b.node()
	pi := len(b.lay.Proxies)
	port := ""
	for _, p := range d.rep.Ports {
		if p.Label == "connect-proxy-"+svc && p.Value > 0 {
			port = fmt.Sprint(p.Value)
		}
	}
	b.lay.Proxies = append(b.lay.Proxies, ProxyBox{
		Service: svc, Port: port,
		Href:   viewmodel.ServiceHref(svc),
		TestID: "proxy-" + d.id + "-" + svc,
		Title:  fmt.Sprintf("Connect sidecar proxy %s for %s (%s), public port %s", t.Name, svc, t.Driver, cmp.Or(port, "unknown")),
	})
	b.elems[n] = elemRef{elemProxy, pi}
	b.refs[n] = d.id + "-proxy-" + svc
	b.owner[n] = d
	d.proxies[svc] = n
	d.tasks[t.Name] = n
	b.w.line("%s %s;", n, b.nodeAttrs("proxy", "label", quoteDOT(svc+" proxy", port), "height", "0.45"))
}

// pin draws a port on the namespace's edge and its tick on the host ruler,
// and returns the pin's node. A sidecar's public port is carried by the
// proxy box itself (no node of its own).
func (b *builder) pin(d *allocDraw, p model.Port, host int, aggregated bool) (node string) {
	pi := len(b.lay.Pins)
	text := pinText(p, aggregated)
	pin := PinBox{
		Text: text, Static: p.Static,
		Href:   b.lay.Namespaces[d.ns].Href,
		TestID: "port-" + d.id + "-" + p.Label,
		Title:  fmt.Sprintf("port %s: %s", p.Label, text),
	}
	svc, sidecar := strings.CutPrefix(p.Label, "connect-proxy-")
	if proxy := d.proxies[svc]; sidecar && proxy != "" {
		pin.OnProxy = true
		b.pinOn[pi] = proxy
		d.pins[p.Label] = proxy
	} else {
		n := b.node()
		node = n
		b.elems[n] = elemRef{elemPin, pi}
		b.refs[n] = d.id + "-port-" + p.Label
		b.owner[n] = d
		d.pins[p.Label] = n
		b.w.line("%s %s;", n, b.nodeAttrs("pin", "label", quoteDOT(text), "fontsize", "10", "height", "0.22", "margin", `"0.06,0.02"`))
		b.addArrow(arrowSpec{kind: "port", from: n, to: d.portTask(p.Label), class: "arrow-port",
			title: fmt.Sprintf("port %s into task", p.Label)})
	}
	b.pinNS[pi] = d.ns
	b.lay.Pins = append(b.lay.Pins, pin)
	if host >= 0 && p.Value > 0 {
		b.ticks[host] = append(b.ticks[host], tickSpec{
			port: p.Value, static: p.Static, title: fmt.Sprintf("%s · %s %s", text, d.rep.JobID, p.Label),
			testID: "tick-" + d.id + "-" + p.Label, href: pin.Href, pin: pi,
		})
	}
	return node
}

// connect draws the arrows a namespace's own spec implies: a sidecar
// forwarding to its app, and the app reaching its upstreams through the
// local listener.
func (b *builder) connect(d *allocDraw) {
	specs := slices.Clone(d.rep.Services)
	slices.SortFunc(specs, func(x, y model.ServiceSpec) int { return cmp.Compare(x.Name, y.Name) })
	for _, s := range specs {
		proxy := d.proxies[s.Name]
		if s.Connect == nil || proxy == "" {
			continue
		}
		app := d.main
		if n := d.tasks[s.Task]; s.Task != "" && n != "" {
			app = n
		}
		// The inbound hop runs against the listener arrow when the app
		// also has upstreams; keeping it loose lets the proxy stay on the
		// outbound side.
		b.addArrow(arrowSpec{kind: "sidecar", from: proxy, to: app, class: "arrow-sidecar",
			label: s.PortLabel, loose: len(s.Connect.Upstreams) > 0,
			title: fmt.Sprintf("sidecar forwards %s to its task", s.Name)})
		ups := slices.Clone(s.Connect.Upstreams)
		slices.SortFunc(ups, func(x, y model.Upstream) int { return cmp.Compare(x.DestinationName, y.DestinationName) })
		for _, u := range ups {
			addr := cmp.Or(u.LocalBindAddress, "localhost")
			label := fmt.Sprintf("%s:%d → %s", addr, u.LocalBindPort, u.DestinationName)
			b.addArrow(arrowSpec{kind: "listener", from: d.upstreamTask(u.DestinationName), to: proxy,
				class: "arrow-listener", label: label, title: "upstream listener " + label})
		}
	}
}

// portTask is the task a port leads into (graph's PortTask), else the
// main task.
func (d *allocDraw) portTask(label string) string {
	if t := d.rep.PortTask(label); t != "" && d.tasks[t] != "" {
		return d.tasks[t]
	}
	return d.main
}

// upstreamTask is the task that uses an upstream (it reads its env), else
// the main task.
func (d *allocDraw) upstreamTask(dest string) string {
	for _, t := range d.rep.Tasks {
		for _, r := range t.Refs {
			if r.Kind == model.RefEnvUpstream && r.Target == dest && d.tasks[t.Name] != "" {
				return d.tasks[t.Name]
			}
		}
	}
	return d.main
}

// isHostMode reports whether tasks share the host's own network (Nomad's
// default mode is host).
func isHostMode(mode string) bool { return mode == "" || mode == model.ModeHost }

// modeText is a namespace's second label line: its mode and, for one
// allocation, its address.
func modeText(a *model.Allocation, withIP bool) string {
	mode := a.Network.Mode
	switch {
	case isHostMode(mode):
		mode = "host network"
	case mode == model.ModeNone:
		return "no network"
	}
	if a.Network.IP == "" || !withIP {
		return mode
	}
	return mode + " " + a.Network.IP
}

// pinText is a port's label: host_ip:port → to, marked when static. An
// aggregated group shows only what its members share.
func pinText(p model.Port, aggregated bool) string {
	to := p.InsidePort()
	var s string
	switch {
	case p.Value == 0:
		s = fmt.Sprintf("%s: %d (not on host)", p.Label, to)
	case aggregated && !p.Static:
		s = fmt.Sprintf("dynamic → %d", to)
	default:
		s = fmt.Sprintf("%s:%d → %d", cmp.Or(p.HostIP, "0.0.0.0"), p.Value, to)
	}
	if p.Static {
		s += "  static"
	}
	return s
}
