package diagram_test

import (
	"context"
	"io"
	"testing"

	"github.com/netviz/netviz/collector/model"

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

func benchTopology(b *testing.B, cacheSize int) {
	benchSnapshot(b, synthetic(10, 20, 10), cacheSize)
}

func benchSnapshot(b *testing.B, snap *model.Snapshot, cacheSize int) {
	d := diagram.NewDrawer(cacheSize)
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
