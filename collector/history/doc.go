// Package history is netviz's memory of the network: what changed, when,
// and what the model looked like at any moment inside the retention.
//
// This package is pure: it turns two consecutive model snapshots into
// timeline entries (Diff, Grouper) and the objects that changed (Objects),
// and rebuilds a past model from a checkpoint plus those objects (Replay).
// Storing them is package collector/history/record's job, which subscribes
// to the model store's deltas and writes outside the store's apply loop.
//
// Entries describe networking facts, not raw events: an allocation placed or
// stopped (node, address, ports), its ports changed, a service instance
// registered or deregistered or its health changed, a Connect upstream added
// or removed by a new job version, an intention added, changed or deleted, a
// node joined, left or changed address, and the sources' state (catch-ups,
// outages). Allocation changes of one job close together in time are
// grouped ("job s0042: 100 allocations replaced, version 3 → 4").
package history
