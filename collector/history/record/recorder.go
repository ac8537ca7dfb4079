// Package record stores netviz's networking history (package
// collector/history) in an SQLite database in the data directory, and
// answers the timeline and "the model at time T" from it.
//
// A Recorder subscribes to the model store's deltas. Comparing snapshots
// happens in its own goroutine, and the disk writes in another, behind a
// bounded queue: the store's apply loop never waits for either. A queue
// that overflows costs exactness, not liveness: the recorder notes a gap
// and writes a fresh checkpoint when it can. A store that cannot be opened
// or written (corrupt, unwritable, disk full) turns history off with its
// reason in the model's status; the live model is untouched.
package record

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/netviz/netviz/collector/history"
	"github.com/netviz/netviz/collector/model"
)

// Defaults of Options.
const (
	DefaultRetention = 7 * 24 * time.Hour
	DefaultMaxSize   = 200 << 20
	// queueLen is how many deltas' records may wait for the disk. At 1,000
	// changes/s in deltas of ~10, it holds a few seconds of a disk stall.
	queueLen = 1024
	// retryEvery is how often an unavailable store is tried again.
	retryEvery = time.Minute
	// checkpointMax is the longest time between two checkpoints while
	// anything changes; checkpointMin the shortest.
	checkpointMax = time.Hour
	checkpointMin = time.Minute
)

// Options configure a Recorder.
type Options struct {
	// Dir is the data directory; the database is Dir/history.db.
	Dir string
	// Retention is how long history is kept (0: DefaultRetention).
	Retention time.Duration
	// MaxSize bounds the database in bytes (0: DefaultMaxSize); the oldest
	// history goes first.
	MaxSize int64
	Logger  *slog.Logger
	// GroupQuiet is how long a job's burst of allocation changes waits for
	// more before it becomes entries (0: history's default, 5 s).
	GroupQuiet time.Duration
}

// Recorder records the model's history. Create it with New, run it with
// Run; At and Timeline answer while it runs.
type Recorder struct {
	opts  Options
	log   *slog.Logger
	store *model.Store
	queue chan *batch

	mu     sync.Mutex
	db     *db // nil while unavailable
	status model.SourceStatus
	// needCheckpoint makes the consumer write a whole model next: after a
	// gap, so that At is exact again from there.
	needCheckpoint bool
	gapSince       time.Time
}

// New builds a recorder over a store. It does no I/O.
func New(store *model.Store, opts Options) *Recorder {
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
	}
	if opts.MaxSize <= 0 {
		opts.MaxSize = DefaultMaxSize
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Recorder{opts: opts, log: opts.Logger.With("component", "history"), store: store, queue: make(chan *batch, queueLen)}
}

// Run records until ctx ends. History failing never ends it: the reason
// goes to the log and the model's status, and the store is tried again
// every minute. It returns nil.
func (r *Recorder) Run(ctx context.Context) error {
	r.setStatus(model.SourceStatus{State: model.StateSyncing, Address: r.opts.Dir})
	last := r.open(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { r.writer(ctx) })
	r.consume(ctx, last)
	close(r.queue)
	wg.Wait()
	r.mu.Lock()
	if r.db != nil {
		_ = r.db.close()
		r.db = nil
	}
	r.mu.Unlock()
	return nil
}

// open opens the database and reads the last stored model, for the
// comparison with the first read after a restart. On failure history is
// unavailable until a retry succeeds.
func (r *Recorder) open(ctx context.Context) *model.Snapshot {
	if r.opts.Dir == "" {
		r.fail(errors.New("no data directory: set --data-dir or NETVIZ_DATA_DIR (neither $XDG_STATE_HOME nor $HOME is set)"))
		return nil
	}
	d, err := openDB(ctx, r.opts.Dir, false)
	if err != nil {
		r.fail(fmt.Errorf("open: %w", err))
		return nil
	}
	var last *model.Snapshot
	if t, err := d.latest(ctx); err != nil {
		r.fail(fmt.Errorf("read: %w", err))
		_ = d.close()
		return nil
	} else if !t.IsZero() {
		if last, err = d.at(ctx, t); err != nil {
			r.fail(fmt.Errorf("read the last stored model: %w", err))
			_ = d.close()
			return nil
		}
	}
	r.mu.Lock()
	r.db = d
	r.mu.Unlock()
	r.log.Info("history recording", "path", d.path, "retention", r.opts.Retention, "max_size", r.opts.MaxSize)
	r.setStatus(statusRecording(r.opts.Dir, time.Now()))
	return last
}

// statusRecording is the status while history records.
func statusRecording(dir string, since time.Time) model.SourceStatus {
	return model.SourceStatus{State: model.StateConnected, Address: dir, Reason: "recording", Since: since}
}

// fail turns history off, saying why, once per failure.
func (r *Recorder) fail(err error) {
	r.mu.Lock()
	wasUp := r.status.State != model.StateDown
	r.mu.Unlock()
	if wasUp {
		r.log.Error("history unavailable; netviz goes on without it", "dir", r.opts.Dir, "err", err)
		r.setStatus(model.SourceStatus{State: model.StateDown, Address: r.opts.Dir, Error: "history unavailable: " + err.Error(), Since: time.Now()})
	}
}

func (r *Recorder) setStatus(s model.SourceStatus) {
	r.mu.Lock()
	r.status = s
	r.mu.Unlock()
	r.store.Apply(model.SetHistoryStatus{Status: s})
}

// Status is the recorder's state, as the model's status shows it.
func (r *Recorder) Status() model.SourceStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}

// startSettle is how long the model must hold still after the first read
// before history takes it as the cluster: on the real cluster a Nomad
// stream opened before the read replayed buffered events on top of it,
// bringing back for a moment ten allocations stopped seconds earlier,
// which a restart's comparison took for changes made while netviz was away.
const (
	startSettle  = 2 * time.Second
	startMaxWait = 30 * time.Second
)

// dataChanged reports whether a delta changed more than the sources' status.
func dataChanged(d model.Delta) bool {
	return d.Full || slices.ContainsFunc(d.Changed, func(k string) bool { return k != model.KeyStatus })
}

// synced reports whether a snapshot holds a complete first read: history
// compares and records only from then on, so that a model still filling
// is not taken for allocations that stopped.
func synced(s *model.Snapshot) bool {
	st := s.Status()
	switch st.Nomad.State {
	case model.StateConnected, model.StateCatchingUp, model.StateStale:
	default:
		return false
	}
	return st.Consul.State != model.StateSyncing && st.Consul.State != ""
}

// consume follows the store's deltas, turning each into entries and
// changed objects, until ctx ends.
func (r *Recorder) consume(ctx context.Context, last *model.Snapshot) {
	deltas := r.store.Subscribe(ctx)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	g := history.NewGrouper()
	if r.opts.GroupQuiet > 0 {
		g.Quiet = r.opts.GroupQuiet
	}
	var prev *model.Snapshot
	var lastCheckpoint time.Time
	var sinceCheckpoint int
	// settling is when the model last changed after it first looked
	// synced (at firstSynced): history starts once it has held still for
	// startSettle, or after startMaxWait in a cluster that never does.
	var settling, firstSynced time.Time
	for {
		select {
		case d, ok := <-deltas:
			if !ok {
				r.enqueue(&batch{entries: g.Flush(time.Now(), true)}, true)
				return
			}
			snap := d.Snapshot
			if snap == nil {
				continue
			}
			if prev == nil {
				switch {
				case !synced(snap):
					settling, firstSynced = time.Time{}, time.Time{}
				case settling.IsZero():
					settling, firstSynced = d.Time, d.Time
				case dataChanged(d):
					settling = d.Time
				}
				continue
			}
			if d.Version <= prev.Version() {
				continue // already in the snapshot history started from
			}
			b := &batch{}
			// One key list for both readings of the delta: a full one
			// (a catch-up, a collapsed burst) walks both whole models.
			keys := history.Keys(prev, snap, d.Changed, d.Full)
			entries, allocs := history.Diff(prev, snap, keys, false, d.Time)
			for _, a := range allocs {
				g.Add(a)
			}
			b.entries = entries
			if objs := history.Changed(prev, snap, keys, false); len(objs) > 0 {
				b.changes = []change{{t: d.Time, version: d.Version, objects: objs}}
				sinceCheckpoint += len(objs)
			}
			if d.Collapsed {
				b.entries = append(b.entries, gapEntry(prev, d.Time, "netviz's history fell behind the model; changes in between are merged into this moment"))
			}
			if r.takeCheckpoint() || checkpointDue(snap, d.Time.Sub(lastCheckpoint), sinceCheckpoint) {
				b.checkpoint, b.checkpointAt = snap, d.Time
				lastCheckpoint, sinceCheckpoint = d.Time, 0
			}
			prev = snap
			r.enqueue(b, false)
		case now := <-tick.C:
			if snap := r.store.Snapshot(); prev == nil && !settling.IsZero() && synced(snap) &&
				(now.Sub(settling) >= startSettle || now.Sub(firstSynced) >= startMaxWait) {
				r.enqueue(&batch{entries: r.started(last, snap, now, g), checkpoint: snap, checkpointAt: now}, false)
				lastCheckpoint, sinceCheckpoint, prev = now, 0, snap
			}
			if g.Pending() {
				if es := g.Flush(now, false); len(es) > 0 {
					r.enqueue(&batch{entries: es}, false)
				}
			}
		}
	}
}

// checkpointDue decides when to store the whole model again: when the
// objects stored since the last checkpoint outnumber the model's (so a
// rebuild replays at most about one model's worth of changes), at most
// once a minute, and at least hourly while anything changes. Checkpoints
// then cost about as much disk as the changes they follow.
func checkpointDue(snap *model.Snapshot, age time.Duration, since int) bool {
	if age < checkpointMin || since == 0 {
		return false
	}
	if age >= checkpointMax {
		return true
	}
	// Counting the model sorts it: only once the cheap tests pass.
	return since >= max(1000, len(snap.Nodes())+len(snap.Allocations())+len(snap.Services()))
}

// started is what history says when it starts watching: what changed
// while netviz was not running (the last stored model against the first
// read), or that recording begins.
func (r *Recorder) started(last, snap *model.Snapshot, t time.Time, g *history.Grouper) []history.Entry {
	if last == nil {
		return []history.Entry{{Time: t, Kind: history.KindHistory,
			Summary: fmt.Sprintf("history started: %d nodes, %d allocations, %d service instances", len(snap.Nodes()), len(snap.Allocations()), len(snap.Services()))}}
	}
	entries, allocs := history.Diff(last, snap, nil, true, t)
	for _, a := range allocs {
		a.Unwatched = true
		g.Add(a)
	}
	for i := range entries {
		entries[i].Unwatched = true
	}
	// Source states are not changes of the cluster: the last stored state
	// is what netviz saw before it stopped, not what the cluster did.
	kept := entries[:0]
	for _, e := range entries {
		if e.Kind != history.KindSource {
			kept = append(kept, e)
		}
	}
	return append(kept, history.Entry{Time: t, Kind: history.KindHistory,
		Summary: "netviz started watching again; changes marked \"while not watching\" happened since it stopped"})
}

// gapEntry says the model between prev and t is not exact.
func gapEntry(prev *model.Snapshot, t time.Time, why string) history.Entry {
	_ = prev
	return history.Entry{Time: t, Kind: history.KindGap, Summary: "gap: " + why}
}

// enqueue hands a batch to the writer without waiting (unless final): a
// full queue drops it and marks a gap, which the next batch that fits
// reports, with a checkpoint so the model is exact again from there.
func (r *Recorder) enqueue(b *batch, final bool) {
	r.mu.Lock()
	gap := r.gapSince
	r.mu.Unlock()
	if !gap.IsZero() && !final {
		b.entries = append(b.entries, history.Entry{Time: gap, Kind: history.KindGap,
			Summary: fmt.Sprintf("gap: history could not keep up with the disk from %s; the model between is not exact", gap.UTC().Format(time.RFC3339))})
	}
	if final {
		r.queue <- b
		return
	}
	select {
	case r.queue <- b:
		if !gap.IsZero() {
			r.mu.Lock()
			r.gapSince = time.Time{}
			r.mu.Unlock()
		}
	default:
		r.mu.Lock()
		if r.gapSince.IsZero() {
			r.gapSince = time.Now()
			r.log.Warn("history queue full; dropping records until the disk catches up")
		}
		r.needCheckpoint = true
		r.mu.Unlock()
	}
}

// takeCheckpoint reports (and clears) whether a gap asks for a checkpoint.
func (r *Recorder) takeCheckpoint() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.needCheckpoint
	r.needCheckpoint = false
	return c
}
