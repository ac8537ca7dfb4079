package nomad

import (
	"context"
	"fmt"
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
//   - Allocations: none when the allocation table's index is the last
//     write the model holds (readChangedAllocs). Else
//     one list of the live ones without their resources
//     (about 40% of an entry on the example jobs), compared by ModifyIndex
//     and job version with the model. Those the model holds keep the
//     placement it read (keepPlacement); only the allocations placed since,
//     or marked for re-reading by anti-entropy, are read with their
//     resources, from the head of the list (readPlaced).
//   - Services: none when the registration table's index is the last
//     write the model holds (a Service frame applied, or a read proven
//     whole, provedWhole); else every name, as a sync does
//     (catchUpServices).
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
// (the lowest of its requests); allocations to convert, with their
// resources (placed) or without them but held by the model (moved); and
// the model's allocations still current (kept).
type allocRead struct {
	index  uint64
	placed []*apiAlloc
	moved  []*apiAlloc
	kept   []*model.Allocation
	// whole is the allocation table's index when the list read is
	// provably the live allocations at that index (listedWhole), else 0.
	whole uint64
}

// listedWhole returns index when the live list answered at index holds an
// allocation whose ModifyIndex is index, else 0. Nomad builds a list from
// one snapshot of its state and reads the table's index after (so the
// index may name a write the list lacks); an entry written at that index
// proves the snapshot holds that write, and the index proves it holds no
// later one: the list is then exactly the live allocations at index. When
// the table's last write left no live allocation at its index (a stop, a
// garbage collection) nothing is proven, and the next catch-up lists
// again. Without this the first catch-up after any list listed again
// until the stream delivered an allocation event, even on a quiet
// cluster.
func listedWhole(list []*apiAlloc, index uint64) uint64 {
	if slices.ContainsFunc(list, func(a *apiAlloc) bool { return a.ModifyIndex == index }) {
		return index
	}
	return 0
}

// readChangedAllocs lists the live allocations without their resources and
// sorts them against prev (see the top of this file), unless the
// allocation table has not moved (allocsUnchanged). forced holds IDs
// anti-entropy found diverging: they are read whole.
func (s *Source) readChangedAllocs(ctx context.Context, prev *model.Snapshot, forced map[string]bool) (allocRead, error) {
	if len(forced) == 0 {
		idx, same, err := s.allocsUnchanged(ctx)
		if err != nil {
			return allocRead{}, err
		}
		if same {
			return allocRead{index: idx, kept: prev.Allocations()}, nil
		}
	}
	var all []*apiAlloc
	idx, err := s.api.get(ctx, allocListPath(false), "", &all)
	if err != nil {
		return allocRead{}, err
	}
	out := allocRead{index: idx, whole: listedWhole(all, idx)}
	want := map[string]uint64{}
	for _, a := range all {
		if !liveAlloc(a) {
			continue
		}
		cur := prev.Allocation(a.ID)
		switch {
		case forced[a.ID] || cur == nil:
			want[a.ID] = a.CreateIndex
		// The list's JobVersion is Nomad's word; the model's came from an
		// event, resolved against the job versions cached then, which miss
		// one whose Job event was lost in a dropped stream.
		case cur.ModifyIndex >= a.ModifyIndex && cur.JobVersion == a.JobVersion:
			out.kept = append(out.kept, cur)
		default:
			out.moved = append(out.moved, a)
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
// known to hold: then nothing was written to allocations since and the
// list need not be read. Most drops are about Nomad's buffer filling with
// other writes (evaluations, deployments), not allocations.
//
// The writes held follow the frames applied (heldWrites) and the lists
// proven whole (listedWhole), never a list's index alone: Nomad reads a
// list's index after building it, so the index can name a write the list
// lacks (docs/nomad-behaviour.md); the stream, opened before the read,
// delivers that write as a frame. Frames received before a read are not
// applied (the read holds them) and so move nothing.
func (s *Source) allocsUnchanged(ctx context.Context) (uint64, bool, error) {
	if s.heldWrite("Allocation") == 0 {
		return 0, false, nil
	}
	var one []*apiAlloc
	idx, err := s.api.get(ctx, "/v1/allocations?task_states=false&per_page=1", "", &one)
	if err != nil {
		return 0, false, err
	}
	return idx, s.unchangedSince("Allocation", idx), nil
}

// heldTopics are the topics whose tables a catch-up compares with the last
// write the model holds: every write to their tables but garbage
// collection is one of their events.
var heldTopics = []string{"Allocation", "Service"}

// heldWrites records a frame's events as the last write to their tables
// the model holds: the stream delivers every write in order until Nomad
// drops it, so a frame's index is its topics' tables' index.
func (s *Source) heldWrites(f *eventFrame) {
	for _, topic := range heldTopics {
		if slices.ContainsFunc(f.Events, func(ev event) bool { return ev.Topic == topic }) {
			s.holdWrite(topic, f.Index)
		}
	}
}

// holdWrite records that the model holds every write to a topic's table
// up to index.
func (s *Source) holdWrite(topic string, index uint64) {
	s.mu.Lock()
	s.heldAt[topic] = max(s.heldAt[topic], index)
	s.mu.Unlock()
}

// heldWrite is the last write to a topic's table the model is known to
// hold, or 0: unknown, or the stream may not carry that topic (the ACL
// token may not read it), so frames say nothing of its table.
func (s *Source) heldWrite(topic string) uint64 {
	if !slices.Contains(s.permittedTopics(), topic) {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.heldAt[topic]
}

// unchangedSince reports whether a table's index, as a read found it, is
// the last write the model holds: then nothing was written to it since.
// Equality, not "at most": a Nomad restarted without its state counts
// again from a low index.
func (s *Source) unchangedSince(topic string, tableIndex uint64) bool {
	at := s.heldWrite(topic)
	return at != 0 && tableIndex == at
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
