package consul

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// sourceTopics are the topics that, all refused, make the source forbidden.
var sourceTopics = []string{topicCatalog, topicHealth, topicIntentions}

// problem is why one reader's data is missing or old: a refusal (403) or a
// failure Consul answered while still being there.
type problem struct {
	msg       string
	forbidden bool
}

// applyRead publishes a full read: it replaces every Consul service and the
// intentions and marks the source connected. What the read could not get is
// listed in the status. Intentions it could not read keep what the model
// had; a refused catalog replaces the services with none, since the catalog
// mirror that later changes are diffed against starts empty too.
func (s *Source) applyRead(r *fullRead) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status.State != model.StateConnected {
		if len(r.failed) > 0 {
			var missing []string
			for key := range r.failed {
				missing = append(missing, key.String())
			}
			slices.Sort(missing)
			s.log.Warn("consul connected, but some reads failed", "address", s.addr, "failed", missing)
		} else {
			s.log.Info("consul connected", "address", s.addr, "nodes", len(r.nodes))
		}
	}
	s.connected = true
	s.status = model.SourceStatus{State: model.StateConnected, Address: s.addr, Index: r.maxIndex()}
	s.problems = nil
	for key, err := range r.failed {
		s.setProblemLocked(key, err)
	}
	changes := []model.Change{model.ReplaceServices{Provider: model.ProviderConsul, Services: s.catalog.reset(r)}}
	if _, failed := r.failed[watchKey{topic: topicIntentions}]; !failed {
		changes = append(changes, model.ReplaceIntentions{Intentions: r.intentions, DefaultAllow: r.defaultAllow})
	}
	s.applyLocked(r.maxIndex(), changes...)
}

// lost records that Consul cannot be read: absent if it never could, down
// if it could before. The last known services and intentions stay, but
// their health becomes unknown: nothing says it still holds.
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
	s.problems = nil
	s.publishLocked(s.catalog.setHealth(unreadChecks())...)
}

// failed records that key's read failed while Consul is there, and
// publishes it if it is news. Nothing is recorded once ctx has ended: a
// node's watcher whose node just left must not leave a problem behind it.
func (s *Source) failed(ctx context.Context, key watchKey, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ctx.Err() != nil {
		return
	}
	changes := s.failLocked(key, err)
	if s.statusDirty {
		s.publishLocked(changes...)
	}
}

// failLocked records key's problem and returns what it changes in the
// model: unread checks make every instance's health unknown. Caller holds
// s.mu and publishes.
func (s *Source) failLocked(key watchKey, err error) []model.Change {
	if !s.setProblemLocked(key, err) {
		return nil
	}
	s.log.Warn("consul read failed; retrying it while the rest keeps working", "read", key.String(), "err", err)
	if key == healthKey {
		return s.catalog.setHealth(unreadChecks())
	}
	return nil
}

// recovered forgets key's problem once it reads fine again.
func (s *Source) recovered(ctx context.Context, key watchKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ctx.Err() != nil || !s.forgetLocked(key) {
		return
	}
	s.log.Info("consul read works again", "read", key.String())
	s.publishLocked()
}

// setProblemLocked records key's problem and reports whether that changed
// the status. Caller holds s.mu.
func (s *Source) setProblemLocked(key watchKey, err error) bool {
	p := problem{msg: describeError(err), forbidden: isForbidden(err)}
	if old, ok := s.problems[key]; ok && old == p {
		return false
	}
	if s.problems == nil {
		s.problems = make(map[watchKey]problem)
	}
	s.problems[key] = p
	s.deriveTopicsLocked()
	return true
}

// forgetLocked drops key's problem and reports whether there was one.
// Caller holds s.mu.
func (s *Source) forgetLocked(key watchKey) bool {
	if _, ok := s.problems[key]; !ok {
		return false
	}
	delete(s.problems, key)
	s.deriveTopicsLocked()
	return true
}

// deriveTopicsLocked writes the problems into the status: one line per
// topic (the topic-wide reader's problem first, then how many more parts
// of it fail), and the state: forbidden when every topic is refused as a
// whole, else connected. Caller holds s.mu.
func (s *Source) deriveTopicsLocked() {
	byTopic := make(map[string][]watchKey)
	for key := range s.problems {
		byTopic[key.topic] = append(byTopic[key.topic], key)
	}
	s.status.Topics = nil
	for topic, keys := range byTopic {
		slices.SortFunc(keys, func(a, b watchKey) int { return strings.Compare(a.scope, b.scope) })
		msg := s.problems[keys[0]].msg
		if keys[0].scope != "" {
			msg = keys[0].scope + ": " + msg
		}
		if len(keys) > 1 {
			msg += fmt.Sprintf(" (and %d more)", len(keys)-1)
		}
		if topic == topicHealth {
			msg += "; health unknown until the checks can be read"
		}
		if s.status.Topics == nil {
			s.status.Topics = make(map[string]string, len(byTopic))
		}
		s.status.Topics[topic] = msg
	}
	s.statusDirty = true
	if s.status.State != model.StateConnected && s.status.State != model.StateForbidden {
		return
	}
	s.status.State = model.StateForbidden
	for _, t := range sourceTopics {
		if !s.problems[watchKey{topic: t}].forbidden {
			s.status.State = model.StateConnected
		}
	}
}

// String is how the logs name the reader.
func (k watchKey) String() string {
	if k.scope == "" {
		return k.topic
	}
	return k.topic + " (" + k.scope + ")"
}

// applyLocked applies changes read from Consul at index, with the status,
// as one batch; only the status if just that changed, nothing at all
// otherwise. Caller holds s.mu.
func (s *Source) applyLocked(index uint64, changes ...model.Change) {
	if len(changes) == 0 && !s.statusDirty {
		return
	}
	if len(changes) > 0 {
		s.status.LastEvent = time.Now()
		s.status.Index = max(s.status.Index, index)
	}
	s.publishLocked(changes...)
}

// publishLocked applies changes with the current status as one batch.
// Caller holds s.mu.
func (s *Source) publishLocked(changes ...model.Change) {
	s.statusDirty = false
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
