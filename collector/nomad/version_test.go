package nomad

import (
	"testing"
	"time"
)

// TestStoppedAllocationKeepsItsVersion: a destructive update registers
// version 1, then the plan that stops the old allocation changes it after
// that registration. The old allocation still runs version 0 until it has
// stopped; the model must not show it at version 1 (a fresh read, whose
// list carries JobVersion, says 0).
func TestStoppedAllocationKeepsItsVersion(t *testing.T) {
	noLeaks(t)
	f := newFakeNomad(t)
	seedCluster(f, 0)
	s, store := newFakeSource(t, f, WithStaleAfter(time.Minute), WithAntiEntropy(0))
	if _, _, err := s.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	v1 := fakeJob("web", 1, 0)
	stopping := fakeAlloc("a1", "n1", "web", 0, 21001, "")
	stopping.DesiredStatus = "stop" // the plan stops it; the client has not yet
	f.applyEvents(t, s, f.putJob(v1))
	f.applyEvents(t, s, f.putAlloc(stopping))
	a := store.Snapshot().Allocation("a1")
	if a == nil || a.JobVersion != 0 {
		t.Fatalf("the stopping allocation = %+v, want it still at version 0", a)
	}
	if got, want := nomadSide(t, store.Snapshot()), freshSync(t, f); got != want {
		t.Errorf("the model differs from a fresh read:\n got %s\nwant %s", got, want)
	}
}

// TestCatchUpRepairsAVersionResolvedWithoutItsJob: an allocation event of a
// job version whose Job event never arrived (lost in a dropped stream) is
// resolved against the versions cached, the old one. The next catch-up
// must take the version from Nomad's list, although the allocation's
// ModifyIndex has not moved (the scale harness: 525 allocations shown at
// the old version, connected, until anti-entropy). Such a gap needs a
// stream resumed past lost events, which the source no longer does; the
// drop that ends the stream loses the writes after it too (a2's here), so
// the catch-up reads the list. (With the allocation table unchanged since
// the last event the model holds, a catch-up reads no allocation, and
// anti-entropy is what would repair the version.)
func TestCatchUpRepairsAVersionResolvedWithoutItsJob(t *testing.T) {
	noLeaks(t)
	f := newFakeNomad(t)
	seedCluster(f, 0)
	s, store := newFakeSource(t, f, WithStaleAfter(time.Minute), WithAntiEntropy(0))
	if _, _, err := s.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	f.putJob(fakeJob("web", 1, 0)) // its event is lost
	f.applyEvents(t, s, f.putAlloc(fakeAlloc("a1", "n1", "web", 1, 21001, "")))
	if a := store.Snapshot().Allocation("a1"); a == nil || a.JobVersion != 0 {
		t.Fatalf("setup: a1 = %+v, want it resolved to the cached version 0", a)
	}
	moved := fakeAlloc("a2", "n2", "web", 0, 21002, "")
	moved.DesiredStatus = "stop"
	f.putAlloc(moved) // lost with the drop
	if _, _, err := s.catchUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	if a := store.Snapshot().Allocation("a1"); a == nil || a.JobVersion != 1 {
		t.Errorf("after the catch-up a1 = %+v, want version 1 as Nomad lists it", a)
	}
	if got, want := nomadSide(t, store.Snapshot()), freshSync(t, f); got != want {
		t.Errorf("the model differs from a fresh read:\n got %s\nwant %s", got, want)
	}
}
