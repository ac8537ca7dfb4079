package web

import (
	"context"

	"github.com/netviz/netviz/collector/graph"
)

// Source is where the server reads the model: the current snapshot, and a
// stream of deltas telling it when to re-render. *graph.Store satisfies it.
type Source interface {
	Snapshot() *graph.Snapshot
	Subscribe(ctx context.Context) <-chan graph.Delta
}

var _ Source = (*graph.Store)(nil)
