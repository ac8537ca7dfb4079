package consul

import (
	"context"
	"errors"
	"fmt"
	"net/http"
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

// watch follows one blocking query from index until ctx ends, calling
// handle with each new result and reading at most once per every. It follows
// consul-template's discipline: an unchanged index (the wait timed out)
// calls nothing, an index that went backwards starts over from 0, a 403
// marks the topic forbidden in the status and is retried with backoff while
// everything else keeps working. Any other error ends the watch: the source
// then reconnects and resyncs. It returns nil when ctx ends.
func watch[T any](ctx context.Context, s *Source, topic string, index uint64, every time.Duration,
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
				s.clearTopic(topic)
				bo.Reset()
				index = nextIndex(index, got)
				continue
			}
		}
		if !isForbidden(err) {
			return fmt.Errorf("consul %s: %w", topic, err)
		}
		s.forbidTopic(topic, err)
		index = 0
		if !bo.Wait(ctx) {
			return nil
		}
	}
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
