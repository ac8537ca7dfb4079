package collector

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/netviz/netviz/collector/graph"
	"golang.org/x/sync/errgroup"
)

// ConsulSource keeps the model's Consul-provider services, their health,
// Connect registrations and the service intentions in step with Consul.
//
// It follows four kinds of blocking queries: the node list, one query per
// node for that node's services (one long poll per Nomad client, not one per
// service), every check's status, and the service-intentions config entries.
//
// When Consul goes away the model keeps the last known Consul data and the
// status says "down": a dashboard that blanks every Consul service during an
// agent restart would hide the very picture the operator is looking at. On
// reconnect everything is read afresh and replaces what was kept.
type ConsulSource struct {
	client *consulapi.Client
	store  *graph.Store
	log    *slog.Logger
	addr   string

	// mu guards the fields below and is held across store.Apply, so the
	// store receives changes in the order they were computed (a health
	// update cannot overtake the registration it is about).
	mu        sync.Mutex
	catalog   *consulCatalog
	status    graph.SourceStatus
	connected bool // has ever read Consul successfully
}

// ConsulOption tunes a ConsulSource.
type ConsulOption func(*ConsulSource)

// WithConsulAddress sets the address shown in the status (the client does
// not expose its own). Pass the consulapi.Config's Address.
func WithConsulAddress(addr string) ConsulOption {
	return func(s *ConsulSource) { s.addr = addr }
}

// NewConsulSource returns a source reading through client into store. It
// does no I/O. Without WithConsulAddress the status shows the address the
// environment selects (CONSUL_HTTP_ADDR, else Consul's default).
func NewConsulSource(client *consulapi.Client, store *graph.Store, log *slog.Logger, opts ...ConsulOption) *ConsulSource {
	if log == nil {
		log = slog.Default()
	}
	s := &ConsulSource{client: client, store: store, log: log, catalog: newConsulCatalog()}
	for _, o := range opts {
		o(s)
	}
	if s.addr == "" {
		s.addr = consulapi.DefaultConfig().Address
	}
	s.status = graph.SourceStatus{State: graph.StateSyncing, Address: s.addr}
	return s
}

// Run watches Consul until ctx ends. Consul is optional: while it cannot be
// reached the model's Consul status says so (absent if never reached, down
// after having been connected) and Run retries with capped, jittered
// exponential backoff. It returns nil when ctx ends.
func (s *ConsulSource) Run(ctx context.Context) error {
	bo := newBackoff()
	for {
		err := s.session(ctx, bo)
		if ctx.Err() != nil {
			return nil
		}
		if err == nil {
			err = fmt.Errorf("consul watchers stopped")
		}
		s.lost(err)
		if !bo.wait(ctx) {
			return nil
		}
	}
}

// Sync reads everything once, without blocking, and applies it; for
// one-shot use (netviz dump). An unreachable Consul is recorded in the
// status and returned.
func (s *ConsulSource) Sync(ctx context.Context) error {
	r, err := s.read(ctx)
	if err != nil {
		s.lost(err)
		return fmt.Errorf("consul at %s: %w", s.addr, err)
	}
	s.applyRead(r)
	return nil
}

// session reads everything, publishes it, then follows the blocking queries
// until one fails or ctx ends.
func (s *ConsulSource) session(ctx context.Context, bo *backoff) error {
	r, err := s.read(ctx)
	if err != nil {
		return err
	}
	bo.reset()
	s.applyRead(r)

	g, gctx := errgroup.WithContext(ctx)
	s.mu.Lock()
	for name, node := range s.catalog.nodes {
		s.startNodeWatch(gctx, g, node, r.serviceIndex[name])
	}
	s.mu.Unlock()
	g.Go(func() error { return s.watchNodes(gctx, g, r.nodesIndex) })
	g.Go(func() error { return s.watchHealth(gctx, r.healthIndex) })
	g.Go(func() error { return s.watchIntentions(gctx, r.intentIndex) })
	return g.Wait()
}

// watchNodes follows the node list, starting a watcher for each new node and
// stopping the watchers of nodes that left.
func (s *ConsulSource) watchNodes(ctx context.Context, g *errgroup.Group, index uint64) error {
	return watchConsul(ctx, s, topicCatalog, index, s.client.Catalog().Nodes,
		func(ctx context.Context, nodes []*consulapi.Node, index uint64) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			added, gone, changes := s.catalog.setNodes(nodes)
			for _, n := range gone {
				if n.stop != nil {
					n.stop()
				}
			}
			for _, name := range added {
				s.startNodeWatch(ctx, g, s.catalog.nodes[name], 0)
			}
			s.applyLocked(index, changes...)
			return nil
		})
}

// startNodeWatch starts following one node's services from index. The
// caller holds s.mu.
func (s *ConsulSource) startNodeWatch(ctx context.Context, g *errgroup.Group, node *consulNode, index uint64) {
	nctx, stop := context.WithCancel(ctx)
	node.stop = stop
	name := node.name
	g.Go(func() error {
		defer stop()
		return watchConsul(nctx, s, topicCatalog, index,
			func(q *consulapi.QueryOptions) (*consulapi.CatalogNodeServiceList, *consulapi.QueryMeta, error) {
				return s.client.Catalog().NodeServiceList(name, q)
			},
			func(ctx context.Context, list *consulapi.CatalogNodeServiceList, index uint64) error {
				s.mu.Lock()
				defer s.mu.Unlock()
				if ctx.Err() != nil {
					return nil // the node left while this read was in flight
				}
				s.applyLocked(index, s.catalog.setNodeServices(name, list)...)
				return nil
			})
	})
}

// watchHealth follows every check's status.
func (s *ConsulSource) watchHealth(ctx context.Context, index uint64) error {
	return watchConsul(ctx, s, topicHealth, index,
		func(q *consulapi.QueryOptions) (consulapi.HealthChecks, *consulapi.QueryMeta, error) {
			return s.client.Health().State(consulapi.HealthAny, q)
		},
		func(_ context.Context, checks consulapi.HealthChecks, index uint64) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.applyLocked(index, s.catalog.setChecks(checks)...)
			return nil
		})
}

// watchIntentions follows the service-intentions config entries.
func (s *ConsulSource) watchIntentions(ctx context.Context, index uint64) error {
	return watchConsul(ctx, s, topicIntentions, index,
		func(q *consulapi.QueryOptions) ([]consulapi.ConfigEntry, *consulapi.QueryMeta, error) {
			return s.client.ConfigEntries().List(intentionsKind, q)
		},
		func(ctx context.Context, entries []consulapi.ConfigEntry, index uint64) error {
			ri, err := s.intentionsFrom(ctx, entries)
			if err != nil {
				return err
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			s.applyLocked(index, ri)
			return nil
		})
}
