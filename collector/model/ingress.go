package model

import "strings"

// Ingress edges follow the convention of Traefik's and Fabio's Consul/Nomad
// catalog providers: a routing rule is a tag on the *target* service. Which
// service is the router is not written anywhere, so the model uses a simple,
// documented rule: a service declared by an allocation of a system job that
// holds a static port is an ingress router (an ingress proxy on every node,
// listening on fixed ports, as in the article). Every router gets an edge to
// every service carrying a routing tag, labelled with the rule.

// routingRule returns the routing rule a tag carries, or "":
// "traefik.http.routers.<r>.rule=Host(`x`)" gives "Host(`x`)" (also tcp and
// udp routers), and a Fabio "urlprefix-<host/path>" tag is its own rule.
func routingRule(tag string) string {
	if strings.HasPrefix(tag, "urlprefix-") {
		return tag
	}
	for _, proto := range [...]string{"traefik.http.routers.", "traefik.tcp.routers.", "traefik.udp.routers."} {
		rest, ok := strings.CutPrefix(tag, proto)
		if !ok {
			continue
		}
		if _, rule, ok := strings.Cut(rest, ".rule="); ok && rule != "" {
			return rule
		}
	}
	return ""
}

// IsIngress reports whether an allocation looks like an ingress router:
// a system job holding at least one static host port.
func (a *Allocation) IsIngress() bool {
	if a.JobType != "system" {
		return false
	}
	for _, p := range a.Ports {
		if p.Static && p.Value > 0 {
			return true
		}
	}
	return false
}

// route is a routing rule carried by a target service's tags.
type route struct{ target, rule string }

// routesOf lists the routing rules in a service's tags.
func routesOf(target string, tags []string) []route {
	var out []route
	for _, tag := range tags {
		if rule := routingRule(tag); rule != "" {
			out = append(out, route{target, rule})
		}
	}
	return out
}

// appendIngressEdges joins every router to every routed service but itself.
func appendIngressEdges(out []Edge, routers map[string]bool, routes map[route]bool) []Edge {
	for router := range routers {
		for r := range routes {
			if r.target == router {
				continue // a router's tags about itself (its dashboard) are not a route through it
			}
			out = append(out, Edge{Kind: EdgeIngress, From: ServiceKey(router), To: ServiceKey(r.target), Label: r.rule})
		}
	}
	return out
}
