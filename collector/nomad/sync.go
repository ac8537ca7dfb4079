package nomad

import (
	"context"
	"strings"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// Sync reads Nomad whole and replaces the model's Nomad side with it. It
// returns the index to stream from and the allocations whose namespace IP
// still needs a single read.
func (s *Source) Sync(ctx context.Context) (uint64, []string, error) {
	start, bytes0 := time.Now(), s.bytesRead()
	st, err := s.readState(ctx, nil)
	if err != nil {
		return 0, nil, err
	}
	s.store.Apply(model.ResetNomad{Nodes: st.nodes, Allocations: st.allocs, Services: st.services}, s.readDone(st, false))
	s.stats.read(false, time.Since(start))
	s.log.Info("nomad: synced", "allocations", len(st.allocs), "nodes", len(st.nodes), "services", len(st.services),
		"bytes", s.bytesRead()-bytes0, "took", time.Since(start).Round(time.Millisecond), "index", st.index)
	return st.index, st.needIP, nil
}

// catchUp brings the model level with Nomad after the stream broke,
// reading in full only the allocations that changed (see readState), and
// applies the differences as one ordinary batch: only what changed is
// re-rendered.
func (s *Source) catchUp(ctx context.Context) (uint64, []string, error) {
	start, bytes0 := time.Now(), s.bytesRead()
	prev := s.store.Snapshot()
	st, err := s.readState(ctx, prev)
	if err != nil {
		return 0, nil, err
	}
	reconcile := model.ReconcileNomad{Nodes: st.nodes, Allocations: st.allocs, Services: st.services}
	changed := len(prev.Touches(reconcile))
	s.store.Apply(reconcile, s.readDone(st, true))
	s.stats.read(true, time.Since(start))
	s.log.Info("nomad: caught up", "allocations_read", st.read, "allocations", len(st.allocs), "keys_changed", changed,
		"bytes", s.bytesRead()-bytes0, "took", time.Since(start).Round(time.Millisecond), "index", st.index)
	return st.index, st.needIP, nil
}

// readDone records a finished read: node addresses for the stream's
// conversions, job specs of jobs that are gone forgotten, and the status at
// the read's index (connected only when a stream follows it, readVerdict),
// keeping what the event stream refused.
func (s *Source) readDone(st *state, catchUp bool) model.SetNomadStatus {
	if _, forbidden := st.forbidden["Job"]; !forbidden {
		s.jobs.retain(st.jobs)
	}
	// Applied with this status: the model now holds what was read, each
	// table's whole content at that index when proven.
	if st.servicesWhole != 0 {
		s.holdWrite("Service", st.servicesWhole)
	}
	if st.allocsWhole != 0 {
		s.holdWrite("Allocation", st.allocsWhole)
	}
	s.mu.Lock()
	s.nodeAddrs = make(map[string]string, len(st.nodes))
	for _, n := range st.nodes {
		s.nodeAddrs[n.ID] = n.Address
	}
	s.mu.Unlock()
	reason := s.readVerdict()
	return s.updateStatus(func(status *model.SourceStatus) {
		setReadState(st.index, reason, s.now)(status)
		if catchUp {
			status.CatchUps++
		}
		// Keep what the event stream refused (found by forbidTopics)
		// and what the check poller reports (until its next round);
		// the list reads' verdicts are fresh.
		topics := st.forbidden
		for t, msg := range status.Topics {
			if strings.HasPrefix(msg, "event stream: ") || t == checksTopic {
				topics[t] = msg
			}
		}
		status.Topics = nil
		if len(topics) > 0 {
			status.Topics = topics
		}
	})
}

// SyncFull is Sync followed by the single reads that fill namespace IPs and
// one round of check reads, for one-shot use (netviz dump, reach, lint).
func (s *Source) SyncFull(ctx context.Context) error {
	_, need, err := s.Sync(ctx)
	if err != nil {
		return err
	}
	s.fillIPs(ctx, need)
	s.checkRound(ctx)
	return nil
}
