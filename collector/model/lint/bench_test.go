package lint_test

import (
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/lint"
	"github.com/netviz/netviz/internal/fixture"
)

// BenchmarkWarnings200 runs every registered lint on a 200-allocation cluster.
func BenchmarkWarnings200(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		s := model.NewStore().Apply(fixture.Generate(fixture.SyntheticConfig{Nodes: 10, Allocations: 200, Seed: 1}).Changes()...)
		b.StartTimer()
		b.ReportMetric(float64(len(lint.Warnings(s))), "warnings")
	}
}

// BenchmarkWarnings10k runs every registered lint on the 10,000-allocation
// fake cluster of bench_test.go.
func BenchmarkWarnings10k(b *testing.B) {
	c := fixture.Generate(fixture.Scale10k)
	for b.Loop() {
		b.StopTimer()
		s := model.NewStore().Apply(c.Changes()...)
		b.StartTimer()
		b.ReportMetric(float64(len(lint.Warnings(s))), "warnings")
	}
}
