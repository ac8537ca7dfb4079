package nomad

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// corrupt replaces the model's allocation id with a copy whose port differs,
// at the same ModifyIndex: a divergence no event will ever correct.
func corrupt(t testing.TB, store *model.Store, id string) *model.Allocation {
	t.Helper()
	truth := store.Snapshot().Allocation(id)
	if truth == nil {
		t.Fatalf("no allocation %s to corrupt", id)
	}
	bad := *truth
	bad.Ports = []model.Port{{Label: "http", HostIP: "10.0.0.1", Value: 9999, To: 8080}}
	store.Apply(model.UpsertAllocation{Alloc: &bad})
	return truth
}

// TestCompareAndRepair: Compare finds nothing on a quiet, correct model;
// after the model is corrupted it names the allocation; the repair ends
// the stream and catches up, re-reading that allocation although its index
// did not change, and the model is the truth again.
func TestCompareAndRepair(t *testing.T) {
	f, s, store, _ := runFake(t, WithStaleAfter(2*time.Second))
	ctx := context.Background()

	if n, keys, err := s.Compare(ctx); err != nil || n != 0 {
		t.Fatalf("Compare on a correct model = %d %v %v, want 0", n, keys, err)
	}

	truth := corrupt(t, store, "a1")
	n, keys, err := s.Compare(ctx)
	if err != nil || n == 0 || !slices.Contains(keys, model.AllocKey("a1")) {
		t.Fatalf("Compare on a corrupted model = %d %v %v, want alloc/a1", n, keys, err)
	}

	// The log shows one differing allocation both ways, to find the bug.
	if _, example, err := s.compare(ctx); err != nil || !strings.Contains(example, model.AllocKey("a1")) ||
		!strings.Contains(example, fmt.Sprint(truth.Ports[0].Value)) {
		t.Errorf("the divergence example = %q (%v), want a1 as the model and Nomad hold it", example, err)
	}

	f.resetCalls()
	s.requestRepair(keys)
	f.nextStream(t, eventTopics...)
	status := waitState(t, s, model.StateConnected)
	if a := store.Snapshot().Allocation("a1"); a.Ports[0].Value != truth.Ports[0].Value {
		t.Errorf("after the repair a1's port is %d, want %d", a.Ports[0].Value, truth.Ports[0].Value)
	}
	if status.CatchUps != 1 {
		t.Errorf("the repair made %d catch-ups, want 1", status.CatchUps)
	}
	// a1 is read whole (with its resources) although its index says the
	// model holds its newest reading.
	if calls := f.callsTo("/v1/allocations"); len(calls) != 2 || !liveList(calls[0], false) || !liveList(calls[1], true) {
		t.Errorf("the repair read the allocations with %v, want the live list without resources, then with them", calls)
	}
	if got, want := nomadSide(t, store.Snapshot()), freshSync(t, f); got != want {
		t.Errorf("after the repair the model differs from a fresh sync:\n got %s\nwant %s", got, want)
	}
}

// TestAntiEntropyLoop: the periodic comparison counts what it finds in the
// status and repairs it.
func TestAntiEntropyLoop(t *testing.T) {
	_, s, store, _ := runFake(t, WithStaleAfter(2*time.Second), WithAntiEntropy(time.Second))
	truth := corrupt(t, store, "a2")
	waitFor(t, "anti-entropy to repair a2", func() bool {
		a := store.Snapshot().Allocation("a2")
		return a != nil && a.Ports[0].Value == truth.Ports[0].Value
	})
	st := waitState(t, s, model.StateConnected)
	if st.Divergences < 1 {
		t.Errorf("Divergences = %d after a repair, want it counted", st.Divergences)
	}
}
