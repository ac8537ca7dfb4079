package diagram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"github.com/a-h/templ"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views/viewmodel"
)

// defaultCacheSize bounds the layout cache: a handful of filters per
// snapshot for the few latest snapshots covers a page watched by many.
const defaultCacheSize = 64

// DefaultDeadline is how long a render waits for a layout unless told
// otherwise (WithDeadline, or an earlier deadline on the render's
// context). A page that takes longer looks broken; the picture it gets
// instead says why.
const DefaultDeadline = 3 * time.Second

// DefaultMaxBoxes caps the boxes (namespaces, tasks, ports) of a picture
// drawn one box per allocation; past it the topology is the scale view.
// Graphviz's dot takes about 1.4 s for the ~1,000 boxes of 200 allocations
// of fixture.Generate on this project's two-core machine, and grows faster
// than the box count.
const DefaultMaxBoxes = 1500

// maxPending bounds the layouts a Drawer has started and not finished
// (running, or waiting for Graphviz): past it a render gets the fallback
// picture at once instead of queueing one more layout.
const maxPending = 8

// Drawer lays out and draws diagrams. It owns one Graphviz context, started
// on first use, and a bounded cache of layouts and their SVG. It is safe for
// concurrent use: renders of cached pictures never wait, viewers of one
// snapshot share one layout, and a render waits for a layout no longer than
// its deadline (DefaultDeadline, WithDeadline, or its context's, whichever
// comes first). Past it the render draws the previous picture of the same
// view, or the topology as job/group boxes without Graphviz, and says so on
// the picture; the layout goes on in the background and is cached for the
// next render (WithLate hears when it is done).
type Drawer struct {
	engMu sync.Mutex
	eng   *engine

	cache *lru.Cache[cacheKey, *drawing]
	// recent is the latest picture of each view (kind, filter,
	// allocation), the fallback when a newer one is late.
	recent *lru.Cache[viewKey, *drawing]

	mu sync.Mutex
	// calls are the layouts under way, shared by the viewers who miss the
	// cache together (a new snapshot reaching every open page at once).
	calls map[cacheKey]*call

	deadline time.Duration
	maxBoxes int
	late     func(Late)
}

// Option configures a Drawer.
type Option func(*Drawer)

// WithDeadline sets how long a render waits for a layout (default
// DefaultDeadline); 0 leaves only the render's context to bound the wait.
func WithDeadline(d time.Duration) Option { return func(dr *Drawer) { dr.deadline = max(d, 0) } }

// WithMaxBoxes sets the most boxes a picture drawn one box per allocation
// may have (default DefaultMaxBoxes); past it the topology is the scale
// view, whose size is bounded.
func WithMaxBoxes(n int) Option {
	return func(dr *Drawer) {
		if n > 0 {
			dr.maxBoxes = n
		}
	}
}

// WithLate registers f to hear of a layout that finished after a render
// had given up waiting for it: the render drew a fallback, and the view
// can now be drawn again from the cache. f runs on the layout's goroutine
// and must not block.
func WithLate(f func(Late)) Option { return func(dr *Drawer) { dr.late = f } }

// Late names a view whose layout finished after its deadline.
type Late struct {
	// View is "topology" or "namespace".
	View    string
	Filter  viewmodel.Filter
	AllocID string
	// Version is the snapshot's version.
	Version uint64
}

// ErrLate is returned when a layout misses its deadline and there is no
// picture to show instead (the namespace view of an allocation drawn for
// the first time).
var ErrLate = errors.New("diagram layout not done in time")

// drawing is a cached layout and, once a viewer asked for it, its SVG:
// every further viewer of the same snapshot gets the bytes as they are.
type drawing struct {
	lay     *Layout
	version uint64
	once    sync.Once
	svg     []byte
	err     error
}

// bytes renders the drawing once.
func (dr *drawing) bytes(ctx context.Context) ([]byte, error) {
	dr.once.Do(func() {
		var buf bytes.Buffer
		// Shared by every viewer: one leaving must not spoil it.
		dr.err = svg(dr.lay).Render(context.WithoutCancel(ctx), &buf)
		dr.svg = buf.Bytes()
	})
	return dr.svg, dr.err
}

// cacheKey identifies a layout. The weak pointer tells apart snapshots of
// different stores that share a version number, without keeping old
// snapshots alive.
type cacheKey struct {
	version uint64
	snap    weak.Pointer[model.Snapshot]
	view    string
	filter  viewmodel.Filter
	alloc   string
	// scope is the snapshot's ScopeKey: viewers with other rights see
	// other pictures of the same view, and a fallback must not cross.
	scope string
}

// viewKey is a cacheKey without the snapshot: the same picture over time.
type viewKey struct {
	view   string
	filter viewmodel.Filter
	alloc  string
	scope  string
}

func (k cacheKey) viewKey() viewKey { return viewKey{k.view, k.filter, k.alloc, k.scope} }

// call is a layout under way.
type call struct {
	done chan struct{}
	dr   *drawing
	err  error
	// late is set when a viewer gave up waiting.
	late atomic.Bool
}

// NewDrawer returns a Drawer caching up to size layouts; size 0 turns the
// cache off (benchmarks measure the layout itself that way).
func NewDrawer(size int, opts ...Option) *Drawer {
	recent, err := lru.New[viewKey, *drawing](defaultCacheSize)
	if err != nil {
		panic(fmt.Sprintf("diagram cache: %v", err))
	}
	d := &Drawer{recent: recent, calls: map[cacheKey]*call{}, deadline: DefaultDeadline, maxBoxes: DefaultMaxBoxes}
	for _, o := range opts {
		o(d)
	}
	if size <= 0 {
		return d
	}
	c, err := lru.New[cacheKey, *drawing](size)
	if err != nil {
		// lru.New fails only for a size below one, excluded above.
		panic(fmt.Sprintf("diagram cache: %v", err))
	}
	d.cache = c
	return d
}

// defaultDrawer backs the package-level Topology and Namespace, so pages can
// call them without wiring; Graphviz then starts once per process.
var defaultDrawer = sync.OnceValue(func() *Drawer {
	return NewDrawer(defaultCacheSize, WithLate(func(l Late) {
		if f := lateHook.Load(); f != nil {
			(*f)(l)
		}
	}))
})

// lateHook is what the package-level drawer calls for a late layout.
var lateHook atomic.Pointer[func(Late)]

// OnLate sets what the package-level Topology and Namespace call when a
// layout that missed its deadline has finished, so a server can push the
// finished picture to the pages that show it. The last call wins; nil
// turns it off.
func OnLate(f func(Late)) {
	if f == nil {
		lateHook.Store(nil)
		return
	}
	lateHook.Store(&f)
}

// Topology draws the whole cluster (narrowed by f, the filter the pages and
// /api/v1/topology apply) as an inline SVG.
func Topology(snap *model.Snapshot, f viewmodel.Filter) templ.Component {
	return defaultDrawer().Topology(snap, f)
}

// Namespace draws one allocation's namespace alone, inside its host, with its
// ports, tasks, sidecars and upstream listeners.
func Namespace(snap *model.Snapshot, allocID string) templ.Component {
	return defaultDrawer().Namespace(snap, allocID)
}

// Topology draws the whole cluster (narrowed by f) as an inline SVG.
func (d *Drawer) Topology(snap *model.Snapshot, f viewmodel.Filter) templ.Component {
	return d.component(func(ctx context.Context) (*drawing, error) { return d.topology(ctx, snap, f) })
}

// Namespace draws one allocation's namespace alone as an inline SVG.
func (d *Drawer) Namespace(snap *model.Snapshot, allocID string) templ.Component {
	return d.component(func(ctx context.Context) (*drawing, error) { return d.namespace(ctx, snap, allocID) })
}

func (d *Drawer) component(get func(context.Context) (*drawing, error)) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		dr, err := get(ctx)
		if err != nil {
			return err
		}
		b, err := dr.bytes(ctx)
		if err != nil {
			return fmt.Errorf("render diagram: %w", err)
		}
		_, err = w.Write(b)
		return err
	})
}

// TopologyLayout computes (or takes from the cache) the topology layout.
func (d *Drawer) TopologyLayout(ctx context.Context, snap *model.Snapshot, f viewmodel.Filter) (*Layout, error) {
	dr, err := d.topology(ctx, snap, f)
	if err != nil {
		return nil, err
	}
	return dr.lay, nil
}

// NamespaceLayout computes (or takes from the cache) one allocation's layout.
func (d *Drawer) NamespaceLayout(ctx context.Context, snap *model.Snapshot, allocID string) (*Layout, error) {
	dr, err := d.namespace(ctx, snap, allocID)
	if err != nil {
		return nil, err
	}
	return dr.lay, nil
}

func (d *Drawer) topology(ctx context.Context, snap *model.Snapshot, f viewmodel.Filter) (*drawing, error) {
	key := cacheKey{version: snap.Version(), snap: weak.Make(snap), view: viewTopology, filter: f, scope: snap.ScopeKey()}
	return d.cached(ctx, snap, key, func(b *builder) map[int]*model.Node { return b.topology(f) })
}

func (d *Drawer) namespace(ctx context.Context, snap *model.Snapshot, allocID string) (*drawing, error) {
	if snap.Allocation(allocID) == nil {
		return nil, fmt.Errorf("diagram of allocation %q: %w", allocID, ErrUnknownAllocation)
	}
	key := cacheKey{version: snap.Version(), snap: weak.Make(snap), view: viewNamespace, alloc: allocID, scope: snap.ScopeKey()}
	return d.cached(ctx, snap, key, func(b *builder) map[int]*model.Node { return b.single(allocID) })
}

// The views a Drawer draws, as Late.View names them.
const (
	viewTopology  = "topology"
	viewNamespace = "namespace"
)

// ErrUnknownAllocation is returned for an allocation the snapshot lacks.
var ErrUnknownAllocation = errors.New("unknown allocation")

// cached returns the cached layout for key, or builds it, waiting no
// longer than the deadline; concurrent callers with the same key share one
// build.
func (d *Drawer) cached(ctx context.Context, snap *model.Snapshot, key cacheKey, build func(*builder) map[int]*model.Node) (*drawing, error) {
	if d.cache != nil {
		if dr, ok := d.cache.Get(key); ok {
			return dr, nil
		}
	}
	d.mu.Lock()
	c, ok := d.calls[key]
	if !ok && d.cache != nil {
		// A build may have finished between the look-up above and the
		// lock: run caches before it forgets the call, so look again.
		if dr, hit := d.cache.Get(key); hit {
			d.mu.Unlock()
			return dr, nil
		}
	}
	if !ok && len(d.calls) < maxPending {
		c = &call{done: make(chan struct{})}
		d.calls[key] = c
		// The layout runs on its own, so a viewer who leaves or gives
		// up does not stop it: the next render finds it in the cache.
		go d.run(c, snap, key, build)
	}
	d.mu.Unlock()
	if c == nil {
		return d.fallback(snap, key, fmt.Sprintf("%d layouts are already under way", maxPending))
	}
	wait := ctx
	if d.deadline > 0 {
		var cancel context.CancelFunc
		wait, cancel = context.WithTimeout(ctx, d.deadline)
		defer cancel()
	}
	start := time.Now()
	select {
	case <-c.done:
		return c.dr, c.err
	case <-wait.Done():
		c.late.Store(true)
		// Done meanwhile: run saw no late viewer, so this one takes it.
		select {
		case <-c.done:
			return c.dr, c.err
		default:
		}
		if errors.Is(context.Cause(ctx), context.Canceled) {
			return nil, fmt.Errorf("diagram: %w", context.Cause(ctx))
		}
		return d.fallback(snap, key, fmt.Sprintf("its layout took longer than %s", time.Since(start).Round(100*time.Millisecond)))
	}
}

// run lays out one picture and caches it.
func (d *Drawer) run(c *call, snap *model.Snapshot, key cacheKey, build func(*builder) map[int]*model.Node) {
	lay, err := d.build(context.Background(), snap, build)
	if err == nil {
		c.dr = &drawing{lay: lay, version: snap.Version()}
		if d.cache != nil {
			d.cache.Add(key, c.dr)
		}
		vk := key.viewKey()
		if prev, ok := d.recent.Peek(vk); !ok || prev.version <= c.dr.version {
			d.recent.Add(vk, c.dr)
		}
	}
	c.err = err
	d.mu.Lock()
	delete(d.calls, key)
	d.mu.Unlock()
	close(c.done)
	if c.late.Load() && err == nil && d.late != nil {
		d.late(Late{View: key.view, Filter: key.filter, AllocID: key.alloc, Version: key.version})
	}
}

// fallback is the picture drawn when the one asked for is not ready in
// time: the latest picture of the same view from an older snapshot, else,
// for the topology, the job/group boxes without Graphviz. Either says so.
func (d *Drawer) fallback(snap *model.Snapshot, key cacheKey, why string) (*drawing, error) {
	if prev, ok := d.recent.Get(key.viewKey()); ok && prev.version < snap.Version() {
		lay := *prev.lay
		lay.Banner = fmt.Sprintf("Showing version %d: version %d is not drawn yet (%s); the picture updates when it is.",
			prev.version, snap.Version(), why)
		return &drawing{lay: &lay, version: prev.version}, nil
	}
	if key.view == viewTopology {
		b := newBuilder(snap)
		b.maxBoxes = d.maxBoxes
		b.noGraph = true
		b.noGraphWhy = "connections not drawn: " + why
		b.topology(key.filter)
		if b.skipLayout {
			b.placeBare()
			return &drawing{lay: b.lay, version: snap.Version()}, nil
		}
	}
	return nil, fmt.Errorf("%w: %s", ErrLate, why)
}

// build lays out one diagram.
func (d *Drawer) build(ctx context.Context, snap *model.Snapshot, build func(*builder) map[int]*model.Node) (*Layout, error) {
	b := newBuilder(snap)
	b.maxBoxes = d.maxBoxes
	nodes := build(b)
	if b.skipLayout {
		b.placeBare()
		return b.lay, nil
	}
	eng, err := d.engine()
	if err != nil {
		return nil, err
	}
	out, err := eng.layoutJSON(ctx, b.finish())
	if err != nil {
		return nil, err
	}
	gv, err := parseGV(out)
	if err != nil {
		return nil, err
	}
	if err := b.place(gv, nodes); err != nil {
		return nil, fmt.Errorf("place diagram: %w", err)
	}
	return b.lay, nil
}

// engine starts Graphviz on first use. A failed start is retried by the
// next call rather than remembered.
func (d *Drawer) engine() (*engine, error) {
	d.engMu.Lock()
	defer d.engMu.Unlock()
	if d.eng != nil {
		return d.eng, nil
	}
	// The runtime outlives any one request, so it does not take the
	// request's context.
	eng, err := newEngine(context.Background())
	if err != nil {
		return nil, err
	}
	d.eng = eng
	return eng, nil
}

// Close stops the Drawer's Graphviz runtime.
func (d *Drawer) Close() error {
	d.engMu.Lock()
	defer d.engMu.Unlock()
	if d.eng == nil {
		return nil
	}
	err := d.eng.Close()
	d.eng = nil
	return err
}
