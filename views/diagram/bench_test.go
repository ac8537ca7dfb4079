package diagram_test

import (
	"context"
	"io"
	"testing"

	"github.com/netviz/netviz/views/diagram"
)

// BenchmarkTopology200 lays out and renders 200 allocations on 10 nodes
// (synthetic fake data) with the cache off: the cost of a cache miss.
func BenchmarkTopology200(b *testing.B) {
	snap := synthetic(10, 20, 10)
	d := diagram.NewDrawer(0)
	defer d.Close()
	ctx := context.Background()
	for b.Loop() {
		if err := d.Topology(snap, diagram.Filter{}).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTopology200Cached renders the same picture from the cache, what
// every further viewer of a snapshot costs.
func BenchmarkTopology200Cached(b *testing.B) {
	snap := synthetic(10, 20, 10)
	d := diagram.NewDrawer(4)
	defer d.Close()
	ctx := context.Background()
	for b.Loop() {
		if err := d.Topology(snap, diagram.Filter{}).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
