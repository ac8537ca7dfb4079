package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/netviz/netviz/collector/history"
	"github.com/netviz/netviz/collector/history/record"
)

// historyFlags are serve's flags for the networking history.
type historyFlags struct {
	on        bool
	dataDir   string
	retention time.Duration
	maxSize   int64
}

func (f *historyFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.on, "history", !envFalse("NETVIZ_HISTORY"), "record the networking history in --data-dir, for /timeline and ?at= (env NETVIZ_HISTORY)")
	registerDataDir(fs, &f.dataDir)
	fs.DurationVar(&f.retention, "history-retention", envDuration("NETVIZ_HISTORY_RETENTION", record.DefaultRetention),
		"keep history this long (env NETVIZ_HISTORY_RETENTION)")
	fs.Int64Var(&f.maxSize, "history-max-size", record.DefaultMaxSize,
		"keep history under this many bytes on disk; the oldest goes first")
}

// options are the recorder's options, or nil when history is off.
func (f *historyFlags) options() (*record.Options, error) {
	if !f.on {
		return nil, nil
	}
	if f.retention <= 0 || f.maxSize <= 0 {
		return nil, errors.New("--history-retention and --history-max-size must be positive")
	}
	// An empty dir (no $XDG_STATE_HOME nor $HOME, as in some service
	// managers) does not stop serve: history reports itself unavailable.
	return &record.Options{Dir: f.dataDir, Retention: f.retention, MaxSize: f.maxSize}, nil
}

func registerDataDir(fs *flag.FlagSet, dir *string) {
	fs.StringVar(dir, "data-dir", envOr("NETVIZ_DATA_DIR", defaultDataDir()), "where netviz keeps its history (env NETVIZ_DATA_DIR)")
}

// defaultDataDir is $XDG_STATE_HOME/netviz, else ~/.local/state/netviz:
// history is state, not configuration or cache.
func defaultDataDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "netviz")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "netviz")
	}
	return ""
}

func envFalse(key string) bool {
	switch strings.ToLower(os.Getenv(key)) {
	case "0", "false", "no", "off":
		return true
	}
	return false
}

// runHistory is `netviz history`: the timeline read from the data
// directory (also while a serve records into it).
func runHistory(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var dir, since, until, kinds string
	var q history.Query
	var asJSON bool
	fs := flag.NewFlagSet("history", flag.ContinueOnError)
	fs.SetOutput(stderr)
	registerDataDir(fs, &dir)
	fs.StringVar(&since, "since", "1h", "from this time: RFC 3339 or a duration ago (-15m, 2h)")
	fs.StringVar(&until, "until", "", "up to this time (default now)")
	fs.StringVar(&q.Job, "job", "", "only this job (prefix)")
	fs.StringVar(&q.Group, "group", "", "only this task group (prefix)")
	fs.StringVar(&q.Service, "service", "", "only this service (prefix)")
	fs.StringVar(&q.Node, "node", "", "only this node, by ID or name (prefix)")
	fs.StringVar(&q.Namespace, "namespace", "", "only this namespace (prefix)")
	fs.StringVar(&q.Alloc, "alloc", "", "only this allocation, by ID (prefix)")
	fs.StringVar(&kinds, "kind", "", "only these kinds, comma-separated: "+kindList())
	fs.IntVar(&q.Limit, "limit", history.DefaultLimit, "at most this many entries, the newest")
	fs.BoolVar(&asJSON, "json", false, "print JSON (the /api/v1/timeline body)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var err error
	if q.Since, q.Until, err = history.ParseWindow(since, until, time.Now()); err != nil {
		if we, ok := errors.AsType[*history.WindowError](err); ok {
			return fmt.Errorf("--%s: %w", we.Bound, we.Err) // say which flag
		}
		return err
	}
	q.Kinds = history.ParseKinds(kinds)
	r, err := record.OpenReader(ctx, dir)
	if err != nil {
		return err
	}
	defer r.Close()
	es, err := r.Timeline(ctx, q)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(es)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for i := len(es) - 1; i >= 0; i-- { // oldest first, as a log reads
		e := es[i]
		note := ""
		if e.Unwatched {
			note = "  (while netviz was not watching)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s%s\n", e.Time.UTC().Format(time.RFC3339), e.Kind, e.Summary, note)
	}
	return tw.Flush()
}

func kindList() string {
	s := make([]string, len(history.Kinds))
	for i, k := range history.Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}
