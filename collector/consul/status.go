package consul

import (
	"maps"
	"slices"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// sourceTopics are the topics that, all refused, make the source forbidden.
var sourceTopics = []string{topicCatalog, topicHealth, topicIntentions}

// applyRead publishes a full read: it replaces every Consul service and the
// intentions and marks the source connected. Topics Consul refused are
// listed in the status. Refused intentions keep what the model had; a
// refused catalog replaces the services with none, since the catalog mirror
// that later changes are diffed against starts empty too.
func (s *Source) applyRead(r *fullRead) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status.State != model.StateConnected {
		refused := slices.Sorted(maps.Keys(r.forbidden))
		if len(refused) > 0 {
			s.log.Warn("consul connected, but it refuses some topics", "address", s.addr, "refused", refused)
		} else {
			s.log.Info("consul connected", "address", s.addr, "nodes", len(r.nodes))
		}
	}
	s.connected = true
	s.status = model.SourceStatus{State: model.StateConnected, Address: s.addr, Index: r.maxIndex()}
	for topic, err := range r.forbidden {
		s.setTopic(topic, describeError(err))
	}
	changes := []model.Change{model.ReplaceServices{Provider: model.ProviderConsul, Services: s.catalog.reset(r)}}
	if _, refused := r.forbidden[topicIntentions]; !refused {
		changes = append(changes, model.ReplaceIntentions{Intentions: r.intentions, DefaultAllow: r.defaultAllow})
	}
	s.applyLocked(r.maxIndex(), changes...)
}

// lost records that Consul cannot be read: absent if it never could, down
// (keeping the last known data) if it could before.
func (s *Source) lost(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	state := model.StateAbsent
	if s.connected {
		state = model.StateDown
	}
	msg := describeError(err)
	if s.status.State != state {
		s.log.Warn("consul unreachable; retrying", "state", state, "err", msg)
	} else {
		s.log.Debug("consul still unreachable", "err", msg)
	}
	s.status = model.SourceStatus{
		State: state, Address: s.addr, Error: msg,
		LastEvent: s.status.LastEvent, Index: s.status.Index,
	}
	s.store.Apply(model.SetConsulStatus{Status: s.statusCopy()})
}

// forbidTopic records a 403 on one topic and publishes it if it is news.
func (s *Source) forbidTopic(topic string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := describeError(err)
	if s.status.Topics[topic] == msg {
		return
	}
	s.log.Warn("consul refused a topic; the rest keeps working", "topic", topic, "err", msg)
	s.setTopic(topic, msg)
	s.store.Apply(model.SetConsulStatus{Status: s.statusCopy()})
}

// clearTopic forgets a topic's problem once it reads fine again.
func (s *Source) clearTopic(topic string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.status.Topics[topic]; !ok {
		return
	}
	s.setTopic(topic, "")
	s.store.Apply(model.SetConsulStatus{Status: s.statusCopy()})
}

// setTopic sets or (msg "") clears a topic's problem and derives the state:
// forbidden when every topic is refused, else connected. Caller holds s.mu.
func (s *Source) setTopic(topic, msg string) {
	if msg == "" {
		delete(s.status.Topics, topic)
	} else {
		if s.status.Topics == nil {
			s.status.Topics = make(map[string]string)
		}
		s.status.Topics[topic] = msg
	}
	if len(s.status.Topics) == 0 {
		s.status.Topics = nil
	}
	if s.status.State != model.StateConnected && s.status.State != model.StateForbidden {
		return
	}
	s.status.State = model.StateConnected
	refused := 0
	for _, t := range sourceTopics {
		if _, ok := s.status.Topics[t]; ok {
			refused++
		}
	}
	if refused == len(sourceTopics) {
		s.status.State = model.StateForbidden
	}
}

// applyLocked applies changes with the updated status as one batch; nothing
// at all when there are no changes. Caller holds s.mu.
func (s *Source) applyLocked(index uint64, changes ...model.Change) {
	if len(changes) == 0 {
		return
	}
	s.status.LastEvent = time.Now()
	s.status.Index = max(s.status.Index, index)
	s.store.Apply(append(changes, model.SetConsulStatus{Status: s.statusCopy()})...)
}

// statusCopy is the status to hand to the store, which owns what it gets:
// the topics map is copied so later edits here do not reach published
// snapshots. Caller holds s.mu.
func (s *Source) statusCopy() model.SourceStatus {
	st := s.status
	st.Topics = maps.Clone(s.status.Topics)
	return st
}
