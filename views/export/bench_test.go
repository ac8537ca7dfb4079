package export_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views/export"
	"github.com/netviz/netviz/views/viewmodel"
)

// BenchmarkExport times each format of the whole model and the topology
// on fake clusters (fixture.Generate) of 200 and 1,000 allocations.
func BenchmarkExport(b *testing.B) {
	for _, n := range []int{200, 1000} {
		snap := fixture.Snapshot(fixture.Generate(fixture.SyntheticConfig{Nodes: 10, Allocations: n, Seed: 1}).Changes()...)
		views := map[string]export.View{
			"model":    export.Model(snap, viewmodel.Filter{}),
			"topology": export.Topology("topology", snap, viewmodel.Filter{}),
		}
		for name, v := range views {
			for _, f := range []export.Format{export.FormatDOT, export.FormatMermaid, export.FormatSVG} {
				b.Run(fmt.Sprintf("%s-%d-%s", name, n, f), func(b *testing.B) {
					for b.Loop() {
						if _, err := v.Render(context.Background(), f); err != nil && !errors.Is(err, export.ErrTooLarge) {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}
