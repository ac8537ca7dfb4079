package nomad

import (
	"maps"
	"sync"
	"time"
)

// Stats are the source's running totals since it started, for metrics:
// plain numbers, so the collector needs no metrics library (the web
// server's /metrics reads them at scrape time).
type Stats struct {
	// Syncs and CatchUps count finished full reads and catch-ups (reads
	// of what changed after the stream broke); the Seconds are their total
	// duration.
	Syncs, CatchUps             uint64
	SyncSeconds, CatchUpSeconds float64
	// Frames counts the event stream's frames applied (one model batch
	// each); Events their events, by topic.
	Frames uint64
	Events map[string]uint64
}

// stats keeps Stats; its zero value is ready.
type stats struct {
	mu sync.Mutex
	s  Stats
}

// read records a finished sync or catch-up.
func (t *stats) read(catchUp bool, took time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if catchUp {
		t.s.CatchUps++
		t.s.CatchUpSeconds += took.Seconds()
	} else {
		t.s.Syncs++
		t.s.SyncSeconds += took.Seconds()
	}
}

// frame records an applied frame.
func (t *stats) frame(f *eventFrame) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.s.Frames++
	if t.s.Events == nil {
		t.s.Events = map[string]uint64{}
	}
	for i := range f.Events {
		t.s.Events[f.Events[i].Topic]++
	}
}

// Stats returns the source's running totals.
func (s *Source) Stats() Stats {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	out := s.stats.s
	out.Events = maps.Clone(out.Events)
	return out
}
