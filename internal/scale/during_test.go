//go:build scale

package scale

import (
	"context"
	"slices"
	"time"
)

// syncEvery is how often a full sync runs during a burst.
const syncEvery = 20 * time.Second

// syncDuring runs a full sync on its own collector every syncEvery until
// ctx ends, and hands over their log records. A catch-up runs while Nomad
// is busy with the burst; the fresh sync after the burst finds it idle, so
// only a sync taken meanwhile compares their times fairly. Each sync adds
// its own load to Nomad (one read of everything).
func (r *scaleRun) syncDuring(ctx context.Context) <-chan []logRec {
	out := make(chan []logRec, 1)
	go func() {
		var recs []logRec
		for {
			select {
			case <-ctx.Done():
				out <- recs
				return
			case <-time.After(syncEvery):
			}
			if _, rec, err := r.freshSync(ctx); err == nil {
				recs = append(recs, rec)
			}
		}
	}()
	return out
}

// compareDuring prints each catch-up's bytes and time against the full
// sync taken nearest to it during the burst, and their spread.
func (r *scaleRun) compareDuring(name string, catchUps, syncs []logRec) {
	if len(catchUps) == 0 || len(syncs) == 0 {
		r.printf("burst %s: %d catch-ups, %d full syncs during it: nothing to compare", name, len(catchUps), len(syncs))
		return
	}
	var bytes, took []float64
	for _, c := range catchUps {
		near := syncs[0]
		for _, s := range syncs[1:] {
			if absDur(s.at.Sub(c.at)) < absDur(near.at.Sub(c.at)) {
				near = s
			}
		}
		bytes = append(bytes, float64(c.int("bytes"))/float64(max(near.int("bytes"), 1)))
		took = append(took, c.dur("took").Seconds()/max(near.dur("took").Seconds(), 1e-9))
	}
	var syncTook []time.Duration
	for _, s := range syncs {
		syncTook = append(syncTook, s.dur("took"))
	}
	slices.Sort(syncTook)
	r.printf("burst %s: %d full syncs during it took %s–%s (median %s); each of the %d catch-ups against the sync nearest in time: bytes median %.2f×, 90th percentile %.2f×, worst %.2f×; time median %.2f×, 90th percentile %.2f×, worst %.2f×",
		name, len(syncs), syncTook[0].Round(time.Millisecond), syncTook[len(syncTook)-1].Round(time.Millisecond), syncTook[len(syncTook)/2].Round(time.Millisecond),
		len(catchUps), quantile(bytes, 0.5), quantile(bytes, 0.9), quantile(bytes, 1), quantile(took, 0.5), quantile(took, 0.9), quantile(took, 1))
}

// quantile is the q-quantile of v (nearest rank; 1 is the maximum).
func quantile(v []float64, q float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
