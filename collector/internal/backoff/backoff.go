// Package backoff is the reconnect delay the collector's sources share: a
// capped, jittered exponential wait between attempts to reach an agent.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Reconnect delays: fast enough that an agent restart is caught within a
// second or two, capped so a long outage costs one request every 30 s.
const (
	minDelay = 250 * time.Millisecond
	maxDelay = 30 * time.Second
)

// Backoff is a capped, jittered exponential delay between reconnects.
type Backoff struct{ next time.Duration }

// New returns a backoff at its shortest delay.
func New() *Backoff { return &Backoff{next: minDelay} }

// Reset goes back to the shortest delay, after a success.
func (b *Backoff) Reset() { b.next = minDelay }

// Wait sleeps for the next delay (half of it jittered) and reports whether
// ctx is still alive.
func (b *Backoff) Wait(ctx context.Context) bool {
	d := b.next/2 + time.Duration(rand.Int64N(int64(b.next/2)+1))
	b.next = min(b.next*2, maxDelay)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
