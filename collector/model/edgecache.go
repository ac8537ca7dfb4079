package model

import (
	"strings"
	"sync"
)

// edgeCache remembers, per allocation and per registered service, the part of
// their edges that the object alone determines. Objects never change once
// applied, so an entry is valid for as long as the snapshot holds the same
// pointer: after an event only the changed allocation's edges are worked out
// again, and every snapshot of a store shares the cache. It is a cache, not
// state: dropping it changes nothing but speed.
type edgeCache struct {
	mu        sync.Mutex
	allocs    map[string]*allocEdges
	services  map[string]*serviceEdges
	lastCount int // edges of the last derivation, to size the next
	// scoped are the caches of restricted snapshots, one per scope key
	// (scope.go), guarded by mu.
	scoped map[string]*edgeCache
}

func newEdgeCache() *edgeCache {
	return &edgeCache{allocs: map[string]*allocEdges{}, services: map[string]*serviceEdges{}}
}

// allocEdges is what one allocation determines about its edges.
type allocEdges struct {
	of        *Allocation
	same      []Edge
	discovery []pendingDiscovery
	upstreams []pendingUpstream
	routes    []route
	ingress   bool
	specNames []string
}

// serviceEdges is what one registered service determines about its edges.
type serviceEdges struct {
	of        *Service
	upstreams []pendingUpstream
	routes    []route
}

// pendingDiscovery is a discovery edge still missing Broken.
type pendingDiscovery struct {
	edge           Edge
	name, provider string
}

// pendingUpstream is an upstream edge still missing Intention and Broken.
type pendingUpstream struct {
	edge         Edge
	source, dest string
}

// alloc returns a's entry, computing it when a is new or changed. c.mu is held.
func (c *edgeCache) alloc(a *Allocation) *allocEdges {
	if d := c.allocs[a.ID]; d != nil && d.of == a {
		return d
	}
	d := &allocEdges{of: a, ingress: a.IsIngress()}
	sameNamespaceEdges(a, func(e Edge) { d.same = append(d.same, e) })
	for _, t := range a.Tasks {
		for _, r := range t.Refs {
			if p, ok := discoveryOf(a.ID, t.Name, r); ok {
				d.discovery = append(d.discovery, p)
			}
		}
	}
	for _, spec := range a.Services {
		d.specNames = append(d.specNames, spec.Name)
		d.routes = append(d.routes, routesOf(spec.Name, spec.Tags)...)
		if spec.Connect == nil {
			continue
		}
		for _, u := range spec.Connect.Upstreams {
			d.upstreams = append(d.upstreams, upstreamOf(a.ID, spec.Name, u))
		}
	}
	c.allocs[a.ID] = d
	return d
}

// service returns the entry of the service stored under key. c.mu is held.
func (c *edgeCache) service(key string, svc *Service) *serviceEdges {
	if d := c.services[key]; d != nil && d.of == svc {
		return d
	}
	d := &serviceEdges{of: svc, routes: routesOf(svc.Name, svc.Tags)}
	if svc.Connect != nil && svc.Connect.Kind == ConnectSidecar && svc.AllocID != "" {
		source := svc.Connect.DestinationService
		if source == "" {
			source = strings.TrimSuffix(svc.Name, "-sidecar-proxy")
		}
		for _, u := range svc.Connect.Upstreams {
			d.upstreams = append(d.upstreams, upstreamOf(svc.AllocID, source, u))
		}
	}
	c.services[key] = d
	return d
}

// prune drops entries for objects s no longer holds, once they make up a
// quarter of the cache, so the cache stays near the model's size. Entries an
// older snapshot still needs are simply computed again. c.mu is held.
func (c *edgeCache) prune(s *Snapshot) {
	if n := s.allocs.len(); len(c.allocs) > n+n/4+64 {
		for id, d := range c.allocs {
			if a, ok := s.allocs.get(id); !ok || a != d.of {
				delete(c.allocs, id)
			}
		}
	}
	if n := s.services.len(); len(c.services) > n+n/4+64 {
		for key, d := range c.services {
			if svc, ok := s.services.get(key); !ok || svc != d.of {
				delete(c.services, key)
			}
		}
	}
}

// discoveryOf reads a template reference as a discovery edge to a service
// name, still missing Broken.
func discoveryOf(allocID, task string, r Ref) (pendingDiscovery, bool) {
	var provider string
	switch r.Kind {
	case RefNomadService:
		provider = ProviderNomad
	case RefConsulService:
		provider = ProviderConsul
	default:
		return pendingDiscovery{}, false
	}
	if r.Target == "" || r.Target == Wildcard {
		return pendingDiscovery{}, false // "range services" lists everything; an edge to all would say nothing
	}
	label := r.Text
	if label == "" {
		label = r.Source
	}
	return pendingDiscovery{
		edge: Edge{Kind: EdgeDiscovery, From: TaskKey(allocID, task), To: ServiceKey(r.Target), Label: label},
		name: r.Target, provider: provider,
	}, true
}

// upstreamOf is a Connect upstream of allocation allocID, whose service
// source sends to u's destination through its local listener.
func upstreamOf(allocID, source string, u Upstream) pendingUpstream {
	return pendingUpstream{
		edge:   Edge{Kind: EdgeUpstream, From: AllocKey(allocID), To: ServiceKey(u.DestinationName), Label: u.Label()},
		source: source, dest: u.DestinationName,
	}
}
