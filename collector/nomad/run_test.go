package nomad

import (
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
