package record

import (
	"context"
	"fmt"
	"time"

	"github.com/netviz/netviz/collector/history"
)

// Writer pacing.
const (
	// maxMerge bounds how many queued batches one transaction commits: at a
	// burst the queue fills faster than one commit each could drain it.
	maxMerge = 256
	// writeTimeout bounds one commit; a disk slower than this is failing.
	writeTimeout = 30 * time.Second
	// retentionEvery is how often old history is deleted.
	retentionEvery = time.Minute
)

// writer commits the queue's batches until the queue is closed, merging
// what waits into one transaction. While the store is unavailable it
// drops them and retries the store every retryEvery.
func (r *Recorder) writer(ctx context.Context) {
	wctx := context.WithoutCancel(ctx) // the last batches are written after ctx ends
	var lastRetention, lastRetry time.Time
	for b := range r.queue {
		b = merge(b, r.queue)
		d := r.current()
		if d == nil {
			if time.Since(lastRetry) >= retryEvery && ctx.Err() == nil && r.opts.Dir != "" {
				lastRetry = time.Now()
				d = r.reopen(ctx)
			}
			if d == nil {
				continue
			}
		}
		wc, cancel := context.WithTimeout(wctx, writeTimeout)
		err := d.write(wc, b)
		cancel()
		if err != nil {
			r.lost(d, fmt.Errorf("write: %w", err))
			lastRetry = time.Now()
			continue
		}
		if time.Since(lastRetention) >= retentionEvery {
			lastRetention = time.Now()
			if err := d.retain(wctx, time.Now().Add(-r.opts.Retention), r.opts.MaxSize); err != nil {
				r.log.Warn("history retention", "err", err)
			}
		}
	}
}

// merge appends the batches waiting in q to b, up to maxMerge.
func merge(b *batch, q <-chan *batch) *batch {
	for range maxMerge {
		select {
		case n, ok := <-q:
			if !ok {
				return b
			}
			b.entries = append(b.entries, n.entries...)
			b.changes = append(b.changes, n.changes...)
			if n.checkpoint != nil {
				b.checkpoint, b.checkpointAt = n.checkpoint, n.checkpointAt
			}
		default:
			return b
		}
	}
	return b
}

func (r *Recorder) current() *db {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.db
}

// lost turns history off after a failed write (full disk, a file gone
// read-only): what the queue holds is dropped until a retry succeeds.
func (r *Recorder) lost(d *db, err error) {
	r.mu.Lock()
	if r.db == d {
		r.db = nil
	}
	r.mu.Unlock()
	_ = d.close()
	r.fail(err)
}

// reopen tries the store again; on success it writes a gap entry and a
// checkpoint of the model now, so history is exact again from here.
func (r *Recorder) reopen(ctx context.Context) *db {
	since := r.Status().Since
	d, err := openDB(ctx, r.opts.Dir, false)
	if err != nil {
		return nil
	}
	now := time.Now()
	b := &batch{
		entries: []history.Entry{{Time: now, Kind: history.KindGap,
			Summary: fmt.Sprintf("gap: history was unavailable from %s to %s; nothing in between was recorded", since.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))}},
		checkpoint: r.store.Snapshot(), checkpointAt: now,
	}
	if err := d.write(ctx, b); err != nil {
		_ = d.close()
		return nil
	}
	r.mu.Lock()
	r.db = d
	r.mu.Unlock()
	r.log.Info("history available again", "path", d.path)
	r.setStatus(statusRecording(r.opts.Dir, now))
	return d
}
