package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/views/viewmodel"
)

// servePage renders a page from the current snapshot.
func (s *Server) servePage(c echo.Context) error {
	// An address echo routed here but parseRoute rejects (an ID holding an
	// escaped slash) gets the zero route: a static "no such page".
	r, _ := parseRoute(c.Request().URL.Path, c.QueryParams())
	snap := s.snapshot(c)
	b := s.build(snap, r)
	return render(c, b.status, views.Document(asOf(c, b.page).WithSuggestions(viewmodel.NewSuggestions(snap))))
}

// serveJSON answers /api/v1/<page> with the page's data, through the same
// route and builder as the page itself.
func (s *Server) serveJSON(c echo.Context) error {
	path := c.Request().URL.Path[len("/api/v1"):]
	if path == "/overview" {
		path = "/"
	}
	r, ok := parseRoute(path, c.QueryParams())
	if !ok {
		return echo.ErrNotFound
	}
	d := routeData(s.snapshot(c), r) // the data alone: no page is drawn for JSON
	return c.JSON(d.status, d.body)
}

// serveGraph answers /api/v1/graph with the whole snapshot, as `netviz dump`
// writes it.
func (s *Server) serveGraph(c echo.Context) error {
	body, err := viewmodel.GraphJSON(s.snapshot(c))
	if err != nil {
		return fmt.Errorf("encode snapshot: %w", err)
	}
	return c.JSONBlob(http.StatusOK, body)
}

// serveWarnings answers /api/v1/warnings, narrowed by the text filter.
func (s *Server) serveWarnings(c echo.Context) error {
	f := viewmodel.FilterFromQuery(c.QueryParams())
	ws := viewmodel.Warnings(s.snapshot(c), f)
	if ws == nil {
		ws = []viewmodel.WarningRow{}
	}
	return c.JSON(http.StatusOK, ws)
}

// health is the /healthz body.
type health struct {
	Status  string `json:"status"`
	Version uint64 `json:"version"`
	Live    bool   `json:"live"`
}

// serveHealth says the process answers; it reports the model version and
// whether live updates run, and is 200 whatever Nomad's state (the overview
// shows that).
func (s *Server) serveHealth(c echo.Context) error {
	return c.JSON(http.StatusOK, health{Status: "ok", Version: s.src.Snapshot().Version(), Live: s.hub.Load() != nil})
}

// render writes a templ component as an HTML response.
func render(c echo.Context, status int, comp templ.Component) error {
	buf := templ.GetBuffer()
	defer templ.ReleaseBuffer(buf)
	if err := comp.Render(c.Request().Context(), buf); err != nil {
		return fmt.Errorf("render %s: %w", c.Request().URL.Path, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// httpError logs unexpected errors once and answers in the client's terms.
func (s *Server) httpError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code := http.StatusInternalServerError
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code = he.Code
	} else {
		s.log.Error("request failed", "path", c.Request().URL.Path, "err", err)
	}
	msg := http.StatusText(code)
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(code)
	} else {
		err = c.JSON(code, errorBody{Error: msg})
	}
	if err != nil {
		s.log.Debug("write error response", "err", err)
	}
}
