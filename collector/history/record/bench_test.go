package record

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/history"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
)

// BenchmarkWrite is the store's cost per changed allocation, committed one
// transaction per model delta of `batch` allocations (the fake synthetic
// cluster's allocations, ~1-2 KB of JSON each), as fast as it goes.
func BenchmarkWrite(b *testing.B) {
	syn := fixture.Generate(fixture.SyntheticConfig{Nodes: 10, Allocations: 1000, Seed: 1})
	for _, batchSize := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("batch=%d", batchSize), func(b *testing.B) {
			dir := b.TempDir()
			d, err := openDB(b.Context(), dir, false)
			if err != nil {
				b.Fatal(err)
			}
			defer d.close()
			n := 0
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				c := change{t: time.Now(), version: uint64(i)}
				for range batchSize {
					a := syn.Allocations[n%len(syn.Allocations)]
					c.objects = append(c.objects, history.Object{Key: model.AllocKey(a.ID), Alloc: a})
					n++
				}
				if err := d.write(b.Context(), &batch{changes: []change{c}}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/change")
			b.ReportMetric(float64(dirSize(dir))/float64(n), "disk-B/change")
		})
	}
}

// BenchmarkRecorderBurst runs the whole recorder behind a real model store
// at 1,000 changed allocations a second (100 deltas of 10) for 10 s and
// reports the process's CPU time per second, the gaps (queue overflows)
// and the disk used; "off" is the same load without a recorder, the
// model's own share. Run it with -benchtime=1x; it takes 20 s of wall time.
func BenchmarkRecorderBurst(b *testing.B) {
	b.Run("off", func(b *testing.B) { burst(b, false) })
	b.Run("on", func(b *testing.B) { burst(b, true) })
}

func burst(b *testing.B, record bool) {
	const perDelta, deltasPerSec, secs = 10, 100, 10
	syn := fixture.Generate(fixture.SyntheticConfig{Nodes: 20, Allocations: 2000, Seed: 1})
	for b.Loop() {
		dir := b.TempDir()
		store := model.NewStore()
		store.Apply(syn.Changes()...)
		store.Apply(model.SetNomadStatus{Status: model.SourceStatus{State: model.StateConnected}},
			model.SetConsulStatus{Status: model.SourceStatus{State: model.StateAbsent}})
		r := New(store, Options{Dir: dir})
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		if record {
			wg.Go(func() { _ = r.Run(ctx) })
		}
		for record && r.Status().State != model.StateConnected {
			time.Sleep(10 * time.Millisecond)
		}
		cpu0, t0 := cpuTime(), time.Now()
		next := t0
		k := 0
		for range deltasPerSec * secs {
			changes := make([]model.Change, perDelta)
			for i := range changes {
				changes[i] = syn.Update(k)
				k++
			}
			store.Apply(changes...)
			next = next.Add(time.Second / deltasPerSec)
			time.Sleep(time.Until(next))
		}
		cancel()
		wg.Wait()
		wall := time.Since(t0)
		b.ReportMetric(100*(cpuTime()-cpu0).Seconds()/wall.Seconds(), "%cpu")
		if !record {
			continue
		}
		es, err := openAndRead(dir)
		if err != nil {
			b.Fatal(err)
		}
		gaps := 0
		for _, e := range es {
			if e.Kind == history.KindGap {
				gaps++
			}
		}
		b.ReportMetric(float64(gaps), "gaps")
		b.ReportMetric(float64(dirSize(dir))/float64(k), "disk-B/change")
		b.ReportMetric(float64(len(es)), "entries")
	}
}

func openAndRead(dir string) ([]history.Entry, error) {
	rd, err := OpenReader(context.Background(), dir)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return rd.Timeline(context.Background(), history.Query{Limit: 1 << 30})
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func dirSize(dir string) int64 {
	var n int64
	es, _ := os.ReadDir(dir)
	for _, e := range es {
		if fi, err := os.Stat(filepath.Join(dir, e.Name())); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// BenchmarkAt is the cost of rebuilding a past model: the fake synthetic
// 10,000-allocation cluster as a checkpoint (decoded once, then cached),
// then `deltas` deltas of 10 changed allocations to replay. The first
// decoding of the checkpoint is measured by replay=first.
func BenchmarkAt(b *testing.B) {
	syn := fixture.Generate(fixture.Scale10k)
	store := model.NewStore()
	base := store.Apply(syn.Changes()...)
	for _, deltas := range []int{0, 100, 1000} {
		b.Run(fmt.Sprintf("replay=%d", deltas), func(b *testing.B) {
			d, err := openDB(b.Context(), b.TempDir(), false)
			if err != nil {
				b.Fatal(err)
			}
			defer d.close()
			t0 := time.Now()
			if err := d.write(b.Context(), &batch{checkpoint: base, checkpointAt: t0}); err != nil {
				b.Fatal(err)
			}
			prev, k := base, 0
			for i := range deltas {
				changes := make([]model.Change, 10)
				for j := range changes {
					changes[j] = syn.Update(k)
					k++
				}
				next := store.Apply(changes...)
				objs := history.Changed(prev, next, allocKeys(changes), false)
				if err := d.write(b.Context(), &batch{changes: []change{{t: t0.Add(time.Duration(i+1) * time.Millisecond), version: next.Version(), objects: objs}}}); err != nil {
					b.Fatal(err)
				}
				prev = next
			}
			at := t0.Add(time.Hour)
			cpu0 := cpuTime()
			if _, err := d.at(b.Context(), at); err != nil { // the checkpoint's decoding, once: then cached
				b.Fatal(err)
			}
			first := cpuTime() - cpu0
			cpu0 = cpuTime()
			for b.Loop() {
				snap, err := d.at(b.Context(), at)
				if err != nil || snap.Allocation(syn.Allocations[0].ID) == nil {
					b.Fatalf("%v", err)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(first.Milliseconds()), "first-cpu-ms")
		})
	}
}

func allocKeys(changes []model.Change) []string {
	var keys []string
	for _, c := range changes {
		if u, ok := c.(model.UpsertAllocation); ok {
			keys = append(keys, model.AllocKey(u.Alloc.ID))
		}
	}
	return keys
}
