package model_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views/viewmodel"

	"github.com/netviz/netviz/collector/model"
)

func TestApply(t *testing.T) {
	tests := []struct {
		name         string
		batches      [][]model.Change
		wantNodes    []string
		wantAllocs   []string
		wantServices []string
		wantChanged  []string // Delta keys of the last batch
	}{
		{
			name:      "empty apply still makes a version",
			batches:   [][]model.Change{{}},
			wantNodes: []string{}, wantAllocs: []string{}, wantServices: []string{},
			wantChanged: []string{},
		},
		{
			name:      "upsert node and allocation",
			batches:   [][]model.Change{{fixture.Node("n1", "one"), fixture.Alloc("a1", "web").Upsert()}},
			wantNodes: []string{"n1"}, wantAllocs: []string{"a1"}, wantServices: []string{},
			wantChanged: []string{"alloc/a1", "node/n1"},
		},
		{
			name: "upsert replaces by ID",
			batches: [][]model.Change{
				{fixture.Alloc("a1", "web").Upsert()},
				{fixture.Alloc("a1", "api").Upsert()},
			},
			wantNodes: []string{}, wantAllocs: []string{"a1"}, wantServices: []string{},
			wantChanged: []string{"alloc/a1"},
		},
		{
			name: "delete allocation and node",
			batches: [][]model.Change{
				{fixture.Node("n1", "one"), fixture.Node("n2", "two"), fixture.Alloc("a1", "web").Upsert(), fixture.Alloc("a2", "web").Upsert()},
				{model.DeleteAllocation{ID: "a1"}, model.DeleteNode{ID: "n2"}},
			},
			wantNodes: []string{"n1"}, wantAllocs: []string{"a2"}, wantServices: []string{},
			wantChanged: []string{"alloc/a1", "node/n1", "node/n2"},
		},
		{
			name: "deleting what is not there changes nothing",
			batches: [][]model.Change{
				{model.DeleteAllocation{ID: "x"}, model.DeleteNode{ID: "x"}, model.DeleteService{Provider: "nomad", ID: "x"}},
			},
			wantNodes: []string{}, wantAllocs: []string{}, wantServices: []string{},
			wantChanged: []string{},
		},
		{
			name: "services keyed by provider and ID",
			batches: [][]model.Change{
				{fixture.UpsertService("nomad", "s1", "redis", "a1", ""), fixture.UpsertService("consul", "s1", "redis", "a1", "passing")},
				{fixture.UpsertService("nomad", "s1", "cache", "a1", "")},
			},
			wantNodes: []string{}, wantAllocs: []string{}, wantServices: []string{"nomad/s1", "consul/s1"},
			wantChanged: []string{"service/cache", "service/redis"},
		},
		{
			name: "delete service",
			batches: [][]model.Change{
				{fixture.UpsertService("nomad", "s1", "redis", "a1", ""), fixture.UpsertService("nomad", "s2", "redis", "a2", "")},
				{model.DeleteService{Provider: "nomad", ID: "s1"}},
			},
			wantNodes: []string{}, wantAllocs: []string{}, wantServices: []string{"nomad/s2"},
			wantChanged: []string{"service/redis"},
		},
		{
			name: "replace services of one provider leaves the other alone",
			batches: [][]model.Change{
				{fixture.UpsertService("consul", "c1", "redis", "a1", "passing"), fixture.UpsertService("consul", "c2", "web", "a2", "passing"),
					fixture.UpsertService("nomad", "n1", "redis", "a1", "")},
				{model.ReplaceServices{Provider: "consul", Services: []*model.Service{
					fixture.Service("consul", "c2", "web", "a2", "passing"), // unchanged
					fixture.Service("consul", "c3", "api", "a3", "critical"),
				}}},
			},
			wantNodes: []string{}, wantAllocs: []string{}, wantServices: []string{"consul/c3", "nomad/n1", "consul/c2"},
			wantChanged: []string{"service/api", "service/redis"},
		},
		{
			name: "reset nomad replaces nodes, allocations and nomad services",
			batches: [][]model.Change{
				{fixture.Node("n1", "one"), fixture.Node("n2", "two"), fixture.Alloc("a1", "web").Upsert(), fixture.Alloc("a2", "web").Node("n2").Upsert(),
					fixture.UpsertService("nomad", "s1", "redis", "a1", ""), fixture.UpsertService("consul", "c1", "redis", "a1", "passing")},
				{model.ResetNomad{
					Nodes:       []*model.Node{{ID: "n1", Name: "one", Datacenter: "dc1", Address: "10.0.0.1", Status: "ready"}},
					Allocations: []*model.Allocation{fixture.Alloc("a1", "web").Build(), fixture.Alloc("a3", "web").Build()},
					Services:    []*model.Service{fixture.Service("nomad", "s9", "cache", "a3", "")},
				}},
			},
			wantNodes: []string{"n1"}, wantAllocs: []string{"a1", "a3"}, wantServices: []string{"nomad/s9", "consul/c1"},
			// a1 and n1 are unchanged, so their keys are not reported.
			wantChanged: []string{"alloc/a2", "alloc/a3", "node/n1", "node/n2", "service/cache", "service/redis"},
		},
		{
			name:      "status and intentions have their own keys",
			batches:   [][]model.Change{{model.SetNomadStatus{Status: model.SourceStatus{State: model.StateConnected}}, model.ReplaceIntentions{}}},
			wantNodes: []string{}, wantAllocs: []string{}, wantServices: []string{},
			wantChanged: []string{model.KeyIntentions, model.KeyStatus},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := model.NewStore()
			ctx := t.Context()
			deltas := store.Subscribe(ctx)
			<-deltas // the initial Full delta
			var snap *model.Snapshot
			for _, b := range tt.batches {
				snap = store.Apply(b...)
			}
			if got := fixture.NodeIDs(snap.Nodes()); !slices.Equal(got, tt.wantNodes) {
				t.Errorf("nodes = %v, want %v", got, tt.wantNodes)
			}
			if got := fixture.AllocIDs(snap.Allocations()); !slices.Equal(got, tt.wantAllocs) {
				t.Errorf("allocations = %v, want %v", got, tt.wantAllocs)
			}
			if got := fixture.ServiceIDs(snap.Services()); !slices.Equal(got, tt.wantServices) {
				t.Errorf("services = %v, want %v", got, tt.wantServices)
			}
			var last model.Delta
			for range tt.batches {
				last = <-deltas
			}
			if last.Version != snap.Version() || last.Version != uint64(len(tt.batches)) {
				t.Errorf("delta version %d, snapshot version %d, want %d", last.Version, snap.Version(), len(tt.batches))
			}
			if !slices.Equal(last.Changed, tt.wantChanged) {
				t.Errorf("changed = %q, want %q", last.Changed, tt.wantChanged)
			}
			if store.Snapshot() != snap {
				t.Error("Snapshot() is not the snapshot Apply returned")
			}
		})
	}
}

func TestResetNomadDeltaIsFull(t *testing.T) {
	store := model.NewStore()
	deltas := store.Subscribe(t.Context())
	<-deltas
	store.Apply(model.ResetNomad{})
	if d := <-deltas; !d.Full {
		t.Errorf("delta after ResetNomad = %+v, want Full", d)
	}
}

// TestSnapshotsAreImmutable checks that every later Apply leaves the
// snapshots taken before it exactly as they were.
func TestSnapshotsAreImmutable(t *testing.T) {
	store := model.NewStore()
	s1 := store.Apply(fixture.Node("n1", "one"), fixture.Alloc("a1", "web").Port("http", "10.0.0.1", 8080, 0, true).Upsert(),
		fixture.UpsertService("nomad", "s1", "web", "a1", ""))
	want1, err := viewmodel.GraphJSON(s1)
	if err != nil {
		t.Fatal(err)
	}
	// Many writes, so every shard that s1 shares would be cloned or touched.
	for i := range 600 {
		id := "b" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		store.Apply(fixture.Alloc(id, "api").Node("n2").Upsert(), fixture.UpsertService("nomad", id, "api", id, ""))
	}
	store.Apply(fixture.Alloc("a1", "web").Node("n2").Upsert(), model.DeleteService{Provider: "nomad", ID: "s1"},
		model.DeleteNode{ID: "n1"}, model.ResetNomad{}, model.SetNomadStatus{Status: model.SourceStatus{State: model.StateDown}})
	got1, err := viewmodel.GraphJSON(s1)
	if err != nil {
		t.Fatal(err)
	}
	if string(got1) != string(want1) {
		t.Errorf("snapshot 1 changed after later Applies:\nbefore %s\nafter  %s", want1, got1)
	}
	if got := fixture.AllocIDs(s1.AllocationsOnNode("n1")); !slices.Equal(got, []string{"a1"}) {
		t.Errorf("old snapshot AllocationsOnNode(n1) = %v", got)
	}
	if n := len(store.Snapshot().Allocations()); n != 0 {
		t.Errorf("after ResetNomad{}, %d allocations remain", n)
	}
	if old, now := s1.Status().Nomad.State, store.Snapshot().Status().Nomad.State; old != "" || now != model.StateDown {
		t.Errorf("nomad state: old snapshot %q, latest %q; want \"\" and %q", old, now, model.StateDown)
	}
}

func TestApplyConcurrentVersionsMonotonic(t *testing.T) {
	store := model.NewStore()
	const writers, each = 4, 50
	var wg sync.WaitGroup
	versions := make(chan uint64, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := string(rune('a'+w)) + string(rune('a'+i%26)) + string(rune('a'+i/26))
				versions <- store.Apply(fixture.Alloc(id, "web").Upsert()).Version()
			}
		})
	}
	// A reader racing the writers sees only complete snapshots.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for store.Snapshot().Version() < writers*each {
			s := store.Snapshot()
			if n := len(s.Allocations()); uint64(n) != s.Version() {
				t.Errorf("snapshot %d holds %d allocations", s.Version(), n)
				return
			}
		}
	}()
	wg.Wait()
	<-done
	close(versions)
	seen := map[uint64]bool{}
	for v := range versions {
		if seen[v] {
			t.Fatalf("version %d returned twice", v)
		}
		seen[v] = true
	}
	if len(seen) != writers*each || store.Snapshot().Version() != writers*each {
		t.Errorf("got %d distinct versions, latest %d; want %d", len(seen), store.Snapshot().Version(), writers*each)
	}
}

// TestReconcileNeverWritesItsInput: a reading may hand the model instances
// it already holds (a catch-up keeps what did not change), which readers of
// older snapshots share; a reconcile must not write to them. One without
// its provider is stored as a copy that has it.
func TestReconcileNeverWritesItsInput(t *testing.T) {
	st := model.NewStore()
	bare := &model.Service{ID: "s1", Name: "web", Health: model.HealthPassing}
	st.Apply(model.ReconcileNomad{Services: []*model.Service{bare}})
	if bare.Provider != "" {
		t.Errorf("the reading's service was written to: provider %q", bare.Provider)
	}
	held := st.Snapshot().Services()
	if len(held) != 1 || held[0].Provider != model.ProviderNomad {
		t.Fatalf("the model holds %+v, want s1 as a Nomad service", held)
	}
	st.Apply(model.ReconcileNomad{Services: held})
	if got := st.Snapshot().Services(); len(got) != 1 || got[0] != held[0] {
		t.Errorf("reconciling with the model's own instance replaced it: %+v", got)
	}
}
