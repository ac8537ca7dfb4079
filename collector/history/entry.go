package history

import (
	"slices"
	"strings"
	"time"
)

// Kind names what a timeline entry is about.
type Kind string

// Kinds of entries.
const (
	KindAllocPlaced   Kind = "alloc-placed"
	KindAllocStopped  Kind = "alloc-stopped"
	KindAllocsChanged Kind = "allocs-changed" // a grouped burst of one job
	KindAllocUpdated  Kind = "alloc-updated"  // in place, to a new job version
	KindPortChanged   Kind = "port-changed"
	KindServiceUp     Kind = "service-registered"
	KindServiceDown   Kind = "service-deregistered"
	KindServiceMoved  Kind = "service-changed" // address or port
	KindHealth        Kind = "health"
	KindUpstreamAdded Kind = "upstream-added"
	KindUpstreamGone  Kind = "upstream-removed"
	KindIntentionAdd  Kind = "intention-added"
	KindIntentionMod  Kind = "intention-changed"
	KindIntentionDel  Kind = "intention-deleted"
	KindNodeJoined    Kind = "node-joined"
	KindNodeLeft      Kind = "node-left"
	KindNodeChanged   Kind = "node-changed"
	KindSource        Kind = "source-status"
	// Observed connections (netviz agents): an edge first seen, or aged out.
	KindObservedSeen Kind = "observed-first-seen"
	KindObservedGone Kind = "observed-aged-out"
	// KindGap says history missed changes (it fell behind, or its store
	// failed): the model between From and To is not exact.
	KindGap Kind = "gap"
	// KindHistory marks history starting or resuming.
	KindHistory Kind = "history"
)

// Kinds lists every kind, for the timeline's filter.
var Kinds = []Kind{
	KindAllocPlaced, KindAllocStopped, KindAllocsChanged, KindAllocUpdated, KindPortChanged,
	KindServiceUp, KindServiceDown, KindServiceMoved, KindHealth, KindUpstreamAdded, KindUpstreamGone,
	KindIntentionAdd, KindIntentionMod, KindIntentionDel, KindNodeJoined, KindNodeLeft, KindNodeChanged,
	KindSource, KindObservedSeen, KindObservedGone, KindGap, KindHistory,
}

// Entry is one line of the timeline.
type Entry struct {
	// Seq orders entries as stored; 0 until stored.
	Seq  int64     `json:"seq"`
	Time time.Time `json:"time"`
	Kind Kind      `json:"kind"`
	// Subjects: what the entry is about. Node is the node's ID. Namespace
	// is always a Nomad namespace: on a Consul service's entry, its
	// allocation's, empty when it has none or history did not know it.
	Namespace string `json:"namespace,omitempty"`
	Job       string `json:"job,omitempty"`
	Group     string `json:"group,omitempty"`
	Alloc     string `json:"alloc,omitempty"`
	Service   string `json:"service,omitempty"`
	// Provider is who registered a service entry's instance (consul or
	// nomad): viewers' rights differ by provider.
	Provider string `json:"provider,omitempty"`
	Node     string `json:"node,omitempty"`
	NodeName string `json:"node_name,omitempty"`
	// Summary is the one line the timeline shows.
	Summary string `json:"summary"`
	Before  string `json:"before,omitempty"`
	After   string `json:"after,omitempty"`
	// Allocs are the allocations a grouped entry stands for (at most
	// maxGroupAllocs of them); Count is how many there were.
	Allocs []string `json:"allocs,omitempty"`
	Count  int      `json:"count,omitempty"`
	// Ends are, on an observed entry, both ends of the edge, so that a
	// viewer's scope can be asked about each, as for the edge itself.
	Ends *ObservedEnds `json:"ends,omitempty"`
	// Unwatched: the change happened while netviz was not running; it was
	// found by comparing the first read after a restart with the last
	// stored state, so Time is when netviz noticed, not when it happened.
	Unwatched bool `json:"unwatched,omitempty"`
}

// ObservedEnds are an observed edge's ends: an allocation's ID (with its
// Nomad namespace), model.ObservedHost or model.ObservedExternal; To is
// empty for a mesh upstream whose far end was not seen (the entry's
// Service is the upstream's).
type ObservedEnds struct {
	From          string `json:"from"`
	FromNamespace string `json:"from_namespace,omitempty"`
	To            string `json:"to,omitempty"`
	ToNamespace   string `json:"to_namespace,omitempty"`
}

// maxGroupAllocs bounds the allocation IDs a grouped entry lists.
const maxGroupAllocs = 50

// Query selects timeline entries. Empty fields match everything; subject
// fields match a prefix, as the pages' filter does.
type Query struct {
	// Alloc matches an entry about the allocation, or a grouped entry
	// listing it.
	Namespace, Job, Group, Service, Node, Alloc string
	Kinds                                       []Kind
	// Since and Until bound the entries' time (Until exclusive); zero is open.
	Since, Until time.Time
	// Limit is the most entries returned, newest first (0: DefaultLimit).
	Limit int
}

// DefaultLimit is how many entries a query returns unless it says otherwise.
const DefaultLimit = 500

// Match reports whether e is selected by q (its subjects, kind and time;
// not the limit).
func (q Query) Match(e Entry) bool {
	if !q.Since.IsZero() && e.Time.Before(q.Since) || !q.Until.IsZero() && !e.Time.Before(q.Until) {
		return false
	}
	if len(q.Kinds) > 0 && !slices.Contains(q.Kinds, e.Kind) {
		return false
	}
	return prefix(e.Namespace, q.Namespace) && prefix(e.Job, q.Job) && prefix(e.Group, q.Group) &&
		prefix(e.Service, q.Service) && (prefix(e.Node, q.Node) || prefix(e.NodeName, q.Node)) &&
		(prefix(e.Alloc, q.Alloc) || slices.ContainsFunc(e.Allocs, func(id string) bool { return prefix(id, q.Alloc) }))
}

func prefix(v, p string) bool { return p == "" || strings.HasPrefix(v, p) }

// Limit returns q's limit or the default.
func (q Query) LimitOrDefault() int {
	if q.Limit <= 0 {
		return DefaultLimit
	}
	return q.Limit
}
