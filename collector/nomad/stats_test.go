package nomad

import (
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// TestStats: the running totals count the first sync, each frame's events
// by topic, and the catch-up after Nomad drops the stream.
func TestStats(t *testing.T) {
	noLeaks(t)
	f := newFakeNomad(t)
	seedCluster(f, 0)
	s, store := newFakeSource(t, f, WithStaleAfter(time.Minute), WithAntiEntropy(0))
	runSource(t, s)

	// The stream opens before the sync it follows.
	st := f.nextStream(t, eventTopics...)
	waitState(t, s, model.StateConnected)
	if got := s.Stats(); got.Syncs != 1 || got.SyncSeconds <= 0 || got.CatchUps != 0 || got.Frames != 0 {
		t.Errorf("after the first sync: %+v, want one sync and nothing else", got)
	}
	st.send(t, f.putAlloc(fakeAlloc("a4", "n1", "web", 0, 21004, "")), f.putNode(fakeNode("n3", "10.0.0.3")))
	st.send(t, f.putAlloc(fakeAlloc("a5", "n1", "web", 0, 21005, "")))
	waitFor(t, "both frames applied", func() bool { return store.Snapshot().Allocation("a5") != nil })
	got := s.Stats()
	if got.Frames != 2 || got.Events["Allocation"] != 2 || got.Events["Node"] != 1 {
		t.Errorf("after two frames: %+v, want 2 frames, 2 Allocation and 1 Node events", got)
	}
	got.Events["Allocation"] = 99 // a copy: the source's own count stays
	if s.Stats().Events["Allocation"] != 2 {
		t.Error("Stats shares its map with the source")
	}

	st.drop(t)
	f.nextStream(t, eventTopics...)
	waitState(t, s, model.StateConnected)
	if got := s.Stats(); got.CatchUps != 1 || got.CatchUpSeconds <= 0 || got.Syncs != 1 {
		t.Errorf("after a dropped stream: %+v, want one catch-up", got)
	}
}
