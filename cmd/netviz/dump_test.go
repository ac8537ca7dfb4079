package main

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// fakeCollector stands in for collector.Run: it applies a first read to the
// store, waits for the test to say go on (after the model is printed), then
// applies later changes and follows until cancelled.
type fakeCollector struct {
	store      *model.Store
	first      []model.Change
	later      [][]model.Change
	proceed    chan struct{}
	runs       atomic.Int32
	sawCancel  atomic.Bool
	returnedAt chan struct{}
}

func (f *fakeCollector) Run(ctx context.Context) error {
	f.runs.Add(1)
	defer close(f.returnedAt)
	f.store.Apply(model.SetConsulStatus{Status: model.SourceStatus{State: model.StateSyncing}})
	f.store.Apply(f.first...)
	select {
	case <-f.proceed:
	case <-ctx.Done():
		f.sawCancel.Store(true)
		return nil
	}
	for _, batch := range f.later {
		f.store.Apply(batch...)
	}
	<-ctx.Done()
	f.sawCancel.Store(true)
	return nil
}

func newFakeCollector(first []model.Change, later ...[]model.Change) *fakeCollector {
	return &fakeCollector{store: model.NewStore(), first: first, later: later,
		proceed: make(chan struct{}), returnedAt: make(chan struct{})}
}

func connected(addr string) model.SourceStatus {
	return model.SourceStatus{State: model.StateConnected, Address: addr}
}

func alloc(id string) *model.Allocation {
	return &model.Allocation{ID: id, JobID: "j", TaskGroup: "g", NodeID: "n1", ClientStatus: "running", DesiredStatus: "run"}
}

// TestDumpWatch: `dump --watch` reads once (the collector's own first
// read, no Sync before it), prints the model once, in its documented form,
// then one JSON line per change, each naming what changed.
func TestDumpWatch(t *testing.T) {
	fake := newFakeCollector(
		[]model.Change{
			model.ResetNomad{Nodes: []*model.Node{{ID: "n1", Name: "one"}}, Allocations: []*model.Allocation{alloc("a1")}},
			model.SetNomadStatus{Status: connected("http://nomad:4646")},
			model.SetConsulStatus{Status: connected("http://consul:8500")},
		},
		[]model.Change{model.UpsertAllocation{Alloc: alloc("a2")}},
		[]model.Change{model.SetConsulStatus{Status: model.SourceStatus{State: model.StateDown, Error: "gone"}}},
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- watchChanges(ctx, fake.Run, fake.store, w)
		w.Close()
	}()
	dec := json.NewDecoder(r)

	var graph struct {
		Version     uint64
		Status      model.Status
		Nodes       []model.Node
		Allocations []model.Allocation
	}
	if err := dec.Decode(&graph); err != nil {
		t.Fatalf("decode the model: %v", err)
	}
	if len(graph.Nodes) != 1 || len(graph.Allocations) != 1 || graph.Allocations[0].ID != "a1" ||
		graph.Status.Nomad.State != model.StateConnected || graph.Status.Consul.State != model.StateConnected {
		t.Errorf("model = %+v, want the first read: node n1, allocation a1, both sources connected", graph)
	}
	close(fake.proceed)

	var lines []change
	for range 2 {
		var c change
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("decode a change: %v", err)
		}
		lines = append(lines, c)
	}
	if c := lines[0]; c.Version != graph.Version+1 || c.Full || !strings.Contains(string(c.Changed["alloc/a2"]), `"id":"a2"`) {
		t.Errorf("first change = %+v, want alloc/a2 at version %d", c, graph.Version+1)
	}
	if c := lines[1]; c.Version != graph.Version+2 || !strings.Contains(string(c.Changed["status"]), `"error":"gone"`) {
		t.Errorf("second change = %+v, want the status with Consul's error", c)
	}
	for _, c := range lines {
		if len(c.Changed) == 0 {
			t.Errorf("a change line names nothing: %+v", c)
		}
	}

	cancel()
	if _, err := io.Copy(io.Discard, r); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("watchChanges = %v, want nil after cancel", err)
	}
	if n := fake.runs.Load(); n != 1 {
		t.Errorf("the collector ran %d times, want once", n)
	}
}

// TestDumpWatchNomadUnreadable: like a plain dump, --watch fails when the
// first read cannot reach Nomad, and stops the collector.
func TestDumpWatchNomadUnreadable(t *testing.T) {
	fake := newFakeCollector([]model.Change{
		model.SetNomadStatus{Status: model.SourceStatus{State: model.StateDown, Address: "http://nomad:4646", Error: "connection refused"}},
		model.SetConsulStatus{Status: connected("http://consul:8500")},
	})
	var out strings.Builder
	err := watchChanges(context.Background(), fake.Run, fake.store, &out)
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("watchChanges = %v, want Nomad's error", err)
	}
	if out.Len() != 0 {
		t.Errorf("printed %q before failing", out.String())
	}
	select {
	case <-fake.returnedAt:
	case <-time.After(5 * time.Second):
		t.Fatal("the collector still runs")
	}
	if !fake.sawCancel.Load() {
		t.Error("the collector was not cancelled")
	}
}
