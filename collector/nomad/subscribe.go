package nomad

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync/atomic"
	"time"
)

// queuedFrames bounds the frames a subscription holds while the read it
// precedes runs. Past it the reader stops reading: Nomad then drops the
// subscriber once its buffer moves on ("event dropped from buffer"), which
// is a catch-up like any other drop, and memory stays bounded.
const queuedFrames = 64

// subscription is an event stream opened before the read it follows.
//
// Nomad resumes a stream from the oldest event it still buffers when the
// index asked for has left its buffer, without saying so
// (docs/nomad-behaviour.md, "Resuming"), so a stream opened after a read at
// index N can silently miss what happened between N and its first frame.
// Opening it first closes that window: every event published after Nomad
// registered the subscription reaches it (or Nomad ends it with "event
// dropped from buffer"), and everything before is in the read, which
// starts later. Frames received before the read began are in it and are
// skipped; the others are applied after it, older updates dropped as
// replays (Nomad's list index cannot tell which events a read holds: it is
// taken after the list, so it may be newer than the list's content).
type subscription struct {
	from   uint64
	frames chan *eventFrame
	// beats signals heartbeats (and frames) since the last look, so a
	// catch-up can tell a stream that still delivers from one that died.
	beats chan struct{}
	ready chan struct{} // closed by the first frame or heartbeat
	done  chan struct{} // closed when the reader has ended
	err   error         // why the stream ended; set before done closes
	// last is the time of the last frame or heartbeat (unix nanoseconds).
	last atomic.Int64
	// received is the highest index of a frame received so far.
	received atomic.Uint64
	ctx      context.Context
	cancel   context.CancelCauseFunc
	// idle marks a subscription to no topic at all (every topic forbidden):
	// nothing to read, it ends with the context.
	idle bool
}

// fromNewest is the index every subscription asks for. Nomad 1.6.2 starts
// a stream at the first buffered item at or after the index asked for, the
// oldest it holds when the index is 0 or older than its buffer, and the
// newest when the index is past them all. Every round reads the lists after
// subscribing, so the read holds whatever came before the subscription: a
// backlog replayed from an older index only brings back, for a moment,
// what the read already shows gone (allocations stopped seconds before
// netviz started, seen by the history recorder). Asking past the newest
// item replays at most that one item, which arrives before the read starts
// and is skipped (follow's inRead).
const fromNewest = math.MaxInt64

// subscribe opens the event stream with every permitted topic
// and returns once Nomad has registered the subscription: Nomad sends a
// heartbeat as soon as it has, and the HTTP headers only with it. A stream
// that sends nothing within staleAfter is given up (errStale).
func (s *Source) subscribe(ctx context.Context, index uint64) (*subscription, error) {
	sctx, cancel := context.WithCancelCause(ctx)
	sub := &subscription{
		from: index, frames: make(chan *eventFrame, queuedFrames), beats: make(chan struct{}, 1),
		ready: make(chan struct{}), done: make(chan struct{}), ctx: sctx, cancel: cancel,
	}
	topics := s.permittedTopics()
	if len(topics) == 0 {
		sub.idle = true
		close(sub.ready)
		go func() { <-sctx.Done(); sub.err = context.Cause(sctx); close(sub.done) }()
		return sub, nil
	}
	var q strings.Builder
	fmt.Fprintf(&q, "/v1/event/stream?index=%d", fromNewest)
	for _, t := range topics {
		q.WriteString("&topic=" + t)
	}
	go func() {
		// The request is bound to sctx: closing the subscription ends it.
		body, err := s.api.stream(sctx, q.String())
		if err != nil {
			sub.err = err
			close(sub.done)
			return
		}
		sub.read(body, s.now)
	}()
	wait := time.NewTimer(s.staleAfter)
	defer wait.Stop()
	select {
	case <-sub.ready:
		return sub, nil
	case <-sub.done:
		err := sub.err
		if isForbidden(err) {
			return nil, s.forbidTopics(ctx, index, topics, err)
		}
		return nil, fmt.Errorf("nomad event stream: %w", err)
	case <-wait.C:
		sub.close(errStale)
		return nil, fmt.Errorf("nomad event stream: %w for %s after asking for it (%w)", errStale, s.staleAfter, errReadTimeout)
	case <-ctx.Done():
		sub.close(ctx.Err())
		return nil, ctx.Err()
	}
}

// read decodes frames into the queue until the stream ends, marking
// heartbeats. It blocks while the queue is full (see queuedFrames).
func (sub *subscription) read(body io.ReadCloser, now func() time.Time) {
	defer close(sub.done)
	defer body.Close()
	first := true
	beat := func() {
		sub.last.Store(now().UnixNano())
		if first {
			first = false
			close(sub.ready)
		}
		select {
		case sub.beats <- struct{}{}:
		default:
		}
	}
	sub.err = decodeFrames(body, beat, func(f *eventFrame) error {
		if f.Index > sub.received.Load() {
			sub.received.Store(f.Index)
		}
		select {
		case sub.frames <- f:
			return nil
		case <-sub.ctx.Done():
			return context.Cause(sub.ctx)
		}
	})
}

// ended reports why the stream ended, or nil while it runs.
func (sub *subscription) ended() error {
	select {
	case <-sub.done:
		if sub.err == nil {
			return io.ErrUnexpectedEOF
		}
		return sub.err
	default:
		return nil
	}
}

// close ends the stream and waits for its reader.
func (sub *subscription) close(cause error) {
	sub.cancel(cause)
	<-sub.done
}

// follow applies the subscription's frames after a read (those up to
// index inRead, received before the read began, are in it and skipped),
// then follows the stream until it or ctx ends. It returns the index of the last frame
// applied (at least the read's index) and why the stream ended. held
// reports whether the stream delivered anything after the read: a frame,
// or a heartbeat. pending, when not nil, publishes the connected state once
// it does (the read left the status catching-up because the streams before
// did not hold).
func (s *Source) follow(ctx context.Context, sub *subscription, index, inRead uint64, pending func()) (applied uint64, held bool, err error) {
	defer sub.close(nil)
	applied = index
	if sub.idle {
		<-ctx.Done()
		return applied, false, ctx.Err()
	}
	// A stream that ended during the read still hands over what it queued,
	// but does not hold: the status stays catching-up (readVerdict).
	alive := sub.ended() == nil
	defer func() { held = held && alive }()
	// The watchdog counts from the end of the read: frames queued during it
	// are not silence.
	sub.last.Store(s.now().UnixNano())
	select { // a heartbeat that came during the read is not news
	case <-sub.beats:
	default:
	}
	wctx, stopWatch := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		s.watch(wctx, &sub.last, sub.cancel)
	}()
	defer func() { stopWatch(); <-watched }()
	first, skipped := true, 0
	apply := func(f *eventFrame) {
		s.burst.add(s.now(), len(f.Events)) // what the stream carries, held by the read or not
		if first {
			first = false
			if f.Index > sub.from+1 {
				// Not proof of a gap (raft indexes move for writes of every
				// kind), and no harm either: the read came after the
				// subscription and holds whatever came before it.
				s.log.Debug("nomad: event stream resumed past the requested index", "asked", sub.from, "got", f.Index)
			}
		}
		if f.Index <= inRead {
			skipped++
			return
		}
		s.applyFrame(f, alive)
		applied = max(applied, f.Index)
		held, pending = true, nil // applyFrame says connected
	}
	heard := func() {
		held = true
		if pending != nil {
			pending()
			pending = nil
		}
	}
loop:
	for {
		select {
		case f := <-sub.frames:
			apply(f)
		case <-sub.beats:
			heard()
		case <-sub.done:
			break loop
		}
	}
	// The reader has ended: apply what it queued, then say why.
	for drained := false; !drained; {
		select {
		case f := <-sub.frames:
			apply(f)
		default:
			drained = true
		}
	}
	if skipped > 0 {
		s.log.Debug("nomad: skipped frames the read already held", "frames", skipped, "up_to", inRead)
	}
	if ctx.Err() != nil {
		return applied, held, ctx.Err()
	}
	if cause := context.Cause(sub.ctx); errors.Is(cause, errStale) || errors.Is(cause, errRepair) {
		return applied, held, cause
	}
	return applied, held, fmt.Errorf("nomad event stream: %w", sub.ended())
}
