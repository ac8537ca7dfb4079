package consul

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/netviz/netviz/collector/internal/backoff"
	"github.com/netviz/netviz/collector/model"
	"golang.org/x/sync/errgroup"
)

// Source keeps the model's Consul-provider services, their health,
// Connect registrations and the service intentions in step with Consul.
//
// It follows four kinds of blocking queries: the node list, one query per
// node for that node's services (one long poll per Nomad client, not one per
// service; past a cap, one shared query for the remaining nodes), every
// check's status, and the service-intentions config entries.
//
// A query that fails while Consul itself answers is retried alone, with
// backoff, and named in the status topics meanwhile; the others keep
// running. Checks that cannot be read make every instance's health unknown,
// never passing.
//
// When Consul goes away the model keeps the last known Consul data (with
// health unknown) and the status says "down": a dashboard that blanks every
// Consul service during an agent restart would hide the very picture the
// operator is looking at. On reconnect everything is read afresh and
// replaces what was kept.
type Source struct {
	client *consulapi.Client
	store  *model.Store
	log    *slog.Logger
	addr   string
	// maxNodeWatches caps the per-node long polls (see defaultNodeWatches).
	maxNodeWatches int

	// mu guards the fields below and is held across store.Apply, so the
	// store receives changes in the order they were computed (a health
	// update cannot overtake the registration it is about).
	mu        sync.Mutex
	catalog   *catalog
	status    model.SourceStatus
	connected bool // has ever read Consul successfully
	// problems holds what each failing reader last got; the status topics
	// are derived from it.
	problems map[watchKey]problem
	// statusDirty is set when the status changed since it was last applied.
	statusDirty bool

	// alive is the last answer to "is Consul there?", shared by the readers
	// that fail together.
	alive liveness
}

// Option tunes a Source.
type Option func(*Source)

// WithAddress sets the address shown in the status (the client does
// not expose its own). Pass the consulapi.Config's Address.
func WithAddress(addr string) Option {
	return func(s *Source) { s.addr = addr }
}

// WithNodeWatches caps how many nodes get a long poll of their own
// (default 128, defaultNodeWatches); the other nodes are re-read together when
// the catalog's services change.
func WithNodeWatches(n int) Option {
	return func(s *Source) { s.maxNodeWatches = max(n, 0) }
}

// NewSource returns a source reading through client into store. It
// does no I/O. Without WithAddress the status shows the address the
// environment selects (CONSUL_HTTP_ADDR, else Consul's default).
func NewSource(client *consulapi.Client, store *model.Store, log *slog.Logger, opts ...Option) *Source {
	if log == nil {
		log = slog.Default()
	}
	s := &Source{client: client, store: store, log: log, catalog: newCatalog(), maxNodeWatches: defaultNodeWatches}
	for _, o := range opts {
		o(s)
	}
	if s.addr == "" {
		s.addr = consulapi.DefaultConfig().Address
	}
	s.status = model.SourceStatus{State: model.StateSyncing, Address: s.addr}
	return s
}

// Run watches Consul until ctx ends. Consul is optional: while it cannot be
// reached the model's Consul status says so (absent if never reached, down
// after having been connected) and Run retries with capped, jittered
// exponential backoff. It returns nil when ctx ends.
func (s *Source) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.status.State == model.StateSyncing {
		// Say so at once: the first read of a big catalog takes a while.
		s.store.Apply(model.SetConsulStatus{Status: s.statusCopy()})
	}
	s.mu.Unlock()
	bo := backoff.New()
	for {
		err := s.session(ctx, bo)
		if ctx.Err() != nil {
			return nil
		}
		if err == nil {
			err = fmt.Errorf("consul watchers stopped")
		}
		s.lost(err)
		if !bo.Wait(ctx) {
			return nil
		}
	}
}

// Sync reads everything once, without blocking, and applies it; for
// one-shot use (netviz dump). An unreachable Consul is recorded in the
// status and returned.
func (s *Source) Sync(ctx context.Context) error {
	r, err := s.read(ctx)
	if err != nil {
		s.lost(err)
		return fmt.Errorf("consul at %s: %w", s.addr, err)
	}
	s.applyRead(r)
	return nil
}

// session reads everything, publishes it, then follows the blocking queries
// until Consul is found down or ctx ends. A failing query retries on its
// own (see watch) and does not end the session.
func (s *Source) session(ctx context.Context, bo *backoff.Backoff) error {
	r, err := s.read(ctx)
	if err != nil {
		return err
	}
	bo.Reset()
	s.applyRead(r)

	g, gctx := errgroup.WithContext(ctx)
	w := &nodeWatches{s: s, g: g, ctx: gctx}
	s.mu.Lock()
	for _, name := range slices.Sorted(maps.Keys(s.catalog.nodes)) {
		w.place(s.catalog.nodes[name], r.serviceIndex[name])
	}
	s.mu.Unlock()
	g.Go(func() error { return w.watchNodes(r.nodesIndex) })
	g.Go(w.sweep)
	g.Go(func() error { return s.watchHealth(gctx, r.healthIndex) })
	g.Go(func() error { return s.watchIntentions(gctx, r.intentIndex) })
	return g.Wait()
}

// watchHealth follows every check's status.
func (s *Source) watchHealth(ctx context.Context, index uint64) error {
	return watch(ctx, s, healthKey, index, minInterval,
		func(q *consulapi.QueryOptions) (consulapi.HealthChecks, *consulapi.QueryMeta, error) {
			return s.client.Health().State(consulapi.HealthAny, q)
		},
		func(_ context.Context, checks consulapi.HealthChecks, index uint64) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			// The health problem goes with the health it clears, in one batch.
			s.forgetLocked(healthKey)
			s.applyLocked(index, s.catalog.setChecks(checks)...)
			return nil
		})
}

// watchIntentions follows the service-intentions config entries.
func (s *Source) watchIntentions(ctx context.Context, index uint64) error {
	return watch(ctx, s, watchKey{topic: topicIntentions}, index, minInterval,
		func(q *consulapi.QueryOptions) ([]consulapi.ConfigEntry, *consulapi.QueryMeta, error) {
			return s.client.ConfigEntries().List(intentionsKind, q)
		},
		func(ctx context.Context, entries []consulapi.ConfigEntry, index uint64) error {
			ri, refused, err := s.intentionsFrom(ctx, entries)
			if err != nil {
				return err
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if refused != nil {
				if s.setProblemLocked(watchKey{topic: topicDefaultVerdict}, refused) {
					s.log.Warn("consul refuses its default intention verdict; assuming deny", "err", describeError(refused))
				}
			} else {
				s.forgetLocked(watchKey{topic: topicDefaultVerdict})
			}
			s.applyLocked(index, ri)
			return nil
		})
}
