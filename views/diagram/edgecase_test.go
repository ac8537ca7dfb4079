package diagram_test

import (
	"context"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views/viewmodel"
)

// TestSparseData draws snapshots with the gaps a live cluster has (no
// nodes yet, allocations without tasks or ports, unmapped ports, odd
// network modes, a sidecar without its port) and expects a picture, not an
// error.
func TestSparseData(t *testing.T) {
	bare := func(build func(a *fixture.AllocBuilder)) *model.Snapshot {
		a := alloc("a1", "job", "g", "node1", model.ModeBridge, "")
		build(a)
		return fixture.Snapshot(fixture.ClientNode("node1", "client-1", "10.0.0.1"), a.Upsert())
	}
	tests := []struct {
		name  string
		snap  *model.Snapshot
		count map[string]int
	}{
		{"empty snapshot", fixture.Snapshot(), map[string]int{"host-": 0, "diagram-notice": 1}},
		{"node without allocations", fixture.Snapshot(fixture.ClientNode("node1", "client-1", "10.0.0.1")), map[string]int{"host-": 1, "ns-": 0}},
		{"allocation without tasks or ports", bare(func(*fixture.AllocBuilder) {}), map[string]int{"ns-": 1, "task-": 0}},
		{"port not mapped to the host", bare(func(a *fixture.AllocBuilder) {
			a.DriverTask("t", "exec", nil).Port("p", "", 0, 9090, false)
		}), map[string]int{"port-": 1, "tick-": 0}},
		{"no network and CNI modes", fixture.Snapshot(fixture.ClientNode("node1", "client-1", "10.0.0.1"),
			alloc("a1", "j", "g", "node1", model.ModeNone, "").Upsert(),
			alloc("a2", "j", "h", "node1", model.ModeCNIPrefix+"mynet", "10.9.0.2").Upsert()),
			map[string]int{"ns-": 2}},
		{"sidecar without its port", bare(func(a *fixture.AllocBuilder) {
			a.Task("app", nil).Sidecar("app").Spec(model.ServiceSpec{Name: "app", Connect: &model.ConnectSpec{Kind: model.ConnectSidecar,
				Upstreams: []model.Upstream{fixture.Upstream("db", 5432)}}})
		}), map[string]int{"proxy-": 1, "service-db": 1}},
		{"finished allocations are left out", bare(func(a *fixture.AllocBuilder) { a.Status("complete") }),
			map[string]int{"ns-": 0, "host-": 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := parse(t, render(t, drawer.Topology(tc.snap, viewmodel.Filter{})))
			for prefix, n := range tc.count {
				if got := d.count(prefix); got != n {
					t.Errorf("%d elements %s*, want %d", got, prefix, n)
				}
			}
		})
	}
	// The namespace view draws any allocation the snapshot holds, finished
	// or not.
	snap := bare(func(a *fixture.AllocBuilder) { a.Status("complete") })
	if _, err := drawer.NamespaceLayout(context.Background(), snap, "a1"); err != nil {
		t.Errorf("namespace view of a finished allocation: %v", err)
	}
}
