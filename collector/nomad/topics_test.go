package nomad

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// TestForbiddenTopicProbed: a 403 on the stream makes the source ask each
// topic alone, record the refused one in Status().Topics and follow the
// rest; the record survives later catch-ups, and the source is connected.
func TestForbiddenTopicProbed(t *testing.T) {
	noLeaks(t)
	f := newFakeNomad(t)
	seedCluster(f, 0)
	f.forbid("Job")
	s, store := newFakeSource(t, f, WithStaleAfter(2*time.Second), WithAntiEntropy(0))
	runSource(t, s)

	rest := []string{"Node", "Allocation", "Service"}
	st := f.nextStream(t, rest...)
	status := waitState(t, s, model.StateConnected)
	if msg := status.Topics["Job"]; !strings.Contains(msg, "event stream") || !strings.Contains(msg, "403") {
		t.Errorf("Topics[Job] = %q, want the stream's 403", msg)
	}
	if len(status.Topics) != 1 {
		t.Errorf("Topics = %v, want Job alone", status.Topics)
	}
	var probed []string
	for _, c := range f.callsTo("/v1/event/stream") {
		if topics := c.Query["topic"]; len(topics) == 1 {
			probed = append(probed, topics[0])
		}
	}
	slices.Sort(probed)
	if want := []string{"Allocation", "Job", "Node", "Service"}; !slices.Equal(probed, want) {
		t.Errorf("topics probed alone: %v, want %v", probed, want)
	}

	idx := st.send(t, f.putAlloc(fakeAlloc("a4", "n1", "web", 0, 21004, "")))
	waitFor(t, "a frame on the permitted topics", func() bool { return store.Snapshot().Allocation("a4") != nil })
	if got := s.Status(); got.State != model.StateConnected || got.Index != idx || got.Topics["Job"] == "" {
		t.Errorf("after a frame the status is %+v", got)
	}

	// A catch-up keeps the refused topic, and the stream still leaves it out.
	before := s.Status().CatchUps
	st.drop(t)
	f.nextStream(t, rest...)
	waitFor(t, "the catch-up after the drop", func() bool { return s.Status().CatchUps == before+1 })
	if got := waitState(t, s, model.StateConnected); got.Topics["Job"] == "" {
		t.Errorf("after a catch-up the status is %+v, want Job still refused", got)
	}
	if got := store.Snapshot().Status().Nomad.Topics["Job"]; got == "" {
		t.Error("the model's status lost the refused topic")
	}
}
