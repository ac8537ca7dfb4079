package diagram_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views/diagram"
	"github.com/netviz/netviz/views/viewmodel"
)

// TestGeometry checks the layout's nesting: namespaces inside hosts, tasks,
// proxies and pins inside namespaces, pins on the namespace's left edge,
// ticks on their ruler, everything inside the picture.
func TestGeometry(t *testing.T) {
	ctx := context.Background()
	for name, snap := range map[string]*model.Snapshot{
		"same-group": sameGroup(), "connect": connect(model.ActionAllow),
		"ingress": ingress(), "scale-200": synthetic(10, 20, 10),
	} {
		t.Run(name, func(t *testing.T) {
			l, err := drawer.TopologyLayout(ctx, snap, viewmodel.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			page := diagram.Rect{X: 0, Y: l.Top, W: l.Width, H: l.Height - l.Top}
			inAny := func(r diagram.Rect, boxes []diagram.Rect) bool {
				for _, b := range boxes {
					if b.Contains(r) {
						return true
					}
				}
				return false
			}
			var hosts, nss []diagram.Rect
			for _, h := range l.Hosts {
				hosts = append(hosts, h.Rect)
				if !page.Contains(h.Rect) {
					t.Errorf("host %s %v outside the page %v", h.NodeID, h.Rect, page)
				}
				for _, tk := range h.Ruler.Ticks {
					if tk.X < h.Ruler.X || tk.X > h.Ruler.X+h.Ruler.W {
						t.Errorf("tick %d at %v off its ruler %v", tk.Port, tk.X, h.Ruler.Rect)
					}
				}
				if !h.Rect.Contains(h.Ruler.Rect) {
					t.Errorf("ruler %v outside host %v", h.Ruler.Rect, h.Rect)
				}
			}
			for _, n := range l.Namespaces {
				nss = append(nss, n.Rect)
				if !inAny(n.Rect, hosts) {
					t.Errorf("namespace %s %v in no host", n.TestID, n.Rect)
				}
				for _, h := range l.Hosts {
					if h.Rect.Contains(n.Rect) && n.Rect.Y+n.Rect.H > h.Ruler.Y {
						t.Errorf("namespace %s overlaps its host's ruler", n.TestID)
					}
				}
			}
			for _, tk := range l.Tasks {
				if !inAny(tk.Rect, nss) {
					t.Errorf("task %s %v in no namespace", tk.TestID, tk.Rect)
				}
			}
			// A proxy sits inside its namespace or astride its edge: its
			// middle column is inside.
			for _, p := range l.Proxies {
				mid := diagram.Rect{X: p.X + p.W/2, Y: p.Y, W: 0, H: p.H}
				if !inAny(mid, nss) {
					t.Errorf("proxy %s %v neither in nor on a namespace", p.TestID, p.Rect)
				}
			}
			for _, p := range l.Pins {
				if p.OnProxy {
					if p.PinX != p.X {
						t.Errorf("pin %s at x=%v is not on its proxy's edge %v", p.TestID, p.PinX, p.X)
					}
					continue
				}
				if !inAny(p.Rect, nss) {
					t.Errorf("pin %s %v in no namespace", p.TestID, p.Rect)
				}
				onEdge := false
				for _, n := range l.Namespaces {
					if n.Rect.Contains(p.Rect) && p.PinX == n.X {
						onEdge = true
					}
				}
				if !onEdge {
					t.Errorf("pin %s at x=%v is not on its namespace's edge", p.TestID, p.PinX)
				}
			}
			if len(l.Arrows) == 0 {
				t.Error("no arrows")
			}
		})
	}
}

func TestFilter(t *testing.T) {
	ctx := context.Background()
	snap := ingress()
	tests := []struct {
		name      string
		f         viewmodel.Filter
		hosts     int
		ns        []string
		entries   []string
		hasNotice bool
	}{
		{name: "all", hosts: 2, ns: []string{"ns-ingress1", "ns-shop1", "ns-blog1", "ns-ingress2"}, entries: []string{"outside"}},
		// The ingress on one node still routes to the app on the other: that
		// app is drawn as a service entry outside the host.
		{name: "by node name", f: viewmodel.Filter{Node: "client-2"}, hosts: 1, ns: []string{"ns-blog1", "ns-ingress2"},
			entries: []string{"outside", "service-shop"}},
		{name: "by node ID", f: viewmodel.Filter{Node: "node1"}, hosts: 1, ns: []string{"ns-ingress1", "ns-shop1"},
			entries: []string{"service-blog", "outside"}},
		{name: "by job", f: viewmodel.Filter{Job: "shop"}, hosts: 1, ns: []string{"ns-shop1"}},
		{name: "text matches a task, any case", f: viewmodel.Filter{Text: "BLO"}, hosts: 1, ns: []string{"ns-blog1"}},
		{name: "text matches a service", f: viewmodel.Filter{Text: "traefik"}, hosts: 2, ns: []string{"ns-ingress1", "ns-ingress2"},
			entries: []string{"service-blog", "outside", "service-shop"}},
		{name: "nothing", f: viewmodel.Filter{Namespace: "other"}, hosts: 0, hasNotice: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := drawer.TopologyLayout(ctx, snap, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var ns, entries []string
			for _, n := range l.Namespaces {
				ns = append(ns, n.TestID)
			}
			for _, e := range l.Entries {
				entries = append(entries, e.TestID)
			}
			if len(l.Hosts) != tc.hosts || !equal(ns, tc.ns) || !equal(entries, tc.entries) {
				t.Errorf("got %d hosts, namespaces %v, entries %v; want %d, %v, %v", len(l.Hosts), ns, entries, tc.hosts, tc.ns, tc.entries)
			}
			if (l.Notice != "") != tc.hasNotice {
				t.Errorf("notice %q", l.Notice)
			}
		})
	}
}

// equal compares string lists, nil and empty alike.
func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestCache(t *testing.T) {
	ctx := context.Background()
	d := diagram.NewDrawer(4, diagram.WithDeadline(0))
	a := sameGroup()
	first, err := d.TopologyLayout(ctx, a, viewmodel.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := d.TopologyLayout(ctx, a, viewmodel.Filter{})
	if first != again {
		t.Error("the same snapshot and filter were laid out twice")
	}
	other, _ := d.TopologyLayout(ctx, a, viewmodel.Filter{Text: "app"})
	if other == first {
		t.Error("another filter returned the cached layout")
	}
	// Another store's snapshot may carry the same version number.
	b := hostRedis(false)
	if a.Version() != b.Version() {
		t.Skipf("fixtures have versions %d and %d; the collision this checks needs equal ones", a.Version(), b.Version())
	}
	lb, _ := d.TopologyLayout(ctx, b, viewmodel.Filter{})
	if lb == first || lb.Namespaces[0].TestID != "ns-redis1" {
		t.Error("a snapshot of another store got the cached layout of the same version")
	}
}

func TestUnknownAllocation(t *testing.T) {
	_, err := drawer.NamespaceLayout(context.Background(), sameGroup(), "nope")
	if !errors.Is(err, diagram.ErrUnknownAllocation) {
		t.Fatalf("err = %v, want ErrUnknownAllocation", err)
	}
}

// TestConcurrent draws from many goroutines at once through one Drawer (run
// with -race): Graphviz is shared through its slot, and viewers of the same
// snapshot share one layout, whether they arrive together or later.
func TestConcurrent(t *testing.T) {
	d := diagram.NewDrawer(8, diagram.WithDeadline(0))
	snaps := []*model.Snapshot{sameGroup(), connect(model.ActionDeny), ingress()}
	const viewers = 12
	got := make([]*diagram.Layout, viewers)
	var wg sync.WaitGroup
	for i := range viewers {
		wg.Go(func() {
			lay, err := d.TopologyLayout(context.Background(), snaps[i%len(snaps)], viewmodel.Filter{})
			if err != nil {
				t.Error(err)
			}
			got[i] = lay
		})
	}
	wg.Wait()
	for i := len(snaps); i < viewers; i++ {
		if got[i] != got[i%len(snaps)] {
			t.Errorf("viewer %d got its own layout of snapshot %d", i, i%len(snaps))
		}
	}
}
