package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views"
)

// renderFunc renders a view's full push from a snapshot. The hub's workers
// call it, several at once, each under a context that ends at the render's
// deadline (tuning.renderTimeout) or when the server stops.
type renderFunc func(ctx context.Context, snap *model.Snapshot, r route) (rendered, error)

// rendered is a view's full push and the changes that would alter it.
type rendered struct {
	msg  []byte
	deps interest
}

// renderView is the hub's renderFunc: the page as the route builds it,
// every fragment and the chrome as out-of-band swaps. ctx reaches every
// component, the diagrams among them: a diagram waits for its layout no
// longer than its own deadline or ctx's, whichever comes first, then draws
// a fallback picture that says so (and RedrawDiagrams brings the real one
// once it is done).
func (s *Server) renderView(ctx context.Context, snap *model.Snapshot, r route) (rendered, error) {
	b := s.build(snap, r)
	var buf bytes.Buffer
	if err := views.Push(b.page).Render(ctx, &buf); err != nil {
		return rendered{}, err
	}
	return rendered{msg: buf.Bytes(), deps: b.deps}, nil
}

// maxRedraws bounds the RedrawDiagrams requests waiting for the hub; past
// it more are dropped, as those waiting already redraw every such page.
const maxRedraws = 4

// RedrawDiagrams renders again, for all their clients, the open pages that
// draw a diagram of the named kind: "topology" (the topology page) or
// "namespace" (allocation pages), as package diagram's Late names them. It
// is the hook for a diagram whose layout missed a render's deadline: that
// render pushed the diagram's fallback picture, and once the layout is
// done (diagram.WithLate) the pages can show it. It never blocks, and does
// nothing while Serve is not running.
func (s *Server) RedrawDiagrams(kind string) {
	h := s.hub.Load()
	if h == nil {
		return
	}
	var k pageKind
	switch kind {
	case "topology":
		k = kindTopology
	case "namespace":
		k = kindAllocation
	default:
		return
	}
	select {
	case h.redraw <- k:
	default:
	}
}

// renderJob is one full render of a view, from the hub to a worker and
// back. The worker reads view and route only; the hub reads the rest once
// the job is back, so the channel orders every access.
type renderJob struct {
	view  *liveView
	route route
	scope model.Scope

	// Set by the worker.
	version uint64
	consul  string
	msg     *frame
	deps    interest
	// sources is the status part of msg, as renderStatus renders it.
	sources []byte
	err     error
}

// worker renders the jobs the hub hands out until ctx ends. The pool's
// size (tuning.renderWorkers) bounds the renders running at once; each
// view has at most one queued or running, so a slow view holds one worker,
// for at most its deadline, while the others serve every other view.
func (h *hub) worker(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-h.work:
			h.renderJob(ctx, j)
			select {
			case h.rendered <- j:
			case <-ctx.Done():
				return
			}
		}
	}
}

// renderJob renders a view from the latest snapshot, under the render's
// deadline.
func (h *hub) renderJob(ctx context.Context, j *renderJob) {
	// The view's viewers see the snapshot through their scope, and only
	// that: the render cannot show what the scope hides.
	snap := h.srv.src.Snapshot().Restrict(j.scope)
	j.version, j.consul = snap.Version(), derivedFrom(snap.Status())
	rctx, cancel := context.WithTimeout(ctx, h.tune.renderTimeout)
	defer cancel()
	view := string(j.route.kind)
	start := time.Now()
	out, err := h.render(rctx, snap, j.route)
	if err != nil {
		reason := "error"
		if pastDeadline(ctx, rctx) {
			err = fmt.Errorf("render passed its %s deadline: %w", h.tune.renderTimeout, err)
			reason = "deadline"
		}
		if ctx.Err() == nil {
			h.srv.metrics.renderFailures.WithLabelValues(view, reason).Inc()
		}
		j.err = err
		return
	}
	h.srv.metrics.renderSeconds.WithLabelValues(view).Observe(time.Since(start).Seconds())
	st, err := renderStatus(snap, j.route)
	if err != nil {
		j.err = err
		return
	}
	j.msg, j.err = newFrame(out.msg, pushFull)
	j.deps, j.sources = out.deps, st.sources
}

// pastDeadline reports whether a render ended because it outlived its own
// deadline, not because the server is stopping. Templ components give up
// once their context is done, so such a render pushes nothing: the view
// keeps what it showed and the next change retries it. (A diagram's
// fallback comes at the diagram's own, earlier deadline, so a page with a
// slow layout is pushed with that picture, not lost here.)
func pastDeadline(parent, rctx context.Context) bool {
	return parent.Err() == nil && errors.Is(rctx.Err(), context.DeadlineExceeded)
}

// statusPush is what a change of the sources' status alone sends a view:
// the version, the source badges and, on the overview, its sources table.
type statusPush struct {
	version uint64
	// sources is msg without the version: two pushes with equal sources
	// show the same, whatever their versions.
	sources []byte
	msg     *frame
}

// renderStatus renders a view's status push. Its size does not grow with
// the cluster, so the hub renders it on its own goroutine, never queued
// behind a slow view.
func renderStatus(snap *model.Snapshot, r route) (statusPush, error) {
	var frags []views.Fragment
	if r.kind == kindOverview {
		frags = append(frags, views.OverviewSources(snap.Status()))
	}
	// Constant-size and CPU-only: nothing for a context to cut short.
	ctx := context.Background()
	var src, msg bytes.Buffer
	if err := views.PushStatus(snap.Status(), frags).Render(ctx, &src); err != nil {
		return statusPush{}, fmt.Errorf("render status: %w", err)
	}
	if err := views.PushVersion(snap.Version()).Render(ctx, &msg); err != nil {
		return statusPush{}, fmt.Errorf("render status: %w", err)
	}
	msg.Write(src.Bytes())
	f, err := newFrame(msg.Bytes(), pushStatus)
	if err != nil {
		return statusPush{}, err
	}
	return statusPush{version: snap.Version(), sources: src.Bytes(), msg: f}, nil
}
