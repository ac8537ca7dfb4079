package nomad

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// TestFailingStreamIsNotABusyLoop: a stream request that fails at once
// (here HTTP 500) is retried with backoff, not with a catch-up per failure
// as fast as Nomad answers; once the stream works the source follows it.
func TestFailingStreamIsNotABusyLoop(t *testing.T) {
	noLeaks(t)
	f := newFakeNomad(t)
	seedCluster(f, 0)
	f.failStream(http.StatusInternalServerError)
	s, store := newFakeSource(t, f, WithStaleAfter(2*time.Second), WithAntiEntropy(0))
	runSource(t, s)
	waitFor(t, "a failed stream", func() bool { return len(f.callsTo("/v1/event/stream")) > 0 })
	time.Sleep(time.Second)
	if n := len(f.callsTo("/v1/event/stream")); n > 6 {
		t.Errorf("%d stream requests (and as many catch-ups) in a second, want a few with backoff", n)
	}
	if st := s.Status(); st.State == model.StateDown || st.State == model.StateSyncing {
		t.Errorf("status %+v while only the stream fails", st)
	}

	f.failStream(0)
	st := f.nextStream(t, eventTopics...)
	st.send(t, f.putAlloc(fakeAlloc("a4", "n1", "web", 0, 21004, "")))
	waitFor(t, "a frame once the stream works", func() bool { return store.Snapshot().Allocation("a4") != nil })
	waitState(t, s, model.StateConnected)
}

// TestStreamEndingAfterResumeStaysCatchingUp: streams that Nomad (or a
// proxy) ends right after opening them, round after round, keep the status
// catching-up with the reason, never flipping to connected and back at each
// attempt, and the rounds back off; once a stream holds, connected.
func TestStreamEndingAfterResumeStaysCatchingUp(t *testing.T) {
	f, s, store, st := runFake(t, WithStaleAfter(2*time.Second))
	ctx, cancel := context.WithCancel(context.Background())
	deltas := store.Subscribe(ctx)
	<-deltas // the current version
	var states []string
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for d := range deltas {
			states = append(states, d.Snapshot.Status().Nomad.State)
		}
	}()

	f.mu.Lock()
	f.cut = true
	f.mu.Unlock()
	f.resetCalls()
	st.drop(t)
	waitFor(t, "three rounds of cut streams", func() bool { return len(f.callsTo("/v1/event/stream")) >= 3 })
	status := s.Status()
	if status.State != model.StateCatchingUp || status.Reason == "" || status.Error != "" {
		t.Errorf("while every stream ends at once the status is %+v, want catching-up with a reason", status)
	}
	if n := len(f.callsTo("/v1/event/stream")); n > 8 {
		t.Errorf("%d stream requests, want a few with backoff", n)
	}

	f.mu.Lock()
	f.cut = false
	f.mu.Unlock()
	waitState(t, s, model.StateConnected)
	cancel()
	<-collected
	// Connected only at the end: never between the drop and the stream
	// that held.
	end := len(states)
	for end > 0 && states[end-1] == model.StateConnected {
		end--
	}
	if end == len(states) {
		t.Errorf("states %v, want connected last", states)
	}
	for i, state := range states[:end] {
		if state == model.StateConnected {
			t.Fatalf("the status said connected (change %d of %v) while every stream ended at once", i, states)
		}
	}
}
