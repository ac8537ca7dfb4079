package graph

import (
	"strconv"
	"strings"
)

// deriveEdges computes every edge of a snapshot, unsorted and possibly with
// duplicates (the caller sorts and compacts).
func deriveEdges(s *Snapshot) []Edge {
	var out []Edge
	add := func(e Edge) { out = append(out, e) }
	// Intentions are worth showing once Consul answers or any are known;
	// before that an upstream edge says nothing about them.
	withIntentions := s.status.Consul.State == StateConnected || len(s.intentions) > 0
	s.allocs.each(func(_ string, a *Allocation) {
		sameNamespaceEdges(a, add)
		discoveryEdges(s, a, add)
		for _, spec := range a.Services {
			if spec.Connect == nil {
				continue
			}
			for _, u := range spec.Connect.Upstreams {
				add(upstreamEdge(s, withIntentions, a.ID, spec.Name, u))
			}
		}
	})
	s.services.each(func(_ string, svc *Service) {
		if svc.Connect == nil || svc.Connect.Kind != ConnectSidecar || svc.AllocID == "" {
			return
		}
		source := svc.Connect.DestinationService
		if source == "" {
			source = strings.TrimSuffix(svc.Name, "-sidecar-proxy")
		}
		for _, u := range svc.Connect.Upstreams {
			add(upstreamEdge(s, withIntentions, svc.AllocID, source, u))
		}
	})
	ingressEdges(s, add)
	return out
}

// envLabel mangles a port label or service name the way Nomad does when it
// puts it into an environment variable name: anything but letters, digits and
// '_' becomes '_'.
func envLabel(label string) string {
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
		known[envLabel(p.Label)] = true
	}
	// owner maps a mangled port label to the task serving it: config.ports
	// first (the driver binds it), then a task-level service on that port.
	owner := map[string]string{}
	for _, t := range a.Tasks {
		for _, l := range t.ConfigPorts {
			l = envLabel(l)
			known[l] = true
			if _, ok := owner[l]; !ok {
				owner[l] = t.Name
			}
		}
	}
	for _, spec := range a.Services {
		if spec.Task == "" || spec.PortLabel == "" {
			continue
		}
		l := envLabel(spec.PortLabel)
		known[l] = true
		if _, ok := owner[l]; !ok {
			owner[l] = spec.Task
		}
	}
	for _, t := range a.Tasks {
		for _, r := range t.Refs {
			if r.Kind != RefEnvAddr {
				continue
			}
			l := envLabel(r.Target)
			if !known[l] {
				continue
			}
			o, ok := owner[l]
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

// discoveryEdges joins a task whose template asks a registry for a service to
// that service's name.
func discoveryEdges(s *Snapshot, a *Allocation, add func(Edge)) {
	for _, t := range a.Tasks {
		for _, r := range t.Refs {
			var provider string
			switch r.Kind {
			case RefNomadService:
				provider = ProviderNomad
			case RefConsulService:
				provider = ProviderConsul
			default:
				continue
			}
			if r.Target == "" || r.Target == Wildcard {
				continue // "range services" lists everything; an edge to all would say nothing
			}
			label := r.Text
			if label == "" {
				label = r.Source
			}
			add(Edge{
				Kind:   EdgeDiscovery,
				From:   TaskKey(a.ID, t.Name),
				To:     ServiceKey(r.Target),
				Label:  label,
				Broken: !s.hasPassing(r.Target, provider),
			})
		}
	}
}

// hasPassing reports whether a service has an instance from provider that is
// passing its checks. Nomad-native services without checks have no health to
// report and count as passing.
func (s *Snapshot) hasPassing(name, provider string) bool {
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

// upstreamEdge is a Connect upstream of allocation allocID, whose service
// source sends to destination through its local listener.
func upstreamEdge(s *Snapshot, withIntentions bool, allocID, source string, u Upstream) Edge {
	e := Edge{
		Kind:  EdgeUpstream,
		From:  AllocKey(allocID),
		To:    ServiceKey(u.DestinationName),
		Label: upstreamLabel(u),
	}
	if withIntentions {
		e.Intention, _ = s.IntentionFor(source, u.DestinationName)
	}
	if s.status.Consul.State == StateConnected {
		e.Broken = !s.hasPassing(u.DestinationName, ProviderConsul)
	}
	return e
}

// upstreamLabel reads like the article's arrows: "localhost:6379 → redis".
func upstreamLabel(u Upstream) string {
	host := u.LocalBindAddress
	if host == "" || host == "127.0.0.1" {
		host = "localhost"
	}
	return host + ":" + strconv.Itoa(u.LocalBindPort) + " → " + u.DestinationName
}
