package model

import "strconv"

// deriveEdges computes every edge of a snapshot, unsorted and possibly with
// duplicates (the caller sorts and compacts). What one allocation or one
// service determines alone comes from the store's edge cache (see
// edgecache.go); only what depends on the rest of the snapshot — health,
// intentions, who is an ingress router — is worked out here.
func deriveEdges(s *Snapshot) []Edge {
	c := s.cache
	c.mu.Lock()
	defer c.mu.Unlock()

	out := make([]Edge, 0, c.lastCount)
	// Intentions are worth showing once Consul answers or any are known;
	// before that an upstream edge says nothing about them.
	withIntentions := s.status.Consul.State == StateConnected || len(s.intentions) > 0
	consulUp := s.status.Consul.State == StateConnected
	passing := map[[2]string]bool{}
	isPassing := func(name, provider string) bool {
		k := [2]string{name, provider}
		v, ok := passing[k]
		if !ok {
			v = s.HasPassing(name, provider)
			passing[k] = v
		}
		return v
	}
	intention := map[[2]string]string{}
	addUpstream := func(u pendingUpstream) {
		e := u.edge
		if withIntentions {
			k := [2]string{u.source, u.dest}
			v, ok := intention[k]
			if !ok {
				v, _ = s.IntentionFor(u.source, u.dest)
				intention[k] = v
			}
			e.Intention = v
		}
		if consulUp {
			e.Broken = !isPassing(u.dest, ProviderConsul)
		}
		out = append(out, e)
	}

	routers := map[string]bool{}
	routes := map[route]bool{}
	s.allocs.each(func(_ string, a *Allocation) {
		d := c.alloc(a)
		out = append(out, d.same...)
		for _, p := range d.discovery {
			e := p.edge
			e.Broken = !isPassing(p.name, p.provider)
			out = append(out, e)
		}
		for _, u := range d.upstreams {
			addUpstream(u)
		}
		for _, r := range d.routes {
			routes[r] = true
		}
		if d.ingress {
			for _, n := range d.specNames {
				routers[n] = true
			}
		}
	})
	s.services.each(func(key string, svc *Service) {
		d := c.service(key, svc)
		for _, u := range d.upstreams {
			addUpstream(u)
		}
		for _, r := range d.routes {
			routes[r] = true
		}
		if svc.AllocID != "" {
			if a, ok := s.allocs.get(svc.AllocID); ok && c.alloc(a).ingress {
				routers[svc.Name] = true
			}
		}
	})
	out = appendIngressEdges(out, routers, routes)
	c.prune(s)
	c.lastCount = len(out)
	return out
}

// EnvLabel mangles a port label or service name the way Nomad does when it
// puts it into an environment variable name: anything but letters, digits and
// '_' becomes '_'.
func EnvLabel(label string) string {
	b := []byte(label)
	for i, c := range b {
		if !(c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			b[i] = '_'
		}
	}
	return string(b)
}

// sameNamespaceEdges joins a task that reads NOMAD_ADDR_<label> (or _IP_, _PORT_)
// to the task of the same allocation that owns that port: traffic that never
// leaves the allocation's network namespace.
func sameNamespaceEdges(a *Allocation, add func(Edge)) {
	known := map[string]bool{}
	for _, p := range a.Ports {
		known[EnvLabel(p.Label)] = true
	}
	for _, t := range a.Tasks {
		for _, l := range t.ConfigPorts {
			known[EnvLabel(l)] = true
		}
	}
	for _, spec := range a.Services {
		if spec.PortLabel != "" {
			known[EnvLabel(spec.PortLabel)] = true
		}
	}
	for _, t := range a.Tasks {
		for _, r := range t.Refs {
			if r.Kind != RefEnvAddr {
				continue
			}
			l := EnvLabel(r.Target)
			if !known[l] {
				continue
			}
			o := a.PortTask(l)
			ok := o != ""
			if ok && o == t.Name {
				continue // a task reading its own port is how it learns where to listen
			}
			to := AllocKey(a.ID)
			if ok {
				to = TaskKey(a.ID, o)
			}
			label := r.Text
			if label == "" {
				label = r.Source
			}
			add(Edge{Kind: EdgeSameNamespace, From: TaskKey(a.ID, t.Name), To: to, Label: label})
		}
	}
}

// HasPassing reports whether a service has an instance from provider that is
// passing its checks. Nomad-native services without checks have no health to
// report and count as passing.
func (s *Snapshot) HasPassing(name, provider string) bool {
	for _, k := range s.servicesByName.members(name) {
		svc, ok := s.services.get(k)
		if !ok || svc.Provider != provider {
			continue
		}
		if svc.Health == HealthPassing || svc.Provider == ProviderNomad && svc.Health == "" {
			return true
		}
	}
	return false
}

// Label reads like the article's arrows: "localhost:6379 → redis".
func (u Upstream) Label() string {
	host := u.LocalBindAddress
	if host == "" || host == "127.0.0.1" {
		host = "localhost"
	}
	return host + ":" + strconv.Itoa(u.LocalBindPort) + " → " + u.DestinationName
}
