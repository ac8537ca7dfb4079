package nomad

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
	"github.com/netviz/netviz/collector/internal/backoff"
	"github.com/netviz/netviz/collector/model"
)

// readParallelism bounds concurrent single-object reads (job specs, service
// instances, allocations), like the 8 connections measured in
// docs/nomad-behaviour.md.
const readParallelism = 8

// eventTopics are the event stream topics netviz follows. Deployment events
// carry nothing the network picture needs yet.
var eventTopics = []string{"Node", "Job", "Allocation", "Service"}

// defaultStaleAfter is how long a silent stream is trusted when Nomad does
// not answer the watchdog's probe either, so a Nomad that stops answering
// shows stale within 30 s, the watchdog's tick included. Silence alone is
// not enough: an idle stream's heartbeats come every 30 s (see watch).
const defaultStaleAfter = 25 * time.Second

// readTimeout bounds each read of a sync or catch-up, so a frozen Nomad
// leaves the source stale (and retrying) instead of hanging it.
const readTimeout = 2 * time.Minute

// errReadTimeout marks a sync or catch-up that got no answer in readTimeout.
var errReadTimeout = errors.New("Nomad did not answer in time")

// Source keeps the model's Nomad side (nodes, allocations with their job
// specs, Nomad-native services) in step with Nomad: a snapshot from the list
// APIs, then the event stream from the snapshot's index. When the stream
// breaks (Nomad dropped it during a burst, the connection went silent or
// was lost) the model is caught up by reading only what changed, then the
// stream resumes. The stream loop is the only writer of allocations; the
// background readers (checks, namespace IPs, job specs) write through
// guarded changes that never bring back what the loop deleted.
type Source struct {
	api   *httpAPI
	store *model.Store
	log   *slog.Logger
	jobs  *jobSpecs
	specs *specFetcher
	addr  string
	// staleAfter is how long a silent stream is trusted while Nomad does
	// not answer; heartbeat is Nomad's heartbeat interval (nomadHeartbeat,
	// shorter in tests); now is the clock.
	staleAfter time.Duration
	heartbeat  time.Duration
	now        func() time.Time
	// antiEntropyEvery is the pause between two anti-entropy comparisons
	// (0 turns them off).
	antiEntropyEvery time.Duration
	// bytesRead reports the bytes read from Nomad so far, when counted.
	bytesRead func() int64

	// health holds what the check poller saw of Nomad-native checks.
	health nativeHealth
	// burst counts recent events, for the size of a burst Nomad dropped.
	burst burstMeter
	// stats are the running totals Stats reports.
	stats stats

	// repair wakes the stream loop for a catch-up that re-reads forceRead
	// (model keys anti-entropy found different).
	repair chan struct{}

	mu        sync.Mutex
	status    model.SourceStatus
	nodeAddrs map[string]string
	forceRead []string
	// round is the stream loop's current round while its read runs (nil
	// otherwise, and for one-shot reads).
	round *round
	// heldAt is, by topic (heldTopics), the last write to its Nomad table
	// the model is known to hold (0: unknown): a catch-up that finds the
	// table's index still there reads none of it (catchup.go).
	heldAt map[string]uint64
}

// Option configures a Source.
type Option func(*Source)

// WithStaleAfter sets how long the event stream may send nothing, not even
// a heartbeat, while Nomad does not answer either, before the data is shown
// as stale (default 25 s; a stream silent past Nomad's 30 s heartbeat is
// stale even while Nomad answers).
func WithStaleAfter(d time.Duration) Option { return func(s *Source) { s.staleAfter = d } }

// WithAntiEntropy sets the pause between two comparisons of the model with a
// fresh read (default 5 min; 0 turns them off).
func WithAntiEntropy(every time.Duration) Option {
	return func(s *Source) { s.antiEntropyEvery = every }
}

// WithByteCounter reports the bytes read from Nomad, for the sync and
// catch-up logs (see CountBytes).
func WithByteCounter(read func() int64) Option { return func(s *Source) { s.bytesRead = read } }

// NewSource returns a source reading through client. It follows every
// namespace unless NOMAD_NAMESPACE names one (as the nomad CLI does).
func NewSource(client *nomadapi.Client, addr string, store *model.Store, log *slog.Logger, opts ...Option) *Source {
	ns := "*"
	if v := os.Getenv("NOMAD_NAMESPACE"); v != "" {
		ns = v
	}
	if log == nil {
		log = slog.Default()
	}
	s := &Source{
		api: &httpAPI{client: client, namespace: ns}, store: store, log: log, jobs: newJobSpecs(),
		addr: addr, staleAfter: defaultStaleAfter, heartbeat: nomadHeartbeat, now: func() time.Time { return time.Now().UTC() },
		antiEntropyEvery: defaultAntiEntropy, bytesRead: func() int64 { return 0 },
		status:    model.SourceStatus{State: model.StateSyncing, Address: addr},
		nodeAddrs: map[string]string{}, heldAt: map[string]uint64{}, repair: make(chan struct{}, 1),
	}
	s.specs = newSpecFetcher(s)
	for _, o := range opts {
		o(s)
	}
	return s
}

// Run syncs and streams until ctx ends. Each round opens the event stream
// first, then reads (a full sync the first time, a catch-up of what changed
// after), then applies the stream's frames the read does not hold and
// follows it until it breaks: no event can fall between the read and the
// stream (see subscription). Failures are retried with backoff and shown
// in the status; the status says connected only while a stream follows.
func (s *Source) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { s.pollChecks(ctx) })
	wg.Go(func() { s.specs.run(ctx) })
	wg.Go(func() { s.antiEntropy(ctx) })
	bo := backoff.New()
	// streamBo spaces the rounds after streams that did not hold (Nomad
	// refusing the stream, a proxy that cannot stream, a stream that ends
	// as soon as it resumes): without it they are a busy loop of reads.
	streamBo := backoff.New()
	var (
		index    uint64 // the model's index; 0 until the first sync
		synced   bool
		unheld   int   // rounds in a row whose stream did not hold
		lastFail error // why the last of them ended
		// lastTook is how long the last read took, lastEnded when it
		// ended: a drop waits for catchUpPause before the next.
		lastTook  time.Duration
		lastEnded time.Time
	)
	for ctx.Err() == nil {
		sub, subErr := s.subscribe(ctx, index)
		if ctx.Err() != nil {
			return nil
		}
		switch {
		case errors.Is(subErr, errTopicsForbidden):
			continue // recorded in the status; open with the rest at once
		case subErr != nil && synced && isTimeout(subErr):
			// Nomad does not answer; a read would not either. The status
			// stays (stale after a silent stream) until it does.
			s.log.Warn("nomad: event stream not answering; retrying", "err", subErr)
			if !streamBo.Wait(ctx) {
				return nil
			}
			continue
		case subErr != nil:
			s.log.Warn("nomad: event stream cannot be opened; reading without it", "err", subErr)
		}
		s.setRound(&round{sub: sub, streamErr: subErr, unheld: unheld, lastFail: lastFail})
		var inRead uint64 // frames received before the read are in it
		if sub != nil {
			inRead = sub.received.Load()
		}
		read := s.catchUp
		if !synced {
			read = s.Sync
		}
		readStart := time.Now()
		n, needIP, err := s.timedRead(ctx, read)
		lastTook, lastEnded = time.Since(readStart), time.Now()
		s.setRound(nil)
		if err != nil {
			if sub != nil {
				sub.close(nil)
			}
			if ctx.Err() != nil {
				return nil
			}
			s.setFailed(err)
			s.log.Warn("nomad: read failed; retrying", "err", err)
			if !bo.Wait(ctx) {
				return nil
			}
			continue
		}
		bo.Reset()
		synced, index = true, n
		if len(needIP) > 0 {
			wg.Go(func() { s.fillIPs(ctx, needIP) })
		}
		var held bool
		if sub == nil {
			err = subErr
		} else {
			var pending func()
			if unheld > 0 {
				pending = func() { s.publishStatus(func(st *model.SourceStatus) { setConnected(st.Index, s.now())(st) }) }
			}
			index, held, err = s.follow(ctx, sub, n, inRead, pending)
			if ctx.Err() != nil {
				return nil
			}
			s.streamEnded(err)
		}
		if isDropped(err) && !pause(ctx, catchUpPause(lastTook, time.Since(lastEnded))) {
			return nil
		}
		if held || errors.Is(err, errRepair) {
			unheld, lastFail = 0, nil
			streamBo.Reset()
			continue
		}
		unheld, lastFail = unheld+1, err
		if !streamBo.Wait(ctx) {
			return nil
		}
	}
	return nil
}

// timedRead runs a sync or catch-up with readTimeout.
func (s *Source) timedRead(ctx context.Context, read func(context.Context) (uint64, []string, error)) (uint64, []string, error) {
	rctx, cancel := context.WithTimeoutCause(ctx, readTimeout, errReadTimeout)
	defer cancel()
	index, need, err := read(rctx)
	if err != nil && errors.Is(context.Cause(rctx), errReadTimeout) {
		err = fmt.Errorf("%w: %w", errReadTimeout, err)
	}
	return index, need, err
}

// streamEnded records why the stream ended, before the catch-up that
// follows: Nomad dropping a slow subscriber is a catch-up, with Nomad's
// words and the burst size; silence is already stale; anything else is a
// catch-up too, and only a catch-up that fails shows as down.
func (s *Source) streamEnded(err error) {
	switch {
	case isDropped(err):
		burst := s.burst.total(s.now())
		s.log.Warn("nomad: event stream dropped during a burst; catching up", "nomad", err.Error(), "events_last_minute", burst)
		s.setCatchingUp(fmt.Sprintf("%s: the stream fell behind a burst of %d events in a minute", err, burst))
		s.publishStatus(func(st *model.SourceStatus) { st.DropBurst = burst })
	case errors.Is(err, errRepair):
		s.setCatchingUp("anti-entropy found the model different from Nomad; re-reading what differs")
	case errors.Is(err, errStale):
		s.log.Warn("nomad: event stream silent; catching up", "after", s.staleAfter)
	default:
		s.log.Warn("nomad: event stream ended; catching up", "err", err)
		s.setCatchingUp(fmt.Sprintf("the event stream ended (%v)", err))
	}
}
