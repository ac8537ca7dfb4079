package web

import (
	"context"
	"time"

	"github.com/gorilla/websocket"
)

// closeGrace bounds the close frame sent to each client at shutdown.
const closeGrace = time.Second

// maxReadSize bounds what a page may send; pages send nothing but control
// frames, so anything larger is a misbehaving client.
const maxReadSize = 4096

// client is one websocket connection watching one view.
type client struct {
	hub   *hub
	conn  *websocket.Conn
	route route
	// send is the bounded queue of pushes; the hub closes it to end the writer.
	send chan []byte
}

// writePump writes queued pushes and pings; it is the only writer of data
// frames. It ends when the hub closes send (the client was dropped), a
// write fails, or ctx ends (shutdown).
func (c *client) writePump(ctx context.Context) {
	ping := time.NewTicker(c.hub.tune.pingPeriod)
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
		case msg, ok := <-c.send:
			if !ok {
				return
			}
			if ctx.Err() != nil {
				c.goodbye()
				return
			}
			if err := c.write(websocket.TextMessage, msg); err != nil {
				return
			}
		case <-ping.C:
			if err := c.write(websocket.PingMessage, nil); err != nil {
				return
			}
		}
	}
}

// goodbye closes the socket with "service restart", a close code on which
// the htmx ws extension reconnects, so pages find the next server.
func (c *client) goodbye() {
	msg := websocket.FormatCloseMessage(websocket.CloseServiceRestart, "netviz is restarting")
	_ = c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(closeGrace))
}

func (c *client) write(kind int, msg []byte) error {
	if err := c.conn.SetWriteDeadline(time.Now().Add(c.hub.tune.writeWait)); err != nil {
		return err
	}
	return c.conn.WriteMessage(kind, msg)
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
