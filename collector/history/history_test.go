package history

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
)

var t0 = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

// step applies changes and returns what history derives from the delta.
func step(t *testing.T, s *model.Store, changes ...model.Change) ([]Entry, []AllocChange, []Object) {
	t.Helper()
	before := s.Snapshot()
	after := s.Apply(changes...)
	keys := allKeys(before, after)
	e, a := Diff(before, after, keys, false, t0)
	return e, a, Changed(before, after, keys, false)
}

func web(id string, ver uint64, port int) *model.Allocation {
	a := fixture.Alloc(id, "web").Node("n1").NodeName("node-1").Group("g").Bridge("172.26.64."+id[len(id)-1:]).
		Port("http", "10.0.0.1", port, 8080, false).
		Spec(fixture.MeshSpec("web", "http", fixture.Upstream("redis", 6379))).Build()
	a.JobVersion = ver
	return a
}

func TestDiffEntries(t *testing.T) {
	s := model.NewStore()
	s.Apply(fixture.ClientNode("n1", "node-1", "10.0.0.1"))

	_, allocs, objs := step(t, s, model.UpsertAllocation{Alloc: web("a1", 1, 23001)},
		fixture.UpsertService("nomad", "s1", "web", "a1", model.HealthPassing),
		model.ReplaceIntentions{Intentions: []model.Intention{{Source: "web", Destination: "redis", Action: model.ActionAllow}}})
	if len(allocs) != 1 || allocs[0].Before != nil || allocs[0].After.ID != "a1" {
		t.Fatalf("alloc changes = %+v", allocs)
	}
	if len(objs) != 3 { // the allocation, the service, the intentions; the node is unchanged
		t.Errorf("objects: %+v", objs)
	}

	entries, _, _ := step(t, s, model.SetServiceHealth{Provider: "nomad", ID: "s1", Health: model.HealthCritical},
		model.ReplaceIntentions{Intentions: []model.Intention{{Source: "web", Destination: "redis", Action: model.ActionDeny}}})
	kinds := map[Kind]string{}
	for _, e := range entries {
		kinds[e.Kind] = e.Summary
	}
	if !strings.Contains(kinds[KindHealth], "passing → critical") {
		t.Errorf("health entry = %q (entries %+v)", kinds[KindHealth], entries)
	}
	if !strings.Contains(kinds[KindIntentionMod], "web → redis changed: allow → deny") {
		t.Errorf("intention entry = %q", kinds[KindIntentionMod])
	}

	entries, _, _ = step(t, s, model.DeleteService{Provider: "nomad", ID: "s1"}, model.DeleteNode{ID: "n1"}, model.ReplaceIntentions{})
	got := map[Kind]bool{}
	for _, e := range entries {
		got[e.Kind] = true
	}
	for _, k := range []Kind{KindServiceDown, KindNodeLeft, KindIntentionDel} {
		if !got[k] {
			t.Errorf("no %s entry in %+v", k, entries)
		}
	}
}

func TestGrouperBurst(t *testing.T) {
	g := NewGrouper()
	for i := range 100 {
		id := fmt.Sprintf("old%03d", i)
		g.Add(AllocChange{Time: t0.Add(time.Duration(i) * 10 * time.Millisecond), Before: web(id, 3, 20000+i)})
		nid := fmt.Sprintf("new%03d", i)
		n := web(nid, 4, 21000+i)
		n.Services[0].Connect.Upstreams = append(n.Services[0].Connect.Upstreams, fixture.Upstream("db", 5432))
		g.Add(AllocChange{Time: t0.Add(time.Duration(i) * 10 * time.Millisecond), After: n})
	}
	if es := g.Flush(t0.Add(2*time.Second), false); len(es) != 0 {
		t.Fatalf("flushed during the burst: %+v", es)
	}
	es := g.Flush(t0.Add(time.Minute), false)
	if len(es) != 2 {
		t.Fatalf("entries = %+v", es)
	}
	if es[0].Kind != KindAllocsChanged || es[0].Summary != "job web: 100 allocations replaced, version 3 → version 4" || es[0].Count != 200 || !es[0].Time.Equal(t0) {
		t.Errorf("grouped = %+v", es[0])
	}
	if es[1].Kind != KindUpstreamAdded || es[1].Service != "db" {
		t.Errorf("upstream = %+v", es[1])
	}
	if g.Pending() {
		t.Error("still pending after flush")
	}
}

func TestGrouperSingle(t *testing.T) {
	g := NewGrouper()
	g.Add(AllocChange{Time: t0, After: web("a1", 1, 23001)})
	b := web("a2", 1, 23002)
	a := web("a2", 1, 23009)
	g.Add(AllocChange{Time: t0, Before: b, After: a})
	es := g.Flush(t0, true)
	if len(es) != 2 || es[0].Kind != KindAllocPlaced || es[1].Kind != KindPortChanged {
		t.Fatalf("entries = %+v", es)
	}
	if !strings.Contains(es[0].Summary, "10.0.0.1:23001→8080") || es[0].NodeName != "node-1" {
		t.Errorf("placed = %+v", es[0])
	}
}

// TestReplay: a checkpoint plus the changed objects of every later delta
// rebuild the model exactly.
func TestReplay(t *testing.T) {
	s := model.NewStore()
	syn := fixture.Generate(fixture.SyntheticConfig{Nodes: 3, Allocations: 60, Seed: 7})
	base := s.Apply(syn.Changes()...)
	st := NewState(base.Objects())
	prev := base
	for k := range 30 {
		var c model.Change = syn.Update(k)
		if k%7 == 0 {
			c = model.DeleteAllocation{ID: syn.Allocations[k].ID}
		}
		next := s.Apply(c, model.SetNomadStatus{Status: model.SourceStatus{State: model.StateConnected, Index: uint64(k)}})
		st.Apply(Changed(prev, next, allKeys(prev, next), false))
		prev = next
	}
	got, want := NewState(st.Snapshot(prev.Version()).Objects()).Objects(), NewState(prev.Objects()).Objects()
	want.Status = recordedStatus(want.Status)
	if !reflect.DeepEqual(got, want) {
		for _, f := range []struct {
			name string
			a, b any
		}{{"nodes", got.Nodes, want.Nodes}, {"allocs", got.Allocations, want.Allocations}, {"services", got.Services, want.Services},
			{"intentions", got.Intentions, want.Intentions}, {"status", got.Status, want.Status}} {
			if !reflect.DeepEqual(f.a, f.b) {
				t.Errorf("rebuilt %s differ:\n%+v\n%+v", f.name, f.a, f.b)
			}
		}
	}
}

func TestParseTime(t *testing.T) {
	for in, want := range map[string]time.Time{
		"-15m":                      t0.Add(-15 * time.Minute),
		"1h30m":                     t0.Add(-90 * time.Minute),
		"now":                       t0,
		"2026-11-29T09:00:00Z":      t0.Add(-time.Hour),
		"2026-11-29T10:00:00+01:00": t0.Add(-time.Hour),
	} {
		got, err := ParseTime(in, t0)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "yesterday", "--5m"} {
		if _, err := ParseTime(bad, t0); err == nil {
			t.Errorf("ParseTime(%q) accepted", bad)
		}
	}
}

// TestParseWindow: the timeline's bounds and kinds as the page and the CLI
// read them; a bad bound says which one it is and keeps ParseTime's words.
func TestParseWindow(t *testing.T) {
	from, to, err := ParseWindow("-15m", "", t0)
	if err != nil || !from.Equal(t0.Add(-15*time.Minute)) || !to.IsZero() {
		t.Errorf("open window = %v, %v, %v", from, to, err)
	}
	if from, to, err = ParseWindow("1h", "now", t0); err != nil || !from.Equal(t0.Add(-time.Hour)) || !to.Equal(t0) {
		t.Errorf("closed window = %v, %v, %v", from, to, err)
	}
	for _, c := range []struct{ since, until, bound, bad string }{
		{"yesterday", "", "since", "yesterday"},
		{"1h", "later", "until", "later"},
	} {
		_, _, err := ParseWindow(c.since, c.until, t0)
		_, want := ParseTime(c.bad, t0)
		var we *WindowError
		if !errors.As(err, &we) || we.Bound != c.bound || err.Error() != want.Error() {
			t.Errorf("bad %s: %v", c.bound, err)
		}
	}
	if got := ParseKinds(" alloc-placed, ,alloc-stopped,"); !slices.Equal(got, []Kind{"alloc-placed", "alloc-stopped"}) {
		t.Errorf("ParseKinds = %v", got)
	}
	if got := ParseKinds(""); got != nil {
		t.Errorf("ParseKinds(\"\") = %v", got)
	}
}

// TestKeys: a partial delta names its own keys; a full one every key of
// either model, so Diff and Changed read the same whether given the full
// flag or the keys Keys worked out.
func TestKeys(t *testing.T) {
	s := model.NewStore()
	before := s.Snapshot()
	after := s.Apply(fixture.Cluster()...)
	if got := Keys(before, after, []string{"alloc/x"}, false); !slices.Equal(got, []string{"alloc/x"}) {
		t.Errorf("partial = %v", got)
	}
	keys := Keys(before, after, nil, true)
	if !slices.Contains(keys, model.KeyIntentions) || !slices.Contains(keys, model.AllocKey(fixture.AllocIngress2)) {
		t.Errorf("full = %v", keys)
	}
	e1, a1 := Diff(before, after, nil, true, t0)
	e2, a2 := Diff(before, after, keys, false, t0)
	if !reflect.DeepEqual(e1, e2) || !reflect.DeepEqual(a1, a2) {
		t.Error("Diff differs between full and its keys")
	}
	if !reflect.DeepEqual(Changed(before, after, nil, true), Changed(before, after, keys, false)) {
		t.Error("Changed differs between full and its keys")
	}
}

// TestGrouperTimes: a stop is dated when the allocation went, not when the
// burst began; a namespace address filled in late is no change.
func TestGrouperTimes(t *testing.T) {
	g := NewGrouper()
	a := web("a1", 1, 23001)
	a.Network.IP = ""
	running := *a
	running.ClientStatus = "running"
	g.Add(AllocChange{Time: t0, Before: a, After: &running})
	filled := running
	filled.Network.IP = "172.26.64.1"
	g.Add(AllocChange{Time: t0.Add(time.Second), Before: &running, After: &filled})
	if es := g.Flush(t0.Add(time.Minute), true); len(es) != 0 {
		t.Errorf("entries for a status change and an address filled in: %+v", es)
	}
	g.Add(AllocChange{Time: t0, Before: a, After: &running})
	g.Add(AllocChange{Time: t0.Add(2 * time.Second), Before: &running})
	es := g.Flush(t0.Add(time.Minute), true)
	if len(es) != 1 || es[0].Kind != KindAllocStopped || !es[0].Time.Equal(t0.Add(2*time.Second)) {
		t.Errorf("stop = %+v", es)
	}
}

// TestGrouperOperations: a job run, scaled, updated and stopped in quick
// succession (as the real-cluster test does) gives one entry per operation,
// not one burst that nets out to nothing.
func TestGrouperOperations(t *testing.T) {
	g := NewGrouper()
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	first := web("a0", 0, 20000)
	g.Add(AllocChange{Time: at(0), After: first})
	v1 := *first
	v1.JobVersion = 1
	g.Add(AllocChange{Time: at(2), Before: first, After: &v1})
	var gen1, gen2 []*model.Allocation
	for i := range 4 {
		a := web(fmt.Sprintf("b%d", i), 1, 20010+i)
		gen1 = append(gen1, a)
		g.Add(AllocChange{Time: at(2), After: a})
	}
	gen1 = append(gen1, &v1)
	for i := range 5 {
		a := web(fmt.Sprintf("c%d", i), 2, 20020+i)
		gen2 = append(gen2, a)
		g.Add(AllocChange{Time: at(4), After: a})
	}
	for _, a := range gen1 {
		g.Add(AllocChange{Time: at(5), Before: a})
	}
	for _, a := range gen2 {
		g.Add(AllocChange{Time: at(7), Before: a})
	}
	var got []string
	for _, e := range g.Flush(at(8), true) {
		got = append(got, e.Time.Sub(t0).String()+" "+e.Summary)
	}
	want := []string{
		"0s allocation web.g[0] placed: on node-1 at 172.26.64.0, ports http 10.0.0.1:20000→8080",
		"2s job web: 4 allocations placed, 1 allocation updated in place, version 0 → version 1",
		"4s job web: 5 allocations replaced, version 1 → version 2",
		"7s job web: 5 allocations stopped",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestQueryAlloc(t *testing.T) {
	single := Entry{Kind: KindAllocPlaced, Alloc: "abc123"}
	grouped := Entry{Kind: KindAllocsChanged, Allocs: []string{"def456", "abc999"}}
	for _, c := range []struct {
		q    string
		e    Entry
		want bool
	}{{"abc1", single, true}, {"def", single, false}, {"abc9", grouped, true}, {"zzz", grouped, false}, {"", grouped, true}} {
		if got := (Query{Alloc: c.q}).Match(c.e); got != c.want {
			t.Errorf("Query{Alloc: %q}.Match(%+v) = %v", c.q, c.e, got)
		}
	}
}
