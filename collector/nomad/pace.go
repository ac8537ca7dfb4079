package nomad

import (
	"context"
	"time"
)

// maxCatchUpPause bounds the pause before a catch-up after a drop: the
// model waits at most this long, shown as catching up, before it reads.
const maxCatchUpPause = 5 * time.Second

// catchUpPause is how long to wait, after Nomad dropped the stream, before
// the next catch-up: as long as the last read took, less the time since it
// ended, at most maxCatchUpPause.
//
// During a burst Nomad drops the stream again within a second or so of
// each catch-up (make scale at 7,000 allocations with event_buffer_size
// 10: about 300 catch-ups while every allocation was replaced, one every
// 0.4 s), so reading again at once keeps netviz reading nearly all the
// time, a load added to servers already busy with the burst. Pausing as
// long as the read took keeps netviz reading at most half the time. The
// status says catching up meanwhile, with Nomad's words; outside bursts,
// drops are seconds apart and nothing waits.
func catchUpPause(took, sinceEnded time.Duration) time.Duration {
	return min(max(took-sinceEnded, 0), maxCatchUpPause)
}

// pause waits d, or until ctx ends (false).
func pause(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
