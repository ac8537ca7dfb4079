package model

import (
	"math"
	"slices"
	"sync/atomic"
)

// dryRunGen is the writer generation of a dry run. No store ever reaches
// it, so every table, group and shard a dry run writes is copied first and
// the snapshot's own stay untouched.
const dryRunGen = math.MaxUint64

// Touches returns the keys that applying the changes to this snapshot would
// touch, sorted, without changing the snapshot: the same code as Apply
// decides. Anti-entropy uses it to count what a fresh read disagrees with
// before repairing it.
func (s *Snapshot) Touches(changes ...Change) []string {
	st := &state{gen: dryRunGen, model: s.model}
	t := txn{st: st}
	for _, c := range changes {
		if c != nil {
			c.apply(&t)
		}
	}
	slices.Sort(t.changed)
	return slices.Compact(t.changed)
}

// dryRunGens hands each DryRun its own writer generation, counting down
// from just under dryRunGen: a store never reaches them, and a dry run of a
// dry run's snapshot copies what it writes instead of changing the first
// one's tables in place.
var dryRunGens atomic.Uint64

// DryRun returns a new snapshot: this one with the changes applied, leaving
// this snapshot and its store untouched (the same copy-on-write as Apply,
// so its cost is that of the changes). It is what `netviz check` uses to
// ask "what would the model say with this job placed". The result has the
// same version, its own edge cache and memos (nothing it derives reaches
// the store's snapshots), and is as immutable as any snapshot.
func (s *Snapshot) DryRun(changes ...Change) *Snapshot {
	st := &state{gen: dryRunGen - 1 - dryRunGens.Add(1), model: s.model}
	st.cache = newEdgeCache()
	st.dataMemo = &memoTable{}
	t := txn{st: st}
	for _, c := range changes {
		if c != nil {
			c.apply(&t)
		}
	}
	return &Snapshot{version: s.version, model: st.model}
}
