package web

import (
	"context"

	"github.com/netviz/netviz/collector/model"
)

// Source is where the server reads the model: the current snapshot, and a
// stream of deltas telling it when to re-render. *model.Store satisfies it.
type Source interface {
	Snapshot() *model.Snapshot
	Subscribe(ctx context.Context) <-chan model.Delta
}

var _ Source = (*model.Store)(nil)
