package diagram

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views/viewmodel"
)

// maxEntryLines caps the instances listed in a registry entry.
const maxEntryLines = 3

// maxDirect is the most instances a client gets an arrow to each of; with
// more, the arrow ends at the service's registry entry, which lists them.
// Without the cap, n clients of m instances draw n×m arrows.
const maxDirect = 3

// modelEdges turns the snapshot's derived edges into arrows between drawn
// elements. Edges whose source is not drawn (filtered out) are skipped; a
// target service with no drawn instance becomes a service entry outside the
// hosts, so the arrow still says where the traffic goes.
func (b *builder) modelEdges() {
	edges := slices.Clone(b.snap.Edges())
	slices.SortFunc(edges, func(x, y model.Edge) int {
		return cmp.Or(cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.From, y.From),
			cmp.Compare(x.To, y.To), cmp.Compare(x.Label, y.Label))
	})
	for _, e := range edges {
		switch e.Kind {
		case model.EdgeSameNamespace:
			b.addArrow(arrowSpec{kind: string(e.Kind), from: b.keys[e.From], to: b.keys[e.To],
				label: e.Label, class: "arrow-same", title: "same namespace: " + e.Label})
		case model.EdgeUpstream:
			b.upstream(e)
		case model.EdgeDiscovery:
			b.discovery(e)
		case model.EdgeIngress:
			b.ingress(e)
		}
	}
	b.observedEdges()
}

// instances returns a service's registered instances. The snapshot copies
// the list on every call and one service can have thousands of instances
// and referrers, so the builder keeps each list once.
func (b *builder) instances(name string) []*model.Service {
	if insts, ok := b.insts[name]; ok {
		return insts
	}
	insts := b.snap.ServicesNamed(name)
	b.insts[name] = insts
	return insts
}

// serviceName returns the name in a service key.
func serviceName(key string) (string, bool) {
	return strings.CutPrefix(key, model.ServiceKey(""))
}

// sources resolves an edge's From: a task or allocation node, or every
// drawn instance of a service.
func (b *builder) sources(key string) []string {
	if n := b.keys[key]; n != "" {
		return []string{n}
	}
	name, ok := serviceName(key)
	if !ok {
		return nil
	}
	var out []string
	for _, s := range b.instances(name) {
		d := b.allocs[s.AllocID]
		if d == nil {
			continue
		}
		out = append(out, cmp.Or(d.tasks[s.Task], d.main))
	}
	if len(out) == 0 {
		out = b.declared[name]
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// targets resolves a service to the drawn elements where its instances take
// traffic: the instance's sidecar proxy for mesh traffic, else the port pin
// it advertises, else its allocation's main task. total counts all
// instances, drawn or not.
func (b *builder) targets(name string, mesh bool) (out []string, total int) {
	key := targetKey{name, mesh}
	if t, ok := b.targetMemo[key]; ok {
		return t.nodes, t.total
	}
	defer func() { b.targetMemo[key] = targetSet{out, total} }()
	for _, s := range b.instances(name) {
		total++
		d := b.allocs[s.AllocID]
		if d == nil {
			continue
		}
		n := d.pins[s.PortLabel]
		if mesh && d.proxies[name] != "" {
			n = d.proxies[name]
		}
		out = append(out, cmp.Or(n, d.tasks[s.Task], d.main))
	}
	slices.Sort(out)
	return slices.Compact(out), total
}

// upstream draws a Connect upstream: from the source's proxy to each
// destination instance's proxy, coloured by the intention.
func (b *builder) upstream(e model.Edge) {
	name, ok := serviceName(e.To)
	if !ok {
		return
	}
	intent := cmp.Or(e.Intention, "unknown")
	class := "arrow-upstream intent-" + intent
	if e.Broken {
		class += " broken"
	}
	title := fmt.Sprintf("Connect upstream to %s, intention %s", name, intent)
	for _, src := range b.sources(e.From) {
		from := src
		if d := b.owner[src]; d != nil {
			from = cmp.Or(d.upstreamProxy(name, e.Label), src)
		}
		to, total := b.targets(name, true)
		switch {
		case len(to) > maxDirect:
			to = []string{b.registryEntry(model.ProviderConsul, name)}
		case len(to) == 0:
			to = []string{b.external(name, total)}
		}
		for _, t := range to {
			b.addArrow(arrowSpec{kind: string(e.Kind), from: from, to: t, label: "mTLS · " + intent,
				class: class, title: title + " (" + e.Label + ")"})
		}
	}
}

// upstreamProxy is the sidecar whose service declares the upstream to dest
// with the edge's label (its local listener): an allocation with two
// Connect services reaching one destination has an arrow from each sidecar,
// each coloured by its own intention. Failing that, the first sidecar with
// an upstream to dest.
func (d *allocDraw) upstreamProxy(dest, label string) string {
	first := ""
	for _, s := range d.rep.Services {
		if s.Connect == nil || d.proxies[s.Name] == "" {
			continue
		}
		for _, u := range s.Connect.Upstreams {
			if u.DestinationName != dest {
				continue
			}
			if u.Label() == label {
				return d.proxies[s.Name]
			}
			first = cmp.Or(first, d.proxies[s.Name])
		}
	}
	return first
}

// discovery draws a service lookup: the task asks the registry (dotted
// arrow to the registry entry) and then talks to the instances (dashed
// arrow labelled with the query). With no instance the lookup itself is
// drawn broken.
func (b *builder) discovery(e model.Edge) {
	name, ok := serviceName(e.To)
	if !ok {
		return
	}
	label := cmp.Or(e.Label, fmt.Sprintf("%q", name))
	provider := b.provider(name, label)
	class := "arrow-discovery"
	if e.Broken {
		class += " broken"
	}
	to, _ := b.targets(name, false)
	lookup := arrowSpec{kind: "lookup", class: "arrow-lookup",
		title: fmt.Sprintf("looks up %s in the %s registry", name, provider)}
	switch {
	case len(to) == 0:
		lookup.label, lookup.class = label, "arrow-lookup broken"
	case len(to) > maxDirect:
		// Many clients of a many-instance service: the arrows end at its
		// registry entry, which names it; repeating the query on each
		// would bury the picture in labels (it stays in the tooltip).
		lookup.class, lookup.title, to = class, "discovery: "+label+" (see the registry entry for instances)", nil
	case b.lay.Aggregated:
		// An aggregated picture keeps only the group-to-group arrows: a
		// lookup per group would double them and say little.
		lookup.kind = ""
	}
	for _, src := range b.sources(e.From) {
		if lookup.kind != "" {
			lookup.from, lookup.to = src, b.registryEntry(provider, name)
			b.addArrow(lookup)
		}
		for _, t := range to {
			b.addArrow(arrowSpec{kind: string(e.Kind), from: src, to: t, label: label, class: class,
				title: "discovery: " + label})
		}
	}
}

// ingress draws an ingress routing rule from the ingress task to the
// instances of the routed service.
func (b *builder) ingress(e model.Edge) {
	name, ok := serviceName(e.To)
	if !ok {
		return
	}
	class := "arrow-ingress"
	if e.Broken {
		class += " broken"
	}
	from := b.sources(e.From)
	if len(from) == 0 {
		return
	}
	to, total := b.targets(name, false)
	switch {
	case len(to) > maxDirect:
		to = []string{b.registryEntry(b.provider(name, ""), name)}
	case len(to) == 0:
		to = []string{b.external(name, total)}
	}
	for _, src := range from {
		b.outside(b.owner[src])
		for _, t := range to {
			b.addArrow(arrowSpec{kind: string(e.Kind), from: src, to: t, label: e.Label, class: class,
				title: "ingress rule " + e.Label})
		}
	}
}

// outside draws where user traffic comes from, as the article's user-facing
// figure does: one "outside" box with an arrow into every static port of
// each ingress router drawn.
func (b *builder) outside(d *allocDraw) {
	if d == nil {
		return
	}
	n := b.entries["outside"]
	if n == "" {
		n = b.entry(EntryBox{
			Kind: "outside", Lines: []string{"outside", "users, load balancer"},
			Href: "/topology", TestID: "outside",
			Title: "traffic from outside the cluster reaches the ingress routers' static ports",
		}, "outside")
		b.entries["outside"] = n
		b.loose = append(b.loose, n)
	}
	for _, p := range d.rep.Ports {
		if pin := d.pins[p.Label]; p.Static && p.Value > 0 && pin != "" {
			b.addArrow(arrowSpec{kind: "entry", from: n, to: pin, class: "arrow-entry",
				title: fmt.Sprintf("clients reach %s:%d", p.HostIP, p.Value)})
		}
	}
}

// provider guesses which registry holds a service: its instances say, else
// the query (nomadService is Nomad's template function).
func (b *builder) provider(name, query string) string {
	for _, s := range b.instances(name) {
		if s.Provider != "" {
			return s.Provider
		}
	}
	if strings.Contains(query, "nomadService") {
		return model.ProviderNomad
	}
	return model.ProviderConsul
}

// registryEntry returns the node listing a service inside its registry box.
func (b *builder) registryEntry(provider, name string) string {
	key := "registry/" + provider + "/" + name
	if n := b.entries[key]; n != "" {
		return n
	}
	lines := []string{name}
	healthy := 0
	insts := slices.Clone(b.instances(name))
	slices.SortFunc(insts, func(x, y *model.Service) int {
		return cmp.Or(cmp.Compare(x.Address, y.Address), cmp.Compare(x.Port, y.Port))
	})
	for i, s := range insts {
		if s.Health == model.HealthPassing || s.Health == "" {
			healthy++
		}
		if i < maxEntryLines {
			lines = append(lines, fmt.Sprintf("%s:%d", s.Address, s.Port))
		}
	}
	switch {
	case len(insts) == 0:
		lines = append(lines, "no instances")
	case len(insts) > maxEntryLines:
		lines = append(lines, fmt.Sprintf("+%d more", len(insts)-maxEntryLines))
	}
	n := b.entry(EntryBox{
		Kind: "registry", Lines: lines, Broken: healthy == 0,
		Href:   viewmodel.ServiceHref(name),
		TestID: "registry-" + provider + "-" + name,
		Title:  fmt.Sprintf("%s in the %s registry: %d instances, %d healthy", name, provider, len(insts), healthy),
	}, "registry-"+provider+"-"+name)
	b.entries[key] = n
	b.regs[provider] = append(b.regs[provider], n)
	return n
}

// external returns a node for a service none of whose instances is drawn.
func (b *builder) external(name string, total int) string {
	key := "service/" + name
	if n := b.entries[key]; n != "" {
		return n
	}
	note := plural(total, "instance") + " not shown"
	if total == 0 {
		note = "no instances"
	}
	n := b.entry(EntryBox{
		Kind: "service", Lines: []string{name, note}, Broken: total == 0,
		Href:   viewmodel.ServiceHref(name),
		TestID: "service-" + name,
		Title:  fmt.Sprintf("service %s: %s", name, note),
	}, "service-"+name)
	b.entries[key] = n
	b.loose = append(b.loose, n)
	return n
}

// entry registers an entry box; its DOT line is written by finish, inside
// its registry box or at the top level.
func (b *builder) entry(e EntryBox, ref string) string {
	n := b.node()
	b.elems[n] = elemRef{elemEntry, len(b.lay.Entries)}
	b.refs[n] = ref
	b.lay.Entries = append(b.lay.Entries, e)
	return n
}

// finish writes registry boxes, loose service entries and every arrow, and
// closes the graph.
func (b *builder) finish() string {
	entryLine := func(n string) {
		e := b.lay.Entries[b.elems[n].i]
		b.w.line("%s %s;", n, b.nodeAttrs("entry", "label", quoteDOT(e.Lines...), "fontsize", "10"))
	}
	for _, provider := range slices.Sorted(maps.Keys(b.regs)) {
		ri := len(b.lay.Registries)
		title := "Consul service catalog"
		if provider == model.ProviderNomad {
			title = "Nomad service registry"
		}
		b.lay.Registries = append(b.lay.Registries, RegistryBox{Title: title, TestID: "registry-" + provider})
		cname := fmt.Sprintf("cluster_r%d", ri)
		b.elems[cname] = elemRef{elemRegistry, ri}
		b.w.open("subgraph %s", cname)
		b.w.line("label=%s; labelloc=t; labeljust=l; fontsize=11; margin=10;", quoteDOT(title))
		for _, n := range b.regs[provider] {
			entryLine(n)
		}
		b.w.close()
	}
	for _, n := range b.loose {
		entryLine(n)
	}
	for _, e := range b.invis {
		b.w.line("%s -> %s [style=invis];", e[0], e[1])
	}
	for i, a := range b.arrows {
		kv := []string{"id", fmt.Sprintf("e%d", i)}
		if a.label != "" {
			kv = append(kv, "label", quoteDOT(a.label))
		}
		if a.loose {
			kv = append(kv, "constraint", "false")
		}
		if b.export && a.class != "" {
			// The arrow's meaning (intent-allow, broken…) for exports.
			kv = append(kv, "class", quoteDOT(a.class))
		}
		// Traffic enters a pin at the namespace's edge, its west side.
		if ref, ok := b.elems[a.to]; ok && ref.kind == elemPin {
			kv = append(kv, "headport", "w")
		}
		if a.sides {
			kv = append(kv, "tailport", "e", "headport", "w")
		}
		b.w.line("%s -> %s %s;", a.from, a.to, attrs(kv...))
	}
	b.w.close()
	return b.w.String()
}
