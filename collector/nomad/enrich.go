package nomad

import (
	"context"
	"sync"

	"github.com/netviz/netviz/collector/model"
)

// Bounds of the background spec fetcher.
const (
	// maxPendingSpecs bounds the job versions waiting for a fetch; past it
	// an allocation stays without task details until its next event or the
	// next catch-up (logged).
	maxPendingSpecs = 256
	// maxPendingAllocs bounds the allocations waiting for one version's spec.
	maxPendingAllocs = 4096
	// specWorkers fetch specs in parallel.
	specWorkers = 4
)

// specFetcher reads job specs the event loop missed in its cache, so the
// loop never waits on HTTP: the loop applies the allocation at once (ports,
// network, status: all in the allocation itself) and the fetcher enriches
// it with tasks and services when the spec arrives. The enrichment is a
// guarded change: it applies only to the same version of the allocation the
// loop saw, so it never brings back a stopped allocation or overwrites a
// newer one.
type specFetcher struct {
	src *Source

	mu      sync.Mutex
	pending map[string]*pendingSpec // namespace\x00job → what waits for it
	queue   chan string
}

// pendingSpec is one job whose spec is being fetched and the allocations
// waiting for it, by ID (the latest read of each).
type pendingSpec struct {
	namespace, id string
	// reg is the registration whose spec the first allocation waits for.
	reg registration
	// unresolved is set when an allocation's version was not known
	// (resolveVersion): the job's versions are read even if reg's spec is
	// cached by then, for the registrations they list.
	unresolved bool
	allocs     map[string]pendingAlloc
}

// pendingAlloc is an allocation event waiting for its job's spec.
type pendingAlloc struct {
	alloc     *apiAlloc
	eventType string
}

func newSpecFetcher(src *Source) *specFetcher {
	return &specFetcher{src: src, pending: map[string]*pendingSpec{}, queue: make(chan string, maxPendingSpecs)}
}

// request asks in the background for the spec of the registration a runs,
// r, or for its job's versions when a's version is not known (resolved
// false). It never blocks.
func (f *specFetcher) request(a *apiAlloc, eventType string, r registration, resolved bool) {
	k := jobID(a.Namespace, a.JobID)
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.pending[k]
	if !ok {
		if len(f.pending) >= maxPendingSpecs {
			f.src.log.Warn("nomad: too many job specs pending; allocation shown without task details until its next update",
				"alloc", a.ID, "job", a.JobID, "version", a.JobVersion)
			return
		}
		p = &pendingSpec{namespace: a.Namespace, id: a.JobID, reg: r, allocs: map[string]pendingAlloc{}}
		f.pending[k] = p
		f.queue <- k // cannot block: the queue holds maxPendingSpecs
	}
	p.unresolved = p.unresolved || !resolved
	if _, ok := p.allocs[a.ID]; ok || len(p.allocs) < maxPendingAllocs {
		// A copy: the stream loop goes on reading a, and fetch, on
		// another goroutine, sets the copy's version.
		c := *a
		p.allocs[a.ID] = pendingAlloc{alloc: &c, eventType: eventType}
	}
}

// run fetches queued specs until ctx ends.
func (f *specFetcher) run(ctx context.Context) {
	var wg sync.WaitGroup
	for range specWorkers {
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case k := <-f.queue:
					f.fetch(ctx, k)
				}
			}
		})
	}
	wg.Wait()
}

// fetch reads one spec and enriches the allocations that wait for it.
func (f *specFetcher) fetch(ctx context.Context, k string) {
	f.mu.Lock()
	p := f.pending[k]
	unresolved := p.unresolved
	f.mu.Unlock()
	var err error
	if unresolved || f.src.jobs.specOf(p.namespace, p.id, p.reg) == nil {
		_, err = f.src.jobs.readVersions(ctx, f.src.api, p.namespace, p.id, p.reg.version)
	}
	f.mu.Lock()
	delete(f.pending, k)
	f.mu.Unlock()
	if err != nil {
		if ctx.Err() == nil {
			f.src.log.Warn("nomad: job spec for allocations", "job", p.id, "version", p.reg.version, "err", err)
		}
		return
	}
	// The read may have brought registrations the stream missed: which
	// version each allocation runs may be clearer now.
	snap := f.src.store.Snapshot()
	var changes []model.Change
	for _, w := range p.allocs {
		a := w.alloc
		r, ok := f.src.resolveVersion(a, snap.Allocation(a.ID), w.eventType)
		if !ok {
			f.src.log.Debug("nomad: job version of an allocation still unknown after reading the job's versions", "alloc", a.ID, "job", a.JobID)
			continue
		}
		a.JobVersion = r.version
		if j := f.src.jobs.specOf(a.Namespace, a.JobID, r); j != nil {
			ga := convertAlloc(a, j, f.src.nodeAddr(a.NodeID))
			changes = append(changes, model.EnrichAllocation{Alloc: ga})
		}
	}
	if ctx.Err() == nil && len(changes) > 0 {
		f.src.store.Apply(changes...)
	}
}
