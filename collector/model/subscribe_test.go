package model_test

import (
	"context"
	"testing"

	"github.com/netviz/netviz/internal/fixture"

	"github.com/netviz/netviz/collector/model"
)

func TestSubscribeDeliversEachVersion(t *testing.T) {
	store := model.NewStore()
	store.Apply(fixture.Node("n1", "one"))
	deltas := store.Subscribe(t.Context())
	if d := <-deltas; !d.Full || d.Version != 1 {
		t.Fatalf("first delta = %+v, want Full at version 1", d)
	}
	store.Apply(fixture.Alloc("a1", "web").Upsert())
	store.Apply(model.DeleteAllocation{ID: "a1"})
	for want := uint64(2); want <= 3; want++ {
		d := <-deltas
		if d.Version != want || d.Full {
			t.Errorf("delta = %+v, want version %d, not Full", d, want)
		}
	}
}

// TestSubscribeCollapsesWhenBehind checks that a subscriber that stops
// reading never blocks Apply and, once it reads again, learns that it must
// re-read everything.
func TestSubscribeCollapsesWhenBehind(t *testing.T) {
	store := model.NewStore()
	deltas := store.Subscribe(t.Context())
	const applies = 1000 // far beyond the buffer: Apply would block if it waited
	for range applies {
		store.Apply(fixture.Alloc("a1", "web").Upsert())
	}
	if n := len(deltas); n > cap(deltas) || cap(deltas) > 64 {
		t.Errorf("buffer holds %d of capacity %d; want bounded at most 64", n, cap(deltas))
	}
	var last model.Delta
	sawFull := false
	for len(deltas) > 0 {
		last = <-deltas
		sawFull = sawFull || last.Full
	}
	if !sawFull || last.Version != applies {
		t.Errorf("after falling behind: saw Full=%v, last version %d; want a Full delta and version %d", sawFull, last.Version, applies)
	}
}

func TestSubscribeClosesOnContextEnd(t *testing.T) {
	store := model.NewStore()
	ctx, cancel := context.WithCancel(t.Context())
	deltas := store.Subscribe(ctx)
	other := store.Subscribe(t.Context())
	cancel()
	for range deltas { // drains, then ends when the store closes the channel
	}
	// Applying after a subscriber left must neither panic nor block, and the
	// others still hear about it.
	store.Apply(fixture.Node("n1", "one"))
	<-other
	if d := <-other; d.Version != 1 {
		t.Errorf("remaining subscriber got %+v, want version 1", d)
	}
}

func TestSubscribeWithEndedContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range model.NewStore().Subscribe(ctx) {
	}
}
