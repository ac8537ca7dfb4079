package nomad

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// TestDropThenCatchUp: Nomad dropping the subscriber ("event dropped from
// buffer", plain text, then the end of the response) shows as catching-up in
// Nomad's words, never down; the catch-up reads the allocation list once,
// unfiltered (Nomad 1.6 refuses "ModifyIndex >= N", as the fake does),
// deletes those gone, adds the new ones, and leaves the model equal to a
// fresh sync; the stream it follows was opened before the catch-up's read.
func TestDropThenCatchUp(t *testing.T) {
	f, s, store, st := runFake(t, WithStaleAfter(2*time.Second))
	if n := len(store.Snapshot().Allocations()); n != 3 {
		t.Fatalf("after the sync the model holds %d allocations, want 3", n)
	}
	if calls := f.callsTo("/v1/allocations"); len(calls) != 1 || !liveList(calls[0], true) || calls[0].Query.Has("per_page") {
		t.Fatalf("the first sync read allocations with %v, want one list of the live ones with resources", calls)
	}

	// A burst: some events arrive…
	moved := fakeAlloc("a1", "n1", "web", 0, 22001, "")
	idx := st.send(t, f.putAlloc(moved))
	waitFor(t, "the streamed update of a1", func() bool {
		a := store.Snapshot().Allocation("a1")
		return a != nil && a.ModifyIndex == idx
	})
	// …and these never do: the subscriber fell behind.
	// a2 is asked to stop: a change the list without resources shows (its
	// ports are its placement's, which Nomad never changes).
	stopping := fakeAlloc("a2", "n2", "web", 0, 21002, "")
	stopping.DesiredStatus = "stop"
	f.putAlloc(stopping)
	f.stopAlloc("a3")
	f.gcAlloc("a3")
	f.putAlloc(fakeAlloc("a4", "n1", "web", 0, 21004, ""))
	f.putAlloc(fakeAlloc("a5", "n1", "web", 0, 21005, ""))
	f.stopAlloc("a5")
	f.deleteService("s3")
	f.putService(fakeService("s4", "web-http", "a4", "n1", 21004))
	f.putNode(fakeNode("n3", "10.0.0.3"))

	gate := f.gate("/v1/allocations") // hold the catch-up to look at the status
	f.resetCalls()
	st.drop(t)

	// The next stream opens before the catch-up reads, so nothing can happen
	// between the read and the stream; it asks past every buffered item, so
	// Nomad replays no backlog the read already holds.
	next := f.nextStream(t, eventTopics...)
	if next.Index != fromNewest {
		t.Errorf("the next stream asked for index %d, want %d (past the newest buffered item; the last applied was %d)", next.Index, uint64(fromNewest), idx)
	}
	gate.wait(t)
	f.mu.Lock()
	first := f.calls[0]
	f.mu.Unlock()
	if first.Path != "/v1/event/stream" {
		t.Errorf("after the drop the source asked for %v first, want the event stream", first)
	}
	status := s.Status()
	if status.State != model.StateCatchingUp {
		t.Fatalf("after Nomad dropped the stream the status is %+v, want catching-up", status)
	}
	if !strings.Contains(status.Reason, "event dropped from buffer") || status.Error != "" {
		t.Errorf("catching-up reason %q (error %q), want Nomad's words and no error", status.Reason, status.Error)
	}
	if status.DropBurst < 1 {
		t.Errorf("DropBurst = %d, want the events of the last minute", status.DropBurst)
	}
	if got := store.Snapshot().Status().Nomad.State; got != model.StateCatchingUp {
		t.Errorf("the model's status is %s, want catching-up", got)
	}
	f.open(gate)

	status = waitState(t, s, model.StateConnected)
	if status.CatchUps != 1 || status.Reason != "" {
		t.Errorf("after the catch-up the status is %+v, want connected with one catch-up and no reason", status)
	}

	// The catch-up found the allocation table moved, listed the live
	// allocations without resources, then
	// read the newest with theirs, newest first, up to the one placed
	// since the model's reading (a4): one page.
	calls := f.callsTo("/v1/allocations")
	if len(calls) != 3 || !isProbe(calls[0]) || !liveList(calls[1], false) || !liveList(calls[2], true) ||
		calls[2].Query.Get("reverse") != "true" || calls[2].Query.Get("per_page") == "" {
		t.Fatalf("catch-up allocation reads %v, want the probe of the table's index, the live list without resources, then one page of the newest with them", calls)
	}

	snap := store.Snapshot()
	if snap.Allocation("a3") != nil || snap.Allocation("a5") != nil {
		t.Error("allocations gone from Nomad are still in the model")
	}
	if a := snap.Allocation("a4"); a == nil || len(a.Tasks) != 1 {
		t.Errorf("new allocation a4 = %+v, want it with its job's task", a)
	}
	if a := snap.Allocation("a2"); a == nil || a.DesiredStatus != "stop" || len(a.Ports) != 1 || a.Ports[0].Value != 21002 {
		t.Errorf("changed allocation a2 = %+v, want desired stop with its port 21002", a)
	}
	if got, want := nomadSide(t, snap), freshSync(t, f); got != want {
		t.Errorf("after the catch-up the model differs from a fresh sync:\n got %s\nwant %s", got, want)
	}

	// The stream goes on.
	idx = next.send(t, f.putAlloc(fakeAlloc("a6", "n3", "api", 0, 21006, "")))
	waitFor(t, "an event after the catch-up", func() bool { return store.Snapshot().Allocation("a6") != nil })
	if st := s.Status(); st.State != model.StateConnected || st.Index != idx {
		t.Errorf("status after the next frame = %+v, want connected at %d", st, idx)
	}
}

// TestDropAfterFramesIsRecognised: Nomad's text follows the newline of the
// frame before it; it is still Nomad saying it dropped the subscriber.
func TestDropAfterFramesIsRecognised(t *testing.T) {
	for _, in := range []string{
		droppedText,
		"{}\n" + droppedText,
		`{"Index":3,"Events":[]}` + "\n" + droppedText + "\n",
		"{}\n\n  " + droppedText,
	} {
		err := decodeFrames(strings.NewReader(in), func() {}, func(*eventFrame) error { return nil })
		if !isDropped(err) || !strings.Contains(err.Error(), droppedText) {
			t.Errorf("%q: decodeFrames = %v, want Nomad's %q", in, err, droppedText)
		}
	}
	err := decodeFrames(strings.NewReader("{}\n{\"Index\":"), func() {}, func(*eventFrame) error { return nil })
	if isDropped(err) {
		t.Errorf("a truncated frame is taken for a drop: %v", err)
	}
}

// TestStreamEndedByNomadDoesNotWaitForWatchdog: when Nomad ends the stream
// (a drop, a restart), stream returns at once with why, without waiting for
// the watchdog and without calling the source stale.
func TestStreamEndedByNomadDoesNotWaitForWatchdog(t *testing.T) {
	noLeaks(t)
	f := newFakeNomad(t)
	seedCluster(f, 0)
	s, _ := newFakeSource(t, f, WithStaleAfter(time.Minute), WithAntiEntropy(0))
	index, _, err := s.Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		index uint64
		err   error
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	done := make(chan result, 1)
	go func() {
		sub, err := s.subscribe(ctx, index)
		if err != nil {
			done <- result{index, err}
			return
		}
		i, _, err := s.follow(ctx, sub, index, 0, nil)
		done <- result{i, err}
	}()
	st := f.nextStream(t)
	idx := st.send(t, f.putAlloc(fakeAlloc("a4", "n1", "web", 0, 21004, "")))
	st.drop(t)
	select {
	case r := <-done:
		if !isDropped(r.err) || r.index != idx {
			t.Errorf("stream returned (%d, %v), want (%d, Nomad's drop)", r.index, r.err, idx)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("stream did not return after Nomad ended it (it waits for the stale watchdog)")
	}
	if got := s.Status().State; got != model.StateConnected {
		t.Errorf("status %s after the stream ended, want connected until the caller says otherwise", got)
	}
}

// liveList reports whether c lists the live allocations (liveAllocFilter),
// without task states, with or without their resources.
func liveList(c fakeCall, resources bool) bool {
	return c.Query.Get("filter") == liveAllocFilter() && c.Query.Get("task_states") == "false" &&
		c.Query.Get("resources") == strconv.FormatBool(resources)
}
