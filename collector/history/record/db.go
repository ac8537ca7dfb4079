package record

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite", pure Go

	"github.com/netviz/netviz/collector/history"
	"github.com/netviz/netviz/collector/model"
)

// FileName is the history database's name inside the data directory.
const FileName = "history.db"

// schemaVersion is stored in SQLite's user_version; a database from
// another version is refused rather than misread.
const schemaVersion = 1

// The tables: entries are the timeline; changes hold, per model delta, the
// objects it changed (JSON, gzip when large); checkpoints hold a whole
// model (gzip JSON). Times are Unix nanoseconds, indexed, since every read
// is a time range.
const schema = `
CREATE TABLE IF NOT EXISTS entries(
	seq INTEGER PRIMARY KEY AUTOINCREMENT, t INTEGER NOT NULL, kind TEXT NOT NULL,
	namespace TEXT NOT NULL, job TEXT NOT NULL, grp TEXT NOT NULL, service TEXT NOT NULL, node TEXT NOT NULL,
	body BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS entries_t ON entries(t);
CREATE INDEX IF NOT EXISTS entries_job ON entries(job, t);
CREATE TABLE IF NOT EXISTS changes(id INTEGER PRIMARY KEY AUTOINCREMENT, t INTEGER NOT NULL, version INTEGER NOT NULL, body BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS changes_t ON changes(t);
CREATE TABLE IF NOT EXISTS checkpoints(id INTEGER PRIMARY KEY AUTOINCREMENT, t INTEGER NOT NULL, version INTEGER NOT NULL, body BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS checkpoints_t ON checkpoints(t);
`

// db is the history database. Writes come from one goroutine (the
// recorder's writer); reads (pages, the CLI, even from another process)
// may run alongside thanks to SQLite's write-ahead log.
type db struct {
	sql  *sql.DB
	path string
	// checkpoint is the last checkpoint rebuilt, kept because decoding one
	// costs more than replaying an hour of changes after it (BenchmarkAt):
	// pages stepping through time ask for the same one again and again.
	cpMu   sync.Mutex
	cpID   int64
	cpSnap *model.Snapshot
}

// openDB opens (creating if needed) the database in dir. readOnly opens an
// existing one for reading only (netviz history), and never creates it.
func openDB(ctx context.Context, dir string, readOnly bool) (*db, error) {
	path := filepath.Join(dir, FileName)
	if readOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no history in %s: %w", dir, err)
		}
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	// WAL: readers never block the writer; synchronous=NORMAL: a killed
	// process loses nothing committed, a power cut at most the last
	// commits, and the file is never left corrupt. auto_vacuum must be set
	// before the first table, so that deleting old history can shrink it.
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	if readOnly {
		q.Set("mode", "ro")
	} else {
		for _, p := range []string{"auto_vacuum(INCREMENTAL)", "journal_mode(WAL)", "synchronous(NORMAL)", "journal_size_limit(16777216)"} {
			q.Add("_pragma", p)
		}
	}
	s, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	// One connection for the writer; readers get their own.
	s.SetMaxOpenConns(4)
	d := &db{sql: s, path: path}
	if err := d.init(ctx, readOnly); err != nil {
		s.Close()
		return nil, err
	}
	return d, nil
}

// init checks the file and creates the schema.
func (d *db) init(ctx context.Context, readOnly bool) error {
	var ver int
	if err := d.sql.QueryRowContext(ctx, "PRAGMA user_version").Scan(&ver); err != nil {
		return fmt.Errorf("read %s: %w", d.path, err)
	}
	if ver != 0 && ver != schemaVersion {
		return fmt.Errorf("%s has history format %d, this netviz reads %d", d.path, ver, schemaVersion)
	}
	// quick_check reads every page: a truncated or overwritten file is
	// found here, at start, not in the middle of serving.
	var ok string
	if err := d.sql.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&ok); err != nil {
		return fmt.Errorf("check %s: %w", d.path, err)
	}
	if ok != "ok" {
		return fmt.Errorf("%s is corrupt: %s", d.path, ok)
	}
	if readOnly {
		return nil
	}
	if _, err := d.sql.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("create tables in %s: %w", d.path, err)
	}
	_, err := d.sql.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", schemaVersion))
	return err
}

func (d *db) close() error { return d.sql.Close() }

// batch is what the writer commits in one transaction.
type batch struct {
	entries []history.Entry
	changes []change
	// checkpoint, when set, is stored as a whole model at checkpointAt.
	checkpoint   *model.Snapshot
	checkpointAt time.Time
}

// change is one delta's changed objects.
type change struct {
	t       time.Time
	version uint64
	objects []history.Object
}

// write commits a batch.
func (d *db) write(ctx context.Context, b *batch) (err error) {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if len(b.entries) > 0 {
		st, err := tx.PrepareContext(ctx, "INSERT INTO entries(t, kind, namespace, job, grp, service, node, body) VALUES(?,?,?,?,?,?,?,?)")
		if err != nil {
			return err
		}
		defer st.Close()
		for _, e := range b.entries {
			body, err := json.Marshal(e)
			if err != nil {
				return err
			}
			if _, err := st.ExecContext(ctx, e.Time.UnixNano(), string(e.Kind), e.Namespace, e.Job, e.Group, e.Service, e.Node, body); err != nil {
				return err
			}
		}
	}
	for _, c := range b.changes {
		body, err := encode(c.objects, 4096)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO changes(t, version, body) VALUES(?,?,?)", c.t.UnixNano(), int64(c.version), body); err != nil {
			return err
		}
	}
	if b.checkpoint != nil {
		body, err := encode(b.checkpoint.Objects(), 0)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO checkpoints(t, version, body) VALUES(?,?,?)",
			b.checkpointAt.UnixNano(), int64(b.checkpoint.Version()), body); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// encode is JSON, gzipped when longer than gzipOver bytes (a gzip stream
// starts with 0x1f 0x8b, which JSON never does).
func encode(v any, gzipOver int) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil || len(body) <= gzipOver {
		return body, err
	}
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&buf)
	if _, err := zw.Write(body); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// gzipWriters are reused: a new writer allocates ~1 MB of tables, which
// cost more than compressing one delta (measured: 800 µs a delta of 10).
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return zw
}}

func decode(body []byte, v any) error {
	if len(body) >= 2 && body[0] == 0x1f && body[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return err
		}
		if body, err = io.ReadAll(zr); err != nil {
			return err
		}
	}
	return json.Unmarshal(body, v)
}

// errNoHistory: nothing is stored at or before the time asked.
var errNoHistory = errors.New("no history recorded at that time")

// at rebuilds the model at t: the last checkpoint at or before t, then
// every delta's objects up to t, in order.
func (d *db) at(ctx context.Context, t time.Time) (*model.Snapshot, error) {
	var cpID, cpT int64
	err := d.sql.QueryRowContext(ctx, "SELECT id, t FROM checkpoints WHERE t <= ? ORDER BY t DESC, id DESC LIMIT 1", t.UnixNano()).Scan(&cpID, &cpT)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoHistory
	}
	if err != nil {
		return nil, err
	}
	base, err := d.checkpointSnapshot(ctx, cpID, cpT)
	if err != nil {
		return nil, err
	}
	// The base's objects went through the model once, so rebuilding from
	// them again writes nothing shared (model.Restore only fills in nil
	// slices): concurrent rebuilds from one cached base are safe.
	var st *history.State
	version := base.Version()
	rows, err := d.sql.QueryContext(ctx, "SELECT version, body FROM changes WHERE t > ? AND t <= ? ORDER BY t, id", cpT, t.UnixNano())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v int64
		var b []byte
		if err := rows.Scan(&v, &b); err != nil {
			return nil, err
		}
		var objs []history.Object
		if err := decode(b, &objs); err != nil {
			return nil, err
		}
		if st == nil {
			st = history.NewState(base.Objects())
		}
		st.Apply(objs)
		version = uint64(v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if st == nil {
		return base, nil // nothing changed since the checkpoint
	}
	return st.Snapshot(version), nil
}

// checkpointSnapshot is the model a checkpoint holds, from the cache when
// it is the last one used.
func (d *db) checkpointSnapshot(ctx context.Context, id, t int64) (*model.Snapshot, error) {
	d.cpMu.Lock()
	defer d.cpMu.Unlock()
	if d.cpSnap != nil && d.cpID == id {
		return d.cpSnap, nil
	}
	var ver int64
	var body []byte
	if err := d.sql.QueryRowContext(ctx, "SELECT version, body FROM checkpoints WHERE id = ?", id).Scan(&ver, &body); err != nil {
		return nil, err
	}
	var o model.Objects
	if err := decode(body, &o); err != nil {
		return nil, fmt.Errorf("checkpoint at %s: %w", time.Unix(0, t).UTC().Format(time.RFC3339), err)
	}
	d.cpID, d.cpSnap = id, model.Restore(uint64(ver), o)
	return d.cpSnap, nil
}

// oldest is the earliest time the model can be rebuilt at: the first
// checkpoint kept (zero if there is none).
func (d *db) oldest(ctx context.Context) (time.Time, error) {
	var t sql.NullInt64
	err := d.sql.QueryRowContext(ctx, "SELECT min(t) FROM checkpoints").Scan(&t)
	if err != nil || !t.Valid {
		return time.Time{}, err
	}
	return time.Unix(0, t.Int64), nil
}

// latest is the time of the last thing stored (zero if nothing is).
func (d *db) latest(ctx context.Context) (time.Time, error) {
	var t sql.NullInt64
	err := d.sql.QueryRowContext(ctx, "SELECT max(t) FROM (SELECT max(t) AS t FROM changes UNION ALL SELECT max(t) FROM checkpoints)").Scan(&t)
	if err != nil || !t.Valid {
		return time.Time{}, err
	}
	return time.Unix(0, t.Int64), nil
}

// timeline reads the entries q selects, newest first.
func (d *db) timeline(ctx context.Context, q history.Query) ([]history.Entry, error) {
	where, args := "1=1", []any{}
	if !q.Since.IsZero() {
		where += " AND t >= ?"
		args = append(args, q.Since.UnixNano())
	}
	if !q.Until.IsZero() {
		where += " AND t < ?"
		args = append(args, q.Until.UnixNano())
	}
	// Subjects and kinds are matched in Go (prefixes, node names, several
	// kinds); SQL narrows by time and, the most common filter, job.
	if q.Job != "" {
		where += " AND job >= ? AND job < ?"
		args = append(args, q.Job, q.Job+"\U0010FFFF")
	}
	rows, err := d.sql.QueryContext(ctx, "SELECT seq, body FROM entries WHERE "+where+" ORDER BY t DESC, seq DESC", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []history.Entry{}
	for rows.Next() && len(out) < q.LimitOrDefault() {
		var seq int64
		var body []byte
		if err := rows.Scan(&seq, &body); err != nil {
			return nil, err
		}
		var e history.Entry
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, err
		}
		e.Seq = seq
		if q.Match(e) {
			out = append(out, e)
		}
	}
	return out, rows.Err()
}
