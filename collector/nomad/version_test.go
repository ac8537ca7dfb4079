package nomad

import (
	"testing"
)

// TestStoppedAllocationKeepsItsVersion: a destructive update registers
// version 1, then the plan that stops the old allocation changes it after
// that registration. The old allocation still runs version 0 until it has
// stopped; the model must not show it at version 1 (a fresh read, whose
// list carries JobVersion, says 0).
func TestStoppedAllocationKeepsItsVersion(t *testing.T) {
	f, s, store := syncedFake(t)
	v1 := fakeJob("web", 1, 0)
	stopping := fakeAlloc("a1", "n1", "web", 0, 21001, "")
	stopping.DesiredStatus = "stop" // the plan stops it; the client has not yet
	f.applyEvents(t, s, f.putJob(v1))
	f.applyEvents(t, s, f.putAlloc(stopping))
	a := store.Snapshot().Allocation("a1")
	if a == nil || a.JobVersion != 0 {
		t.Fatalf("the stopping allocation = %+v, want it still at version 0", a)
	}
	expectFreshRead(t, f, store)
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
	f, s, store := syncedFake(t)
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
	expectFreshRead(t, f, store)
}

// TestDesiredTransitionKeepsTheVersion: Nomad 1.6.2 moves an allocation's
// AllocModifyIndex when it sets a desired transition (a drain migrating
// it, a reschedule), without touching the job it runs. An allocation left
// at version 0 while version 1 is registered (a rollout under way, canaries
// not yet promoted) and then marked for migration still runs version 0.
func TestDesiredTransitionKeepsTheVersion(t *testing.T) {
	f, s, store := syncedFake(t)
	f.applyEvents(t, s, f.putJob(fakeJob("web", 1, 0)))
	marked := *f.allocs["a1"] // still version 0 in Nomad
	ev := f.putAlloc(&marked)
	ev.Type = "AllocationUpdateDesiredStatus"
	f.applyEvents(t, s, ev)
	if a := store.Snapshot().Allocation("a1"); a == nil || a.JobVersion != 0 || taskNames(a) != "server-v0" {
		t.Fatalf("a1 after its desired transition = %+v, want version 0 with its tasks", a)
	}
	expectFreshRead(t, f, store)
}

// TestVersionKnownWithoutItsSpec: a registration whose spec left the
// cache (evicted on a big cluster) still resolves an allocation's version;
// the spec is read in the background and the allocation enriched.
func TestVersionKnownWithoutItsSpec(t *testing.T) {
	f, s, store := syncedFake(t)
	f.applyEvents(t, s, f.putJob(fakeJob("web", 1, 0)))
	s.jobs.mu.Lock()
	s.jobs.cache.Remove(jobKey("default", "web", 1)) // as an eviction does
	s.jobs.mu.Unlock()
	updated := *f.allocs["a1"]
	updated.JobVersion = 1 // updated in place
	f.applyEvents(t, s, f.putAlloc(&updated))
	if a := store.Snapshot().Allocation("a1"); a == nil || a.JobVersion != 1 {
		t.Fatalf("a1 after its in-place update = %+v, want version 1 at once", a)
	}
	runFetches(t, s)
	if a := store.Snapshot().Allocation("a1"); taskNames(a) != "server-v1" {
		t.Errorf("a1 after the spec fetch = %+v, want the tasks of version 1", a)
	}
	expectFreshRead(t, f, store)
}

// TestCatchUpReadsAVersionWhoseEventWasLost: Nomad's job list does not
// say which version is current, only when it was registered. A version
// registered while the stream was dropped must be read by the catch-up
// (its JobModifyIndex is not one held), so the allocation events that
// follow resolve to it. Before, the catch-up looked for the list's
// "Version", always 0, found version 0 cached and read nothing: the scale
// harness's allocations held at the old version until anti-entropy.
func TestCatchUpReadsAVersionWhoseEventWasLost(t *testing.T) {
	f, s, store := syncedFake(t)
	f.putJob(fakeJob("web", 1, 0)) // its event lost with a drop
	if _, _, err := s.catchUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	updated := *f.allocs["a1"]
	updated.JobVersion = 1
	f.applyEvents(t, s, f.putAlloc(&updated)) // the in-place update, streamed
	if a := store.Snapshot().Allocation("a1"); a == nil || a.JobVersion != 1 || taskNames(a) != "server-v1" {
		t.Fatalf("a1 after its in-place update = %+v, want version 1 with its tasks at once", a)
	}
	expectFreshRead(t, f, store)
}

// TestRegisteredAt: the newest registration at or before an index, and
// whether one may be missing after it (a later one known that is not the
// next version number, nor a 0 of a job registered again). A catch-up
// reads each job's current version only, so versions registered during a
// drop leave such gaps; an allocation whose AllocModifyIndex falls in one
// is not resolved to the older version but read from /versions.
func TestRegisteredAt(t *testing.T) {
	regs := []registration{{0, 10}, {1, 20}, {3, 40}, {0, 50}, {1, 60}}
	for _, c := range []struct {
		index   uint64
		want    registration
		ok, gap bool
	}{
		{index: 5},
		{index: 10, want: registration{0, 10}, ok: true},
		{index: 25, want: registration{1, 20}, ok: true, gap: true}, // version 2 not seen
		{index: 45, want: registration{3, 40}, ok: true},            // purged, registered again
		{index: 99, want: registration{1, 60}, ok: true},
	} {
		r, ok, gap := registeredAt(regs, c.index)
		if r != c.want || ok != c.ok || gap != c.gap {
			t.Errorf("registeredAt(%d) = %v, %v, %v; want %v, %v, %v", c.index, r, ok, gap, c.want, c.ok, c.gap)
		}
	}
}

// TestJobRegisteredAgainResolvesByRegistration: a job purged and registered
// again counts from version 0, with a later JobModifyIndex than its old
// versions. An allocation of the new job runs the new version 0, not the
// old version 1 whose number is higher; and the old version 0's spec,
// cached under the same number, is not the new one's.
func TestJobRegisteredAgainResolvesByRegistration(t *testing.T) {
	f, s, store := syncedFake(t)
	f.applyEvents(t, s, f.putJob(fakeJob("web", 1, 0)))
	// Purged and registered again while the stream was down: the catch-up
	// finds the job at version 0, registered later.
	f.purgeJob("default", "web")
	again := fakeJob("web", 0, 0)
	again.TaskGroups[0].Tasks[0].Name = "server-again"
	f.putJob(again)
	f.stopAlloc("a1")
	f.stopAlloc("a2")
	if _, _, err := s.catchUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	f.applyEvents(t, s, f.putAlloc(fakeAlloc("a9", "n1", "web", 0, 21009, "")))
	a := store.Snapshot().Allocation("a9")
	if a == nil || a.JobVersion != 0 || taskNames(a) != "server-again" {
		t.Fatalf("a9 = %+v, want version 0 of the job registered again, with its tasks", a)
	}
	expectFreshRead(t, f, store)
}

// runFetches runs the spec fetches the stream loop asked for, as the
// fetcher's workers do.
func runFetches(t *testing.T, s *Source) {
	t.Helper()
	s.specs.mu.Lock()
	var keys []string
	for k := range s.specs.pending {
		keys = append(keys, k)
	}
	s.specs.mu.Unlock()
	for _, k := range keys {
		s.specs.fetch(t.Context(), k)
	}
}
