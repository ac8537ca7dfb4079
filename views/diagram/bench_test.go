package diagram_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"

	"github.com/netviz/netviz/views/diagram"
	"github.com/netviz/netviz/views/viewmodel"
)

// BenchmarkTopology200 lays out and renders 200 allocations on 10 nodes
// (synthetic fake data) with the cache off: the cost of a cache miss.
func BenchmarkTopology200(b *testing.B) { benchTopology(b, 0) }

// BenchmarkTopology200Cached serves the same picture from the cache (the
// SVG bytes as rendered for the first viewer), what every further viewer of
// a snapshot costs.
func BenchmarkTopology200Cached(b *testing.B) { benchTopology(b, 4) }

// BenchmarkTopologyAggregated7500 draws 7,500 allocations (75 jobs of 100
// on 10 nodes, fake data), the size measured on one dev agent: the
// aggregated picture, cache off.
func BenchmarkTopologyAggregated7500(b *testing.B) {
	benchSnapshot(b, synthetic(10, 75, 100), 0)
}

// BenchmarkTopologyScale draws fixture.Generate's clusters (100 allocations
// a node, about ten a job) in the scale view, cache off: the Graphviz
// layout and the SVG, the job/groups and their connections gathered once
// per snapshot data (gatherScaleShared), so the loop draws the same data
// again; BenchmarkTopologyScaleNextVersion/data has the gathering too. The
// snapshot's derived edges are computed once, before the clock runs, as a
// server has them from the model. It reports the SVG's size and the
// picture's width and height (docs/topology-at-scale.md).
func BenchmarkTopologyScale(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 50_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			gen := fixture.Generate(fixture.SyntheticConfig{Nodes: n / 100, Allocations: n, Seed: 1})
			snap := fixture.Snapshot(gen.Changes()...)
			snap.Edges()
			d := diagram.NewDrawer(0, diagram.WithDeadline(0))
			defer d.Close()
			ctx := context.Background()
			var svg bytes.Buffer
			if err := d.Topology(snap, viewmodel.Filter{}).Render(ctx, &svg); err != nil {
				b.Fatal(err)
			}
			l, err := d.TopologyLayout(ctx, snap, viewmodel.Filter{})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := d.Topology(snap, viewmodel.Filter{}).Render(ctx, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(svg.Len()), "svg-bytes")
			b.ReportMetric(l.Width, "width-pt")
			b.ReportMetric(l.Height, "height-pt")
		})
	}
}

// BenchmarkTopologyScaleNextVersion draws the scale view of the next
// version of fixture.Generate's cluster, as a server does after each
// change, cache off: status-only, a version whose only change is the
// Nomad status (one per Nomad frame: the data, and what is derived from
// it, are shared with the previous version); data, a version with one
// changed node (its edges derived before the clock runs, as the model
// has them when a viewer asks).
func BenchmarkTopologyScaleNextVersion(b *testing.B) {
	for _, n := range []int{10_000, 50_000} {
		for _, change := range []string{"status-only", "data"} {
			b.Run(fmt.Sprintf("%dk/%s", n/1000, change), func(b *testing.B) {
				gen := fixture.Generate(fixture.SyntheticConfig{Nodes: n / 100, Allocations: n, Seed: 1})
				store := model.NewStore()
				snap := store.Apply(gen.Changes()...)
				snap.Edges()
				d := diagram.NewDrawer(0, diagram.WithDeadline(0))
				defer d.Close()
				ctx := context.Background()
				if err := d.Topology(snap, viewmodel.Filter{}).Render(ctx, io.Discard); err != nil {
					b.Fatal(err)
				}
				i := 0
				for b.Loop() {
					i++
					if change == "status-only" {
						snap = store.Apply(model.SetNomadStatus{Status: model.SourceStatus{State: model.StateConnected, Index: uint64(i)}})
					} else {
						b.StopTimer()
						node := *snap.Nodes()[0]
						node.Status = []string{"ready", "down"}[i%2]
						snap = store.Apply(model.UpsertNode{Node: &node})
						snap.Edges()
						b.StartTimer()
					}
					if err := d.Topology(snap, viewmodel.Filter{}).Render(ctx, io.Discard); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func benchTopology(b *testing.B, cacheSize int) {
	benchSnapshot(b, synthetic(10, 20, 10), cacheSize)
}

func benchSnapshot(b *testing.B, snap *model.Snapshot, cacheSize int) {
	d := diagram.NewDrawer(cacheSize, diagram.WithDeadline(0))
	defer d.Close()
	ctx := context.Background()
	// Graphviz starts (and, cached, the layout fills the cache) before the
	// clock runs.
	if err := d.Topology(snap, viewmodel.Filter{}).Render(ctx, io.Discard); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := d.Topology(snap, viewmodel.Filter{}).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
