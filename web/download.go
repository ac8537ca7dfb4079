package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/views/export"
	"github.com/netviz/netviz/views/viewmodel"
)

// Routes that export without being pages: they have only a JSON twin.
const (
	routeGraph    = "/api/v1/graph"
	routeWarnings = "/api/v1/warnings"
)

// exports answers ?format=svg|dot|mermaid|json on every page and on
// /api/v1/graph and /api/v1/warnings, from the snapshot the page would
// show (s.snapshot: the viewer's scope), through the same route and
// filter. Other requests pass through; a page's request learns its own
// address (views.WithHere), so its download links and deep link carry
// every query parameter it was asked with.
func (s *Server) exports(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		page := isPageRoute(c.Path())
		if !page && c.Path() != routeGraph && c.Path() != routeWarnings {
			return next(c)
		}
		req := c.Request()
		value := c.QueryParam(export.ParamFormat)
		if value == "" {
			if page {
				c.SetRequest(req.WithContext(views.WithHere(req.Context(), req.URL.RequestURI())))
			}
			return next(c)
		}
		f, ok := export.ParseFormat(value)
		if !ok {
			return echo.NewHTTPError(http.StatusBadRequest, "format must be svg, dot, mermaid or json")
		}
		if !page && f == export.FormatJSON {
			return next(c)
		}
		return s.serveExport(c, f, page)
	}
}

// isPageRoute reports whether an echo route pattern is a page.
func isPageRoute(path string) bool {
	for _, k := range []pageKind{kindOverview, kindTopology, kindAllocation, kindNode, kindServices, kindService, kindReach} {
		if path == string(k) {
			return true
		}
	}
	return false
}

// serveExport writes one export as a download.
func (s *Server) serveExport(c echo.Context, f export.Format, page bool) error {
	snap := s.snapshot(c)
	filter := viewmodel.FilterFromQuery(c.QueryParams())
	var v export.View
	switch {
	case c.Path() == routeGraph:
		v = export.Model(snap, filter)
	case c.Path() == routeWarnings:
		v = export.Warnings(viewmodel.Warnings(snap, filter), filter)
	default:
		r, _ := parseRoute(c.Request().URL.Path, c.QueryParams())
		var ok bool
		if v, ok = drawnExport(snap, r, f); ok {
			break
		}
		// Only the page's data: its HTML is never drawn for a download.
		d := routeData(snap, r)
		if f == export.FormatJSON || d.status != http.StatusOK {
			// A page that does not exist (or is ambiguous) answers as its
			// API twin does, with the same status and body.
			if d.status == http.StatusOK {
				c.Response().Header().Set(echo.HeaderContentDisposition, export.Disposition(pageStem(r), f))
			}
			return c.JSON(d.status, d.body)
		}
		if v, ok = pageExport(snap, d.body); !ok {
			return echo.ErrNotFound
		}
	}
	body, err := v.Render(c.Request().Context(), f)
	if errors.Is(err, export.ErrTooLarge) {
		return c.JSON(http.StatusUnprocessableEntity, errorBody{Error: err.Error()})
	}
	if err != nil {
		return fmt.Errorf("export %s as %s: %w", c.Request().URL.Path, f, err)
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, export.Disposition(v.Stem, f))
	return c.Blob(http.StatusOK, f.ContentType(), body)
}

// drawnExport is the picture export of the overview and topology pages:
// drawn from the snapshot and the filter alone (they are always there), so
// neither page's data is built for it. Other pages and JSON are not.
func drawnExport(snap *model.Snapshot, r route, f export.Format) (export.View, bool) {
	if f == export.FormatJSON {
		return export.View{}, false
	}
	switch r.kind {
	case kindOverview:
		return export.Topology("overview", snap, r.filter), true
	case kindTopology:
		return export.Topology("topology", snap, r.filter), true
	}
	return export.View{}, false
}

// pageExport is the export of the other pages, from their data (routeData).
func pageExport(snap *model.Snapshot, body any) (export.View, bool) {
	switch v := body.(type) {
	case viewmodel.AllocationView:
		return export.Allocation(snap, v.Allocation), true
	case viewmodel.NodeView:
		return export.NodePage(v), true
	case viewmodel.ServiceList:
		return export.Services(v), true
	case viewmodel.ServiceView:
		return export.Service(v), true
	case viewmodel.ReachView:
		return export.Reach(v), true
	}
	return export.View{}, false
}

// pageStem names a page's JSON download.
func pageStem(r route) string {
	name := string(r.kind)
	if r.kind == kindOverview {
		name = "overview"
	}
	return name + "-" + r.id + "-" + r.filter.Query().Encode()
}
