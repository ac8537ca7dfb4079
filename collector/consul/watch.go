package collector

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	"golang.org/x/time/rate"
)

// consulWait is how long one blocking query may wait for a change: Consul's
// default, and consul-template's. Consul adds up to 1/16 of it as jitter, so
// an idle watcher costs one request about every 5 minutes.
const consulWait = 5 * time.Minute

// consulMinInterval spaces out successive reads of one watcher. A busy
// cluster can change an index several times a second; each wake-up re-reads
// the whole result (all checks, say), so bursts are merged into one read.
const consulMinInterval = 200 * time.Millisecond

// blockingQuery is one Consul read that honours q's WaitIndex and WaitTime.
type blockingQuery[T any] func(q *consulapi.QueryOptions) (T, *consulapi.QueryMeta, error)

// watchConsul follows one blocking query from index until ctx ends, calling
// handle with each new result and reading at most once per every. It follows
// consul-template's discipline: an unchanged index (the wait timed out)
// calls nothing, an index that went backwards starts over from 0, a 403
// marks the topic forbidden in the status and is retried with backoff while
// everything else keeps working. Any other error ends the watch: the source
// then reconnects and resyncs. It returns nil when ctx ends.
func watchConsul[T any](ctx context.Context, s *ConsulSource, topic string, index uint64, every time.Duration,
	query blockingQuery[T], handle func(ctx context.Context, v T, index uint64) error) error {
	bo := newBackoff()
	limit := rate.NewLimiter(rate.Every(every), 1)
	for {
		if limit.Wait(ctx) != nil {
			return nil // ctx ended
		}
		q := (&consulapi.QueryOptions{WaitIndex: index, WaitTime: consulWait}).WithContext(ctx)
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
				bo.reset()
				index = nextIndex(index, got)
				continue
			}
		}
		if !isConsulForbidden(err) {
			return fmt.Errorf("consul %s: %w", topic, err)
		}
		s.forbidTopic(topic, err)
		index = 0
		if !bo.wait(ctx) {
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

// consulStatusError returns the HTTP error of a failed Consul API call.
func consulStatusError(err error) (consulapi.StatusError, bool) {
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

// isConsulForbidden reports a 403: the token lacks a permission (ACLs).
func isConsulForbidden(err error) bool {
	se, ok := consulStatusError(err)
	return ok && se.Code == http.StatusForbidden
}

// describeConsulError is the short form of err for the status line, e.g.
// "403 Permission denied". Errors never carry the token: the client sends it
// in a header.
func describeConsulError(err error) string {
	if se, ok := consulStatusError(err); ok {
		return fmt.Sprintf("%d %s", se.Code, se.Body)
	}
	return err.Error()
}
