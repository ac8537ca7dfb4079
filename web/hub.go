package web

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// hub owns the live views: one goroutine (run) holds every subscription, so
// no locks guard them. For each burst of deltas it decides what each view
// must show anew: its whole content, rendered once for all its clients by a
// bounded pool of workers (render.go), or only the sources' status, a small
// fragment rendered on the spot; or nothing.
type hub struct {
	srv        *Server
	tune       tuning
	render     renderFunc
	register   chan *client
	unregister chan *client
	// redraw carries RedrawDiagrams' requests.
	redraw chan pageKind
	// done closes when run stops serving; handlers and pumps select on it so
	// they never block on a hub that has stopped.
	done chan struct{}
	// pumps counts client goroutines, so Serve can wait for them.
	pumps sync.WaitGroup

	views map[string]*liveView

	// queue holds the views waiting for a worker, oldest first, each at most
	// once; next is the job for queue[0], handed to the first free worker
	// of the pool (work), whose results come back on rendered.
	queue    []*liveView
	next     *renderJob
	work     chan *renderJob
	rendered chan *renderJob
	workers  sync.WaitGroup
	// status caches the status push of the latest snapshot, one per kind of
	// page (the overview's carries its sources table), for all views alike.
	status [2]statusPush
}

// renderState is where a view's full render stands.
type renderState int

const (
	idle renderState = iota
	queued
	rendering
)

// liveView is one page address with the clients watching it and what it
// showed last. Every client of the view shows sources; the clients not in
// joiners also show msg, or a newer render that left its content alone.
type liveView struct {
	key   string
	route route
	// scope is what the view's viewers may read: every client of a view
	// has the same (the key holds it).
	scope   model.Scope
	clients map[*client]bool
	// joiners are clients waiting for their first push.
	joiners map[*client]bool

	// msg is the last full push, rendered at version under Consul state
	// consul, showing msgSources; deps says which changes would alter it.
	msg        *frame
	version    uint64
	consul     string
	msgSources []byte
	deps       interest
	// checked: every change up to this version has been matched against
	// deps, so msg's content holds through it.
	checked uint64

	// sources is the status part (badges, status fragments) every client
	// shows; status is the push that carries it, sent after msg to a joiner
	// when they differ.
	sources []byte
	status  *frame

	state renderState
	// changed: a change calls for a render that all clients get (not only
	// joiners), one of a snapshot at least wantAt. flightChanged is the
	// same for the render in flight.
	changed       bool
	wantAt        uint64
	flightChanged bool
}

func newHub(s *Server, t tuning) *hub {
	return &hub{
		srv:        s,
		tune:       t,
		render:     s.renderLive,
		register:   make(chan *client),
		unregister: make(chan *client),
		redraw:     make(chan pageKind, maxRedraws),
		done:       make(chan struct{}),
		views:      map[string]*liveView{},
		work:       make(chan *renderJob),
		rendered:   make(chan *renderJob),
	}
}

// run serves registrations, model deltas and finished renders until ctx
// ends, then waits for its workers.
func (h *hub) run(ctx context.Context) {
	// Deferred calls run last first: done closes before the wait, so no
	// handler waits on the hub while a worker finishes a long render.
	defer h.workers.Wait()
	defer close(h.done)
	for range h.tune.renderWorkers {
		h.workers.Go(func() { h.worker(ctx) })
	}
	deltas := h.srv.src.Subscribe(ctx)
	// The store opens every subscription with a Full delta for its current
	// version. Every client gets a fresh render when it registers, so that
	// one changes nothing anyone sees; rendering it would only push a stale
	// full render to whoever connected meanwhile.
	initial := true
	var (
		burst pending
		timer *time.Timer
		fire  <-chan time.Time
	)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		var work chan<- *renderJob
		if h.next != nil {
			work = h.work
		}
		select {
		case <-ctx.Done():
			// Each client's writer sees ctx end too and says goodbye itself.
			for _, v := range h.views {
				h.srv.metrics.wsClients.Sub(float64(len(v.clients)))
			}
			return
		case c := <-h.register:
			h.add(ctx, c)
		case c := <-h.unregister:
			h.remove(c)
		case d, ok := <-deltas:
			if !ok {
				// The source stopped (its context ended); keep serving
				// what we have until ours does too.
				deltas = nil
				continue
			}
			if initial {
				initial = false
				if d.Full {
					continue
				}
			}
			burst.add(d)
			if fire == nil {
				timer = time.NewTimer(h.tune.debounce)
				fire = timer.C
			}
		case <-fire:
			fire = nil
			h.flush(&burst)
			burst = pending{}
		case work <- h.next:
			h.dispatched()
		case j := <-h.rendered:
			h.finish(j)
		case kind := <-h.redraw:
			for _, v := range h.views {
				if v.route.kind == kind {
					h.request(v, true, 0)
				}
			}
		}
	}
}

// add starts a client's goroutines and subscribes it to its view. A client
// of a view whose last push still holds gets it at once; any other waits
// for a render, so a (re)connecting page catches up with whatever it
// missed. Starting the goroutines here, in run, means they are all counted
// before run returns and Serve waits for them.
func (h *hub) add(ctx context.Context, c *client) {
	h.srv.metrics.wsConnects.Inc()
	h.srv.metrics.wsClients.Inc()
	h.pumps.Go(func() { c.writePump(ctx) })
	h.pumps.Go(c.readPump)
	key := c.key()
	v := h.views[key]
	if v == nil {
		v = &liveView{key: key, route: c.route, scope: c.scope, clients: map[*client]bool{}, joiners: map[*client]bool{}, deps: everything()}
		h.views[key] = v
	}
	v.clients[c] = true
	if v.state == idle && v.msg != nil && v.checked >= h.srv.src.Snapshot().Version() {
		h.send(v, c, v.msg)
		if v.status != nil && !bytes.Equal(v.sources, v.msgSources) {
			h.send(v, c, v.status)
		}
		return
	}
	v.joiners[c] = true
	h.request(v, false, 0)
}

// remove unsubscribes a client; a view with no clients is forgotten (a
// render of it in flight is dropped when it lands).
func (h *hub) remove(c *client) {
	v := h.views[c.key()]
	if v == nil || !v.clients[c] {
		return
	}
	delete(v.clients, c)
	delete(v.joiners, c)
	close(c.send)
	h.srv.metrics.wsClients.Dec()
	if len(v.clients) > 0 {
		return
	}
	delete(h.views, v.key)
	if i := slices.Index(h.queue, v); i >= 0 {
		h.queue = slices.Delete(h.queue, i, i+1)
		if i == 0 {
			h.nextJob()
		}
	}
}

// flush decides what a burst changes for each view: its content (a full
// render, queued for the pool), only the sources' status (a status push,
// now), or nothing.
func (h *hub) flush(p *pending) {
	snap := h.srv.src.Snapshot()
	for _, v := range h.views {
		if h.changedBy(v, snap, p) {
			h.request(v, true, p.version)
			continue
		}
		v.checked = max(v.checked, p.version)
		if p.status {
			h.pushStatus(v, snap)
		}
	}
}

// changedBy reports whether a burst changes a view's content: a full
// burst, a change to what the view shows (interest), or a change of the
// Consul state the model derives edges and verdicts from. A render already
// at or past the burst holds. Only the interest test needs the model as the
// view's viewer may see it, so the cheaper tests run first and the
// restriction (a copy of the model per scope and data version) is asked for
// last.
func (h *hub) changedBy(v *liveView, snap *model.Snapshot, p *pending) bool {
	consul := derivedFrom(snap.Status())
	if v.version >= p.version && v.consul == consul {
		return false
	}
	return p.full || v.consul != consul || affected(v.deps, snap.Restrict(v.scope), p)
}

// request asks for a full render of a view: for all its clients when
// changed (of a snapshot at least at, the version of the change), else
// for its joiners. A view is queued or rendered at most once at a time; a
// change during a render asks for another once it lands.
func (h *hub) request(v *liveView, changed bool, at uint64) {
	if changed {
		v.changed = true
		v.wantAt = max(v.wantAt, at)
	}
	if v.state != idle {
		return
	}
	v.state = queued
	h.queue = append(h.queue, v)
	if len(h.queue) == 1 {
		h.nextJob()
	}
}

// nextJob prepares the job for the head of the queue.
func (h *hub) nextJob() {
	h.next = nil
	if len(h.queue) > 0 {
		v := h.queue[0]
		h.next = &renderJob{view: v, route: v.route, scope: v.scope}
	}
}

// dispatched records that a worker took the head of the queue.
func (h *hub) dispatched() {
	v := h.queue[0]
	h.queue = slices.Delete(h.queue, 0, 1)
	h.nextJob()
	v.state = rendering
	v.flightChanged, v.changed = v.changed, false
}

// finish takes a render back from the pool and pushes it: to every client
// when a change asked for it, else to the joiners.
func (h *hub) finish(j *renderJob) {
	v := j.view
	if h.views[v.key] != v {
		return // every client left meanwhile
	}
	v.state = idle
	if j.err != nil {
		h.srv.log.Error("render live view", "view", v.key, "err", j.err)
		// Send nothing rather than an older state; the next change (or one
		// that came during this render) retries.
		v.msg, v.version, v.consul, v.deps = nil, 0, j.consul, everything()
	} else {
		all := v.flightChanged
		if v.changed && j.version >= v.wantAt {
			// A change came during the render; its snapshot holds it.
			all, v.changed = true, false
		}
		v.msg, v.version, v.consul, v.msgSources, v.deps = j.msg, j.version, j.consul, j.sources, j.deps
		v.checked = max(v.checked, j.version)
		targets := v.joiners
		if all {
			targets = v.clients
		}
		for c := range targets {
			h.send(v, c, j.msg)
		}
		h.level(v, targets, all, j.sources)
		clear(v.joiners)
	}
	if v.changed && h.views[v.key] == v {
		h.request(v, false, 0)
	}
}

// level brings every client of a view to the current sources' status after
// a full push: the targets of the push show shown, the others v.sources,
// and either may be older than the latest snapshot's.
func (h *hub) level(v *liveView, targets map[*client]bool, all bool, shown []byte) {
	if all || v.sources == nil {
		// No client of the view shows anything older.
		v.sources = shown
	}
	st, ok := h.statusOf(h.srv.src.Snapshot(), v.route)
	if !ok {
		return
	}
	switch {
	case !bytes.Equal(st.sources, v.sources):
		targets = v.clients
	case bytes.Equal(st.sources, shown):
		targets = nil
	}
	for c := range targets {
		h.send(v, c, st.msg)
	}
	v.sources, v.status = st.sources, st.msg
}

// pushStatus sends a view's clients the sources' status of snap, unless
// they show it already: a Nomad frame changes the status (its index and
// time) and the overview shows those, while other pages' badges rarely
// change.
func (h *hub) pushStatus(v *liveView, snap *model.Snapshot) {
	st, ok := h.statusOf(snap, v.route)
	if !ok || bytes.Equal(st.sources, v.sources) {
		return
	}
	v.sources, v.status = st.sources, st.msg
	for c := range v.clients {
		h.send(v, c, st.msg)
	}
}

// statusOf is the status push of snap for a view, rendered once per
// snapshot and kind of page.
func (h *hub) statusOf(snap *model.Snapshot, r route) (statusPush, bool) {
	i := 0
	if r.kind == kindOverview {
		i = 1
	}
	if c := h.status[i]; c.msg != nil && c.version == snap.Version() {
		return c, true
	}
	st, err := renderStatus(snap, r)
	if err != nil {
		h.srv.log.Error("render status push", "view", r.String(), "err", err)
		return statusPush{}, false
	}
	h.status[i] = st
	return st, true
}

// send queues a push for a client without waiting: a client whose queue is
// full is dropped (its page reconnects and resyncs) rather than holding up
// everyone else.
func (h *hub) send(v *liveView, c *client, f *frame) {
	if !v.clients[c] {
		return // dropped by an earlier send of the same round
	}
	select {
	case c.send <- f:
	default:
		h.srv.log.Info("dropping slow websocket client", "view", v.key, "remote", c.conn.RemoteAddr().String())
		h.srv.metrics.wsDrops.Inc()
		h.remove(c)
		// Unblock a write stuck on the slow peer now rather than at its deadline.
		c.conn.Close()
	}
}

// wait returns once every client goroutine has ended.
func (h *hub) wait() { h.pumps.Wait() }
