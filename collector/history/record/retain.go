package record

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// retain deletes history older than cutoff, and then the oldest history
// while the database holds more than maxSize bytes. It keeps the newest
// checkpoint at or before the cut, so the model stays rebuildable at every
// time still kept, and returns the freed pages to the file system.
func (d *db) retain(ctx context.Context, cutoff time.Time, maxSize int64) error {
	if err := d.cut(ctx, cutoff.UnixNano()); err != nil {
		return err
	}
	for range 20 { // each round cuts a tenth of what is kept
		used, err := d.used(ctx)
		if err != nil || used <= maxSize {
			return err
		}
		var lo, hi sql.NullInt64
		if err := d.sql.QueryRowContext(ctx, "SELECT min(t), max(t) FROM changes").Scan(&lo, &hi); err != nil {
			return err
		}
		if !lo.Valid || hi.Int64 <= lo.Int64 {
			return nil
		}
		if err := d.cut(ctx, lo.Int64+(hi.Int64-lo.Int64)/10+1); err != nil {
			return err
		}
	}
	return nil
}

// cut deletes what only times before t need.
func (d *db) cut(ctx context.Context, t int64) error {
	// With no checkpoint that old, nothing before t may go but entries.
	var base sql.NullInt64
	if err := d.sql.QueryRowContext(ctx, "SELECT max(t) FROM checkpoints WHERE t <= ?", t).Scan(&base); err != nil {
		return err
	}
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	for _, q := range []struct {
		sql string
		arg int64
	}{
		{"DELETE FROM entries WHERE t < ?", t},
		{"DELETE FROM checkpoints WHERE t < ?", base.Int64},
		{"DELETE FROM changes WHERE t <= ?", base.Int64},
	} {
		if _, err := tx.ExecContext(ctx, q.sql, q.arg); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = d.sql.ExecContext(ctx, "PRAGMA incremental_vacuum")
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return err
}

// used is the bytes the database holds, free pages excluded, plus its
// write-ahead log.
func (d *db) used(ctx context.Context) (int64, error) {
	var pages, free, size int64
	for _, p := range []struct {
		q string
		v *int64
	}{{"PRAGMA page_count", &pages}, {"PRAGMA freelist_count", &free}, {"PRAGMA page_size", &size}} {
		if err := d.sql.QueryRowContext(ctx, p.q).Scan(p.v); err != nil {
			return 0, err
		}
	}
	return (pages - free) * size, nil
}
