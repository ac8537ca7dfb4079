package diagram

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/goccy/go-graphviz"
)

// engine runs Graphviz in-process. Starting the WebAssembly runtime costs
// tens of milliseconds, so one engine is made once and reused; Graphviz keeps
// global state, so calls are serialised by a mutex.
type engine struct {
	mu sync.Mutex
	gv *graphviz.Graphviz
}

// newEngine starts Graphviz. ctx bounds only the start; the engine lives
// until Close.
func newEngine(ctx context.Context) (*engine, error) {
	gv, err := graphviz.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("start graphviz: %w", err)
	}
	return &engine{gv: gv.SetLayout(graphviz.DOT)}, nil
}

// layoutJSON lays out a DOT graph and returns Graphviz's json0 output
// (attributes with computed positions, no drawing operations).
func (e *engine) layoutJSON(ctx context.Context, dot string) ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	g, err := graphviz.ParseBytes([]byte(dot))
	if err != nil {
		return nil, fmt.Errorf("parse dot: %w", err)
	}
	defer g.Close()
	var out bytes.Buffer
	if err := e.gv.Render(ctx, g, "json0", &out); err != nil {
		return nil, fmt.Errorf("graphviz layout: %w", err)
	}
	return out.Bytes(), nil
}

// Close stops the Graphviz runtime.
func (e *engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.gv.Close()
}
