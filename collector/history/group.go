package history

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// Grouping: a job's allocation changes that follow each other closer than
// groupQuiet form one burst, closed at the latest groupMaxAge after it
// began. A burst of more than groupSmall allocations becomes one entry.
// Nomad replaces a job's allocations over several frames (a deployment of
// 100 allocations took ~10 s on the test cluster), so grouping per delta
// would split it.
const (
	groupQuiet  = 5 * time.Second
	groupMaxAge = 60 * time.Second
	groupSmall  = 3
)

// Grouper gathers allocation changes per job and turns each burst into
// entries once it is over. It is not safe for concurrent use.
type Grouper struct {
	// Quiet is how long a job's burst waits for more changes (groupQuiet
	// by default; tests shorten it).
	Quiet  time.Duration
	bursts map[string]*burst
	// ready are the entries of bursts closed early (see Add).
	ready []Entry
}

type burst struct {
	first, last time.Time
	unwatched   bool
	// version is the newest job version the burst has seen; brought is
	// set once it placed an allocation or updated one to a new version.
	version uint64
	brought bool
	// changes are merged per allocation: the first before, the last after.
	changes map[string]*AllocChange
}

// NewGrouper returns an empty grouper.
func NewGrouper() *Grouper { return &Grouper{Quiet: groupQuiet, bursts: map[string]*burst{}} }

// Add adds an allocation change to its job's burst. A burst closes early,
// before the change joins a new one, when the change starts another
// operation: an allocation of a newer job version than the burst already
// brought (the next deployment; old allocations stopping before the new
// ones arrive still make one replacement), or the stop of an allocation
// the burst placed (a job run and stopped in quick succession would
// otherwise merge into nothing).
func (g *Grouper) Add(c AllocChange) {
	a := cmp.Or(c.After, c.Before)
	if a == nil {
		return
	}
	k := a.Namespace + "\x00" + a.JobID
	v := versionOf(c)
	b := g.bursts[k]
	if b != nil && !c.Unwatched {
		prev := b.changes[a.ID]
		if v > b.version && b.brought || prev != nil && prev.Before == nil && c.After == nil {
			g.ready = append(g.ready, b.entries()...)
			delete(g.bursts, k)
			b = nil
		}
	}
	if b == nil {
		b = &burst{first: c.Time, changes: map[string]*AllocChange{}}
		g.bursts[k] = b
	}
	b.last = c.Time
	b.version = max(b.version, v)
	b.brought = b.brought || c.After != nil && (c.Before == nil || c.Before.JobVersion != c.After.JobVersion)
	b.unwatched = b.unwatched || c.Unwatched
	if prev := b.changes[a.ID]; prev != nil {
		// An entry's time is when its fact changed: a placement when the
		// allocation appeared, a stop when it went, an update at its last
		// change of address, ports or version (not at a status change).
		if c.After == nil || prev.Before != nil && prev.After != nil && !SameFacts(prev.After, c.After) {
			prev.Time = c.Time
		}
		prev.After = c.After
		return
	}
	cc := c
	b.changes[a.ID] = &cc
}

// versionOf is the newest job version a change shows.
func versionOf(c AllocChange) uint64 {
	var v uint64
	for _, a := range []*model.Allocation{c.Before, c.After} {
		if a != nil {
			v = max(v, a.JobVersion)
		}
	}
	return v
}

// Pending reports whether a burst is still open.
func (g *Grouper) Pending() bool { return len(g.bursts) > 0 || len(g.ready) > 0 }

// Flush returns the entries of the bursts that are over at now (all of
// them when all is set), oldest first.
func (g *Grouper) Flush(now time.Time, all bool) []Entry {
	out := g.ready
	g.ready = nil
	for _, k := range slices.Sorted(maps.Keys(g.bursts)) {
		b := g.bursts[k]
		if all || now.Sub(b.last) >= g.Quiet || now.Sub(b.first) >= groupMaxAge {
			out = append(out, b.entries()...)
			delete(g.bursts, k)
		}
	}
	slices.SortStableFunc(out, func(a, b Entry) int { return a.Time.Compare(b.Time) })
	return out
}

// entries describes one burst: a few allocations one by one, more as one
// grouped entry, plus the Connect upstreams a new job version added or removed.
func (b *burst) entries() []Entry {
	var placed, stopped, updated []*AllocChange
	for _, id := range slices.Sorted(maps.Keys(b.changes)) {
		c := b.changes[id]
		switch {
		case c.Before == nil && c.After == nil: // placed and stopped inside the burst
		case c.Before == nil:
			placed = append(placed, c)
		case c.After == nil:
			stopped = append(stopped, c)
		case !SameFacts(c.Before, c.After):
			updated = append(updated, c)
		}
	}
	var out []Entry
	if n := len(placed) + len(stopped) + len(updated); n > groupSmall {
		out = append(out, b.grouped(placed, stopped, updated))
	} else {
		for _, c := range slices.Concat(placed, stopped, updated) {
			out = append(out, single(c))
		}
	}
	out = append(out, upstreamEntries(slices.Concat(stopped, updated), slices.Concat(placed, updated), b.first)...)
	for i := range out {
		out[i].Unwatched = b.unwatched
	}
	return out
}

// single is the entry of one allocation's change.
func single(c *AllocChange) Entry {
	a := cmp.Or(c.After, c.Before)
	e := Entry{Time: c.Time, Namespace: a.Namespace, Job: a.JobID, Group: a.TaskGroup, Alloc: a.ID, Node: a.NodeID, NodeName: a.NodeName}
	switch {
	case c.Before == nil:
		e.Kind, e.After = KindAllocPlaced, allocFacts(a)
		e.Summary = fmt.Sprintf("allocation %s placed: %s", a.Name, e.After)
	case c.After == nil:
		e.Kind, e.Before = KindAllocStopped, allocFacts(a)
		e.Summary = fmt.Sprintf("allocation %s stopped (was %s)", a.Name, e.Before)
	case allocFacts(c.Before) != allocFacts(c.After):
		e.Kind, e.Before, e.After = KindPortChanged, allocFacts(c.Before), allocFacts(c.After)
		e.Summary = fmt.Sprintf("allocation %s ports changed: %s → %s", a.Name, e.Before, e.After)
	default:
		e.Kind, e.Before, e.After = KindAllocUpdated, versionText(c.Before), versionText(c.After)
		e.Summary = fmt.Sprintf("allocation %s updated in place, version %d → %d", a.Name, c.Before.JobVersion, c.After.JobVersion)
	}
	return e
}

// grouped is one entry for a burst: "job s0042: 100 allocations replaced,
// version 3 → 4".
func (b *burst) grouped(placed, stopped, updated []*AllocChange) Entry {
	all := slices.Concat(placed, stopped, updated)
	a := cmp.Or(all[0].After, all[0].Before)
	first := all[0].Time
	for _, c := range all {
		if c.Time.Before(first) {
			first = c.Time
		}
	}
	e := Entry{Time: first, Kind: KindAllocsChanged, Namespace: a.Namespace, Job: a.JobID, Count: len(all)}
	groups, nodes := map[string]bool{}, map[string]bool{}
	var befores, afters []*model.Allocation
	for _, c := range all {
		x := cmp.Or(c.After, c.Before)
		groups[x.TaskGroup], nodes[x.NodeID] = true, true
		if len(e.Allocs) < maxGroupAllocs {
			e.Allocs = append(e.Allocs, x.ID)
		}
		if c.Before != nil {
			befores = append(befores, c.Before)
		}
		if c.After != nil {
			afters = append(afters, c.After)
		}
	}
	if len(groups) == 1 {
		e.Group = a.TaskGroup
	}
	if len(nodes) == 1 {
		e.Node, e.NodeName = a.NodeID, a.NodeName
	}
	var parts []string
	replaced := min(len(placed), len(stopped))
	if replaced > 0 {
		parts = append(parts, plural(replaced, "allocation")+" replaced")
	}
	if n := len(placed) - replaced; n > 0 {
		parts = append(parts, plural(n, "allocation")+" placed")
	}
	if n := len(stopped) - replaced; n > 0 {
		parts = append(parts, plural(n, "allocation")+" stopped")
	}
	if len(updated) > 0 {
		parts = append(parts, plural(len(updated), "allocation")+" updated in place")
	}
	e.Before, e.After = versionsText(befores), versionsText(afters)
	e.Summary = fmt.Sprintf("job %s: %s", a.JobID, strings.Join(parts, ", "))
	if e.Before != "" && e.After != "" && e.Before != e.After {
		e.Summary += fmt.Sprintf(", %s → %s", e.Before, e.After)
	}
	return e
}

// upstreamEntries compares the Connect upstreams of the allocations a burst
// left with those it brought, when they run different job versions: an
// upstream is a job-spec fact, so the same version cannot change it (a
// job spec read late only fills in what was known).
func upstreamEntries(olds, news []*AllocChange, t time.Time) []Entry {
	var b, a []*model.Allocation
	for _, c := range olds {
		b = append(b, c.Before)
	}
	for _, c := range news {
		a = append(a, c.After)
	}
	if len(b) == 0 || len(a) == 0 || versionsText(b) == versionsText(a) {
		return nil
	}
	bu, au := upstreams(b), upstreams(a)
	x := a[0]
	var out []Entry
	ver := fmt.Sprintf("%s → %s", versionsText(b), versionsText(a))
	for _, k := range slices.Sorted(maps.Keys(au)) {
		if !bu[k] {
			out = append(out, Entry{Time: t, Kind: KindUpstreamAdded, Namespace: x.Namespace, Job: x.JobID, Service: upstreamService(k), After: k,
				Summary: fmt.Sprintf("job %s: Connect upstream %s added (%s)", x.JobID, k, ver)})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(bu)) {
		if !au[k] {
			out = append(out, Entry{Time: t, Kind: KindUpstreamGone, Namespace: x.Namespace, Job: x.JobID, Service: upstreamService(k), Before: k,
				Summary: fmt.Sprintf("job %s: Connect upstream %s removed (%s)", x.JobID, k, ver)})
		}
	}
	return out
}

// upstreams lists "group/service → destination:port" for the allocations' upstreams.
func upstreams(allocs []*model.Allocation) map[string]bool {
	m := map[string]bool{}
	for _, a := range allocs {
		for _, s := range a.Services {
			if s.Connect == nil {
				continue
			}
			for _, u := range s.Connect.Upstreams {
				m[fmt.Sprintf("%s → %s:%d", s.Name, u.DestinationName, u.LocalBindPort)] = true
			}
		}
	}
	return m
}

func upstreamService(k string) string {
	_, dest, _ := strings.Cut(k, " → ")
	name, _, _ := strings.Cut(dest, ":")
	return name
}

// SameFacts reports whether two readings of an allocation agree on what
// history tells: its network facts and job version. A namespace address
// that was unknown and is now filled in is netviz learning, not a change.
func SameFacts(b, a *model.Allocation) bool {
	if b.JobVersion != a.JobVersion {
		return false
	}
	if b.Network.IP == "" && a.Network.IP != "" {
		x := *a
		x.Network.IP = ""
		a = &x
	}
	return allocFacts(b) == allocFacts(a)
}

// allocFacts is what history tells about an allocation's network: node,
// address and ports.
func allocFacts(a *model.Allocation) string {
	var ports []string
	for _, p := range a.Ports {
		s := p.Label + " " + addrText(p.HostIP, p.Value)
		if p.To != 0 && p.To != p.Value {
			s += fmt.Sprintf("→%d", p.To)
		}
		ports = append(ports, s)
	}
	slices.Sort(ports)
	txt := "on " + cmp.Or(a.NodeName, a.NodeID)
	if a.Network.IP != "" {
		txt += " at " + a.Network.IP
	}
	if len(ports) > 0 {
		txt += ", ports " + strings.Join(ports, ", ")
	}
	return txt
}

func versionText(a *model.Allocation) string { return fmt.Sprintf("version %d", a.JobVersion) }

// versionsText is "version 3" or "versions 3-4" for a set of allocations.
func versionsText(allocs []*model.Allocation) string {
	if len(allocs) == 0 {
		return ""
	}
	lo, hi := allocs[0].JobVersion, allocs[0].JobVersion
	for _, a := range allocs {
		lo, hi = min(lo, a.JobVersion), max(hi, a.JobVersion)
	}
	if lo == hi {
		return fmt.Sprintf("version %d", lo)
	}
	return fmt.Sprintf("versions %d-%d", lo, hi)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
