package model

import (
	"math"
	"slices"
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
