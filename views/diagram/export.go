package diagram

import (
	"bytes"
	"cmp"
	"context"
	"fmt"

	"github.com/goccy/go-graphviz"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views/viewmodel"
)

// The pictures as files to download (package export makes the files): the
// DOT the builder hands Graphviz, the SVG without the page around it, and
// this process's one Graphviz for the exports that need it. Nothing here
// draws differently from the pages: the SVG is the cached picture the page
// shows, the DOT the graph its layout came from.

// TopologyDOT is the DOT the topology narrowed by f is laid out from. The
// scale view's job/group boxes, which the SVG components fill in
// themselves, carry their title as a label here, and arrows their class
// (intent-allow, broken…), so the graph reads on its own in Graphviz.
func (d *Drawer) TopologyDOT(snap *model.Snapshot, f viewmodel.Filter) string {
	b := d.exportBuilder(snap)
	b.topology(f)
	return b.exportDOT()
}

// NamespaceDOT is the DOT of one allocation's namespace picture.
func (d *Drawer) NamespaceDOT(snap *model.Snapshot, allocID string) (string, error) {
	if snap.Allocation(allocID) == nil {
		return "", fmt.Errorf("diagram of allocation %q: %w", allocID, ErrUnknownAllocation)
	}
	b := d.exportBuilder(snap)
	b.single(allocID)
	return b.exportDOT(), nil
}

func (d *Drawer) exportBuilder(snap *model.Snapshot) *builder {
	b := newBuilder(snap)
	b.maxBoxes = d.maxBoxes
	b.export = true
	return b
}

// exportDOT closes the builder's graph, or, when the picture has nothing
// for Graphviz, writes a graph that only says why.
func (b *builder) exportDOT() string {
	if b.skipLayout {
		var w dotWriter
		w.open("digraph netviz")
		w.line("graph [label=%s, labelloc=t];", quoteDOT(cmp.Or(b.lay.Notice, "Nothing to draw.")))
		w.close()
		return w.String()
	}
	if b.lay.Notice != "" {
		b.w.line("label=%s; labelloc=t; labeljust=l;", quoteDOT(b.lay.Notice))
	}
	return b.finish()
}

// nodeAttrs formats a node's attributes and, in an export, its kind
// (task, proxy, pin, entry) as its class, as arrows carry theirs.
func (b *builder) nodeAttrs(class string, kv ...string) string {
	if b.export {
		kv = append(kv, "class", quoteDOT(class))
	}
	return attrs(kv...)
}

// TopologySVG is the topology picture the page shows, as the <svg>
// element alone (no scrolling box around it), from the same cache.
func (d *Drawer) TopologySVG(ctx context.Context, snap *model.Snapshot, f viewmodel.Filter) ([]byte, error) {
	dr, err := d.topology(ctx, snap, f)
	if err != nil {
		return nil, err
	}
	return svgElement(ctx, dr.lay)
}

// NamespaceSVG is one allocation's namespace picture as the <svg> element
// alone.
func (d *Drawer) NamespaceSVG(ctx context.Context, snap *model.Snapshot, allocID string) ([]byte, error) {
	dr, err := d.namespace(ctx, snap, allocID)
	if err != nil {
		return nil, err
	}
	return svgElement(ctx, dr.lay)
}

func svgElement(ctx context.Context, lay *Layout) ([]byte, error) {
	var buf bytes.Buffer
	if err := svgBody(lay).Render(ctx, &buf); err != nil {
		return nil, fmt.Errorf("render diagram: %w", err)
	}
	return buf.Bytes(), nil
}

// UseGraphviz runs f with the Drawer's Graphviz while no other Graphviz
// call runs (engine.go says why only one may). ctx bounds the wait for
// Graphviz; f gets a context that does not end, since a Graphviz call
// cannot be interrupted once started.
func (d *Drawer) UseGraphviz(ctx context.Context, f func(context.Context, *graphviz.Graphviz) error) error {
	eng, err := d.engine()
	if err != nil {
		return err
	}
	if err := acquire(ctx); err != nil {
		return err
	}
	defer release()
	return f(context.WithoutCancel(ctx), eng.gv)
}

// TopologyDOT is Drawer.TopologyDOT of the package-level drawer.
func TopologyDOT(snap *model.Snapshot, f viewmodel.Filter) string {
	return defaultDrawer().TopologyDOT(snap, f)
}

// NamespaceDOT is Drawer.NamespaceDOT of the package-level drawer.
func NamespaceDOT(snap *model.Snapshot, allocID string) (string, error) {
	return defaultDrawer().NamespaceDOT(snap, allocID)
}

// TopologySVG is Drawer.TopologySVG of the package-level drawer, which
// the pages draw with, so an export is the picture a page has cached.
func TopologySVG(ctx context.Context, snap *model.Snapshot, f viewmodel.Filter) ([]byte, error) {
	return defaultDrawer().TopologySVG(ctx, snap, f)
}

// NamespaceSVG is Drawer.NamespaceSVG of the package-level drawer.
func NamespaceSVG(ctx context.Context, snap *model.Snapshot, allocID string) ([]byte, error) {
	return defaultDrawer().NamespaceSVG(ctx, snap, allocID)
}

// UseGraphviz is Drawer.UseGraphviz of the package-level drawer.
func UseGraphviz(ctx context.Context, f func(context.Context, *graphviz.Graphviz) error) error {
	return defaultDrawer().UseGraphviz(ctx, f)
}

// QuoteDOT quotes text as a DOT string the way every label here is
// quoted: backslashes and quotes escaped, control characters blanked,
// lines joined with \n, each line clipped to a box's width.
func QuoteDOT(lines ...string) string { return quoteDOT(lines...) }
