package record

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/netviz/netviz/collector/history"
	"github.com/netviz/netviz/collector/model"
)

// ErrNoHistory: nothing is recorded at or before the time asked.
var ErrNoHistory = errNoHistory

// ErrUnavailable: the store cannot be read now; Status says why.
var ErrUnavailable = errors.New("history unavailable")

// At rebuilds the model as it was at t.
func (r *Recorder) At(ctx context.Context, t time.Time) (*model.Snapshot, error) {
	d, err := r.reader()
	if err != nil {
		return nil, err
	}
	return d.at(ctx, t)
}

// Timeline returns the entries q selects, newest first. Entries of a
// burst still in progress are not there yet (see history.Grouper).
func (r *Recorder) Timeline(ctx context.Context, q history.Query) ([]history.Entry, error) {
	d, err := r.reader()
	if err != nil {
		return nil, err
	}
	return d.timeline(ctx, q)
}

// Oldest is the earliest time At can rebuild (zero when nothing is
// recorded): the start of the retention window.
func (r *Recorder) Oldest(ctx context.Context) (time.Time, error) {
	d, err := r.reader()
	if err != nil {
		return time.Time{}, err
	}
	return d.oldest(ctx)
}

func (r *Recorder) reader() (*db, error) {
	if d := r.current(); d != nil {
		return d, nil
	}
	return nil, fmt.Errorf("%w: %s", ErrUnavailable, r.Status().Error)
}

// Reader reads a data directory's history without recording, for
// `netviz history`; it works while a netviz serve records into the same
// directory.
type Reader struct{ db *db }

// OpenReader opens dir's history for reading.
func OpenReader(ctx context.Context, dir string) (*Reader, error) {
	d, err := openDB(ctx, dir, true)
	if err != nil {
		return nil, err
	}
	return &Reader{db: d}, nil
}

// At rebuilds the model as it was at t.
func (r *Reader) At(ctx context.Context, t time.Time) (*model.Snapshot, error) {
	return r.db.at(ctx, t)
}

// Timeline returns the entries q selects, newest first.
func (r *Reader) Timeline(ctx context.Context, q history.Query) ([]history.Entry, error) {
	return r.db.timeline(ctx, q)
}

// Oldest is the earliest time At can rebuild (zero when nothing is
// recorded).
func (r *Reader) Oldest(ctx context.Context) (time.Time, error) { return r.db.oldest(ctx) }

// Close closes the database.
func (r *Reader) Close() error { return r.db.close() }
