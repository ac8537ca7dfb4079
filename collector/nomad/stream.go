package nomad

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync/atomic"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// errStale ends a stream that sent nothing, not even a heartbeat, for
// staleAfter: the connection may be half-open, so it is dropped and the
// model caught up once Nomad answers again.
var errStale = errors.New("no event or heartbeat from Nomad")

// nomadHeartbeat is how often Nomad sends a heartbeat on an idle event
// stream (30 s, fixed in Nomad's event endpoint and measured,
// docs/nomad-behaviour.md); one is overdue a sixth later (35 s).
const nomadHeartbeat = 30 * time.Second

// watch marks the source stale and ends the stream when it has gone silent
// and Nomad does not answer, and ends it when anti-entropy asks for a
// repair. An idle stream is silent for up to 30 s between heartbeats, longer
// than staleAfter, so silence alone proves nothing until a heartbeat is
// overdue: from staleAfter minus probeTimeout of silence on, the watchdog
// asks Nomad something trivial (once per silence). No answer within
// probeTimeout means Nomad is frozen, partitioned or gone: stale by
// staleAfter. An answer means Nomad is fine and its heartbeat not due yet;
// if the heartbeat is then overdue, the stream's connection is half-open
// while Nomad answers: stale too.
func (s *Source) watch(ctx context.Context, last *atomic.Int64, cancel context.CancelCauseFunc) {
	tick := time.NewTicker(min(max(s.staleAfter/25, 10*time.Millisecond), time.Second))
	defer tick.Stop()
	probe := s.probeTimeout()
	overdue := max(s.staleAfter, s.heartbeat+s.heartbeat/6)
	var vouched int64 // the last-frame time a probe answered for
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.repair:
			cancel(errRepair)
			return
		case <-tick.C:
		}
		lastNs := last.Load()
		at := time.Unix(0, lastNs)
		silent := s.now().Sub(at)
		var reason string
		switch {
		case silent < s.staleAfter-probe:
			continue
		case silent >= overdue:
			reason = fmt.Sprintf("no event or heartbeat from Nomad for %s, though it answers requests and sends a heartbeat every %s: the stream's connection may be half-open", silent.Round(time.Second), s.heartbeat)
		case vouched == lastNs:
			continue // Nomad answered during this silence
		default:
			err := s.probe(ctx, probe)
			if ctx.Err() != nil {
				return
			}
			if err == nil {
				vouched = lastNs
				continue
			}
			reason = fmt.Sprintf("no event or heartbeat from Nomad for %s, and it did not answer within %s (%v): it may be frozen, partitioned or gone", s.now().Sub(at).Round(time.Second), probe, err)
		}
		s.setStale(at, reason)
		cancel(errStale)
		return
	}
}

// probeTimeout is how long the watchdog waits for Nomad to answer: a fifth
// of staleAfter, at most 5 s (Nomad answers its leader's address in
// milliseconds, even during a burst).
func (s *Source) probeTimeout() time.Duration {
	return min(max(s.staleAfter/5, 10*time.Millisecond), 5*time.Second)
}

// probe asks Nomad for its leader's address, the cheapest request it
// answers (no ACL needed), within timeout.
func (s *Source) probe(ctx context.Context, timeout time.Duration) error {
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var leader string
	_, err := s.api.get(pctx, "/v1/status/leader", "", &leader)
	return err
}

// permittedTopics are the topics not known to be forbidden.
func (s *Source) permittedTopics() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, t := range eventTopics {
		if _, bad := s.status.Topics[t]; !bad {
			out = append(out, t)
		}
	}
	return out
}

// forbidTopics handles a 403 on the stream: Nomad refuses the whole request
// when one topic is not allowed, so probe each topic alone, record the
// forbidden ones in the status, and let Run reconnect with the rest.
func (s *Source) forbidTopics(ctx context.Context, index uint64, topics []string, cause error) error {
	found := false
	for _, t := range topics {
		body, err := s.api.stream(ctx, fmt.Sprintf("/v1/event/stream?index=%d&topic=%s", index, t))
		if err == nil {
			body.Close()
			continue
		}
		if isForbidden(err) {
			found = true
			s.mu.Lock()
			s.status.Topics = maps.Clone(s.status.Topics)
			if s.status.Topics == nil {
				s.status.Topics = map[string]string{}
			}
			s.status.Topics[t] = "event stream: " + describe(err)
			s.mu.Unlock()
		}
	}
	if !found {
		return fmt.Errorf("nomad event stream: %w", cause)
	}
	return fmt.Errorf("nomad event stream: %w", errTopicsForbidden)
}

// applyFrame converts a frame's events into model changes and applies them
// as one batch (one new model version per frame, not per event). connect
// says the stream it came from still runs, so the status is connected; a
// frame a stream queued before it ended only moves the status's index.
func (s *Source) applyFrame(f *eventFrame, connect bool) {
	var changes []model.Change
	for i := range f.Events {
		ev := &f.Events[i]
		if c := s.convertEvent(ev); c != nil {
			changes = append(changes, c)
		}
	}
	s.heldWrites(f)
	now := s.now()
	changes = append(changes, s.updateStatus(func(st *model.SourceStatus) {
		if connect {
			setConnected(f.Index, now)(st)
		} else {
			st.Index = max(st.Index, f.Index)
		}
		st.LastEvent = now
	}))
	s.store.Apply(changes...)
	s.stats.frame(f)
}

// convertEvent turns one event into a model change, or nil for events that
// change nothing netviz shows. Malformed events (a payload missing) are
// logged and skipped, never fatal.
func (s *Source) convertEvent(ev *event) model.Change {
	p := &ev.Payload
	switch ev.Topic {
	case "Allocation":
		if p.Allocation == nil || p.Allocation.ID == "" {
			s.log.Warn("nomad: allocation event without allocation", "type", ev.Type, "key", ev.Key)
			return nil
		}
		return s.allocChange(p.Allocation, ev.Type)
	case "Job":
		if p.Job == nil || p.Job.ID == "" {
			s.log.Warn("nomad: job event without job", "type", ev.Type, "key", ev.Key)
			return nil
		}
		if ev.Type == "JobDeregistered" {
			// Its allocations leave through their own terminal events.
			s.jobs.forget(p.Job.Namespace, p.Job.ID)
			return nil
		}
		s.jobs.put(p.Job)
		return nil
	case "Node":
		if p.Node == nil || p.Node.ID == "" {
			s.log.Warn("nomad: node event without node", "type", ev.Type, "key", ev.Key)
			return nil
		}
		if ev.Type == "NodeDeregistration" {
			s.mu.Lock()
			delete(s.nodeAddrs, p.Node.ID)
			s.mu.Unlock()
			return model.DeleteNode{ID: p.Node.ID}
		}
		n := convertNode(p.Node)
		s.mu.Lock()
		s.nodeAddrs[n.ID] = n.Address
		s.mu.Unlock()
		return model.UpsertNode{Node: n}
	case "Service":
		if p.Service == nil || p.Service.ID == "" {
			s.log.Warn("nomad: service event without service", "type", ev.Type, "key", ev.Key)
			return nil
		}
		if ev.Type == "ServiceDeregistration" {
			return model.DeleteService{Provider: model.ProviderNomad, ID: p.Service.ID}
		}
		svc := s.health.apply(convertServiceReg(p.Service))
		uncheckedHealth(svc, s.store.Snapshot().Allocation(svc.AllocID), &s.health)
		return model.UpsertService{Service: svc}
	}
	return nil
}

// allocChange converts an allocation event into an upsert, or a delete once
// it is terminal. An update older than what the model holds (a replay) is
// dropped. It never does I/O: a job spec missing from the cache, or a
// version not known, is read in the background and the allocation
// enriched when it arrives.
func (s *Source) allocChange(a *apiAlloc, eventType string) model.Change {
	cur := s.store.Snapshot().Allocation(a.ID)
	if cur != nil && cur.ModifyIndex > a.ModifyIndex {
		return nil
	}
	if !liveAlloc(a) {
		return model.DeleteAllocation{ID: a.ID}
	}
	// Events do not say which job version the allocation runs.
	var job *apiJob
	r, resolved := s.resolveVersion(a, cur, eventType)
	switch {
	case resolved:
		a.JobVersion = r.version
		job = s.jobs.specOf(a.Namespace, a.JobID, r)
	case cur != nil && cur.JobID == a.JobID && cur.Namespace == a.Namespace:
		// Shown at the version the model holds, with its spec, until the
		// job's versions say which it is: better than no tasks at all.
		r = registration{version: cur.JobVersion}
		a.JobVersion = r.version
		job = s.jobs.specOf(a.Namespace, a.JobID, r)
		s.log.Debug("nomad: job version of an allocation not known; reading the job's versions",
			"alloc", a.ID, "job", a.JobID, "alloc_modify_index", a.AllocModifyIndex)
	}
	if job == nil || !resolved {
		s.specs.request(a, eventType, r, resolved)
	}
	return model.UpsertAllocation{Alloc: s.convertKeepingIP(a, job, cur)}
}

// convertKeepingIP converts an allocation; when the reading lacks the
// namespace IP (a list stub, or an event for another field) it keeps the one
// the model knows for the same network mode.
func (s *Source) convertKeepingIP(a *apiAlloc, job *apiJob, cur *model.Allocation) *model.Allocation {
	ga := convertAlloc(a, job, s.nodeAddr(a.NodeID))
	if ga.Network.IP == "" && cur != nil && cur.Network.Mode == ga.Network.Mode {
		ga.Network.IP, ga.Network.Interface = cur.Network.IP, cur.Network.Interface
	}
	return ga
}

// nodeAddr is the address of a node, as the last node read gave it.
func (s *Source) nodeAddr(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nodeAddrs[id]
}
