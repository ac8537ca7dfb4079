package diagram

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/goccy/go-graphviz"
)

// gvSlot admits one Graphviz call at a time in the whole process.
// go-graphviz runs every Graphviz value in one WebAssembly module, which it
// instantiates when the program starts (one linear memory, Graphviz's C
// globals): two calls at once, from two Drawers or one, would share it. A
// slot rather than a mutex, so a caller waits only as long as its context
// allows. Nothing else (building DOT, reading Graphviz's output, placing,
// drawing SVG, serving cached pictures) waits for it.
var gvSlot = make(chan struct{}, 1)

// acquire takes the Graphviz slot, or gives up when ctx ends first.
func acquire(ctx context.Context) error {
	select {
	case gvSlot <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for graphviz: %w", context.Cause(ctx))
	}
}

func release() { <-gvSlot }

// errGraphviz stands for a Graphviz failure go-graphviz does not describe.
var errGraphviz = errors.New("graphviz returned no graph")

// engine is one Graphviz context. Starting it costs tens of milliseconds,
// so a Drawer makes one once and reuses it.
type engine struct {
	gv *graphviz.Graphviz
}

// newEngine starts Graphviz. ctx bounds only the start; the engine lives
// until Close.
func newEngine(ctx context.Context) (*engine, error) {
	if err := acquire(ctx); err != nil {
		return nil, err
	}
	defer release()
	gv, err := graphviz.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("start graphviz: %w", err)
	}
	return &engine{gv: gv.SetLayout(graphviz.DOT)}, nil
}

// layoutJSON lays out a DOT graph and returns Graphviz's json0 output
// (attributes with computed positions, no drawing operations). ctx bounds
// the wait for the slot; a layout, once started, runs to its end (the
// WebAssembly call cannot be interrupted without losing the module).
func (e *engine) layoutJSON(ctx context.Context, dot string) ([]byte, error) {
	if err := acquire(ctx); err != nil {
		return nil, err
	}
	defer release()
	g, err := graphviz.ParseBytes([]byte(dot))
	if err != nil || g == nil {
		// go-graphviz reports no error when Graphviz's own state is
		// broken (see the comment on flat edges in scalelayout.go).
		return nil, fmt.Errorf("parse dot: %w", cmp.Or(err, errGraphviz))
	}
	defer g.Close()
	var out bytes.Buffer
	if err := e.gv.Render(context.WithoutCancel(ctx), g, "json0", &out); err != nil {
		return nil, fmt.Errorf("graphviz layout: %w", err)
	}
	return out.Bytes(), nil
}

// Close stops the Graphviz context.
func (e *engine) Close() error {
	if err := acquire(context.Background()); err != nil {
		return err
	}
	defer release()
	return e.gv.Close()
}
