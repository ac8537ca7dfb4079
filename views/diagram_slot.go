package views

import (
	"context"
	"io"

	"github.com/a-h/templ"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views/diagram"
	"github.com/netviz/netviz/views/viewmodel"
)

// topologyDiagram is the cluster picture for the topology page.
func topologyDiagram(snap *model.Snapshot, f viewmodel.Filter) templ.Component {
	return diagramSlot(diagram.Topology(snap, f))
}

// namespaceDiagram is the picture of one allocation's network namespace.
func namespaceDiagram(snap *model.Snapshot, allocID string) templ.Component {
	return diagramSlot(diagram.Namespace(snap, allocID))
}

// diagramSlot renders a diagram, or a notice in its place when it cannot be
// drawn: a layout failure must not take the rest of the page down with it.
func diagramSlot(d templ.Component) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		buf := templ.GetBuffer()
		defer templ.ReleaseBuffer(buf)
		if err := d.Render(ctx, buf); err != nil {
			return diagramError(err.Error()).Render(ctx, w)
		}
		_, err := w.Write(buf.Bytes())
		return err
	})
}
