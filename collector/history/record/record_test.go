package record

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/history"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
)

// synced marks a store's sources as read, as the collector does after its
// first sync; history records from then on.
func syncedStatus() []model.Change {
	return []model.Change{
		model.SetNomadStatus{Status: model.SourceStatus{State: model.StateConnected}},
		model.SetConsulStatus{Status: model.SourceStatus{State: model.StateAbsent}},
	}
}

// running starts a recorder on store in dir and returns it with its stop function.
func running(t *testing.T, store *model.Store, dir string) (*Recorder, func()) {
	t.Helper()
	r := New(store, Options{Dir: dir, GroupQuiet: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { _ = r.Run(ctx) })
	stop := sync.OnceFunc(func() { cancel(); wg.Wait() })
	t.Cleanup(stop)
	return r, stop
}

// waitFor polls cond (the writer commits in the background).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func entriesOf(t *testing.T, r interface {
	Timeline(context.Context, history.Query) ([]history.Entry, error)
}, q history.Query) []history.Entry {
	t.Helper()
	es, err := r.Timeline(t.Context(), q)
	if err != nil {
		return nil
	}
	return es
}

func hasKind(es []history.Entry, k history.Kind, sub string) bool {
	for _, e := range es {
		if e.Kind == k && (e.Alloc == sub || strings.Contains(e.Summary, sub)) {
			return true
		}
	}
	return false
}

func alloc(id, job string, port int) *model.Allocation {
	return fixture.Alloc(id, job).Node("n1").NodeName("node-1").Group("g").Bridge("172.26.64.9").
		Port("http", "10.0.0.1", port, 8080, false).Build()
}

// TestRecordRestartAt records changes, rebuilds the model at times between
// them, restarts on the same directory after a change it did not see, and
// finds that change marked as seen late.
func TestRecordRestartAt(t *testing.T) {
	dir := t.TempDir()
	store := model.NewStore()
	store.Apply(append(syncedStatus(), fixture.ClientNode("n1", "node-1", "10.0.0.1"), model.UpsertAllocation{Alloc: alloc("a1", "web", 23001)})...)
	r, stop := running(t, store, dir)
	waitFor(t, "history started", func() bool { return hasKind(entriesOf(t, r, history.Query{}), history.KindHistory, "started") })

	before := time.Now()
	store.Apply(model.UpsertAllocation{Alloc: alloc("a2", "web", 23002)})
	afterPlace := time.Now()
	store.Apply(model.DeleteAllocation{ID: "a1"})
	waitFor(t, "placed and stopped entries", func() bool {
		es := entriesOf(t, r, history.Query{Job: "web"})
		return hasKind(es, history.KindAllocPlaced, "a2") && hasKind(es, history.KindAllocStopped, "a1")
	})
	for _, c := range []struct {
		at   time.Time
		want []string
	}{{before, []string{"a1"}}, {afterPlace, []string{"a1", "a2"}}, {time.Now(), []string{"a2"}}} {
		snap, err := r.At(t.Context(), c.at)
		if err != nil {
			t.Fatal(err)
		}
		if got := fixture.AllocIDs(snap.Allocations()); strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("At(%s) allocations = %v, want %v", c.at.Format(time.StampMicro), got, c.want)
		}
	}
	stop()

	// netviz is not watching: a3 is placed. A new process reads the cluster.
	store2 := model.NewStore()
	store2.Apply(append(syncedStatus(), fixture.ClientNode("n1", "node-1", "10.0.0.1"),
		model.UpsertAllocation{Alloc: alloc("a2", "web", 23002)}, model.UpsertAllocation{Alloc: alloc("a3", "web", 23003)})...)
	r2, _ := running(t, store2, dir)
	waitFor(t, "the unwatched change", func() bool {
		for _, e := range entriesOf(t, r2, history.Query{Kinds: []history.Kind{history.KindAllocPlaced}}) {
			if e.Alloc == "a3" && e.Unwatched {
				return true
			}
		}
		return false
	})
	// What the first process recorded is still there.
	if !hasKind(entriesOf(t, r2, history.Query{}), history.KindAllocStopped, "a1") {
		t.Error("history from before the restart is gone")
	}
	if got := r2.Status(); got.State != model.StateConnected || store2.Snapshot().Status().History.State != model.StateConnected {
		t.Errorf("status = %+v", got)
	}
}

// TestCorruptStore: a database cut short (a process killed while the disk
// lost its tail) turns history off with the reason; the model goes on.
func TestCorruptStore(t *testing.T) {
	dir := t.TempDir()
	store := model.NewStore()
	store.Apply(syncedStatus()...)
	r, stop := running(t, store, dir)
	waitFor(t, "history started", func() bool { return len(entriesOf(t, r, history.Query{})) == 1 })
	for i := range 200 {
		store.Apply(model.UpsertAllocation{Alloc: alloc(strings.Repeat("x", 30)+string(rune('a'+i%26))+string(rune('a'+i/26)), "web", 20000+i)})
	}
	waitFor(t, "allocations recorded", func() bool { return len(entriesOf(t, r, history.Query{})) > 1 })
	stop()
	path := filepath.Join(dir, FileName)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	store2 := model.NewStore()
	store2.Apply(syncedStatus()...)
	r2, _ := running(t, store2, dir)
	waitFor(t, "history unavailable", func() bool { return store2.Snapshot().Status().History.State == model.StateDown })
	if st := r2.Status(); !strings.Contains(st.Error, "history unavailable") || st.Since.IsZero() {
		t.Errorf("status = %+v", st)
	}
	if _, err := r2.At(t.Context(), time.Now()); err == nil {
		t.Error("At answered from a corrupt store")
	}
	store2.Apply(model.UpsertAllocation{Alloc: alloc("live", "web", 1)})
	if store2.Snapshot().Allocation("live") == nil {
		t.Error("the live model stopped")
	}
}

// TestUnwritableDir: a data directory netviz may not write.
func TestUnwritableDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Log("root ignores permissions: using a path under a regular file instead")
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	store := model.NewStore()
	store.Apply(syncedStatus()...)
	r, _ := running(t, store, filepath.Join(file, "netviz"))
	waitFor(t, "history unavailable", func() bool { return r.Status().State == model.StateDown })
	if !strings.Contains(r.Status().Error, "data dir") {
		t.Errorf("status = %+v", r.Status())
	}
}

// TestRetention: history older than the retention goes, but the model at
// the oldest kept time can still be rebuilt.
func TestRetention(t *testing.T) {
	ctx := t.Context()
	d, err := openDB(ctx, t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	store := model.NewStore()
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for day := range 10 {
		at := base.Add(time.Duration(day) * 24 * time.Hour)
		snap := store.Apply(model.UpsertAllocation{Alloc: alloc("a"+string(rune('0'+day)), "web", 20000+day)})
		b := &batch{entries: []history.Entry{{Time: at, Kind: history.KindAllocPlaced, Job: "web", Summary: "day"}},
			changes: []change{{t: at, version: snap.Version(), objects: []history.Object{{Key: "alloc/a" + string(rune('0'+day)), Alloc: snap.Allocation("a" + string(rune('0'+day)))}}}}}
		if day%3 == 0 {
			b.checkpoint, b.checkpointAt = snap, at
		}
		if err := d.write(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	cutoff := base.Add(5*24*time.Hour + time.Hour)
	if err := d.retain(ctx, cutoff, DefaultMaxSize); err != nil {
		t.Fatal(err)
	}
	es, _ := d.timeline(ctx, history.Query{})
	if len(es) != 4 {
		t.Errorf("entries kept = %d, want 4", len(es))
	}
	snap, err := d.at(ctx, cutoff)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(snap.Allocations()); n != 6 {
		t.Errorf("At(cutoff) holds %d allocations, want 6", n)
	}
}

// TestConcurrentAt: rebuilds share the cached checkpoint; run under -race.
func TestConcurrentAt(t *testing.T) {
	ctx := t.Context()
	d, err := openDB(ctx, t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	store := model.NewStore()
	syn := fixture.Generate(fixture.SyntheticConfig{Nodes: 3, Allocations: 50, Seed: 3})
	base := store.Apply(syn.Changes()...)
	t0 := time.Now()
	if err := d.write(ctx, &batch{checkpoint: base, checkpointAt: t0}); err != nil {
		t.Fatal(err)
	}
	next := store.Apply(syn.Update(1))
	objs := history.Changed(base, next, []string{model.AllocKey(syn.Allocations[1].ID)}, false)
	if err := d.write(ctx, &batch{changes: []change{{t: t0.Add(time.Second), version: next.Version(), objects: objs}}}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			at := t0.Add(time.Duration(i%2) * 2 * time.Second)
			snap, err := d.at(ctx, at)
			if err != nil || len(snap.Allocations()) != len(syn.Allocations) || len(snap.Edges()) == 0 {
				t.Errorf("At: %v", err)
			}
		})
	}
	wg.Wait()
}

// TestNoDataDir: without a data directory history is unavailable, saying
// how to give one, and nothing is written in the working directory.
func TestNoDataDir(t *testing.T) {
	t.Chdir(t.TempDir())
	store := model.NewStore()
	store.Apply(syncedStatus()...)
	r, _ := running(t, store, "")
	waitFor(t, "history unavailable", func() bool { return r.Status().State == model.StateDown })
	if !strings.Contains(r.Status().Error, "--data-dir") {
		t.Errorf("status = %+v", r.Status())
	}
	if es, _ := os.ReadDir("."); len(es) != 0 {
		t.Errorf("wrote %v in the working directory", es)
	}
}
