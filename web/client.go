package web

import (
	"compress/flate"
	"context"
	"fmt"
	"time"

	"github.com/gorilla/websocket"

	"github.com/netviz/netviz/collector/model"
)

// closeGrace bounds the close frame sent to each client at shutdown.
const closeGrace = time.Second

// maxReadSize bounds what a page may send; pages send nothing but control
// frames, so anything larger is a misbehaving client.
const maxReadSize = 4096

// Compression of pushes (permessage-deflate, when the browser offers it, as
// every current one does). Diagrams and long tables shrink several times
// over; a push below compressMin (the status fragments, a small page) is
// sent as it is, since deflating it saves little and costs a flate writer.
const (
	compressMin   = 2 << 10
	compressLevel = flate.BestSpeed
)

// frame is one push, prepared once for every client it goes to: the frame
// (and, when compressed, the deflate) is computed once per push, not once
// per client.
type frame struct {
	pm   *websocket.PreparedMessage
	size int
	// kind is pushFull or pushStatus, for the metrics.
	kind string
}

// newFrame prepares a push of a kind (pushFull or pushStatus).
func newFrame(msg []byte, kind string) (*frame, error) {
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, msg)
	if err != nil {
		return nil, fmt.Errorf("prepare push: %w", err)
	}
	return &frame{pm: pm, size: len(msg), kind: kind}, nil
}

// client is one websocket connection watching one view.
type client struct {
	hub   *hub
	conn  *websocket.Conn
	route route
	// scope is what the viewer may read (everything without viewer
	// login); changed closes when their session ends or its rights
	// change (nil, never closing, without login).
	scope   model.Scope
	changed <-chan struct{}
	// expires is when the session ends by itself (zero without login):
	// the socket closes then, just as a page load would then ask to sign in.
	expires time.Time
	// send is the bounded queue of pushes; the hub closes it to end the writer.
	send chan *frame
}

// writePump writes queued pushes and pings; it is the only writer of data
// frames. It ends when the hub closes send (the client was dropped), a
// write fails, or ctx ends (shutdown).
func (c *client) writePump(ctx context.Context) {
	ping := time.NewTicker(c.hub.tune.pingPeriod)
	var expired <-chan time.Time
	if !c.expires.IsZero() {
		t := time.NewTimer(time.Until(c.expires))
		defer t.Stop()
		expired = t.C
	}
	// A write stuck on a peer that stopped reading would hold shutdown for
	// up to writeWait; when ctx ends, cut it short.
	unblock := context.AfterFunc(ctx, func() {
		_ = c.conn.NetConn().SetWriteDeadline(time.Now().Add(closeGrace))
	})
	defer func() {
		unblock()
		ping.Stop()
		c.conn.Close()
	}()
	for {
		select {
		case <-ctx.Done():
			c.goodbye()
			return
		case <-c.changed:
			// Signed out, revoked or re-scoped: push nothing more under
			// the old rights. The page reconnects, and gets a view of its
			// new rights or a 401.
			c.goodbye()
			return
		case <-expired:
			c.goodbye()
			return
		case msg, ok := <-c.send:
			if !ok {
				return
			}
			if ctx.Err() != nil {
				c.goodbye()
				return
			}
			if err := c.push(msg); err != nil {
				return
			}
		case <-ping.C:
			if err := c.conn.SetWriteDeadline(time.Now().Add(c.hub.tune.writeWait)); err != nil {
				return
			}
			if err := c.conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		}
	}
}

// key names the live view the client watches: its scope and page, so
// viewers share a render only with viewers of equal rights.
func (c *client) key() string { return viewKey(c.scope, c.route) }

// viewKey is the hub's key of a page seen with a scope.
func viewKey(sc model.Scope, r route) string { return sc.Key() + "\x00" + r.String() }

// goodbye closes the socket with "service restart", a close code on which
// the htmx ws extension reconnects, so pages find the next server.
func (c *client) goodbye() {
	msg := websocket.FormatCloseMessage(websocket.CloseServiceRestart, "netviz is restarting")
	_ = c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(closeGrace))
}

// push writes one push, compressed when it is large enough and the peer
// negotiated compression (otherwise EnableWriteCompression has no effect).
func (c *client) push(f *frame) error {
	if err := c.conn.SetWriteDeadline(time.Now().Add(c.hub.tune.writeWait)); err != nil {
		return err
	}
	c.conn.EnableWriteCompression(f.size >= compressMin)
	if err := c.conn.WritePreparedMessage(f.pm); err != nil {
		return err
	}
	m := c.hub.srv.metrics
	m.wsPushes.WithLabelValues(f.kind).Inc()
	m.wsPushBytes.WithLabelValues(f.kind).Add(float64(f.size))
	return nil
}

// readPump reads (and discards) what the page sends, which keeps pongs and
// close frames flowing, and unregisters the client when the connection ends.
func (c *client) readPump() {
	defer func() {
		select {
		case c.hub.unregister <- c:
		case <-c.hub.done:
		}
		c.conn.Close()
	}()
	c.conn.SetReadLimit(maxReadSize)
	extend := func() error { return c.conn.SetReadDeadline(time.Now().Add(c.hub.tune.pongWait)) }
	if extend() != nil {
		return
	}
	c.conn.SetPongHandler(func(string) error { return extend() })
	for {
		if _, _, err := c.conn.ReadMessage(); err != nil {
			return
		}
		if extend() != nil {
			return
		}
	}
}
