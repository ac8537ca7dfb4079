package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/netviz/netviz/collector/model/reach"
	"github.com/netviz/netviz/views/viewmodel"
)

// serveReachMatrix answers /api/v1/reach/matrix: who can reach whom among
// the services, from the current snapshot, for the window ?row=&col=&size=
// (at most reach.MaxMatrixSize services each way).
func (s *Server) serveReachMatrix(c echo.Context) error {
	return c.JSON(http.StatusOK, reach.MatrixOf(s.snapshot(c), viewmodel.WindowFromQuery(c.QueryParams())))
}
