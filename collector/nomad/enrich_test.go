package nomad

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
)

// TestFetcherLeavesTheLoopsAllocationAlone: the stream loop goes on reading
// the allocation it hands to the spec fetcher (allocChange converts it after
// the request), so the fetcher, another goroutine, must not write it.
func TestFetcherLeavesTheLoopsAllocationAlone(t *testing.T) {
	f := newFakeNomad(t)
	seedCluster(f, 0)
	s, store := newFakeSource(t, f)
	ctx := context.Background()
	if _, _, err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	f.putJob(fakeJob("batch", 0, 0)) // a new job, its events not seen
	f.putJob(fakeJob("batch", 1, 0))
	b, _ := f.frame(t, f.putAlloc(fakeAlloc("a7", "n1", "batch", 1, 21007, "")))
	var fr eventFrame
	if err := json.Unmarshal(b, &fr); err != nil {
		t.Fatal(err)
	}
	a := fr.Events[0].Payload.Allocation
	store.Apply(s.allocChange(a, fr.Events[0].Type)) // as applyFrame does
	before := *a

	s.specs.mu.Lock()
	var keys []string
	for k := range s.specs.pending {
		keys = append(keys, k)
	}
	s.specs.mu.Unlock()
	if len(keys) != 1 {
		t.Fatalf("pending spec fetches %q, want one", keys)
	}
	s.specs.fetch(ctx, keys[0]) // as a fetcher worker does

	if !reflect.DeepEqual(*a, before) {
		t.Errorf("the fetcher wrote the allocation the stream loop reads: JobVersion %d, was %d", a.JobVersion, before.JobVersion)
	}
	if got := store.Snapshot().Allocation("a7"); taskNames(got) != "server-v1" || got.JobVersion != 1 {
		t.Errorf("a7 after the fetch: %+v, want enriched with version 1", got)
	}
}
