package diagram_test

import (
	"context"
	"io"
	"testing"

	"github.com/netviz/netviz/views/diagram"
)

// BenchmarkTopology200 lays out and renders 200 allocations on 10 nodes
// (synthetic fake data) with the cache off: the cost of a cache miss.
func BenchmarkTopology200(b *testing.B) { benchTopology(b, 0) }

// BenchmarkTopology200Cached renders the same picture from the cache, what
// every further viewer of a snapshot costs.
func BenchmarkTopology200Cached(b *testing.B) { benchTopology(b, 4) }

func benchTopology(b *testing.B, cacheSize int) {
	snap := synthetic(10, 20, 10)
	d := diagram.NewDrawer(cacheSize)
	defer d.Close()
	ctx := context.Background()
	for b.Loop() {
		if err := d.Topology(snap, diagram.Filter{}).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
