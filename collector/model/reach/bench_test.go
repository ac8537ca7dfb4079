package reach_test

import (
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/reach"
	"github.com/netviz/netviz/internal/fixture"
)

// reachBenchSnapshot is a fake cluster (fixture.Generate, a benchmark
// fake) of the size a dashboard page shows: 10 nodes, 200 allocations.
func reachBenchSnapshot() *model.Snapshot {
	c := fixture.Generate(fixture.SyntheticConfig{Nodes: 10, Allocations: 200, Seed: 1})
	return model.NewStore().Apply(c.Changes()...)
}

// BenchmarkReachMatrix200 answers every pair of services of a 200-allocation
// cluster (each iteration uses a fresh snapshot, so nothing is cached).
func BenchmarkReachMatrix200(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		s := reachBenchSnapshot()
		b.StartTimer()
		m := reach.MatrixOf(s, reach.Window{})
		b.ReportMetric(float64(len(m.Cells)), "cells")
	}
}
