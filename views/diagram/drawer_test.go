package diagram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views/viewmodel"
)

// These tests hold the Graphviz slot themselves to make a layout late, the
// way a long layout of another picture would.

// newTestDrawer is a Drawer closed when the test ends, after busy's
// release (cleanups run last first).
func newTestDrawer(t *testing.T, size int, opts ...Option) *Drawer {
	d := NewDrawer(size, opts...)
	t.Cleanup(func() { d.Close() })
	return d
}

// busy holds the Graphviz slot until the returned func is called or the
// test ends.
func busy(t *testing.T) (release func()) {
	t.Helper()
	if err := acquire(t.Context()); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() { once.Do(func() { <-gvSlot }) }
	t.Cleanup(release)
	return release
}

// jobs is a snapshot of a fresh store holding fixture.Jobs, and a way to
// apply more changes to the same store.
func jobs(nodes, jobs, perJob int) (*model.Snapshot, *model.Store) {
	st := model.NewStore()
	return st.Apply(fixture.Jobs(nodes, jobs, perJob)...), st
}

// TestDeadlineFallback: with Graphviz busy past the deadline, the topology
// is drawn without it (job/group cards, saying why), at once; the layout
// goes on, WithLate hears when it is done, and the next render gets it.
func TestDeadlineFallback(t *testing.T) {
	late := make(chan Late, 1)
	d := newTestDrawer(t, 4, WithDeadline(50*time.Millisecond), WithLate(func(l Late) { late <- l }))
	snap, _ := jobs(2, 3, 2)
	release := busy(t)

	start := time.Now()
	l, err := d.TopologyLayout(t.Context(), snap, viewmodel.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited > time.Second {
		t.Errorf("the render waited %v past its 50ms deadline", waited)
	}
	if !l.Aggregated || len(l.Groups) != 3 || len(l.Hosts) != 0 || !strings.Contains(l.Notice, "connections not drawn: its layout took longer than") {
		t.Fatalf("fallback: aggregated %v, %d groups, %d hosts, notice %q", l.Aggregated, len(l.Groups), len(l.Hosts), l.Notice)
	}
	var svg bytes.Buffer
	if err := d.Topology(snap, viewmodel.Filter{}).Render(t.Context(), &svg); err != nil || !strings.Contains(svg.String(), "connections not drawn") {
		t.Errorf("the fallback SVG does not say so (err %v)", err)
	}

	release()
	select {
	case got := <-late:
		if got.View != "topology" || got.Version != snap.Version() {
			t.Errorf("late layout %+v", got)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the late layout never finished")
	}
	l, err = d.TopologyLayout(t.Context(), snap, viewmodel.Filter{})
	if err != nil || l.Aggregated || len(l.Hosts) != 2 || l.Notice != "" {
		t.Fatalf("after the late layout: err %v, aggregated %v, %d hosts, notice %q", err, l.Aggregated, len(l.Hosts), l.Notice)
	}
}

// TestDeadlinePreviousPicture: a late layout of a newer snapshot shows the
// picture of the older one, with a banner saying which version it is. The
// deadline here is the render's context's.
func TestDeadlinePreviousPicture(t *testing.T) {
	d := newTestDrawer(t, 4, WithDeadline(0))
	old, st := jobs(2, 3, 2)
	first, err := d.TopologyLayout(t.Context(), old, viewmodel.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	next := st.Apply(fixture.Alloc("late1", "late").Node("node00").Upsert())
	busy(t)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	l, err := d.TopologyLayout(ctx, next, viewmodel.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("Showing version %d: version %d is not drawn yet", old.Version(), next.Version())
	if !strings.HasPrefix(l.Banner, want) || len(l.Namespaces) != len(first.Namespaces) {
		t.Fatalf("banner %q (want %q…), %d namespaces (the old picture has %d)", l.Banner, want, len(l.Namespaces), len(first.Namespaces))
	}
	if first.Banner != "" {
		t.Error("the banner leaked into the cached picture")
	}
	ctx, cancel = context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	var svg bytes.Buffer
	if err := d.Topology(next, viewmodel.Filter{}).Render(ctx, &svg); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(svg.String(), `data-testid="diagram-banner"`) || !strings.Contains(svg.String(), "translate(0,26)") {
		t.Error("the banner is not drawn above the picture")
	}
	// The namespace view has no picture without Graphviz: it says so.
	ctx, cancel = context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := d.NamespaceLayout(ctx, next, "late1"); !errors.Is(err, ErrLate) {
		t.Errorf("namespace view with Graphviz busy: err %v, want ErrLate", err)
	}
}

// TestRenderContextCancelled: a viewer who leaves gets an error, not a
// picture, and the layout goes on for the others.
func TestRenderContextCancelled(t *testing.T) {
	d := newTestDrawer(t, 4, WithDeadline(0))
	snap, _ := jobs(1, 1, 1)
	release := busy(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := d.TopologyLayout(ctx, snap, viewmodel.Filter{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
	release()
	if _, err := d.TopologyLayout(t.Context(), snap, viewmodel.Filter{}); err != nil {
		t.Error(err)
	}
}

// TestPendingBounded: with Graphviz busy, no more than maxPending layouts
// wait for it, whatever the number of views asked for; the others get the
// fallback at once.
func TestPendingBounded(t *testing.T) {
	d := newTestDrawer(t, 0, WithDeadline(10*time.Millisecond))
	snap, _ := jobs(2, 3, 2)
	release := busy(t)
	for i := range 3 * maxPending {
		l, err := d.TopologyLayout(t.Context(), snap, viewmodel.Filter{Text: fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
		if !l.Aggregated && len(l.Hosts) > 0 {
			t.Fatalf("view %d laid out while Graphviz was busy", i)
		}
	}
	d.mu.Lock()
	pending := len(d.calls)
	d.mu.Unlock()
	if pending > maxPending {
		t.Errorf("%d layouts pending, want at most %d", pending, maxPending)
	}
	release()
}

// TestMaxBoxes: past the box cap the topology is the scale view, and says
// why.
func TestMaxBoxes(t *testing.T) {
	d := newTestDrawer(t, 0, WithMaxBoxes(10))
	snap, _ := jobs(2, 3, 2) // 6 allocations: 18 boxes one by one
	l, err := d.TopologyLayout(t.Context(), snap, viewmodel.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if !l.Aggregated || !strings.Contains(l.Notice, "18 boxes one by one, more than 10") {
		t.Errorf("aggregated %v, notice %q", l.Aggregated, l.Notice)
	}
}

// TestDrawersInParallel draws from two Drawers at once (run with -race):
// Graphviz is one WebAssembly module per process, so the slot must be
// shared by every Drawer.
func TestDrawersInParallel(t *testing.T) {
	a, b := NewDrawer(0), NewDrawer(0)
	defer a.Close()
	defer b.Close()
	snap, _ := jobs(3, 5, 4)
	var wg sync.WaitGroup
	for i := range 8 {
		d := a
		if i%2 == 1 {
			d = b
		}
		wg.Go(func() {
			if _, err := d.TopologyLayout(context.Background(), snap, viewmodel.Filter{Text: fmt.Sprint(i % 3)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// chain is n jobs, each looking up the next one's service: deeper than the
// scale view's graph is wide, so its layers must share columns.
func chain(n int) []model.Change {
	changes := []model.Change{fixture.ClientNode("node1", "client-1", "10.0.0.1")}
	for j := range n {
		a := fixture.Alloc(fmt.Sprintf("c%d", j), fmt.Sprintf("link%d", j)).Node("node1").
			Task("main", []string{"http"}, fixture.NomadQuery(fmt.Sprintf("link%d", j+1))).
			Port("http", "10.0.0.1", 20000+j, 0, false).Svc(fmt.Sprintf("link%d", j), model.ProviderNomad, "http")
		changes = append(changes, a.Upsert(), fixture.Instance(a.Build(), model.ProviderNomad, fmt.Sprintf("link%d", j), "http", 20000+j).Upsert())
	}
	return changes
}

// scaleDOT is the DOT of a snapshot's scale view.
func scaleDOT(changes []model.Change) string {
	b := newBuilder(fixture.Snapshot(changes...))
	b.maxBoxes = 1
	b.topology(viewmodel.Filter{})
	return b.finish()
}

// TestScaleNoFlatEdges: no arrow of the scale view joins two boxes of one
// column. Such flat edges in rank=same ranks made this build of Graphviz
// corrupt its WebAssembly memory after twenty-odd layouts of
// fixture.Generate's 1,000 allocations, failing every later picture of the
// process; a chain deeper than the graph is wide is where they would
// appear.
func TestScaleNoFlatEdges(t *testing.T) {
	rank := regexp.MustCompile(`\{ rank=same; ([^}]*)\}`)
	edge := regexp.MustCompile(`(?m)^\s*(n\d+) -> (n\d+) \[id=`)
	for name, changes := range map[string][]model.Change{
		"chain of 12": chain(12),
		"generate 1k": fixture.Generate(fixture.SyntheticConfig{Nodes: 10, Allocations: 1_000, Seed: 1}).Changes(),
		"generate 3k": fixture.Generate(fixture.SyntheticConfig{Nodes: 30, Allocations: 3_000, Seed: 2}).Changes(),
	} {
		dot := scaleDOT(changes)
		col := map[string]int{}
		for c, m := range rank.FindAllStringSubmatch(dot, -1) {
			for _, n := range strings.Split(m[1], ";") {
				col[strings.TrimSpace(n)] = c
			}
		}
		if len(col) < 3 {
			t.Fatalf("%s: %d boxes in columns", name, len(col))
		}
		arrows := 0
		for _, m := range edge.FindAllStringSubmatch(dot, -1) {
			arrows++
			if col[m[1]] == col[m[2]] {
				t.Errorf("%s: arrow %s -> %s within a column", name, m[1], m[2])
			}
		}
		if arrows == 0 {
			t.Errorf("%s: no arrows", name)
		}
	}
}

// TestScaleLayoutsRepeat lays the scale views out again and again on one
// Graphviz, as a server does: every layout must succeed.
func TestScaleLayoutsRepeat(t *testing.T) {
	dots := []string{
		scaleDOT(chain(12)),
		scaleDOT(fixture.Generate(fixture.SyntheticConfig{Nodes: 10, Allocations: 1_000, Seed: 1}).Changes()),
		scaleDOT(fixture.Jobs(10, 25, 10)),
	}
	e, err := newEngine(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for i := range 40 {
		if _, err := e.layoutJSON(t.Context(), dots[i%len(dots)]); err != nil {
			t.Fatalf("layout %d: %v", i, err)
		}
	}
}
