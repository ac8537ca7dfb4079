package collector

import (
	"context"
	"math/rand/v2"
	"time"
)

// Reconnect delays: fast enough that an agent restart is caught within a
// second or two, capped so a long outage costs one request every 30 s.
const (
	backoffMin = 250 * time.Millisecond
	backoffMax = 30 * time.Second
)

// backoff is a capped, jittered exponential delay between reconnects.
type backoff struct{ next time.Duration }

func newBackoff() *backoff { return &backoff{next: backoffMin} }

func (b *backoff) reset() { b.next = backoffMin }

// wait sleeps for the next delay (half of it jittered) and reports whether
// ctx is still alive.
func (b *backoff) wait(ctx context.Context) bool {
	d := b.next/2 + time.Duration(rand.Int64N(int64(b.next/2)+1))
	b.next = min(b.next*2, backoffMax)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
