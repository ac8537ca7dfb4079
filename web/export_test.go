package web

import (
	"context"
	"sync"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// SetTuning shortens the hub's debounce and send queue, so tests can push
// many updates quickly and fill a slow client's queue with few of them.
func SetTuning(s *Server, debounce time.Duration, sendBuffer int) {
	s.tune.debounce = debounce
	s.tune.sendBuffer = sendBuffer
}

// SetRendering sets the hub's render pool size and each render's deadline.
func SetRendering(s *Server, workers int, timeout time.Duration) {
	s.tune.renderWorkers = workers
	s.tune.renderTimeout = timeout
}

// FakeSlowRenderer stands in front of the hub's renderer: while held, a
// render of its view waits until Release, or until the render's deadline
// passes (then it fails as a layout cut short would).
type FakeSlowRenderer struct {
	view    string
	real    renderFunc
	started chan struct{}
	gaveUp  chan struct{}

	mu   sync.Mutex
	hold chan struct{}
}

// UseFakeSlowRenderer puts a FakeSlowRenderer for view (a canonical page
// address) in front of s's renderer; call it before Serve.
func UseFakeSlowRenderer(s *Server, view string) *FakeSlowRenderer {
	f := &FakeSlowRenderer{view: view, real: s.renderLive, started: make(chan struct{}, 64), gaveUp: make(chan struct{}, 64)}
	s.renderLive = f.render
	return f
}

// Hold makes the view's renders from now on wait.
func (f *FakeSlowRenderer) Hold() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hold = make(chan struct{})
}

// Release lets the held renders finish, and the next ones run at once.
func (f *FakeSlowRenderer) Release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.hold != nil {
		close(f.hold)
		f.hold = nil
	}
}

// Started receives once for each render that began to wait.
func (f *FakeSlowRenderer) Started() <-chan struct{} { return f.started }

// GaveUp receives once for each held render whose context ended first.
func (f *FakeSlowRenderer) GaveUp() <-chan struct{} { return f.gaveUp }

func (f *FakeSlowRenderer) render(ctx context.Context, snap *model.Snapshot, r route) (rendered, error) {
	f.mu.Lock()
	hold := f.hold
	f.mu.Unlock()
	if hold != nil && r.String() == f.view {
		select {
		case f.started <- struct{}{}:
		default:
		}
		select {
		case <-hold:
		case <-ctx.Done():
			select {
			case f.gaveUp <- struct{}{}:
			default:
			}
			return rendered{}, context.Cause(ctx)
		}
	}
	return f.real(ctx, snap, r)
}
