package model

import (
	"slices"
	"strings"
)

// Scope is what one viewer may read of the model: the rights of a Nomad
// token (namespaces whose jobs it may read, whether it may read nodes) and
// of an optional Consul token (the service names it may read). It is a
// plain value with a canonical Key, so viewers with equal rights share
// everything derived from a restricted snapshot. Where the rights come from
// (ACL policies, token look-ups) is not the model's business; what they let
// through is decided here, once, by Snapshot.Restrict.
type Scope struct {
	// All lets everything through: a management token, or no viewer login.
	All bool `json:"all,omitempty"`
	// Namespaces are the namespace rules of the Nomad token, in the order
	// NormalizeScope leaves them; see ReadsNamespace.
	Namespaces []NamespaceRule `json:"namespaces,omitempty"`
	// Nodes: the token may read nodes (Nomad's node policy read or write).
	Nodes bool `json:"nodes,omitempty"`
	// Consul: a Consul token was given and checked. Without one, nothing
	// that comes from Consul (its services, intentions, default verdict) is
	// shown.
	Consul bool `json:"consul,omitempty"`
	// Services are the Consul service names the Consul token may read,
	// sorted; "*" stands for intentions whose destination is the wildcard.
	Services []string `json:"services,omitempty"`
}

// NamespaceRule is one namespace block of the Nomad token's policies,
// merged over all of them: a name or a glob pattern ("team-*") and whether
// it grants reading jobs (read-job). A rule that grants nothing still
// matters: an exact name or closer glob beats a looser one.
type NamespaceRule struct {
	Pattern string `json:"pattern"`
	Read    bool   `json:"read"`
}

// NormalizeScope returns sc in canonical form (rules sorted and merged per
// pattern, services sorted and deduplicated), so equal rights give equal
// keys.
func NormalizeScope(sc Scope) Scope {
	if sc.All {
		return Scope{All: true}
	}
	merged := map[string]bool{}
	for _, r := range sc.Namespaces {
		merged[r.Pattern] = merged[r.Pattern] || r.Read
	}
	out := Scope{Nodes: sc.Nodes, Consul: sc.Consul}
	for p, read := range merged {
		out.Namespaces = append(out.Namespaces, NamespaceRule{Pattern: p, Read: read})
	}
	slices.SortFunc(out.Namespaces, func(a, b NamespaceRule) int { return strings.Compare(a.Pattern, b.Pattern) })
	if sc.Consul {
		out.Services = slices.Compact(slices.Sorted(slices.Values(sc.Services)))
	}
	return out
}

// Key is the scope's canonical identity: equal rights, equal keys.
func (sc Scope) Key() string {
	if sc.All {
		return "all"
	}
	var b strings.Builder
	for _, r := range sc.Namespaces {
		b.WriteString(r.Pattern)
		if r.Read {
			b.WriteString("=r;")
		} else {
			b.WriteString("=-;")
		}
	}
	if sc.Nodes {
		b.WriteString("|nodes")
	}
	if sc.Consul {
		b.WriteString("|consul:" + strings.Join(sc.Services, ","))
	}
	return b.String()
}

// ReadsNamespace reports whether the scope may read the jobs of a
// namespace, as Nomad decides it: an exact rule wins; otherwise the
// matching glob closest to the name (fewest characters matched by
// wildcards) decides; no matching rule means no.
func (sc Scope) ReadsNamespace(ns string) bool {
	if sc.All {
		return true
	}
	if ns == "" {
		ns = "default"
	}
	best, found := 0, false
	read := false
	for _, r := range sc.Namespaces {
		if r.Pattern == ns {
			return r.Read
		}
		if !strings.Contains(r.Pattern, "*") || !globMatch(r.Pattern, ns) {
			continue
		}
		// What the wildcards stood for: the smaller, the closer the match.
		d := len(ns) - len(strings.ReplaceAll(r.Pattern, "*", ""))
		if !found || d < best {
			best, found, read = d, true, r.Read
		}
	}
	return found && read
}

// ReadsService reports whether the Consul token may read a service name.
func (sc Scope) ReadsService(name string) bool {
	if sc.All {
		return true
	}
	if !sc.Consul {
		return false
	}
	_, ok := slices.BinarySearch(sc.Services, name)
	return ok
}

// The predicates below say what the scope shows of one object. Restrict
// applies them to the model; the timeline applies the same ones to its
// entries, so a viewer's rights are decided in one place.

// SeesAlloc reports whether the scope shows the allocations (and their
// jobs) of Nomad namespace ns.
func (sc Scope) SeesAlloc(ns string) bool { return sc.ReadsNamespace(ns) }

// SeesNodes reports whether the scope shows nodes, and the host side of
// observed traffic.
func (sc Scope) SeesNodes() bool { return sc.All || sc.Nodes }

// SeesService reports whether the scope shows a service instance. A Nomad
// service shows when its namespace does. Any other (Consul's) needs a
// Consul token that reads its name and, when it belongs to an allocation
// (allocID), that allocation shown (allocShown; false when the allocation
// is unknown).
func (sc Scope) SeesService(provider, name, namespace, allocID string, allocShown bool) bool {
	if provider == ProviderNomad {
		return sc.SeesAlloc(namespace)
	}
	return sc.ReadsService(name) && (allocID == "" || allocShown)
}

// SeesIntention reports whether the scope shows the intentions whose
// destination is dest: a Consul token that reads it.
func (sc Scope) SeesIntention(dest string) bool { return sc.SeesConsul() && sc.ReadsService(dest) }

// SeesConsul reports whether the scope shows what comes from Consul at
// all (its default intention verdict; its services and intentions still
// need their own rights).
func (sc Scope) SeesConsul() bool { return sc.All || sc.Consul }

// SeesObservedEnd reports whether the scope shows one end of an observed
// edge: ObservedHost with node rights; ObservedExternal always (it is no
// object of the cluster); empty, the far end of a mesh edge that was not
// seen, always: it is the upstream its client declares, which the
// client's job spec already shows (hiding it would only make a used
// upstream look unused); otherwise an allocation, shown as allocShown
// says. An observed edge is shown only when both its ends are.
func (sc Scope) SeesObservedEnd(end string, allocShown bool) bool {
	switch end {
	case ObservedHost:
		return sc.SeesNodes()
	case ObservedExternal, "":
		return true
	}
	return allocShown
}

// globMatch matches name against a pattern in which "*" stands for any
// run of characters.
func globMatch(pattern, name string) bool {
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(name, p)
		if i < 0 {
			return false
		}
		name = name[i+len(p):]
	}
	return len(parts) == 1 && name == "" || len(parts) > 1 && strings.HasSuffix(name, last)
}

// scopeMemo keys a restricted snapshot in its parent's memo tables.
type scopeMemo struct{ key string }

// scopeDataMemo keys a restricted model in its parent's data memo.
type scopeDataMemo struct{ key string }

// Restrict returns the snapshot as a viewer with scope sc sees it: only
// allocations of namespaces it may read; nodes only with node read;
// Nomad services of readable namespaces; Consul services only with a
// Consul token that may read them and, when they belong to an
// allocation, only if that allocation is shown; intentions and Consul's
// default verdict only with a Consul token, and only intentions whose
// destination it may read; observed traffic only where both ends are
// shown (restrictObserved). Edges, warnings and reach answers are then
// derived from what is left, so nothing derived can name what was left
// out. The result keeps the version and the sources' status; it is built
// once per snapshot and scope (the data once per data version), so
// viewers with equal rights share it.
func (s *Snapshot) Restrict(sc Scope) *Snapshot {
	if sc.All {
		return s
	}
	key := sc.Key()
	return s.Memo(scopeMemo{key}, func() any {
		m := s.DataMemo(scopeDataMemo{key}, func() any { return restrictModel(&s.model, sc) }).(*model)
		r := &Snapshot{version: s.version, model: *m, scope: key}
		r.status = s.status
		// Per snapshot, not per data version: an observation that only
		// moves counts and times keeps the data version.
		r.observed = restrictObserved(s, sc)
		return r
	}).(*Snapshot)
}

// maxScopedCaches bounds the per-scope edge caches a store keeps; past it
// they are all dropped and rebuilt on use (a cache, not state).
const maxScopedCaches = 64

// forScope is the edge cache of a scope's restricted snapshots. Each scope
// has its own, kept across versions like the full model's: the full
// model's is pruned to what the full model holds, so sharing it would make
// each prune the other's loss, while a fresh one per version would derive
// every edge again (220 ms at 10,000 allocations, against 29 ms for the
// copy; see docs/perf.md).
func (c *edgeCache) forScope(key string) *edgeCache {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sc := c.scoped[key]; sc != nil {
		return sc
	}
	if c.scoped == nil || len(c.scoped) >= maxScopedCaches {
		c.scoped = map[string]*edgeCache{}
	}
	sc := newEdgeCache()
	c.scoped[key] = sc
	return sc
}

// ScopeKey is the key of the scope the snapshot was restricted to, empty
// for the whole model. Caches that outlive one snapshot (a picture kept
// across versions) must hold it in their keys, so no viewer is shown a
// picture made for other rights.
func (s *Snapshot) ScopeKey() string { return s.scope }

// restrictModel builds the model a scope may see from a full one.
func restrictModel(full *model, sc Scope) *model {
	st := newState()
	st.cache = full.cache.forScope(sc.Key())
	t := txn{st: &st}
	if sc.SeesNodes() {
		full.nodes.each(func(_ string, n *Node) { t.upsertNode(n) })
	}
	shown := map[string]bool{}
	full.allocs.each(func(id string, a *Allocation) {
		if sc.SeesAlloc(a.Namespace) {
			shown[id] = true
			t.upsertAlloc(a)
		}
	})
	full.services.each(func(_ string, v *Service) {
		if sc.SeesService(v.Provider, v.Name, v.Namespace, v.AllocID, shown[v.AllocID]) {
			t.upsertService(v)
		}
	})
	if sc.SeesConsul() {
		var in []Intention
		for _, i := range full.intentions {
			if sc.SeesIntention(i.Destination) {
				in = append(in, i)
			}
		}
		st.intentions = NonNil(in)
		st.defaultAllow = full.defaultAllow
	}
	st.gen++ // freeze: nothing writes this model again
	m := st.model
	return &m
}
