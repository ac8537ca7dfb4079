package model

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// subscriberBuffer is how many deltas a subscriber may lag behind before its
// pending deltas collapse into one Full delta. 64 absorbs a burst of events
// while a web client renders, and stays small because a consumer that far
// behind re-reads the whole snapshot anyway.
const subscriberBuffer = 64

// Delta tells a subscriber what a new version changed.
type Delta struct {
	Version uint64
	// Changed holds the keys touched by this version (NodeKey, AllocKey,
	// ServiceKey(name), KeyStatus, KeyIntentions), sorted and deduplicated.
	// An allocation added, removed or moved also touches its nodes' keys.
	Changed []string
	// Full means everything may have changed: after a ResetNomad, or when the
	// subscriber fell behind and its pending deltas were collapsed.
	Full bool
	// Snapshot is the version the delta leads to, and Time when Apply
	// published it, so a consumer that compares versions (the history)
	// sees each one even if the store has moved on since.
	Snapshot *Snapshot
	Time     time.Time
	// Collapsed marks a Full delta that replaced deltas the subscriber fell
	// behind on: the versions in between were never delivered.
	Collapsed bool
}

// Store holds the model. One writer at a time applies changes (Apply is safe
// for concurrent callers: they take turns); any number of readers take
// immutable snapshots without locking.
type Store struct {
	mu      sync.Mutex // serialises writers and subscriber bookkeeping
	st      state
	version uint64
	current atomic.Pointer[Snapshot]
	subs    map[*subscriber]struct{}
}

type subscriber struct {
	ch chan Delta
}

// NewStore returns an empty store at version 0.
func NewStore() *Store {
	s := &Store{st: newState(), subs: make(map[*subscriber]struct{})}
	s.current.Store(s.st.publish(0))
	return s
}

// Snapshot returns the latest published snapshot without locking.
func (s *Store) Snapshot() *Snapshot { return s.current.Load() }

// Apply applies changes in order and publishes them as one new version, which
// it returns. Every call makes a new version, even one that changes nothing.
// Apply takes ownership of the objects the changes point to (see Change).
// Its cost is proportional to the changes, not to the size of the model.
func (s *Store) Apply(changes ...Change) *Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := txn{st: &s.st, changed: make([]string, 0, len(changes)*2)}
	for _, c := range changes {
		if c != nil {
			c.apply(&t)
		}
	}
	s.version++
	slices.Sort(t.changed)
	t.changed = slices.Compact(t.changed)
	if t.full || slices.ContainsFunc(t.changed, func(k string) bool { return k != KeyStatus }) {
		// Data changed: what was derived from the old data is void.
		s.st.dataMemo = &memoTable{}
	}
	snap := s.st.publish(s.version)
	s.current.Store(snap)

	d := Delta{Version: s.version, Full: t.full, Changed: t.changed, Snapshot: snap, Time: time.Now()}
	for sub := range s.subs {
		sub.send(d)
	}
	return snap
}

// Subscribe returns a channel of deltas, one per version, starting with a Full
// delta for the current version (so a subscriber reads Snapshot() once and
// then follows deltas without a gap). The channel is bounded; a subscriber
// that falls behind never blocks Apply: its pending deltas are replaced by one
// Full delta. The channel is closed when ctx ends.
func (s *Store) Subscribe(ctx context.Context) <-chan Delta {
	sub := &subscriber{ch: make(chan Delta, subscriberBuffer)}
	s.mu.Lock()
	sub.ch <- Delta{Version: s.version, Full: true, Changed: []string{}, Snapshot: s.current.Load(), Time: time.Now()}
	s.subs[sub] = struct{}{}
	s.mu.Unlock()
	// AfterFunc instead of a goroutine per subscriber: nothing to leak, and
	// closing under mu means Apply never sends on a closed channel.
	context.AfterFunc(ctx, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.subs, sub)
		close(sub.ch)
	})
	return sub.ch
}

// send delivers d without blocking. Only Apply sends, under Store.mu, so after
// draining a full buffer there is room for the Full delta.
func (sub *subscriber) send(d Delta) {
	select {
	case sub.ch <- d:
		return
	default:
	}
	for drained := false; !drained; {
		select {
		case <-sub.ch:
		default:
			drained = true
		}
	}
	sub.ch <- Delta{Version: d.Version, Full: true, Changed: []string{}, Snapshot: d.Snapshot, Time: d.Time, Collapsed: true}
}
