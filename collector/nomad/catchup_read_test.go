package nomad

import (
	"context"
	"fmt"
	"maps"
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
	f.applyEvents(t, s, f.putAlloc(moved)) // the stream's last frame before the drop
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
// allocations. A list's own index proves nothing (Nomad may count a write
// in it that the list lacks): until a frame brings an allocation event,
// every catch-up lists.
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
	catchUp("after the sync, before any frame", false, true)
	f.applyEvents(t, s, f.putAlloc(fakeAlloc("a4", "n1", "web", 0, 21004, "")))
	catchUp("after a streamed allocation event", true, false)
	f.putAlloc(fakeAlloc("a5", "n1", "web", 0, 21005, ""))
	catchUp("after an allocation write the stream lost", true, true)
	catchUp("right after that catch-up, no frame since", true, true)
	f.applyEvents(t, s, f.stopAlloc("a5"))
	catchUp("after the next streamed allocation event", true, false)
	f.putAlloc(fakeAlloc("a6", "n1", "web", 0, 21006, ""))
	f.applyEvents(t, s, f.putNode(fakeNode("n3", "10.0.0.3"))) // a later frame without allocations
	catchUp("after a lost write and a later frame of another topic", true, true)
	f.applyEvents(t, s, f.stopAlloc("a6"))
	f.gcAlloc("a6")
	catchUp("after a garbage collection", true, true)
	f.applyEvents(t, s, f.stopAlloc("a4"))
	f.mu.Lock()
	f.allocsIndex = 5
	f.mu.Unlock()
	catchUp("after Nomad restarted without its state", true, true)
}

// isProbe reports whether c is the one-allocation read for the table's index.
func isProbe(c fakeCall) bool { return c.Query.Get("per_page") == "1" && !c.Query.Has("filter") }

// TestCatchUpReadsOnlyWhatChanged: a new allocation is read with its
// resources, a changed one keeps the placement the model holds, and only
// the service names they touch are read again.
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
	// No frame since the sync: no index to probe for.
	if len(calls) != 2 || !liveList(calls[0], false) || !liveList(calls[1], true) || calls[1].Served > 64 {
		t.Fatalf("allocation reads %v, want the live list, then one page of the newest with resources", calls)
	}
	// db-http is new; api-http belongs to the changed a3; web-http is
	// untouched and kept as read before.
	if got, want := servicePaths(f), []string{"/v1/service/api-http", "/v1/service/db-http"}; !slices.Equal(got, want) {
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

// TestCatchUpSeesTagsAndNamesChange: a name whose tags changed is read
// again though no allocation moved; a name no longer listed loses its
// instances without a read.
func TestCatchUpSeesTagsAndNamesChange(t *testing.T) {
	f, s, store := syncedFake(t)
	tagged := fakeService("s1", "web-http", "a1", "n1", 21001)
	tagged.Tags = []string{"canary"}
	f.putService(tagged)
	f.deleteService("s3")
	if _, _, err := s.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := servicePaths(f), []string{"/v1/service/web-http"}; !slices.Equal(got, want) {
		t.Errorf("service reads %v, want %v", got, want)
	}
	if got, want := nomadSide(t, store.Snapshot()), freshSync(t, f); got != want {
		t.Errorf("after the catch-up the model differs from a fresh sync:\n got %s\nwant %s", got, want)
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

// TestRereadServices covers each reason to read a name again.
func TestRereadServices(t *testing.T) {
	store := model.NewStore()
	web := &model.Allocation{ID: "a1", Namespace: "default", JobID: "web", ClientStatus: "running"}
	api := &model.Allocation{ID: "a2", Namespace: "default", JobID: "api", ClientStatus: "running"}
	svc := func(id, name, alloc string, tags ...string) *model.Service {
		return &model.Service{ID: id, Name: name, Provider: model.ProviderNomad, Namespace: "default", AllocID: alloc, Tags: tags, Health: model.HealthPassing}
	}
	store.Apply(model.ResetNomad{
		Allocations: []*model.Allocation{web, api},
		Services:    []*model.Service{svc("s1", "web", "a1", "v1"), svc("s2", "api", "a2"), svc("s3", "gone", "a2")},
	})
	prev := store.Snapshot()
	list := func(tags map[string][]string) []apiServiceList {
		l := apiServiceList{Namespace: "default"}
		for _, name := range slices.Sorted(maps.Keys(tags)) {
			l.Services = append(l.Services, apiServiceStub{ServiceName: name, Tags: tags[name]})
		}
		return []apiServiceList{l}
	}
	declares := func(name string) []*model.Allocation {
		return []*model.Allocation{{ID: "a9", Namespace: "default", Services: []model.ServiceSpec{{Name: name, Provider: model.ProviderNomad}}}}
	}
	for _, tc := range []struct {
		name    string
		listed  map[string][]string
		touched map[string]bool
		fresh   []*model.Allocation
		forced  map[string]bool
		allocs  []*model.Allocation
		want    []string
	}{
		{"nothing changed", map[string][]string{"web": {"v1"}, "api": nil}, nil, nil, nil, nil, nil},
		{"a new name", map[string][]string{"web": {"v1"}, "api": nil, "db": nil}, nil, nil, nil, nil, []string{"db"}},
		{"tags changed", map[string][]string{"web": {"v1", "v2"}, "api": nil}, nil, nil, nil, nil, []string{"web"}},
		{"an instance's allocation touched", map[string][]string{"web": {"v1"}, "api": nil}, map[string]bool{"a2": true}, nil, nil, nil, []string{"api"}},
		{"declared by a fresh allocation", map[string][]string{"web": {"v1"}, "api": nil}, nil, declares("web"), nil, nil, []string{"web"}},
		{"an interpolated name", map[string][]string{"web": {"v1"}, "api": nil}, nil, declares("${NOMAD_JOB_NAME}"), nil, nil, []string{"api", "web"}},
		{"forced by anti-entropy", map[string][]string{"web": {"v1"}, "api": nil}, nil, nil, map[string]bool{"api": true}, nil, []string{"api"}},
		{"a running allocation declares more than it has", map[string][]string{"web": {"v1"}, "api": nil}, nil, nil, nil,
			[]*model.Allocation{{ID: "a1", Namespace: "default", ClientStatus: "running", Services: []model.ServiceSpec{
				{Name: "web", Provider: model.ProviderNomad}, {Name: "api", Provider: model.ProviderNomad}}}},
			[]string{"api", "web"}},
		{"a running allocation has all it declares", map[string][]string{"web": {"v1"}, "api": nil}, nil, nil, nil,
			[]*model.Allocation{{ID: "a1", Namespace: "default", ClientStatus: "running", Services: []model.ServiceSpec{
				{Name: "web", Provider: model.ProviderNomad}, {Name: "web-consul", Provider: model.ProviderConsul}}}},
			nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reread, kept := rereadServices(prev, list(tc.listed), tc.touched, tc.fresh, tc.allocs, tc.forced)
			var got []string
			for k := range reread {
				got = append(got, k[len("default\x00"):])
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("reread %v, want %v", got, tc.want)
			}
			// Every listed name not read again keeps its instances; "gone",
			// no longer listed, keeps none.
			var keptIDs []string
			for _, svc := range kept {
				keptIDs = append(keptIDs, svc.Name)
			}
			slices.Sort(keptIDs)
			var wantKept []string
			for name := range tc.listed {
				if !slices.Contains(tc.want, name) && name != "db" {
					wantKept = append(wantKept, name)
				}
			}
			slices.Sort(wantKept)
			if !slices.Equal(keptIDs, wantKept) {
				t.Errorf("kept instances of %v, want %v", keptIDs, wantKept)
			}
		})
	}
}
