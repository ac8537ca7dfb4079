package consul

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/netviz/netviz/collector/internal/backoff"
	"golang.org/x/time/rate"
)

// blockingWait is how long one blocking query may wait for a change: Consul's
// default, and consul-template's. Consul adds up to 1/16 of it as jitter, so
// an idle watcher costs one request about every 5 minutes.
const blockingWait = 5 * time.Minute

// minInterval spaces out successive reads of one watcher. A busy
// cluster can change an index several times a second; each wake-up re-reads
// the whole result (all checks, say), so bursts are merged into one read.
const minInterval = 200 * time.Millisecond

// blockingQuery is one Consul read that honours q's WaitIndex and WaitTime.
type blockingQuery[T any] func(q *consulapi.QueryOptions) (T, *consulapi.QueryMeta, error)

// watchKey names one reader of Consul, for its problem in the status: the
// topic it feeds and, where several read one topic, which part ("node
// web-1", "swept nodes"); the scope is empty for the one reader of a topic.
type watchKey struct{ topic, scope string }

// The keys of the node list, the checks and the sweep.
var (
	catalogKey = watchKey{topic: topicCatalog}
	healthKey  = watchKey{topic: topicHealth}
	sweepKey   = watchKey{topic: topicCatalog, scope: "swept nodes"}
)

// nodeKey is the key of the reads of one node's services.
func nodeKey(name string) watchKey { return watchKey{topic: topicCatalog, scope: "node " + name} }

// recordedError is a handle's failure whose problems the handle has put in
// the status itself (per node): watch retries without adding its own.
type recordedError struct{ error }

func (e recordedError) Unwrap() error { return e.error }

// watch follows one blocking query from index until ctx ends, calling
// handle with each new result and reading at most once per every. It follows
// consul-template's discipline: an unchanged index (the wait timed out)
// calls nothing, an index that went backwards starts over from 0.
//
// A failed read or handle is this watch's own problem as long as Consul
// itself answers (s.consulDown): it is recorded under key in the status
// (a 403 as refused), and the watch retries alone, with backoff, from index
// 0, so its next read returns at once with everything it covers, while the
// other watches keep running. Only when Consul does not answer does watch
// return an error, which ends the session: the source then says "down" and
// reads everything afresh once Consul is back. It returns nil when ctx ends.
func watch[T any](ctx context.Context, s *Source, key watchKey, index uint64, every time.Duration,
	query blockingQuery[T], handle func(ctx context.Context, v T, index uint64) error) error {
	bo := backoff.New()
	limit := rate.NewLimiter(rate.Every(every), 1)
	for {
		if limit.Wait(ctx) != nil {
			return nil // ctx ended
		}
		q := (&consulapi.QueryOptions{WaitIndex: index, WaitTime: blockingWait}).WithContext(ctx)
		v, meta, err := query(q)
		if ctx.Err() != nil {
			return nil
		}
		if err == nil {
			got := meta.LastIndex
			if index != 0 && got == index {
				continue
			}
			err = handle(ctx, v, got)
			if ctx.Err() != nil {
				return nil
			}
			if err == nil {
				s.recovered(ctx, key)
				bo.Reset()
				index = nextIndex(index, got)
				continue
			}
		}
		if !isForbidden(err) {
			if down := s.consulDown(ctx); down != nil {
				if ctx.Err() != nil {
					return nil
				}
				return down
			}
		}
		if !errors.As(err, new(recordedError)) {
			s.failed(ctx, key, err)
		}
		index = 0
		if !bo.Wait(ctx) {
			return nil
		}
	}
}

// probeTimeout bounds the question "is Consul there?": a half-open
// connection must not keep a failed watch from deciding.
const probeTimeout = 10 * time.Second

// liveness shares one answer to "is Consul there?" among the readers that
// fail together: when Consul goes away every watch fails at once, and one
// request answers them all.
type liveness struct {
	mu  sync.Mutex // held across the probe: later askers wait for its answer
	at  time.Time  // when the last answer came
	err error      // the last answer: nil when Consul answered
}

// consulDown reports, as an error, that Consul itself does not answer: its
// status endpoint (which needs no ACL) cannot be reached, fails with a 5xx,
// or names no leader (Consul then fails every read). nil means Consul is
// there, so a failed read is that reader's own problem. An answer that came
// after the caller asked is reused.
func (s *Source) consulDown(ctx context.Context) error {
	asked := time.Now()
	s.alive.mu.Lock()
	defer s.alive.mu.Unlock()
	if s.alive.at.After(asked) {
		return s.alive.err
	}
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	leader, err := s.client.Status().LeaderWithQueryOptions((&consulapi.QueryOptions{}).WithContext(pctx))
	if ctx.Err() != nil {
		return ctx.Err() // the caller is gone; no answer to share
	}
	switch se, answered := statusError(err); {
	case err == nil && leader == "":
		err = errors.New("consul has no leader")
	case err != nil && answered && se.Code < http.StatusInternalServerError:
		err = nil // something answered, and not with a server failure
	case err != nil:
		err = fmt.Errorf("consul leader: %w", err)
	}
	s.alive.at, s.alive.err = time.Now(), err
	return err
}

// nextIndex is the index to wait on after a read at prev returned got.
// Consul's rules for blocking queries: an index that went backwards (a
// restored snapshot, a new cluster) means start over from 0; an index of 0
// must not be waited on (it would return at once, a busy loop), so use 1.
func nextIndex(prev, got uint64) uint64 {
	switch {
	case got < prev:
		return 0
	case got == 0:
		return 1
	default:
		return got
	}
}

// statusError returns the HTTP error of a failed Consul API call.
func statusError(err error) (consulapi.StatusError, bool) {
	var se consulapi.StatusError
	if errors.As(err, &se) {
		return se, true
	}
	var pse *consulapi.StatusError
	if errors.As(err, &pse) && pse != nil {
		return *pse, true
	}
	return consulapi.StatusError{}, false
}

// isForbidden reports a 403: the token lacks a permission (ACLs).
func isForbidden(err error) bool {
	se, ok := statusError(err)
	return ok && se.Code == http.StatusForbidden
}

// describeError is the short form of err for the status line, e.g.
// "403 Permission denied". Errors never carry the token: the client sends it
// in a header.
func describeError(err error) string {
	if se, ok := statusError(err); ok {
		return fmt.Sprintf("%d %s", se.Code, se.Body)
	}
	return err.Error()
}
