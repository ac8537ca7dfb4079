package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"

	"github.com/netviz/netviz/web/auth"
)

// serveWS upgrades /ws?view=<page path and query> and subscribes the
// connection to that view.
func (s *Server) serveWS(c echo.Context) error {
	h := s.hub.Load()
	if h == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "live updates are not running")
	}
	r, ok := parseView(c.QueryParam("view"))
	if !ok {
		return echo.NewHTTPError(http.StatusBadRequest, "unknown view")
	}
	// Browsers offer permessage-deflate on every websocket (the htmx ws
	// extension opens a plain WebSocket); gorilla accepts it without
	// context takeover, so a connection keeps no compression window.
	up := websocket.Upgrader{CheckOrigin: s.checkOrigin, EnableCompression: true}
	conn, err := up.Upgrade(c.Response(), c.Request(), nil)
	if err != nil {
		// The upgrader has already answered (403 for a foreign origin).
		s.log.Debug("websocket upgrade refused", "err", err)
		return nil
	}
	// The upgrader wrote 101 on the hijacked connection; say so for the metrics.
	c.Response().Status = http.StatusSwitchingProtocols
	if err := conn.SetCompressionLevel(compressLevel); err != nil {
		// Only a level out of flate's range fails; gorilla's default stays.
		s.log.Error("websocket compression level", "err", err)
	}
	cl := &client{hub: h, conn: conn, route: r, scope: s.scopeOf(c), send: make(chan *frame, h.tune.sendBuffer)}
	if sess, ok := c.Get(sessionKey).(*auth.Session); ok {
		cl.changed, cl.expires = sess.Changed(), sess.Expires
	}
	// The hub starts the client's goroutines; they outlive this handler.
	select {
	case h.register <- cl:
	case <-h.done:
		conn.Close()
	}
	return nil
}

// checkOrigin admits pages of this server and of the configured origins. A
// request with no Origin is not from a browser page and cannot be a
// cross-site attack, so it is admitted.
func (s *Server) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	return s.origins[normaliseOrigin(origin)]
}
