package diagram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"weak"

	"github.com/a-h/templ"
	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views/viewmodel"
)

// defaultCacheSize bounds the layout cache: a handful of filters per
// snapshot for the few latest snapshots covers a page watched by many.
const defaultCacheSize = 64

// Drawer lays out and draws diagrams. It owns one Graphviz runtime, started
// on first use, and a bounded cache of layouts and their SVG. It is safe for
// concurrent use.
type Drawer struct {
	mu    sync.Mutex
	eng   *engine
	cache *lru.Cache[cacheKey, *drawing]
	// flight makes the viewers who miss the cache together (a new
	// snapshot reaching every open page at once) share one layout.
	flight singleflight.Group
}

// drawing is a cached layout and, once a viewer asked for it, its SVG:
// every further viewer of the same snapshot gets the bytes as they are.
type drawing struct {
	lay  *Layout
	once sync.Once
	svg  []byte
	err  error
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
}

// NewDrawer returns a Drawer caching up to size layouts; size 0 turns the
// cache off (benchmarks measure the layout itself that way).
func NewDrawer(size int) *Drawer {
	if size <= 0 {
		return &Drawer{}
	}
	c, err := lru.New[cacheKey, *drawing](size)
	if err != nil {
		// lru.New fails only for a size below one, excluded above.
		panic(fmt.Sprintf("diagram cache: %v", err))
	}
	return &Drawer{cache: c}
}

// defaultDrawer backs the package-level Topology and Namespace, so pages can
// call them without wiring; Graphviz then starts once per process.
var defaultDrawer = sync.OnceValue(func() *Drawer { return NewDrawer(defaultCacheSize) })

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
	key := cacheKey{version: snap.Version(), snap: weak.Make(snap), view: "topology", filter: f}
	return d.cached(ctx, snap, key, func(b *builder) map[int]*model.Node { return b.topology(f) })
}

func (d *Drawer) namespace(ctx context.Context, snap *model.Snapshot, allocID string) (*drawing, error) {
	if snap.Allocation(allocID) == nil {
		return nil, fmt.Errorf("diagram of allocation %q: %w", allocID, ErrUnknownAllocation)
	}
	key := cacheKey{version: snap.Version(), snap: weak.Make(snap), view: "namespace", alloc: allocID}
	return d.cached(ctx, snap, key, func(b *builder) map[int]*model.Node { return b.single(allocID) })
}

// ErrUnknownAllocation is returned for an allocation the snapshot lacks.
var ErrUnknownAllocation = errors.New("unknown allocation")

// cached returns the cached layout for key or builds it; concurrent
// callers with the same key share one build.
func (d *Drawer) cached(ctx context.Context, snap *model.Snapshot, key cacheKey, build func(*builder) map[int]*model.Node) (*drawing, error) {
	if d.cache != nil {
		if dr, ok := d.cache.Get(key); ok {
			return dr, nil
		}
	}
	// The snapshot's address tells stores apart while it is alive, which
	// it is for the whole call.
	flightKey := fmt.Sprintf("%d/%p/%s/%q/%q/%q/%q/%q", key.version, snap, key.view,
		key.filter.Namespace, key.filter.Job, key.filter.Node, key.filter.Text, key.alloc)
	v, err, _ := d.flight.Do(flightKey, func() (any, error) {
		// One viewer leaving must not fail the others waiting on this
		// build; the build is bounded by the snapshot's size.
		lay, err := d.build(context.WithoutCancel(ctx), snap, build)
		if err != nil {
			return nil, err
		}
		dr := &drawing{lay: lay}
		if d.cache != nil {
			d.cache.Add(key, dr)
		}
		return dr, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*drawing), nil
}

// build lays out one diagram.
func (d *Drawer) build(ctx context.Context, snap *model.Snapshot, build func(*builder) map[int]*model.Node) (*Layout, error) {
	eng, err := d.engine()
	if err != nil {
		return nil, err
	}
	b := newBuilder(snap)
	nodes := build(b)
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
	d.mu.Lock()
	defer d.mu.Unlock()
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
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.eng == nil {
		return nil
	}
	err := d.eng.Close()
	d.eng = nil
	return err
}
