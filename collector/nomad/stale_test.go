package nomad

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// TestSilentStreamIsStale: a stream that sends nothing, not even a
// heartbeat, for staleAfter makes the source stale as of its last frame;
// while Nomad answers nothing the data stays stale (never down); once Nomad
// answers, the source catches up and is connected; a refused connection is
// down.
func TestSilentStreamIsStale(t *testing.T) {
	const staleAfter = 500 * time.Millisecond
	f, s, store, st := runFake(t, WithStaleAfter(staleAfter))

	// Heartbeats keep a quiet stream connected.
	time.Sleep(2 * staleAfter)
	if got := s.Status().State; got != model.StateConnected {
		t.Fatalf("a stream with heartbeats is %s, want connected", got)
	}

	// Nomad freezes: this frame is the last thing it sends.
	f.silence(true)
	idx := st.send(t, f.putAlloc(fakeAlloc("a4", "n1", "web", 0, 21004, "")))
	waitFor(t, "the last frame", func() bool { return s.Status().Index == idx })
	frameAt := s.Status().AsOf
	frozen := f.gate("/")

	stale := waitState(t, s, model.StateStale)
	if stale.AsOf.After(frameAt) || frameAt.Sub(stale.AsOf) > 100*time.Millisecond {
		t.Errorf("stale as of %v, want the last frame's time %v", stale.AsOf, frameAt)
	}
	if silent := stale.Since.Sub(stale.AsOf); silent < staleAfter {
		t.Errorf("stale after %v of silence, want at least %v", silent, staleAfter)
	}
	if !strings.Contains(stale.Reason, "no event or heartbeat") || stale.Error != "" {
		t.Errorf("stale reason %q, error %q", stale.Reason, stale.Error)
	}
	if got := store.Snapshot().Status().Nomad.State; got != model.StateStale {
		t.Errorf("the model's status is %s, want stale", got)
	}

	// The catch-up is held by the frozen Nomad: the data stays stale.
	frozen.wait(t)
	time.Sleep(3 * staleAfter)
	if got := s.Status(); got.State != model.StateStale || got.Error != "" || !got.AsOf.Equal(stale.AsOf) {
		t.Errorf("while Nomad answers nothing the status is %+v, want still stale as of %v", got, stale.AsOf)
	}
	if store.Snapshot().Allocation("a4") == nil {
		t.Error("stale data was dropped")
	}

	// Nomad answers again.
	f.silence(false)
	f.open(frozen)
	back := waitState(t, s, model.StateConnected)
	if back.CatchUps != 1 || back.Reason != "" || !back.AsOf.After(stale.AsOf) {
		t.Errorf("after Nomad answered the status is %+v, want connected, one catch-up, fresh AsOf", back)
	}
	next := f.nextStream(t, eventTopics...)
	next.send(t, f.putAlloc(fakeAlloc("a5", "n1", "web", 0, 21005, "")))
	waitFor(t, "a frame after the catch-up", func() bool { return store.Snapshot().Allocation("a5") != nil })

	// Nomad goes away: its connections are refused. (The first read may
	// reuse a connection the closing fake resets; the retries dial.)
	f.close()
	waitState(t, s, model.StateDown)
	waitFor(t, "down with a refused connection", func() bool {
		st := store.Snapshot().Status().Nomad
		return st.State == model.StateDown && strings.Contains(st.Error, "connection refused")
	})
	if store.Snapshot().Allocation("a5") == nil {
		t.Error("the data went when Nomad did")
	}
}

// TestStatusTransitions: a read that times out leaves stale data stale; a
// refused read, or a timeout while connected, is down; a 403 is forbidden;
// a catch-up does not hide that the data is stale.
func TestStatusTransitions(t *testing.T) {
	f := newFakeNomad(t)
	f.forbid("Job")
	s, _ := newFakeSource(t, f)
	_, forbidden := s.api.stream(context.Background(), "/v1/event/stream?topic=Job")
	if !isForbidden(forbidden) {
		t.Fatalf("the fake's 403 is %v", forbidden)
	}
	timeout := fmt.Errorf("%w: read Node: %w", errReadTimeout, context.DeadlineExceeded)
	refused := errors.New("read Node: dial tcp 127.0.0.1:1: connect: connection refused")
	last := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		from  func()
		err   error
		state string
	}{
		{"stale, timeout", func() { s.setStale(last, "silent") }, timeout, model.StateStale},
		{"stale, refused", func() { s.setStale(last, "silent") }, refused, model.StateDown},
		{"connected, timeout", func() { s.publishStatus(setConnected(5, last)) }, timeout, model.StateDown},
		{"catching up, refused", func() { s.setCatchingUp("dropped") }, refused, model.StateDown},
		{"stale, forbidden", func() { s.setStale(last, "silent") }, forbidden, model.StateForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.publishStatus(setConnected(5, last))
			tt.from()
			s.setFailed(tt.err)
			st := s.Status()
			if st.State != tt.state || st.Error != tt.err.Error() {
				t.Errorf("status %+v, want %s with the error", st, tt.state)
			}
			if st.State == model.StateStale && !st.AsOf.Equal(last) {
				t.Errorf("stale as of %v, want %v", st.AsOf, last)
			}
		})
	}

	s.publishStatus(setConnected(5, last))
	s.setStale(last, "silent")
	s.setCatchingUp("the event stream ended")
	if st := s.Status(); st.State != model.StateStale || st.Reason != "the event stream ended" {
		t.Errorf("catching up from stale: %+v, want still stale with the new reason", st)
	}
}

// TestIdleStreamIsNotStale: an idle stream sends nothing between Nomad's
// heartbeats (every 30 s, longer than staleAfter). While Nomad answers the
// watchdog's probe the data is not stale; once a heartbeat is overdue the
// stream's connection is taken for half-open: stale, and caught up.
func TestIdleStreamIsNotStale(t *testing.T) {
	const staleAfter = 200 * time.Millisecond
	f, s, _, _ := runFake(t, WithStaleAfter(staleAfter), withHeartbeat(1500*time.Millisecond))
	f.silence(true) // no heartbeat, as between two of Nomad's
	time.Sleep(5 * staleAfter)
	if st := s.Status(); st.State != model.StateConnected {
		t.Fatalf("an idle stream, Nomad answering, after %v of silence: %+v, want connected", 5*staleAfter, st)
	}
	if len(f.callsTo("/v1/status/leader")) == 0 {
		t.Error("the watchdog did not ask Nomad whether it answers")
	}
	stale := waitState(t, s, model.StateStale)
	if !strings.Contains(stale.Reason, "half-open") {
		t.Errorf("stale reason %q, want the stream's connection named", stale.Reason)
	}
	f.silence(false)
	waitState(t, s, model.StateConnected)
}

// withHeartbeat sets Nomad's heartbeat interval, for tests.
func withHeartbeat(d time.Duration) Option { return func(s *Source) { s.heartbeat = d } }
