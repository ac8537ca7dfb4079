package nomad

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// Anti-entropy: a periodic comparison of the model with a fresh read of
// Nomad. In a correct collector it finds nothing; what it finds is counted in
// the status, logged, and repaired by a catch-up that re-reads exactly the
// objects that differ, in the stream loop (the one writer).
const (
	defaultAntiEntropy = 5 * time.Minute
	// settleTime is how long a comparison waits after its read for events
	// already in flight, so they are not taken for divergences.
	settleTime = 2 * time.Second
)

// errRepair ends a stream so the loop catches up with what anti-entropy
// found different.
var errRepair = errors.New("anti-entropy found differences")

// antiEntropy compares the model with a fresh read every antiEntropyEvery
// until ctx ends.
func (s *Source) antiEntropy(ctx context.Context) {
	if s.antiEntropyEvery > 0 {
		every(ctx, s.antiEntropyEvery, s.compareAndRepair)
	}
}

// compareAndRepair runs one comparison, and counts, logs and repairs what
// it finds.
func (s *Source) compareAndRepair(ctx context.Context) {
	keys, example, err := s.compare(ctx)
	n := len(keys)
	switch {
	case err != nil:
		if ctx.Err() == nil {
			s.log.Debug("nomad: anti-entropy comparison skipped", "err", err)
		}
	case n > 0:
		s.log.Warn("nomad: anti-entropy found the model different from Nomad; repairing", "differences", n, "keys", keys[:min(len(keys), 10)], "example", example)
		s.publishStatus(func(st *model.SourceStatus) { st.Divergences += n })
		s.requestRepair(keys)
	default:
		s.log.Debug("nomad: anti-entropy found no difference")
	}
}

// Compare reads Nomad whole and returns how many model keys differ from
// it, and which. Keys the event stream changed while the comparison ran are
// in flight, not divergences, and are left out; a comparison during which
// the source was not connected, or the model was reset, is an error.
// Namespace IPs are not compared (the list does not carry them).
func (s *Source) Compare(ctx context.Context) (int, []string, error) {
	keys, _, err := s.compare(ctx)
	return len(keys), keys, err
}

// compare is Compare, with one differing allocation as the model and
// Nomad's read give it, for the log: a divergence is a bug to find.
func (s *Source) compare(ctx context.Context) ([]string, string, error) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	deltas := s.store.Subscribe(wctx)
	<-deltas // the opening Full delta
	if st := s.Status().State; st != model.StateConnected {
		return nil, "", fmt.Errorf("source is %s", st)
	}
	// The registrations known before the read (which adds the current
	// ones), for the example: a version resolved wrongly shows why.
	regs := s.jobs.allRegistrations()
	rctx, rcancel := context.WithTimeout(ctx, readTimeout)
	st, err := s.readState(rctx, nil)
	rcancel()
	if err != nil {
		return nil, "", err
	}
	select {
	case <-ctx.Done():
		return nil, "", ctx.Err()
	case <-time.After(settleTime):
	}
	moved := map[string]bool{}
	for done := false; !done; {
		select {
		case d := <-deltas:
			if d.Full {
				return nil, "", errors.New("the model was reset meanwhile")
			}
			for _, k := range d.Changed {
				moved[k] = true
			}
		default:
			done = true
		}
	}
	after := s.store.Snapshot()
	if after.Status().Nomad.State != model.StateConnected {
		return nil, "", fmt.Errorf("source is %s", after.Status().Nomad.State)
	}
	// During a burst the stream may lag the read by more than the settle
	// time: what it has not delivered yet is not a divergence. Each list's
	// index is its table's last write, which the stream reports too, so a
	// model that has caught up holds an index at least the read's.
	if idx := after.Status().Nomad.Index; idx < st.index {
		return nil, "", fmt.Errorf("the model (index %d) has not caught up with the read (index %d)", idx, st.index)
	}
	for _, a := range st.allocs {
		if cur := after.Allocation(a.ID); a.Network.IP == "" && cur != nil && cur.Network.Mode == a.Network.Mode {
			a.Network.IP, a.Network.Interface = cur.Network.IP, cur.Network.Interface
		}
	}
	var out []string
	for _, k := range after.Touches(model.ReconcileNomad{Nodes: st.nodes, Allocations: st.allocs, Services: st.services}) {
		if !moved[k] {
			out = append(out, k)
		}
	}
	return out, divergenceExample(out, after, st, regs), nil
}

// divergenceExample shows the first differing allocation among keys as the
// model holds it and as Nomad's read gives it, with the registrations of
// its job the source knew before the read ("" when none is an
// allocation).
func divergenceExample(keys []string, snap *model.Snapshot, st *state, regs map[string][]registration) string {
	for _, k := range keys {
		id, ok := allocIDOfKey(k)
		if !ok {
			continue
		}
		var read *model.Allocation
		for _, a := range st.allocs {
			if a.ID == id {
				read = a
			}
		}
		held, _ := json.Marshal(snap.Allocation(id))
		fresh, _ := json.Marshal(read)
		var known []string
		if read != nil {
			for _, r := range regs[jobID(read.Namespace, read.JobID)] {
				known = append(known, fmt.Sprintf("v%d@%d", r.version, r.modifyIndex))
			}
		}
		return fmt.Sprintf("%s: model %s; Nomad %s; job registrations known before the read %v", k, held, fresh, known)
	}
	return ""
}

// requestRepair asks the stream loop to catch up, re-reading the given keys
// whatever their index says.
func (s *Source) requestRepair(keys []string) {
	s.mu.Lock()
	s.forceRead = append(s.forceRead, keys...)
	s.mu.Unlock()
	select {
	case s.repair <- struct{}{}:
	default: // one request pending is enough
	}
}

// forcedRead is what a repair asks the next catch-up to read again,
// whatever the indexes say: allocation IDs and service names.
type forcedRead struct {
	allocs, services map[string]bool
}

// takeForced returns and clears what a repair must re-read. A task key
// names its allocation; a service key, a name in every namespace.
func (s *Source) takeForced() forcedRead {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := forcedRead{allocs: map[string]bool{}, services: map[string]bool{}}
	for _, k := range s.forceRead {
		if id, ok := allocIDOfKey(k); ok {
			out.allocs[id] = true
		} else if rest, ok := strings.CutPrefix(k, "task/"); ok {
			id, _, _ := strings.Cut(rest, "/")
			out.allocs[id] = true
		} else if name, ok := strings.CutPrefix(k, model.ServiceKey("")); ok {
			out.services[name] = true
		}
	}
	s.forceRead = slices.Delete(s.forceRead, 0, len(s.forceRead))
	return out
}

// allocIDOfKey returns the allocation ID of an alloc/… model key.
func allocIDOfKey(k string) (string, bool) { return strings.CutPrefix(k, model.AllocKey("")) }
