package model_test

import (
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/synthetic"
)

// reachBenchSnapshot is a fake cluster (internal/synthetic, a benchmark
// fake) of the size a dashboard page shows: 10 nodes, 200 allocations.
func reachBenchSnapshot() *model.Snapshot {
	c := synthetic.Generate(synthetic.Config{Nodes: 10, Allocations: 200, Seed: 1})
	return model.NewStore().Apply(c.Changes()...)
}

// BenchmarkReachMatrix200 answers every pair of services of a 200-allocation
// cluster (each iteration uses a fresh snapshot, so nothing is cached).
func BenchmarkReachMatrix200(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		s := reachBenchSnapshot()
		b.StartTimer()
		m := s.ReachMatrix()
		b.ReportMetric(float64(len(m.Cells)), "cells")
	}
}

// BenchmarkWarnings200 runs every registered lint on a 200-allocation cluster.
func BenchmarkWarnings200(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		s := reachBenchSnapshot()
		b.StartTimer()
		b.ReportMetric(float64(len(s.Warnings())), "warnings")
	}
}

// BenchmarkWarnings10k runs every registered lint on the 10,000-allocation
// fake cluster of bench_test.go.
func BenchmarkWarnings10k(b *testing.B) {
	c := benchCluster()
	for b.Loop() {
		b.StopTimer()
		s := model.NewStore().Apply(c.Changes()...)
		b.StartTimer()
		b.ReportMetric(float64(len(s.Warnings())), "warnings")
	}
}
