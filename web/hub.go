package web

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views"
)

// hub owns the live views: one goroutine (run) holds every subscription, so
// no locks guard them. It renders each affected view once per burst of
// deltas and hands the same bytes to every client of that view.
type hub struct {
	srv        *Server
	tune       tuning
	register   chan *client
	unregister chan *client
	// done closes when run returns; handlers and pumps select on it so they
	// never block on a hub that has stopped.
	done chan struct{}
	// pumps counts client goroutines, so Serve can wait for them.
	pumps sync.WaitGroup

	views map[string]*liveView
}

// liveView is one page address with the clients watching it and what it
// showed last.
type liveView struct {
	route   route
	clients map[*client]bool
	// msg is the last push rendered, at snapshot version; deps says which
	// changes would alter it.
	msg     []byte
	version uint64
	deps    interest
}

func newHub(s *Server, t tuning) *hub {
	return &hub{
		srv:        s,
		tune:       t,
		register:   make(chan *client),
		unregister: make(chan *client),
		done:       make(chan struct{}),
		views:      map[string]*liveView{},
	}
}

// maxPendingKeys bounds the keys one burst remembers. Past it (a mass
// rescheduling touches thousands of allocations) the burst counts as full:
// every view is re-rendered, which then costs less than matching each key.
const maxPendingKeys = 4096

// pending gathers the deltas of one burst.
type pending struct {
	full bool
	keys map[string]bool
}

func (p *pending) add(d model.Delta) {
	if p.full {
		return
	}
	if d.Full || len(d.Changed) == 0 || len(p.keys)+len(d.Changed) > maxPendingKeys {
		// A delta naming nothing still moved the version: treat it as full.
		p.full, p.keys = true, nil
		return
	}
	if p.keys == nil {
		p.keys = map[string]bool{}
	}
	for _, k := range d.Changed {
		p.keys[k] = true
	}
}

// run serves registrations and model deltas until ctx ends.
func (h *hub) run(ctx context.Context) {
	defer close(h.done)
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
		select {
		case <-ctx.Done():
			// Each client's writer sees ctx end too and says goodbye itself.
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
			h.flush(burst)
			burst = pending{}
		}
	}
}

// add starts a client's goroutines, subscribes it to its view and sends it a
// fresh render, so a (re)connecting page catches up with whatever it missed.
// Starting the goroutines here, in run, means they are all counted before
// run returns and Serve waits for them.
func (h *hub) add(ctx context.Context, c *client) {
	h.pumps.Go(func() { c.writePump(ctx) })
	h.pumps.Go(c.readPump)
	key := c.route.String()
	v := h.views[key]
	if v == nil {
		v = &liveView{route: c.route, clients: map[*client]bool{}}
		h.views[key] = v
	}
	v.clients[c] = true
	snap := h.srv.src.Snapshot()
	if v.msg == nil || v.version != snap.Version() {
		h.render(v, snap)
	}
	if v.msg != nil {
		// Nil only when rendering failed (logged); the next change retries.
		h.send(v, c)
	}
}

// remove unsubscribes a client; a view with no clients is forgotten.
func (h *hub) remove(c *client) {
	key := c.route.String()
	v := h.views[key]
	if v == nil || !v.clients[c] {
		return
	}
	delete(v.clients, c)
	close(c.send)
	if len(v.clients) == 0 {
		delete(h.views, key)
	}
}

// flush re-renders the views a burst affects and pushes them.
func (h *hub) flush(p pending) {
	snap := h.srv.src.Snapshot()
	for _, v := range h.views {
		if v.version == snap.Version() || !affected(v.deps, snap, p) {
			continue
		}
		h.render(v, snap)
		if v.msg == nil {
			continue
		}
		for c := range v.clients {
			h.send(v, c)
		}
	}
}

// affected reports whether a burst touches a view.
func affected(in interest, snap *model.Snapshot, p pending) bool {
	if p.full {
		return true
	}
	for k := range p.keys {
		if in.affectedBy(snap, k) {
			return true
		}
	}
	return false
}

// render builds a view's push once for all its clients.
func (h *hub) render(v *liveView, snap *model.Snapshot) {
	b := h.srv.build(snap, v.route)
	var buf bytes.Buffer
	if err := views.Push(b.page).Render(context.Background(), &buf); err != nil {
		h.srv.log.Error("render live view", "view", v.route.String(), "err", err)
		// Send nothing rather than an older state; any next change retries.
		v.msg, v.deps = nil, everything()
		return
	}
	v.msg, v.version, v.deps = buf.Bytes(), snap.Version(), b.deps
}

// send queues a push for a client without waiting: a client whose queue is
// full is dropped (its page reconnects and resyncs) rather than holding up
// everyone else.
func (h *hub) send(v *liveView, c *client) {
	select {
	case c.send <- v.msg:
	default:
		h.srv.log.Info("dropping slow websocket client", "view", v.route.String(), "remote", c.conn.RemoteAddr().String())
		h.remove(c)
		// Unblock a write stuck on the slow peer now rather than at its deadline.
		c.conn.Close()
	}
}

// wait returns once every client goroutine has ended.
func (h *hub) wait() { h.pumps.Wait() }
