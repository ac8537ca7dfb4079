package consul

import (
	"context"
	"fmt"
	"sync"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/netviz/netviz/collector/model"
	"golang.org/x/sync/errgroup"
)

// readParallel bounds the node-services reads in flight during a full
// read: enough to hide round trips on a big catalog, few enough not to load
// the agent the way a reconnect storm would.
const readParallel = 8

// Topics of the Consul source, as they appear in SourceStatus.Topics.
const (
	topicCatalog    = "catalog"
	topicHealth     = "health"
	topicIntentions = "intentions"
	// topicDefaultVerdict is Consul's answer for pairs no intention names.
	topicDefaultVerdict = "intentions-default"
)

// fullRead is one full, non-blocking read of everything the source follows,
// with the index each watcher continues from.
type fullRead struct {
	nodes        []*consulapi.Node
	nodesIndex   uint64
	services     map[string][]*consulapi.AgentService // by node name
	serviceIndex map[string]uint64                    // by node name
	checks       consulapi.HealthChecks
	healthIndex  uint64
	intentions   []model.Intention
	defaultAllow bool
	intentIndex  uint64
	// failed holds the reads Consul refused (403) or failed while still
	// answering, and why; their data is missing from the read.
	failed map[watchKey]error
	// mu guards services, serviceIndex and failed while the read's
	// goroutines fill them; each other field has a single writer.
	mu sync.Mutex
}

// maxIndex is the highest raft index the read saw.
func (r *fullRead) maxIndex() uint64 {
	m := max(r.nodesIndex, r.healthIndex, r.intentIndex)
	for _, i := range r.serviceIndex {
		m = max(m, i)
	}
	return m
}

// partial records that the read of key failed, if Consul is still there
// (or refused it: a 403); the read goes on without that part, and the
// watcher that takes over from it reads it again. It returns err if Consul
// is down, which fails the whole read.
func (s *Source) partial(ctx context.Context, r *fullRead, key watchKey, err error) error {
	if !isForbidden(err) && s.consulDown(ctx) != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed[key] = err
	return nil
}

// read reads nodes, every node's services, all checks and the intentions.
// A part that fails while Consul still answers is left out and recorded
// (see partial); the node list failing, or any part failing with Consul
// gone, fails the read.
func (s *Source) read(ctx context.Context) (*fullRead, error) {
	r := &fullRead{
		services:     make(map[string][]*consulapi.AgentService),
		serviceIndex: make(map[string]uint64),
		failed:       make(map[watchKey]error),
		defaultAllow: true,
	}
	nodes, meta, err := s.client.Catalog().Nodes((&consulapi.QueryOptions{}).WithContext(ctx))
	switch {
	case isForbidden(err):
		r.failed[catalogKey] = err
	case err != nil:
		return nil, fmt.Errorf("consul catalog nodes: %w", err)
	default:
		r.nodes, r.nodesIndex = nodes, meta.LastIndex
	}

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(readParallel)
	g.Go(func() error {
		checks, meta, err := s.client.Health().State(consulapi.HealthAny, (&consulapi.QueryOptions{}).WithContext(gctx))
		if err != nil {
			return s.partial(gctx, r, healthKey, fmt.Errorf("consul health: %w", err))
		}
		r.checks, r.healthIndex = checks, meta.LastIndex
		return nil
	})
	g.Go(func() error {
		ri, index, refused, err := s.readIntentions(gctx)
		if err != nil {
			return s.partial(gctx, r, watchKey{topic: topicIntentions}, err)
		}
		if refused != nil {
			_ = s.partial(gctx, r, watchKey{topic: topicDefaultVerdict}, refused)
		}
		r.intentions, r.defaultAllow, r.intentIndex = ri.Intentions, ri.DefaultAllow, index
		return nil
	})
	for _, n := range r.nodes {
		name := n.Node
		g.Go(func() error {
			list, meta, err := s.client.Catalog().NodeServiceList(name, (&consulapi.QueryOptions{}).WithContext(gctx))
			if err != nil {
				return s.partial(gctx, r, nodeKey(name), fmt.Errorf("consul services of node %s: %w", name, err))
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			if list != nil {
				r.services[name] = list.Services
			}
			r.serviceIndex[name] = meta.LastIndex
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return r, nil
}

// readIntentions reads the service-intentions entries once, without
// blocking. refused is set when Consul would not give its default verdict.
func (s *Source) readIntentions(ctx context.Context) (ri model.ReplaceIntentions, index uint64, refused, err error) {
	entries, meta, err := s.client.ConfigEntries().List(intentionsKind, (&consulapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return ri, 0, nil, fmt.Errorf("consul intentions: %w", err)
	}
	ri, refused, err = s.intentionsFrom(ctx, entries)
	return ri, meta.LastIndex, refused, err
}

// intentionsFrom flattens entries and asks Consul for its default verdict,
// the part of the answer no config entry holds. A 403 on that question comes
// back as refused, with DefaultAllow false: only ACLs refuse, and ACL
// setups deny by default, so deny is the likely truth and the safe guess;
// the status says it is a guess.
func (s *Source) intentionsFrom(ctx context.Context, entries []consulapi.ConfigEntry) (ri model.ReplaceIntentions, refused, err error) {
	allow, err := s.defaultAllow(ctx)
	switch {
	case isForbidden(err):
		refused, allow = err, false
	case err != nil:
		return ri, nil, err
	}
	return model.ReplaceIntentions{Intentions: flattenIntentions(entries), DefaultAllow: allow}, refused, nil
}
