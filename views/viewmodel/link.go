package viewmodel

import (
	"net/url"
	"strings"

	"github.com/netviz/netviz/collector/model"
)

// Link is a model object as shown: its readable name and the page about it.
// Href is empty when netviz has no page for the object.
type Link struct {
	Text string `json:"text"`
	Href string `json:"href,omitempty"`
}

// KeyLink resolves a model key (alloc/…, task/…/…, node/…, service/…) to a
// link, naming allocations and nodes as the snapshot knows them.
func KeyLink(snap *model.Snapshot, key string) Link {
	kind, rest, _ := strings.Cut(key, "/")
	switch kind {
	case "alloc":
		return Link{Text: allocName(snap, rest), Href: AllocationHref(rest)}
	case "task":
		alloc, task, _ := strings.Cut(rest, "/")
		return Link{Text: allocName(snap, alloc) + " · " + task, Href: AllocationHref(alloc)}
	case "node":
		text := ShortID(rest)
		if n := snap.Node(rest); n != nil && n.Name != "" {
			text = n.Name
		}
		return Link{Text: text, Href: NodeHref(rest)}
	case "service":
		return Link{Text: rest, Href: ServiceHref(rest)}
	}
	return Link{Text: key}
}

// allocName is an allocation's Nomad name (job.group[index]) or short ID.
func allocName(snap *model.Snapshot, id string) string {
	if a := snap.Allocation(id); a != nil && a.Name != "" {
		return a.Name
	}
	return ShortID(id)
}

// AllocOfKey returns the allocation an alloc/… or task/…/… key belongs to.
func AllocOfKey(key string) (string, bool) {
	if id, ok := strings.CutPrefix(key, "alloc/"); ok {
		return id, true
	}
	if rest, ok := strings.CutPrefix(key, "task/"); ok {
		id, _, _ := strings.Cut(rest, "/")
		return id, true
	}
	return "", false
}

// AllocationHref is the allocation page of an allocation.
func AllocationHref(id string) string { return "/allocations/" + url.PathEscape(id) }

// NodeHref is the node page of a node.
func NodeHref(id string) string { return "/nodes/" + url.PathEscape(id) }

// ServiceHref is the page of a service name.
func ServiceHref(name string) string { return "/services/" + url.PathEscape(name) }

// TopologyHref is the topology page narrowed by a filter.
func TopologyHref(f Filter) string { return withFilter("/topology", f) }

// OverviewHref is the overview narrowed by a filter.
func OverviewHref(f Filter) string { return withFilter("/", f) }

// WarningsAPIHref is every warning the filter keeps, as JSON.
func WarningsAPIHref(f Filter) string { return withFilter("/api/v1/warnings", f) }

// withFilter is path with the filter's query, if any.
func withFilter(path string, f Filter) string {
	if q := f.Query().Encode(); q != "" {
		return path + "?" + q
	}
	return path
}

// ReachHref is the reach page asking whether from reaches to.
func ReachHref(from, to string) string {
	return "/reach?" + url.Values{ParamFrom: {from}, ParamTo: {to}}.Encode()
}
