package nomad

import (
	"net/http"
	"slices"
	"sync"
	"testing"
)

// fakeBroker makes the fake Nomad's event stream behave like Nomad 1.6's
// event broker, for unit tests (docs/nomad-behaviour.md, "Resuming"): it
// keeps the last size published frames, one per raft index, whatever their
// topics (event_buffer_size counts those, not events); a stream asking for
// index i starts at the buffered frame at i, or the first after it, and
// when i has left the buffer, silently at the oldest frame still buffered;
// every frame published later goes to every open stream, holding only the
// events of the stream's topics (a frame with none is not sent).
type fakeBroker struct {
	f    *fakeNomad
	size int

	mu     sync.Mutex
	frames [][]event
	subs   map[*fakeStream]bool
	// afterList runs once after the next allocation list was served.
	afterList func()
}

// useBroker turns the fake's event stream into a fakeBroker of size frames.
func (f *fakeNomad) useBroker(size int) *fakeBroker {
	b := &fakeBroker{f: f, size: size, subs: map[*fakeStream]bool{}}
	f.mu.Lock()
	f.broker = b
	f.mu.Unlock()
	return b
}

// publish buffers one frame of events (one raft index) and sends it to the
// open streams that follow any of its topics.
func (b *fakeBroker) publish(t testing.TB, events ...event) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.frames = append(b.frames, events)
	if len(b.frames) > b.size {
		b.frames = slices.Delete(b.frames, 0, len(b.frames)-b.size)
	}
	for st := range b.subs {
		if data := b.encode(t, st, events); data != nil {
			b.deliver(st, streamMsg{data: data, written: make(chan struct{})})
		}
	}
}

// filler publishes n frames of a topic netviz does not follow (as forced
// evaluations do): they fill the buffer and reach no stream of netviz's.
func (b *fakeBroker) filler(t testing.TB, n int) {
	t.Helper()
	for range n {
		b.f.mu.Lock()
		idx := b.f.bump()
		b.f.mu.Unlock()
		b.publish(t, event{Topic: "Evaluation", Type: "EvaluationUpdated", Key: "eval", Index: idx})
	}
}

// dropAll ends every open stream as Nomad ends a subscriber that fell
// behind: its plain text "event dropped from buffer", then the end.
func (b *fakeBroker) dropAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for st := range b.subs {
		b.deliver(st, streamMsg{data: []byte(droppedText), end: true, written: make(chan struct{})})
		delete(b.subs, st)
	}
}

// deliver hands m to a stream's handler, unless the stream has ended.
// b.mu is held.
func (b *fakeBroker) deliver(st *fakeStream, m streamMsg) {
	select {
	case st.msgs <- m:
		<-m.written
	case <-st.ended:
		delete(b.subs, st)
	}
}

// encode is the frame of events a stream sees: only its topics' events, or
// nil when none is left.
func (b *fakeBroker) encode(t testing.TB, st *fakeStream, events []event) []byte {
	var keep []event
	for _, ev := range events {
		if slices.Contains(st.Topics, ev.Topic) {
			keep = append(keep, ev)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	data, _ := b.f.frame(t, keep...)
	return data
}

// attach writes what a new stream gets from the buffer (from the frame at
// or after its index, from the oldest when its index has left the buffer)
// and subscribes it to later frames, as one step.
func (b *fakeBroker) attach(st *fakeStream, w http.ResponseWriter) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// An index past the newest starts at the newest, as in Nomad.
	start := max(len(b.frames)-1, 0)
	for i, fr := range b.frames {
		if frameIndex(fr) >= st.Index {
			start = i
			break
		}
	}
	for _, fr := range b.frames[start:] {
		if data := b.encode(b.f.t, st, fr); data != nil {
			_, _ = w.Write(data)
		}
	}
	w.(http.Flusher).Flush()
	b.subs[st] = true
}

// frameIndex is a buffered frame's raft index.
func frameIndex(events []event) uint64 {
	var idx uint64
	for _, ev := range events {
		idx = max(idx, ev.Index)
	}
	return idx
}

// served runs the hook armed for after the allocation list, once. f.mu is
// not held.
func (f *fakeNomad) served(path string) {
	f.mu.Lock()
	b := f.broker
	f.mu.Unlock()
	if b == nil || path != "/v1/allocations" {
		return
	}
	b.mu.Lock()
	hook := b.afterList
	b.afterList = nil
	b.mu.Unlock()
	if hook != nil {
		hook()
	}
}
