package nomad

import (
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// TestResumeMissesNothingTheBufferLost: the scale harness's bug. After a
// catch-up read at index N, the events published before the stream is
// opened again may have left Nomad's buffer (event_buffer_size counts raft
// updates of every topic, so a few evaluations are enough); Nomad then
// starts the stream at the oldest event it still holds and says nothing,
// and a source that opened its stream after the read stayed stale, shown
// connected, until anti-entropy. The fake Nomad here is a broker with a
// buffer of 3 frames; right after the catch-up's allocation list is
// served, a burst changes three allocations and four evaluations push those
// changes out of the buffer. The model must equal a fresh read without
// anti-entropy (off here), and the status must be connected only then.
func TestResumeMissesNothingTheBufferLost(t *testing.T) {
	noLeaks(t)
	f := newFakeNomad(t)
	seedCluster(f, 0)
	b := f.useBroker(3)
	s, store := newFakeSource(t, f, WithStaleAfter(time.Minute), WithAntiEntropy(0))
	runSource(t, s)
	waitState(t, s, model.StateConnected)
	b.publish(t, f.putAlloc(fakeAlloc("a4", "n1", "web", 0, 21004, "")))
	waitFor(t, "a streamed allocation", func() bool { return store.Snapshot().Allocation("a4") != nil })

	var burst []uint64
	published := make(chan struct{})
	b.mu.Lock()
	b.afterList = func() {
		// Right after the catch-up read: events the read does not hold.
		ev := f.putAlloc(fakeAlloc("a1", "n1", "web", 0, 22001, ""))
		b.publish(t, ev)
		ev2 := f.putAlloc(fakeAlloc("a7", "n2", "web", 0, 21007, ""))
		b.publish(t, ev2)
		ev3 := f.stopAlloc("a2")
		b.publish(t, ev3)
		burst = append(burst, ev.Index, ev2.Index, ev3.Index)
		b.filler(t, 4)
		close(published)
	}
	b.mu.Unlock()
	b.dropAll()

	select {
	case <-published:
	case <-time.After(5 * time.Second):
		t.Fatal("the catch-up never read the allocation list")
	}
	waitFor(t, "the model equal to a fresh read", func() bool {
		return nomadSide(t, store.Snapshot()) == freshSync(t, f)
	})
	snap := store.Snapshot()
	if a := snap.Allocation("a1"); a == nil || a.Ports[0].Value != 22001 {
		t.Errorf("a1 = %+v, want the port it moved to after the read", a)
	}
	if snap.Allocation("a7") == nil || snap.Allocation("a2") != nil {
		t.Error("the allocation placed after the read is missing, or the one stopped is still there")
	}
	st := waitState(t, s, model.StateConnected)
	if st.Index < burst[2] || st.Divergences != 0 || st.CatchUps != 1 {
		t.Errorf("status %+v, want connected at %d or later, one catch-up, no divergence", st, burst[2])
	}
}
