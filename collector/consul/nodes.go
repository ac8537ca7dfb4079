package consul

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/netviz/netviz/collector/model"
	"golang.org/x/sync/errgroup"
)

// defaultNodeWatches caps the nodes that get a long poll of their own
// (WithNodeWatches changes it).
// Every long poll holds an HTTP connection, and Consul refuses more than
// limits.http_max_conns_per_client (default 200) connections from one
// address; past that, watchers would fail and the source would resync in a
// loop. 128 leaves room for the other watchers and for other clients on the
// same host (Nomad's agent among them).
const defaultNodeWatches = 128

// sweepInterval spaces out sweeps: each one reads every node past the
// cap, so on a big, busy catalog they must not follow every change.
const sweepInterval = 2 * time.Second

// nodeWatches runs one session's per-node watchers: a long poll per node up
// to the cap, and one sweep for the nodes past it, woken by any change to
// the catalog's services. Its fields are fixed; the nodes' state is in the
// source's catalog, under s.mu.
type nodeWatches struct {
	s   *Source
	g   *errgroup.Group
	ctx context.Context
	// own counts the nodes with a watcher of their own; guarded by s.mu.
	own int
}

// place gives a node a watcher of its own if the cap allows, else leaves it
// to the sweep. The caller holds s.mu.
func (w *nodeWatches) place(node *catalogNode, index uint64) {
	if w.own >= w.s.maxNodeWatches {
		return
	}
	nctx, stop := context.WithCancel(w.ctx)
	node.stop = stop
	w.own++
	name := node.name
	w.g.Go(func() error {
		defer stop()
		return watch(nctx, w.s, nodeKey(name), index, minInterval,
			func(q *consulapi.QueryOptions) (*consulapi.CatalogNodeServiceList, *consulapi.QueryMeta, error) {
				return w.s.client.Catalog().NodeServiceList(name, q)
			},
			func(ctx context.Context, list *consulapi.CatalogNodeServiceList, index uint64) error {
				w.s.mu.Lock()
				defer w.s.mu.Unlock()
				if ctx.Err() != nil {
					return nil // the node left while this read was in flight
				}
				w.s.applyLocked(index, w.s.catalog.setNodeServices(name, list)...)
				return nil
			})
	})
}

// swept lists, sorted, the nodes without a watcher of their own. The caller
// holds s.mu.
func (w *nodeWatches) swept() []string {
	var names []string
	for name, node := range w.s.catalog.nodes {
		if node.stop == nil {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// watchNodes follows the node list: new nodes get a watcher (or are read
// at once and then swept), gone nodes lose theirs (and any problem their
// reads had), and a freed watcher goes to a swept node.
func (w *nodeWatches) watchNodes(index uint64) error {
	return watch(w.ctx, w.s, catalogKey, index, minInterval, w.s.client.Catalog().Nodes,
		func(ctx context.Context, nodes []*consulapi.Node, index uint64) error {
			w.s.mu.Lock()
			gone, changes := w.s.catalog.setNodes(nodes)
			for _, n := range gone {
				if n.stop != nil {
					n.stop()
					w.own--
				}
				w.s.forgetLocked(nodeKey(n.name))
			}
			// A placed node's watcher reads from index 0, so nothing
			// registered before it started is missed.
			for _, name := range w.swept() {
				w.place(w.s.catalog.nodes[name], 0)
			}
			// Swept nodes not read yet (new ones, or ones whose last read
			// failed) are read now: the sweep wakes on the next change
			// only, which may have come already.
			var late []string
			for _, name := range w.swept() {
				if w.s.catalog.nodes[name].unread {
					late = append(late, name)
				}
			}
			w.s.applyLocked(index, changes...)
			w.s.mu.Unlock()
			return w.refresh(ctx, late, index)
		})
}

// sweep re-reads every node past the cap whenever the catalog's services
// change (/v1/catalog/services: one long poll, a small answer). With every
// node under the cap it only waits.
func (w *nodeWatches) sweep() error {
	return watch(w.ctx, w.s, sweepKey, 0, sweepInterval,
		func(q *consulapi.QueryOptions) (map[string][]string, *consulapi.QueryMeta, error) {
			return w.s.client.Catalog().Services(q)
		},
		func(ctx context.Context, _ map[string][]string, index uint64) error {
			w.s.mu.Lock()
			names := w.swept()
			w.s.mu.Unlock()
			return w.refresh(ctx, names, index)
		})
}

// refresh reads the services of the named nodes, a few at a time, and
// applies what changed for those still left to the sweep as one batch. A
// node that cannot be read stays as it was, marked unread, with its problem
// in the status; refresh then fails (a recordedError) once the others are
// applied, so the caller's watch retries.
func (w *nodeWatches) refresh(ctx context.Context, names []string, index uint64) error {
	if len(names) == 0 {
		return nil
	}
	lists := make([]*consulapi.CatalogNodeServiceList, len(names))
	errs := make([]error, len(names))
	var g errgroup.Group
	g.SetLimit(readParallel)
	for i, name := range names {
		g.Go(func() error {
			// Each goroutine writes its own elements.
			lists[i], _, errs[i] = w.s.client.Catalog().NodeServiceList(name, (&consulapi.QueryOptions{}).WithContext(ctx))
			if errs[i] != nil {
				errs[i] = fmt.Errorf("consul services of node %s: %w", name, errs[i])
			}
			return nil
		})
	}
	_ = g.Wait()
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	var changes []model.Change
	for i, name := range names {
		node := w.s.catalog.nodes[name]
		if node == nil || node.stop != nil {
			continue
		}
		if errs[i] != nil {
			node.unread = true
			w.s.failLocked(nodeKey(name), errs[i])
			continue
		}
		w.s.forgetLocked(nodeKey(name))
		changes = append(changes, w.s.catalog.setNodeServices(name, lists[i])...)
	}
	w.s.applyLocked(index, changes...)
	if err := errors.Join(errs...); err != nil {
		return recordedError{err}
	}
	return nil
}
