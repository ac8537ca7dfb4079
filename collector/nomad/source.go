package nomad

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
	"github.com/netviz/netviz/collector/internal/backoff"
	"github.com/netviz/netviz/collector/model"
)

// readParallelism bounds concurrent single-object reads (job specs, service
// instances, allocations), like the 8 connections measured in
// docs/nomad-behaviour.md.
const readParallelism = 8

// eventTopics are the event stream topics netviz follows. Deployment events
// carry nothing the network picture needs yet.
var eventTopics = []string{"Node", "Job", "Allocation", "Service"}

// Source keeps the model's Nomad side (nodes, allocations with their job
// specs, Nomad-native services) in step with Nomad: a snapshot from the list
// APIs, then the event stream from the snapshot's index, resyncing whenever
// the stream breaks.
type Source struct {
	api   *httpAPI
	store *model.Store
	log   *slog.Logger
	jobs  *jobSpecs
	addr  string

	// health holds what the check poller saw of Nomad-native checks.
	health nativeHealth

	mu        sync.Mutex
	status    model.SourceStatus
	nodeAddrs map[string]string
}

// NewSource returns a source reading through client. It follows every
// namespace unless NOMAD_NAMESPACE names one (as the nomad CLI does).
func NewSource(client *nomadapi.Client, addr string, store *model.Store, log *slog.Logger) *Source {
	ns := "*"
	if v := os.Getenv("NOMAD_NAMESPACE"); v != "" {
		ns = v
	}
	if log == nil {
		log = slog.Default()
	}
	return &Source{
		api: &httpAPI{client: client, namespace: ns}, store: store, log: log, jobs: newJobSpecs(),
		addr: addr, status: model.SourceStatus{State: model.StateSyncing, Address: addr}, nodeAddrs: map[string]string{},
	}
}

// Sync reads Nomad once and replaces the model's Nomad side with it. It
// returns the index to stream from and the allocations whose namespace IP
// still needs a single read.
func (s *Source) Sync(ctx context.Context) (uint64, []string, error) {
	st, err := s.readState(ctx)
	if err != nil {
		return 0, nil, err
	}
	s.mu.Lock()
	s.nodeAddrs = map[string]string{}
	for _, n := range st.nodes {
		s.nodeAddrs[n.ID] = n.Address
	}
	s.status.State = model.StateConnected
	s.status.Error = ""
	s.status.Index = st.index
	// Keep what the event stream refused (found by forbidTopics); the
	// list reads' verdicts are fresh.
	topics := st.forbidden
	for t, msg := range s.status.Topics {
		if strings.HasPrefix(msg, "event stream: ") {
			topics[t] = msg
		}
	}
	s.status.Topics = nil
	if len(topics) > 0 {
		s.status.Topics = topics
	}
	status := s.status
	s.mu.Unlock()
	s.store.Apply(model.ResetNomad{Nodes: st.nodes, Allocations: st.allocs, Services: st.services}, model.SetNomadStatus{Status: status})
	return st.index, st.needIP, nil
}

// SyncFull is Sync followed by the single reads that fill namespace IPs, for
// one-shot use (netviz dump).
func (s *Source) SyncFull(ctx context.Context) error {
	_, need, err := s.Sync(ctx)
	if err != nil {
		return err
	}
	s.fillIPs(ctx, need)
	s.checkRound(ctx)
	return nil
}

// Run syncs and streams until ctx ends, reconnecting with backoff. Every
// reconnect resyncs from a fresh snapshot, since the event broker's short
// buffer cannot promise to replay what was missed (docs/nomad-behaviour.md);
// the model then equals what a fresh snapshot gives.
func (s *Source) Run(ctx context.Context) error {
	var checks sync.WaitGroup
	checks.Add(1)
	go func() {
		defer checks.Done()
		s.pollChecks(ctx)
	}()
	defer checks.Wait()
	bo := backoff.New()
	for ctx.Err() == nil {
		err := s.syncAndStream(ctx, bo)
		if ctx.Err() != nil {
			return nil
		}
		s.setDown(err)
		s.log.Warn("nomad: connection lost; resyncing", "err", err)
		if !bo.Wait(ctx) {
			return nil
		}
	}
	return nil
}

func (s *Source) syncAndStream(ctx context.Context, bo *backoff.Backoff) error {
	index, needIP, err := s.Sync(ctx)
	if err != nil {
		return fmt.Errorf("nomad snapshot: %w", err)
	}
	bo.Reset()
	fillCtx, stopFill := context.WithCancel(ctx)
	defer stopFill()
	var fill sync.WaitGroup
	fill.Add(1)
	go func() {
		defer fill.Done()
		s.fillIPs(fillCtx, needIP)
	}()
	err = s.stream(ctx, index)
	stopFill()
	fill.Wait()
	return err
}

// stream follows the event stream from index, applying each frame as one
// batch, until the stream or ctx ends.
func (s *Source) stream(ctx context.Context, index uint64) error {
	topics := s.permittedTopics()
	if len(topics) == 0 {
		<-ctx.Done()
		return ctx.Err()
	}
	var q strings.Builder
	fmt.Fprintf(&q, "/v1/event/stream?index=%d", index)
	for _, t := range topics {
		q.WriteString("&topic=" + t)
	}
	body, err := s.api.stream(ctx, q.String())
	if err != nil {
		if isForbidden(err) {
			return s.forbidTopics(ctx, index, topics, err)
		}
		return fmt.Errorf("nomad event stream: %w", err)
	}
	// The request is bound to ctx: when ctx ends, the read below fails.
	defer body.Close()
	err = decodeFrames(body, func(f *eventFrame) error {
		s.applyFrame(ctx, f)
		return nil
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("nomad event stream: %w", err)
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
	return errors.New("nomad event stream: some topics are forbidden by the ACL token; following the rest")
}

// applyFrame converts a frame's events into model changes and applies them
// as one batch (one new model version per frame, not per event).
func (s *Source) applyFrame(ctx context.Context, f *eventFrame) {
	var changes []model.Change
	for i := range f.Events {
		ev := &f.Events[i]
		if c := s.convertEvent(ctx, ev); c != nil {
			changes = append(changes, c)
		}
	}
	s.mu.Lock()
	s.status.State = model.StateConnected
	s.status.Error = ""
	s.status.Index = f.Index
	s.status.LastEvent = time.Now().UTC()
	status := s.status
	s.mu.Unlock()
	changes = append(changes, model.SetNomadStatus{Status: status})
	s.store.Apply(changes...)
}

// convertEvent turns one event into a model change, or nil for events that
// change nothing netviz shows. Malformed events (a payload missing) are
// logged and skipped, never fatal.
func (s *Source) convertEvent(ctx context.Context, ev *event) model.Change {
	p := &ev.Payload
	switch ev.Topic {
	case "Allocation":
		if p.Allocation == nil || p.Allocation.ID == "" {
			s.log.Warn("nomad: allocation event without allocation", "type", ev.Type, "key", ev.Key)
			return nil
		}
		return s.allocChange(ctx, p.Allocation)
	case "Job":
		if p.Job == nil || p.Job.ID == "" {
			s.log.Warn("nomad: job event without job", "type", ev.Type, "key", ev.Key)
			return nil
		}
		if ev.Type == "JobDeregistered" {
			// Its allocations leave through their own terminal events.
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
		return model.UpsertService{Service: s.health.apply(convertServiceReg(p.Service))}
	}
	return nil
}

// allocChange converts an allocation (from an event or a single read) into
// an upsert, or a delete once it is terminal. An update older than what the
// model holds (a replay after resync) is dropped.
func (s *Source) allocChange(ctx context.Context, a *apiAlloc) model.Change {
	if cur := s.store.Snapshot().Allocation(a.ID); cur != nil && cur.ModifyIndex > a.ModifyIndex {
		return nil
	}
	if !liveAlloc(a) {
		return model.DeleteAllocation{ID: a.ID}
	}
	job, err := s.jobs.fetch(ctx, s.api, a.Namespace, a.JobID, a.JobVersion)
	if err != nil {
		s.log.Warn("nomad: job spec for allocation", "alloc", a.ID, "job", a.JobID, "err", err)
	}
	s.mu.Lock()
	addr := s.nodeAddrs[a.NodeID]
	s.mu.Unlock()
	ga := convertAlloc(a, job, addr)
	if ga.Network.IP == "" {
		// A single read (list stub, or an event for another field) may lack
		// the namespace IP the model already knows: keep it.
		if cur := s.store.Snapshot().Allocation(a.ID); cur != nil && cur.Network.Mode == ga.Network.Mode {
			ga.Network.IP, ga.Network.Interface = cur.Network.IP, cur.Network.Interface
		}
	}
	return model.UpsertAllocation{Alloc: ga}
}

// applyAlloc applies one allocation read on its own.
func (s *Source) applyAlloc(ctx context.Context, a *apiAlloc) {
	if c := s.allocChange(ctx, a); c != nil {
		s.store.Apply(c)
	}
}

// Status returns the source's current status.
func (s *Source) Status() model.SourceStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

func (s *Source) setDown(err error) {
	s.mu.Lock()
	if s.status.State != model.StateSyncing || s.status.Error == "" {
		s.status.State = model.StateDown
	}
	if isForbidden(err) {
		s.status.State = model.StateForbidden
	}
	s.status.Error = err.Error()
	status := s.status
	s.mu.Unlock()
	s.store.Apply(model.SetNomadStatus{Status: status})
}
