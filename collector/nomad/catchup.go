package nomad

import (
	"context"
	"fmt"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/netviz/netviz/collector/model"
)

// A catch-up reads what changed while the event stream was broken, and
// costs a fraction of a full sync (docs/perf.md, "Collector at scale"):
//
//   - Allocations: one list of the live ones without their resources
//     (ports and networks are most of each entry), compared by ModifyIndex
//     and job version with the model. Those the model holds keep the
//     placement it read (keepPlacement); only the allocations placed since,
//     or marked for re-reading by anti-entropy, are read with their
//     resources, from the head of the list (readPlaced).
//   - Services: the names listed whose instances' allocations changed, that
//     a changed allocation declares, whose tags changed or that are new are
//     read again; the model's reading of the others is kept.
//
// Nomad 1.6 cannot be asked for "what changed since N": its filter
// expressions (go-bexpr) have no ordering operators, and
// "ModifyIndex >= N" is refused with a 400.

// allocListPath is the allocation list without task states (netviz does not
// use them, and they are the bulk of a stub), with resources or without,
// filtered to the allocations liveAlloc keeps: Nomad keeps stopped
// allocations until garbage collection, as many as the live ones after a
// rolling update, and they need not cross the wire.
func allocListPath(resources bool) string {
	return "/v1/allocations?task_states=false&resources=" + strconv.FormatBool(resources) +
		"&filter=" + url.QueryEscape(liveAllocFilter())
}

// liveAllocFilter is liveAlloc as a Nomad filter expression.
func liveAllocFilter() string {
	var parts []string
	for _, status := range model.TerminalClientStatuses() {
		parts = append(parts, fmt.Sprintf("ClientStatus != %q", status))
	}
	return strings.Join(parts, " and ")
}

// allocRead is a read of the allocation list: the index it was taken at
// (the lowest of its requests);
// allocations to convert, with their resources (placed) or without them
// but held by the model (moved); the model's allocations still current
// (kept); and, on a catch-up, the IDs of every allocation new, changed or
// gone since the model's reading (touched).
type allocRead struct {
	index   uint64
	placed  []*apiAlloc
	moved   []*apiAlloc
	kept    []*model.Allocation
	touched map[string]bool
}

// readChangedAllocs lists the live allocations without their resources and
// sorts them against prev (see the top of this file). forced holds IDs
// anti-entropy found diverging: they are read whole.
func (s *Source) readChangedAllocs(ctx context.Context, prev *model.Snapshot, forced map[string]bool) (allocRead, error) {
	if len(forced) == 0 {
		if idx, same, err := s.allocsUnchanged(ctx); err != nil {
			return allocRead{}, err
		} else if same {
			return allocRead{index: idx, kept: prev.Allocations()}, nil
		}
	}
	var all []*apiAlloc
	idx, err := s.api.get(ctx, allocListPath(false), "", &all)
	if err != nil {
		return allocRead{}, err
	}
	out := allocRead{index: idx, touched: map[string]bool{}}
	listed := make(map[string]bool, len(all))
	want := map[string]uint64{}
	for _, a := range all {
		if !liveAlloc(a) {
			continue
		}
		listed[a.ID] = true
		cur := prev.Allocation(a.ID)
		switch {
		case forced[a.ID] || cur == nil:
			want[a.ID] = a.CreateIndex
			out.touched[a.ID] = true
		// The list's JobVersion is Nomad's word; the model's came from an
		// event, resolved against the job versions cached then, which miss
		// one whose Job event was lost in a dropped stream.
		case cur.ModifyIndex >= a.ModifyIndex && cur.JobVersion == a.JobVersion:
			out.kept = append(out.kept, cur)
		default:
			out.moved = append(out.moved, a)
			out.touched[a.ID] = true
		}
	}
	for _, a := range prev.Allocations() {
		if !listed[a.ID] {
			out.touched[a.ID] = true
		}
	}
	if len(want) == 0 {
		return out, nil
	}
	pidx, placed, err := s.readPlaced(ctx, want)
	if err != nil {
		return allocRead{}, err
	}
	out.index = min(out.index, pidx)
	out.placed = placed
	return out, nil
}

// allocsUnchanged asks Nomad for one allocation, for the allocation
// table's index (its X-Nomad-Index is the table's last write, whatever the
// page holds), and reports whether that is the last write the model is
// known to hold (allocsAt): then nothing was written to allocations since
// and the list need not be read. Most drops are about Nomad's buffer
// filling with other writes (evaluations, deployments), not allocations.
//
// allocsAt follows only the frames applied (heldAllocWrite), never a
// list's index: Nomad reads a list's index after building it, so the index
// can name a write the list lacks (docs/nomad-behaviour.md); the stream,
// opened before the read, delivers that write as a frame. Equality, not
// "at most": a Nomad restarted without its state counts again from a low
// index. And only while the stream carries allocation events: one the ACL
// token may not read them from leaves allocsAt behind.
func (s *Source) allocsUnchanged(ctx context.Context) (uint64, bool, error) {
	s.mu.Lock()
	at := s.allocsAt
	s.mu.Unlock()
	if at == 0 || !slices.Contains(s.permittedTopics(), "Allocation") {
		return 0, false, nil
	}
	var one []*apiAlloc
	idx, err := s.api.get(ctx, "/v1/allocations?task_states=false&per_page=1", "", &one)
	if err != nil {
		return 0, false, err
	}
	return idx, idx == at, nil
}

// heldAllocWrite records a frame's allocation events as the last write to
// the allocation table the model holds: the stream delivers every write
// in order until Nomad drops it, so a frame's index is the table's index
// when it carries an allocation event.
func (s *Source) heldAllocWrite(f *eventFrame) {
	for i := range f.Events {
		if f.Events[i].Topic == "Allocation" {
			s.mu.Lock()
			s.allocsAt = max(s.allocsAt, f.Index)
			s.mu.Unlock()
			return
		}
	}
}

// readPlaced reads with their resources the live allocations in want (ID
// to CreateIndex). Nomad lists allocations by CreateIndex, so they are at
// the head of the list in reverse order: it asks for a page a little larger
// than want, and for pages four times larger until every wanted allocation
// is found or the page reaches past the oldest of them (one missing then
// stopped since the first list). It does not follow Nomad's page tokens:
// Nomad 1.6 compares them as strings ("10.x" sorts before "9.x"), so a
// token across a change in the number of digits skips allocations. A page
// not in descending CreateIndex order proves nothing, and the next page
// is larger, up to the whole list.
func (s *Source) readPlaced(ctx context.Context, want map[string]uint64) (uint64, []*apiAlloc, error) {
	floor := uint64(math.MaxUint64)
	for _, ci := range want {
		floor = min(floor, ci)
	}
	for per := max(64, 2*len(want)); ; per *= 4 {
		var page []*apiAlloc
		idx, err := s.api.get(ctx, allocListPath(true)+"&reverse=true&per_page="+strconv.Itoa(per), "", &page)
		if err != nil {
			return 0, nil, err
		}
		var found []*apiAlloc
		ordered, oldest := true, uint64(math.MaxUint64)
		for _, a := range page {
			ordered = ordered && a.CreateIndex <= oldest
			oldest = min(oldest, a.CreateIndex)
			if _, ok := want[a.ID]; ok {
				found = append(found, a)
			}
		}
		passed := ordered && len(page) > 0 && page[0].CreateIndex >= floor && oldest < floor
		if len(found) == len(want) || len(page) < per || passed {
			return idx, found, nil
		}
	}
}

// keepPlacement gives an allocation read without its resources the network
// and ports the model read for it. Nomad never changes them after placement:
// an in-place update copies them from the allocation it updates, and a job
// change to a network places new allocations instead.
func keepPlacement(ga, cur *model.Allocation) {
	ga.Network, ga.Ports = cur.Network, cur.Ports
}

// catchUpServices reads again the Nomad services a catch-up must (see
// rereadServices) and returns them, and prev's instances of the others.
func (s *Source) catchUpServices(ctx context.Context, prev *model.Snapshot, lists []apiServiceList,
	touched map[string]bool, fresh, allocs []*model.Allocation, forced map[string]bool) (read, kept []*model.Service, err error) {
	reread, kept := rereadServices(prev, lists, touched, fresh, allocs, forced)
	read, err = s.readServiceNames(ctx, lists, func(ns, name string) bool { return reread[serviceName(ns, name)] })
	return read, kept, err
}

// serviceName keys a Nomad service name in its namespace.
func serviceName(namespace, name string) string { return namespace + "\x00" + name }

// rereadServices picks the listed Nomad service names a catch-up must read
// again, and keeps prev's instances of the other listed names (a name no
// longer listed has no instances left). A name is read again when:
//
//   - it is new, or its tags changed;
//   - one of its instances belongs to an allocation touched since prev
//     (new, changed or gone: Nomad registers and deregisters instances as
//     allocations start, stop, restart tasks or are updated in place);
//   - a fresh reading of an allocation declares it;
//   - a running allocation of the new reading (allocs) declares more
//     Nomad services than the model holds instances of for it: a task
//     registers its services after Nomad records it running, so the
//     registration can follow the allocation's last change;
//   - anti-entropy asked for it (forced, any namespace).
//
// A declared name written with ${…} interpolation stands for every name of
// its namespace.
func rereadServices(prev *model.Snapshot, lists []apiServiceList, touched map[string]bool,
	fresh, allocs []*model.Allocation, forced map[string]bool) (map[string]bool, []*model.Service) {
	held := map[string][]*model.Service{}
	instances := map[string]int{}
	for _, svc := range prev.Services() {
		if svc.Provider == model.ProviderNomad {
			k := serviceName(svc.Namespace, svc.Name)
			held[k] = append(held[k], svc)
			instances[svc.AllocID]++
		}
	}
	declared, everyName := map[string]bool{}, map[string]bool{}
	declare := func(a *model.Allocation) {
		for _, spec := range a.Services {
			if spec.Provider != model.ProviderNomad {
				continue
			}
			if strings.Contains(spec.Name, "${") {
				everyName[a.Namespace] = true
			}
			declared[serviceName(a.Namespace, spec.Name)] = true
		}
	}
	for _, a := range fresh {
		declare(a)
	}
	for _, a := range allocs {
		if a.ClientStatus == "running" && instances[a.ID] < nomadServiceSpecs(a) {
			declare(a)
		}
	}
	reread := map[string]bool{}
	var kept []*model.Service
	for _, l := range lists {
		for _, stub := range l.Services {
			k := serviceName(l.Namespace, stub.ServiceName)
			if everyName[l.Namespace] || declared[k] || forced[stub.ServiceName] || !sameTags(held[k], stub.Tags) ||
				slices.ContainsFunc(held[k], func(svc *model.Service) bool { return touched[svc.AllocID] }) {
				reread[k] = true
				continue
			}
			kept = append(kept, held[k]...)
		}
	}
	return reread, kept
}

// nomadServiceSpecs counts the Nomad-provider services an allocation declares.
func nomadServiceSpecs(a *model.Allocation) int {
	n := 0
	for _, spec := range a.Services {
		if spec.Provider == model.ProviderNomad {
			n++
		}
	}
	return n
}

// sameTags reports whether Nomad's union of a name's tags is the union of
// the tags of the instances the model holds; false when it holds none.
func sameTags(held []*model.Service, listed []string) bool {
	if len(held) == 0 {
		return false
	}
	union := map[string]bool{}
	for _, svc := range held {
		for _, t := range svc.Tags {
			union[t] = true
		}
	}
	want := map[string]bool{}
	for _, t := range listed {
		want[t] = true
	}
	return maps.Equal(union, want)
}
