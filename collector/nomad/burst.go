package nomad

import (
	"sync"
	"time"
)

// burstWindow is how far back a burst is measured when Nomad drops the
// stream: the events that arrived in it are what the buffer could not hold.
const burstWindow = time.Minute

// burstMeter counts events per second over the last burstWindow, in a ring
// of one-second buckets (fixed size, whatever the rate).
type burstMeter struct {
	mu      sync.Mutex
	buckets [int(burstWindow / time.Second)]struct {
		sec int64
		n   int
	}
}

// add counts n events at t.
func (b *burstMeter) add(t time.Time, n int) {
	sec := t.Unix()
	b.mu.Lock()
	defer b.mu.Unlock()
	bk := &b.buckets[sec%int64(len(b.buckets))]
	if bk.sec != sec {
		bk.sec, bk.n = sec, 0
	}
	bk.n += n
}

// total is the number of events counted in the burstWindow before t.
func (b *burstMeter) total(t time.Time) int {
	now := t.Unix()
	b.mu.Lock()
	defer b.mu.Unlock()
	sum := 0
	for _, bk := range b.buckets {
		if now-bk.sec < int64(len(b.buckets)) && bk.sec <= now {
			sum += bk.n
		}
	}
	return sum
}
