package nomad

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/netviz/netviz/collector/model"
)

// syncedFake is a fake Nomad seeded as seedCluster does and a source that
// has synced it once, not running: tests call catchUp themselves.
func syncedFake(t *testing.T) (*fakeNomad, *Source, *model.Store) {
	t.Helper()
	noLeaks(t)
	f := newFakeNomad(t)
	seedCluster(f, 0)
	s, store := newFakeSource(t, f)
	if _, _, err := s.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.resetCalls()
	return f, s, store
}

// servicePaths lists the single service reads answered, sorted.
func servicePaths(f *fakeNomad) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		if strings.HasPrefix(c.Path, "/v1/service/") {
			out = append(out, c.Path)
		}
	}
	slices.Sort(out)
	return out
}

// TestQuietCatchUpReadsNoAllocationNorService: a catch-up after a drop that
// lost nothing asks Nomad for one allocation, sees the allocation table at
// the write the model holds, and reads no allocation list and no service.
func TestQuietCatchUpReadsNoAllocationNorService(t *testing.T) {
	f, s, store := syncedFake(t)
	moved := fakeAlloc("a1", "n1", "web", 0, 21001, "")
	moved.DesiredStatus = "stop"
	// The stream's last frames before the drop: the model holds the last
	// write to both tables.
	f.applyEvents(t, s, f.putAlloc(moved))
	f.applyEvents(t, s, f.putService(fakeService("s1", "web-http", "a1", "n1", 21001)))
	f.resetCalls()
	before := nomadSide(t, store.Snapshot())
	if _, _, err := s.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if calls := f.callsTo("/v1/allocations"); len(calls) != 1 || !isProbe(calls[0]) {
		t.Errorf("allocation reads %v, want the one-allocation probe alone", calls)
	}
	if got := servicePaths(f); len(got) != 0 {
		t.Errorf("service reads %v, want none", got)
	}
	if got := nomadSide(t, store.Snapshot()); got != before {
		t.Errorf("a catch-up with nothing new changed the model:\n got %s\nwant %s", got, before)
	}
}

// TestProbeFollowsTheAllocationTable: the model holds the allocation
// table's last write as of each frame with an allocation event; a write it
// missed, a garbage collection (no event) or a Nomad that restarted
// without its state (a lower index) make the next catch-up list the
// allocations. A list's own index proves nothing alone (Nomad may count a
// write in it that the list lacks); a list holding a live allocation
// written at its index is proven whole (listedWhole), and the next
// catch-up on an unchanged table lists nothing.
func TestProbeFollowsTheAllocationTable(t *testing.T) {
	f, s, _ := syncedFake(t)
	catchUp := func(step string, wantProbe, wantList bool) {
		t.Helper()
		f.resetCalls()
		if _, _, err := s.catchUp(context.Background()); err != nil {
			t.Fatal(err)
		}
		calls := f.callsTo("/v1/allocations")
		probed := len(calls) > 0 && isProbe(calls[0])
		listed := slices.ContainsFunc(calls, func(c fakeCall) bool { return liveList(c, false) })
		if probed != wantProbe || listed != wantList {
			t.Errorf("%s: allocation reads %v, want probe %v, list %v", step, calls, wantProbe, wantList)
		}
	}
	catchUp("after the sync, its list proven whole (a live allocation written at its index)", true, false)
	f.applyEvents(t, s, f.putAlloc(fakeAlloc("a4", "n1", "web", 0, 21004, "")))
	catchUp("after a streamed allocation event", true, false)
	f.putAlloc(fakeAlloc("a5", "n1", "web", 0, 21005, ""))
	catchUp("after an allocation write the stream lost", true, true)
	catchUp("right after that catch-up, its list proven whole", true, false)
	f.applyEvents(t, s, f.stopAlloc("a5"))
	catchUp("after the next streamed allocation event", true, false)
	f.putAlloc(fakeAlloc("a6", "n1", "web", 0, 21006, ""))
	f.applyEvents(t, s, f.putNode(fakeNode("n3", "10.0.0.3"))) // a later frame without allocations
	catchUp("after a lost write and a later frame of another topic", true, true)
	f.applyEvents(t, s, f.stopAlloc("a6"))
	f.gcAlloc("a6")
	catchUp("after a garbage collection", true, true)
	catchUp("right after, the list not proven whole (no live allocation written at its index)", true, true)
	f.stopAlloc("a4")
	catchUp("after a lost stop", true, true)
	catchUp("right after, the list not proven whole (the last write stopped an allocation)", true, true)
	f.applyEvents(t, s, f.putAlloc(fakeAlloc("a7", "n1", "web", 0, 21007, "")))
	f.mu.Lock()
	f.allocsIndex = 5
	f.mu.Unlock()
	catchUp("after Nomad restarted without its state", true, true)
}

// isProbe reports whether c is the one-allocation read for the table's index.
func isProbe(c fakeCall) bool { return c.Query.Get("per_page") == "1" && !c.Query.Has("filter") }

// TestCatchUpReadsOnlyWhatChanged: a new allocation is read with its
// resources and a changed one keeps the placement the model holds. The
// registration table moved since the sync, so every service name is read.
func TestCatchUpReadsOnlyWhatChanged(t *testing.T) {
	f, s, store := syncedFake(t)
	f.putJob(fakeJob("db", 0, 0))
	f.putAlloc(fakeAlloc("a4", "n1", "db", 0, 21004, ""))
	f.putService(fakeService("s4", "db-http", "a4", "n1", 21004))
	moved := fakeAlloc("a3", "n2", "api", 0, 21003, "")
	moved.DesiredStatus = "stop"
	f.putAlloc(moved)
	if _, _, err := s.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	calls := f.callsTo("/v1/allocations")
	// The sync's list was proven whole: the probe finds the table moved.
	if len(calls) != 3 || !isProbe(calls[0]) || !liveList(calls[1], false) || !liveList(calls[2], true) || calls[2].Served > 64 {
		t.Fatalf("allocation reads %v, want the probe, the live list, then one page of the newest with resources", calls)
	}
	if got, want := servicePaths(f), []string{"/v1/service/api-http", "/v1/service/db-http", "/v1/service/web-http"}; !slices.Equal(got, want) {
		t.Errorf("service reads %v, want %v", got, want)
	}
	snap := store.Snapshot()
	if a := snap.Allocation("a3"); a == nil || a.DesiredStatus != "stop" || len(a.Ports) != 1 || a.Ports[0].Value != 21003 {
		t.Errorf("a3 = %+v, want desired stop with its port", a)
	}
	if got, want := nomadSide(t, snap), freshSync(t, f); got != want {
		t.Errorf("after the catch-up the model differs from a fresh sync:\n got %s\nwant %s", got, want)
	}
}

// TestServicesReadWhenTheirTableMoved: with the last registration write
// held from the stream, a catch-up reads no service; a write the stream
// lost (here a tag change of one instance, its allocation untouched, as a
// task registering after its allocation's last change) moves the table
// and every name is read again; a name no longer listed loses its
// instances.
func TestServicesReadWhenTheirTableMoved(t *testing.T) {
	f, s, store := syncedFake(t)
	catchUp := func() []string {
		t.Helper()
		f.resetCalls()
		if _, _, err := s.catchUp(context.Background()); err != nil {
			t.Fatal(err)
		}
		return servicePaths(f)
	}
	f.applyEvents(t, s, f.putService(fakeService("s1", "web-http", "a1", "n1", 21001)))
	if got := catchUp(); len(got) != 0 {
		t.Errorf("with the last write held: service reads %v, want none", got)
	}
	tagged := fakeService("s1", "web-http", "a1", "n1", 21001)
	tagged.Tags = []string{"canary"}
	f.putService(tagged)
	f.deleteService("s3")
	if got, want := catchUp(), []string{"/v1/service/web-http"}; !slices.Equal(got, want) {
		t.Errorf("after lost writes: service reads %v, want every listed name %v", got, want)
	}
	if got, want := nomadSide(t, store.Snapshot()), freshSync(t, f); got != want {
		t.Errorf("after the catch-up the model differs from a fresh sync:\n got %s\nwant %s", got, want)
	}
	if got := catchUp(); len(got) != 0 {
		t.Errorf("right after, nothing written since a read proven whole: service reads %v, want none", got)
	}
}

// TestServiceReadProvenWholeOnlyWhenQuiet: a write landing while the names
// are read leaves the read unproven, so the next catch-up reads every name
// again, though no Service frame came.
func TestServiceReadProvenWholeOnlyWhenQuiet(t *testing.T) {
	f, s, store := syncedFake(t)
	f.putService(fakeService("s4", "web-http", "a2", "n2", 21004)) // lost with a drop
	held := f.gate("/v1/service/")
	done := make(chan error, 1)
	go func() { _, _, err := s.catchUp(context.Background()); done <- err }()
	held.wait(t)
	f.putService(fakeService("s5", "web-http", "a1", "n1", 21005)) // while the names are read
	f.open(held)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	f.resetCalls()
	if _, _, err := s.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := servicePaths(f); len(got) == 0 {
		t.Errorf("after a read a write overlapped: service reads %v, want every name", got)
	}
	expectFreshRead(t, f, store)
}

// TestProvedWhole: the second list must answer the first's index and name
// nothing the first missed.
func TestProvedWhole(t *testing.T) {
	_, s, _ := syncedFake(t)
	var lists []apiServiceList
	idx, err := s.api.get(context.Background(), "/v1/services", "", &lists)
	if err != nil {
		t.Fatal(err)
	}
	if !s.provedWhole(context.Background(), lists, idx) {
		t.Error("same index, same names: not proven whole")
	}
	if s.provedWhole(context.Background(), lists, idx-1) {
		t.Error("the table moved since the first list: proven whole")
	}
	missing := slices.Clone(lists)
	missing[0].Services = missing[0].Services[1:]
	if s.provedWhole(context.Background(), missing, idx) {
		t.Error("a name the first list missed: proven whole")
	}
}

// TestReadPlacedPages: the newest allocations take one page; an old one
// (anti-entropy asks for it) takes larger pages until it is found; one
// stopped since the live list ends the reading once a page reaches past it.
func TestReadPlacedPages(t *testing.T) {
	f, s, _ := syncedFake(t)
	f.putJob(fakeJob("many", 0, 0))
	for i := range 300 {
		f.putAlloc(fakeAlloc(fmt.Sprintf("m%03d", i), "n1", "many", 0, 30000+i, ""))
	}
	createIndex := func(id string) uint64 {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.allocs[id].CreateIndex
	}
	perPages := func() []string {
		var out []string
		for _, c := range f.callsTo("/v1/allocations") {
			out = append(out, c.Query.Get("per_page"))
		}
		return out
	}
	read := func(ids ...string) []string {
		t.Helper()
		f.resetCalls()
		want := map[string]uint64{}
		for _, id := range ids {
			want[id] = createIndex(id)
		}
		_, got, err := s.readPlaced(context.Background(), want)
		if err != nil {
			t.Fatal(err)
		}
		var found []string
		for _, a := range got {
			if a.AllocatedResources == nil {
				t.Errorf("%s was read without its resources", a.ID)
			}
			found = append(found, a.ID)
		}
		slices.Sort(found)
		return found
	}

	if got := read("m299", "m298"); !slices.Equal(got, []string{"m298", "m299"}) || !slices.Equal(perPages(), []string{"64"}) {
		t.Errorf("newest two: found %v with pages %v, want both in one page of 64", got, perPages())
	}
	if got := read("m299", "a1"); !slices.Equal(got, []string{"a1", "m299"}) || !slices.Equal(perPages(), []string{"64", "256", "1024"}) {
		t.Errorf("the oldest: found %v with pages %v, want it in the whole list (pages 64, 256, 1024)", got, perPages())
	}
	ci := createIndex("m100")
	f.stopAlloc("m100")
	f.mu.Lock()
	f.allocs["m100"].CreateIndex = ci
	f.mu.Unlock()
	if got := read("m299", "m100"); !slices.Equal(got, []string{"m299"}) || !slices.Equal(perPages(), []string{"64", "256"}) {
		t.Errorf("one stopped meanwhile: found %v with pages %v, want the other, ending at the page past it (64, 256)", got, perPages())
	}
}
