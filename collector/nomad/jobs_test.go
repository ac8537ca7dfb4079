package nomad

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// taskNames lists an allocation's task names ("" when it is missing).
func taskNames(a *model.Allocation) string {
	if a == nil {
		return "<missing>"
	}
	var names []string
	for _, t := range a.Tasks {
		names = append(names, t.Name)
	}
	return strings.Join(names, ",")
}

// TestJobSpecsFetchKeepsNewestVersions: a miss reads /versions once and
// keeps the newest maxJobVersions versions plus the one asked for; hits do
// no I/O; a job gone from Nomad gives nil without error.
func TestJobSpecsFetchKeepsNewestVersions(t *testing.T) {
	f := newFakeNomad(t)
	for v := range 6 {
		f.putJob(fakeJob("web", uint64(v), 0))
	}
	s, _ := newFakeSource(t, f)
	ctx := context.Background()
	fetch := func(version uint64) *apiJob {
		t.Helper()
		job, err := s.jobs.fetch(ctx, s.api, "default", "web", version)
		if err != nil {
			t.Fatal(err)
		}
		return job
	}
	if job := fetch(5); job == nil || job.Version != 5 {
		t.Fatalf("fetch(5) = %+v", job)
	}
	if n := s.jobs.len(); n != maxJobVersions {
		t.Errorf("after one /versions read the cache holds %d versions, want the newest %d", n, maxJobVersions)
	}
	for v := range uint64(6) {
		if held := s.jobs.get("default", "web", v) != nil; held != (v >= 6-maxJobVersions) {
			t.Errorf("version %d held: %v", v, held)
		}
	}
	if job := fetch(0); job == nil || job.Version != 0 {
		t.Fatalf("fetch(0) = %+v", job)
	}
	if n := s.jobs.len(); n != maxJobVersions+1 {
		t.Errorf("after asking for an old version the cache holds %d, want the newest %d and it", n, maxJobVersions)
	}
	fetch(3)
	fetch(0)
	if n := len(f.callsTo("/v1/job/web/versions")); n != 2 {
		t.Errorf("%d reads of /versions, want 2 (hits read nothing)", n)
	}
	if job, err := s.jobs.fetch(ctx, s.api, "default", "gone", 0); job != nil || err != nil {
		t.Errorf("fetch of a job Nomad does not know = (%v, %v), want (nil, nil)", job, err)
	}
}

// TestJobSpecsEvictLeastRecentlyUsed: the cache is bounded; the least
// recently used version goes first, and with it its entry in the job's
// version list, so forgetting the job later is exact.
func TestJobSpecsEvictLeastRecentlyUsed(t *testing.T) {
	j := newJobSpecs()
	for i := range maxSpecs {
		j.put(&apiJob{ID: fmt.Sprint("j", i), Namespace: "default"})
	}
	if j.get("default", "j0", 0) == nil {
		t.Fatal("j0 not cached")
	}
	j.put(&apiJob{ID: "new", Namespace: "default"})
	if j.len() != maxSpecs {
		t.Errorf("cache holds %d, want its bound %d", j.len(), maxSpecs)
	}
	if j.get("default", "j0", 0) == nil {
		t.Error("j0, just used, was evicted")
	}
	if j.get("default", "j1", 0) != nil {
		t.Error("j1, the least recently used, was kept")
	}
	j.mu.Lock()
	_, listed := j.versions[jobID("default", "j1")]
	versions := len(j.versions)
	j.mu.Unlock()
	if listed || versions != maxSpecs {
		t.Errorf("the version lists still name evicted j1 (%v) or count %d jobs, want %d", listed, versions, maxSpecs)
	}

	// Replacing a version adds no second entry; forgetting drops every version.
	j.put(&apiJob{ID: "j0", Namespace: "default"})
	j.put(&apiJob{ID: "j0", Namespace: "default", Version: 1})
	j.forget("default", "j0")
	if j.get("default", "j0", 0) != nil || j.get("default", "j0", 1) != nil {
		t.Error("a forgotten job is still cached")
	}
	if j.len() != maxSpecs-2 {
		t.Errorf("after forgetting j0's two versions the cache holds %d, want %d", j.len(), maxSpecs-2)
	}

	// j0's version 1 evicted j2, the next least recently used.
	if j.get("default", "j2", 0) != nil {
		t.Error("j2, the least recently used, was kept")
	}

	// retain forgets the jobs a fresh job list lacks.
	j.retain(map[string]bool{jobID("default", "j3"): true})
	if j.len() != 1 || j.get("default", "j3", 0) == nil {
		t.Errorf("after retain the cache holds %d, want j3 alone", j.len())
	}
}

// TestJobDeregisteredForgetsJob: a JobDeregistered event drops every
// version of the job; a catch-up forgets jobs gone from the job list.
func TestJobDeregisteredForgetsJob(t *testing.T) {
	f := newFakeNomad(t)
	seedCluster(f, 0)
	s, _ := newFakeSource(t, f)
	ctx := context.Background()
	if _, _, err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	f.applyEvents(t, s, f.putJob(fakeJob("web", 1, 0)))
	if s.jobs.get("default", "web", 0) == nil || s.jobs.get("default", "web", 1) == nil {
		t.Fatal("web's versions not cached after the sync and its JobRegistered event")
	}
	f.applyEvents(t, s, f.purgeJob("default", "web"))
	if s.jobs.get("default", "web", 0) != nil || s.jobs.get("default", "web", 1) != nil {
		t.Error("a deregistered job is still cached")
	}

	f.purgeJob("default", "api") // its event is lost
	if _, _, err := s.catchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if s.jobs.get("default", "api", 0) != nil || s.jobs.len() != 0 {
		t.Errorf("after a catch-up the cache holds %d versions, api's among them: %v", s.jobs.len(), s.jobs.get("default", "api", 0) != nil)
	}
}

// TestSpecFetchedInBackground: an allocation event whose job version is
// not cached is applied at once, without tasks, while the spec is read in
// the background; the stream loop goes on meanwhile; the allocation is
// enriched when the spec arrives.
func TestSpecFetchedInBackground(t *testing.T) {
	f, _, store, st := runFake(t, WithStaleAfter(2*time.Second))

	f.putJob(fakeJob("batch", 0, 0)) // a new job, its event not seen
	versions := f.gate("/v1/job/batch/versions")
	ev := f.putAlloc(fakeAlloc("a7", "n1", "batch", 0, 21007, ""))
	st.send(t, ev)
	waitFor(t, "a7 in the model", func() bool { return store.Snapshot().Allocation("a7") != nil })
	if a := store.Snapshot().Allocation("a7"); len(a.Tasks) != 0 || len(a.Services) != 0 || len(a.Ports) != 1 {
		t.Errorf("a7 before its spec = tasks %q, services %v, ports %v; want its ports alone", taskNames(a), a.Services, a.Ports)
	}
	versions.wait(t)

	// The spec read is in flight; frames still apply.
	st.send(t, f.putAlloc(fakeAlloc("a8", "n2", "api", 0, 21008, "")))
	waitFor(t, "a8 while a7's spec is read", func() bool { return store.Snapshot().Allocation("a8") != nil })
	if got := taskNames(store.Snapshot().Allocation("a8")); got != "server-v0" {
		t.Errorf("a8 (cached spec) tasks %q, want server-v0", got)
	}

	f.open(versions)
	waitFor(t, "a7 enriched", func() bool { return taskNames(store.Snapshot().Allocation("a7")) == "server-v0" })
	a := store.Snapshot().Allocation("a7")
	if a.ModifyIndex != ev.Index || len(a.Services) != 1 || len(a.Ports) != 1 {
		t.Errorf("a7 enriched = %+v", a)
	}
	if n := len(f.callsTo("/v1/job/batch/versions")); n != 1 {
		t.Errorf("%d reads of batch's versions, want 1", n)
	}
}

// TestStaleEnrichmentDoesNotApply: a spec arriving after its allocation
// changed (a newer reading applied meanwhile) or stopped is not applied.
func TestStaleEnrichmentDoesNotApply(t *testing.T) {
	noLeaks(t)
	f := newFakeNomad(t)
	seedCluster(f, 0)
	s, store := newFakeSource(t, f)
	ctx, cancel := context.WithCancel(context.Background())
	if _, _, err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	fetcher := make(chan struct{})
	go func() {
		defer close(fetcher)
		s.specs.run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-fetcher })

	registered := f.putJob(fakeJob("batch", 0, 0)) // a new job, its event late
	versions := f.gate("/v1/job/batch/versions")
	f.applyEvents(t, s, f.putAlloc(fakeAlloc("a7", "n1", "batch", 0, 21007, "")), f.putAlloc(fakeAlloc("a9", "n2", "batch", 0, 21009, "")))
	if got := taskNames(store.Snapshot().Allocation("a7")) + "/" + taskNames(store.Snapshot().Allocation("a9")); got != "/" {
		t.Fatalf("a7/a9 tasks before the spec: %q, want none", got)
	}
	versions.wait(t)

	// Meanwhile the job's event arrives, a7 changes and a9 stops.
	newer := f.putAlloc(fakeAlloc("a7", "n1", "batch", 0, 21017, ""))
	f.applyEvents(t, s, registered, newer, f.stopAlloc("a9"))
	if a := store.Snapshot().Allocation("a7"); taskNames(a) != "server-v0" || a.Ports[0].Value != 21017 {
		t.Fatalf("a7 after its newer event: %+v", a)
	}
	before := store.Snapshot().Version()
	f.open(versions)
	waitFor(t, "the fetcher's batch", func() bool { return store.Snapshot().Version() > before })

	snap := store.Snapshot()
	if a := snap.Allocation("a7"); a.ModifyIndex != newer.Index || a.Ports[0].Value != 21017 {
		t.Errorf("a late spec overwrote a newer allocation with the older reading: %+v", a)
	}
	if snap.Allocation("a9") != nil {
		t.Error("a late spec brought back a stopped allocation")
	}
}
