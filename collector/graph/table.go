package graph

import "maps"

// shardCount is the number of shards per table. A write clones one shard (on
// the first write after a snapshot was published) and, once per version, the
// table's shard array; 256 keeps a shard of a 10,000-allocation model at ~40
// entries while the array stays 2 KB.
const shardCount = 256

// shard is one copy-on-write piece of a table.
type shard[T any] struct {
	// gen is the writer generation that created this shard. Only a shard of
	// the writer's current generation may be written in place; any other may
	// be shared with published snapshots.
	gen   uint64
	items map[string]T
}

// table is a copy-on-write map from key to T, split into shards. A published
// snapshot keeps a pointer to a table; the writer copies the table header and
// individual shards before changing them, so a snapshot never sees a write
// and publishing costs nothing per item.
type table[T any] struct {
	gen    uint64
	n      int
	shards [shardCount]*shard[T]
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
	s := t.shards[shardOf(key)]
	if s == nil {
		var zero T
		return zero, false
	}
	v, ok := s.items[key]
	return v, ok
}

// each calls fn for every item, in no particular order.
func (t *table[T]) each(fn func(key string, v T)) {
	for _, s := range t.shards {
		if s == nil {
			continue
		}
		for k, v := range s.items {
			fn(k, v)
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

// writableShard returns the shard for key, cloned first when it is shared.
// t must belong to gen (see mutable).
func (t *table[T]) writableShard(gen uint64, key string) *shard[T] {
	i := shardOf(key)
	s := t.shards[i]
	switch {
	case s == nil:
		s = &shard[T]{gen: gen, items: make(map[string]T)}
		t.shards[i] = s
	case s.gen != gen:
		s = &shard[T]{gen: gen, items: maps.Clone(s.items)}
		t.shards[i] = s
	}
	return s
}

// set stores v under key. t must belong to gen.
func (t *table[T]) set(gen uint64, key string, v T) {
	s := t.writableShard(gen, key)
	if _, ok := s.items[key]; !ok {
		t.n++
	}
	s.items[key] = v
}

// remove deletes key. t must belong to gen. It reports whether key was there.
func (t *table[T]) remove(gen uint64, key string) bool {
	if _, ok := t.get(key); !ok {
		return false
	}
	s := t.writableShard(gen, key)
	delete(s.items, key)
	t.n--
	return true
}
