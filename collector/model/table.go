package model

import (
	"slices"
	"strings"
)

// A table is a two-level tree: fanout groups of fanout shards. A write
// copies the table header, one group and one shard (each on the first write
// after a snapshot was published), so an update to a 10,000-allocation model
// copies 2 × 32 pointers and a ~10-entry shard instead of the whole world.
// Two levels rather than one flat array of shards: copying a flat array of
// 256 pointers (with GC write barriers) per event cost more than the shard
// clone itself; 32 rather than 16 keeps the cloned shard small up to
// ~100,000 items (measured: 2.4 KB allocated per event instead of 3.4 KB).
const (
	fanout     = 32
	shardCount = fanout * fanout
)

// shard is one copy-on-write piece of a table: entries sorted by key. A
// sorted slice rather than a map because the writer clones a shard on its
// first write after every publish: cloning a slice is one allocation and one
// copy, while cloning a map rehashes nothing but allocates and scans groups
// (measured: maps cost ~1.6× the bytes per event at 50,000 allocations).
// Look-ups are a binary search over a few dozen keys at most.
type shard[T any] struct {
	// gen is the writer generation that created this shard. Only a shard of
	// the writer's current generation may be written in place; any other may
	// be shared with published snapshots.
	gen   uint64
	items []entry[T]
}

// entry is one item of a shard.
type entry[T any] struct {
	key string
	val T
}

// find returns where key is or would be in s, and whether it is there.
func (s *shard[T]) find(key string) (int, bool) {
	return slices.BinarySearchFunc(s.items, key, func(e entry[T], k string) int { return strings.Compare(e.key, k) })
}

// group is the middle level of a table: fanout shards.
type group[T any] struct {
	gen    uint64
	shards [fanout]*shard[T]
}

// table is a copy-on-write mapping from key to T, split into shards of
// sorted slices. A published
// snapshot keeps a pointer to a table; the writer copies the table header,
// groups and shards before changing them, so a snapshot never sees a write
// and publishing costs nothing per item.
type table[T any] struct {
	gen    uint64
	n      int
	groups [fanout]*group[T]
}

// shardOf hashes key with 32-bit FNV-1a (inlined: hash/fnv would allocate).
func shardOf(key string) int {
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= 16777619
	}
	return int(h % shardCount)
}

// len is the number of items.
func (t *table[T]) len() int { return t.n }

// get returns the item under key.
func (t *table[T]) get(key string) (T, bool) {
	i := shardOf(key)
	var s *shard[T]
	if g := t.groups[i/fanout]; g != nil {
		s = g.shards[i%fanout]
	}
	if s == nil {
		var zero T
		return zero, false
	}
	if i, ok := s.find(key); ok {
		return s.items[i].val, true
	}
	var zero T
	return zero, false
}

// each calls fn for every item, in no particular order.
func (t *table[T]) each(fn func(key string, v T)) {
	for _, g := range t.groups {
		if g == nil {
			continue
		}
		for _, s := range g.shards {
			if s == nil {
				continue
			}
			for _, e := range s.items {
				fn(e.key, e.val)
			}
		}
	}
}

// values returns every item, in no particular order.
func (t *table[T]) values() []T {
	out := make([]T, 0, t.n)
	t.each(func(_ string, v T) { out = append(out, v) })
	return out
}

// mutable returns a table the writer of generation gen may change: t itself
// when it belongs to gen, else a copy of its header.
func (t *table[T]) mutable(gen uint64) *table[T] {
	if t.gen == gen {
		return t
	}
	c := *t
	c.gen = gen
	return &c
}

// writableShard returns the shard for key, its group and it cloned first when
// shared. t must belong to gen (see mutable).
func (t *table[T]) writableShard(gen uint64, key string) *shard[T] {
	i := shardOf(key)
	g := t.groups[i/fanout]
	switch {
	case g == nil:
		g = &group[T]{gen: gen}
		t.groups[i/fanout] = g
	case g.gen != gen:
		c := *g
		c.gen = gen
		g = &c
		t.groups[i/fanout] = g
	}
	s := g.shards[i%fanout]
	switch {
	case s == nil:
		s = &shard[T]{gen: gen}
		g.shards[i%fanout] = s
	case s.gen != gen:
		// One spare slot: an insert right after the clone needs no regrowth.
		items := make([]entry[T], len(s.items), len(s.items)+1)
		copy(items, s.items)
		s = &shard[T]{gen: gen, items: items}
		g.shards[i%fanout] = s
	}
	return s
}

// set stores v under key. t must belong to gen.
func (t *table[T]) set(gen uint64, key string, v T) {
	s := t.writableShard(gen, key)
	i, ok := s.find(key)
	if ok {
		s.items[i].val = v
		return
	}
	s.items = slices.Insert(s.items, i, entry[T]{key, v})
	t.n++
}

// remove deletes key. t must belong to gen. It reports whether key was there.
func (t *table[T]) remove(gen uint64, key string) bool {
	if _, ok := t.get(key); !ok {
		return false
	}
	s := t.writableShard(gen, key)
	i, _ := s.find(key)
	s.items = slices.Delete(s.items, i, i+1)
	t.n--
	return true
}
