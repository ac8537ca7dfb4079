package model_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/lint"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views/viewmodel"
)

// The benchmarks use fixture.Generate, a benchmark fake, for a cluster of
// fixture.Scale10k's size. Results and the exact command are in docs/perf.md.
func benchCluster() *fixture.Synthetic { return fixture.Generate(fixture.Scale10k) }

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkBuild10k is the first picture: one Apply of the whole cluster and
// the derivation of its edges (generating the fake cluster is not timed).
// heap-MB is the live heap the built model holds — the objects themselves,
// the store's tables and indexes, and the snapshot's edges — measured after
// the last iteration against the heap before the cluster was generated.
func BenchmarkBuild10k(b *testing.B) {
	var store *model.Store
	var base uint64
	var cpu time.Duration
	for range b.N {
		b.StopTimer()
		store = nil
		base = heapInUse()
		changes := benchCluster().Changes()
		b.StartTimer()
		cpuStart := cpuTime()
		store = model.NewStore()
		store.Apply(changes...)
		if len(store.Snapshot().Edges()) == 0 {
			b.Fatal("no edges")
		}
		cpu += cpuTime() - cpuStart
	}
	b.StopTimer()
	b.ReportMetric(float64(heapInUse()-base)/(1<<20), "heap-MB")
	b.ReportMetric(cpu.Seconds()*1000/float64(b.N), "cpu-ms/op")
	runtime.KeepAlive(store)
}

// BenchmarkApplyAllocUpdates applies allocation update events one Apply
// each, to a 10k-allocation model, as the collector does for the event
// stream: alone, and with a subscriber draining deltas on another goroutine
// as the web hub does. Run it with -benchtime=100000x for the
// 100,000-event figure; the time includes making each event's copy of the
// allocation.
func BenchmarkApplyAllocUpdates(b *testing.B) {
	for _, subscribed := range []bool{false, true} {
		name := "alone"
		if subscribed {
			name = "subscribed"
		}
		b.Run(name, func(b *testing.B) {
			c := benchCluster()
			store := model.NewStore()
			store.Apply(c.Changes()...)
			if subscribed {
				deltas := store.Subscribe(b.Context())
				go func() {
					for range deltas { // ends when the benchmark's context does
					}
				}()
			}
			b.ReportAllocs()
			b.ResetTimer()
			start, cpuStart := time.Now(), cpuTime()
			for k := range b.N {
				store.Apply(c.Update(k))
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
			if cpu := cpuTime() - cpuStart; cpu > 0 {
				b.ReportMetric(float64(b.N)/cpu.Seconds(), "events/cpu-s")
			}
		})
	}
}

// BenchmarkSnapshotJSON10k serialises a 10k-allocation snapshot whose sorted
// lists and edges are already derived (pure encoding).
func BenchmarkSnapshotJSON10k(b *testing.B) {
	store := model.NewStore()
	snap := store.Apply(benchCluster().Changes()...)
	first, err := viewmodel.GraphJSON(snap)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpuStart := cpuTime()
	for range b.N {
		if _, err := viewmodel.GraphJSON(snap); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuTime()-cpuStart).Seconds()*1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(len(first))/(1<<20), "MB")
}

// BenchmarkSnapshotJSONAfterEvent10k is what a client pays after one event:
// a new snapshot whose sorted lists, edges and warnings are derived on first
// use, then serialised.
func BenchmarkSnapshotJSONAfterEvent10k(b *testing.B) {
	c := benchCluster()
	store := model.NewStore()
	if _, err := viewmodel.GraphJSON(store.Apply(c.Changes()...)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpuStart := cpuTime()
	for k := range b.N {
		if _, err := viewmodel.GraphJSON(store.Apply(c.Update(k))); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuTime()-cpuStart).Seconds()*1000/float64(b.N), "cpu-ms/op")
}

// BenchmarkDerivedAfterEvent10k is the cost of each lazily derived view of a
// fresh snapshot, after one event on a 10k-allocation model whose previous
// version was read: what a reader following the store pays on its first call
// to that accessor of a new version.
func BenchmarkDerivedAfterEvent10k(b *testing.B) {
	for _, tt := range []struct {
		name string
		read func(*model.Snapshot) int
	}{
		{"Edges", func(s *model.Snapshot) int { return len(s.Edges()) }},
		{"Allocations", func(s *model.Snapshot) int { return len(s.Allocations()) }},
		{"Services", func(s *model.Snapshot) int { return len(s.Services()) }},
		{"Warnings", func(s *model.Snapshot) int { return len(lint.Warnings(s)) }},
	} {
		b.Run(tt.name, func(b *testing.B) {
			c := benchCluster()
			store := model.NewStore()
			tt.read(store.Apply(c.Changes()...)) // a reader kept up so far
			b.ReportAllocs()
			b.ResetTimer()
			var cpu time.Duration
			for k := range b.N {
				b.StopTimer()
				snap := store.Apply(c.Update(k))
				b.StartTimer()
				cpuStart := cpuTime()
				if tt.read(snap) == 0 && tt.name != "Warnings" {
					b.Fatal("empty")
				}
				cpu += cpuTime() - cpuStart
			}
			b.ReportMetric(cpu.Seconds()*1000/float64(b.N), "cpu-ms/op")
		})
	}
}

// BenchmarkApplyAllocUpdatesScale shows how the cost of one event grows with
// the model: the same updates on 1,000, 10,000 and 50,000 allocations (one
// node per 100 allocations).
func BenchmarkApplyAllocUpdatesScale(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 50_000} {
		b.Run(fmt.Sprintf("allocs=%d", n), func(b *testing.B) {
			c := fixture.Generate(fixture.SyntheticConfig{Nodes: n / 100, Allocations: n, Seed: 1})
			store := model.NewStore()
			store.Apply(c.Changes()...)
			b.ReportAllocs()
			b.ResetTimer()
			cpuStart := cpuTime()
			for k := range b.N {
				store.Apply(c.Update(k))
			}
			b.ReportMetric(float64(b.N)/(cpuTime()-cpuStart).Seconds(), "events/cpu-s")
		})
	}
}
