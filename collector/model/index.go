package model

import "slices"

// index is a copy-on-write secondary index: bucket → sorted member keys. A
// bucket's slice is never changed in place (adding or removing a member makes
// a new slice), so snapshots can share buckets freely.
type index struct {
	t *table[[]string]
}

func newIndex() index { return index{t: &table[[]string]{}} }

// members returns the sorted members of bucket. The slice is shared: callers
// must not change it.
func (x index) members(bucket string) []string {
	m, _ := x.t.get(bucket)
	return m
}

// add puts member into bucket, for the writer of generation gen.
func (x *index) add(gen uint64, bucket, member string) {
	cur, _ := x.t.get(bucket)
	i, found := slices.BinarySearch(cur, member)
	if found {
		return
	}
	next := make([]string, 0, len(cur)+1)
	next = append(next, cur[:i]...)
	next = append(next, member)
	next = append(next, cur[i:]...)
	x.t = x.t.mutable(gen)
	x.t.set(gen, bucket, next)
}

// remove takes member out of bucket, dropping the bucket when it empties.
func (x *index) remove(gen uint64, bucket, member string) {
	cur, _ := x.t.get(bucket)
	i, found := slices.BinarySearch(cur, member)
	if !found {
		return
	}
	x.t = x.t.mutable(gen)
	if len(cur) == 1 {
		x.t.remove(gen, bucket)
		return
	}
	next := make([]string, 0, len(cur)-1)
	next = append(next, cur[:i]...)
	next = append(next, cur[i+1:]...)
	x.t.set(gen, bucket, next)
}
